// The dashboard's data, its live event stream, order search, and who may see them.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardCsp } from '../../src/modules/dashboard/dashboard.routes.js';
import { businessDateOf } from '../../src/shared/zoned-time.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

describe.each(availableBackends())('dashboard API on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { MAP_TILE_URL: '' });
  });
  afterAll(async () => t?.close());
  const place = (body: object) => t.app.inject({ method: 'POST', url: '/api/orders', payload: body });

  it('summarises the day: revenue, orders, success rate, by source, failures, hours', async () => {
    expect((await place(seedOrderBody({ customer_name: 'Stat One' }))).statusCode).toBe(201);
    expect(
      (await place(seedOrderBody({ customer_name: 'Stat Two', fulfillment: 'pickup' }))).statusCode,
    ).toBe(201);
    expect(
      (await place(seedOrderBody({ customer_name: 'Stat Fail', delivery_address: '7' }))).statusCode,
    ).toBe(422);
    const res = await t.app.inject({ method: 'GET', url: '/api/dashboard-data' });
    expect(res.statusCode).toBe(200);
    const data = res.json();
    expect(data).toMatchObject({
      date: businessDateOf(new Date(), 'America/New_York'),
      map: { tile_url: null },
      restaurant: { name: 'AI Pizza Palace', delivery_radius_km: 5 },
      totals: {
        orders: 2,
        attempts: 3,
        failed: 1,
        revenue: 84.29,
        success_rate: 0.6667,
        average_order_value: 42.15,
      },
      by_source: { api: { orders: 2, attempts: 3 }, voice: { orders: 0, attempts: 0, revenue: 0 } },
      failures_by_reason: [{ code: 'address_not_found', count: 1 }],
    });
    expect(data.hourly.reduce((n: number, h: { orders: number }) => n + h.orders, 0)).toBe(2);
    const other = (await t.app.inject({ method: 'GET', url: '/api/dashboard-data?date=2020-01-01' })).json();
    expect(other.totals).toMatchObject({ orders: 0, attempts: 0, success_rate: 1, average_order_value: 0 });
  });

  it('serves the page from this app under a strict content security policy', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/dashboard' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/);
    expect(page.headers['content-security-policy']).toMatch(/img-src 'self' data:;/);
    expect(page.body).not.toMatch(/<script>(?!<\/script>)/);
    expect(page.body).not.toMatch(/(src|href)="https?:/);
    expect(dashboardCsp('https://{s}.tile.example.org/{z}/{x}/{y}.png')).toContain(
      "img-src 'self' data: https://*.tile.example.org",
    );
    const leaflet = await t.app.inject({ method: 'GET', url: '/vendor/leaflet/leaflet.js' });
    expect(leaflet.statusCode).toBe(200);
  });

  it('finds orders by id, name or phone', async () => {
    const placed = (
      await place(seedOrderBody({ customer_name: 'Searchable Sam', customer_phone: '212-555-0188' }))
    ).json();
    const search = async (q: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/orders?q=${encodeURIComponent(q)}` }))
        .json()
        .orders.map((o: { id: number }) => o.id);
    expect(await search('searchable')).toEqual([placed.id]);
    expect(await search('555-0188')).toEqual([placed.id]);
    expect(await search(String(placed.id))).toContain(placed.id);
    expect(await search('%')).toEqual([]);
  });

  it('pushes order.created over server-sent events the moment an order is placed', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const received: string[] = [];
    const request = http.get(`${address}/api/events`);
    const response = await new Promise<http.IncomingMessage>((resolve) => request.once('response', resolve));
    expect(response.headers['content-type']).toMatch(/text\/event-stream/);
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => received.push(chunk));
    const started = Date.now();
    const order = (await place(seedOrderBody({ customer_name: 'Live Lucy' }))).json();
    await expect
      .poll(() => received.join(''), { timeout: 1_000, interval: 10 })
      .toContain(`"id":${order.id}`);
    expect(Date.now() - started).toBeLessThan(1_000);
    const text = received.join('');
    expect(text).toContain('retry: 1000');
    expect(text).toContain('event: order.created');
    request.destroy();
  });
});

describe('dashboard access in staging', () => {
  let t: TestApp;
  const TOKEN = 'dashboard-test-token-0123456789';
  beforeAll(async () => {
    t = await createTestApp(availableBackends()[0] ?? 'pglite', {
      ENV_MODE: 'staging',
      STRIPE_SECRET_KEY: 'sk_test_x',
      GOOGLE_MAPS_API_KEY: 'key',
      VAPI_WEBHOOK_SECRET: 'vapi-dashboard-secret-0123456789',
      DASHBOARD_TOKEN: TOKEN,
      PAYMENT_PROVIDER: 'mock',
      GEO_PROVIDER: 'mock',
      SMS_PROVIDER: 'mock',
    });
  });
  afterAll(async () => t?.close());

  it('requires the token as a bearer or through the login cookie', async () => {
    for (const url of [
      '/api/orders',
      '/api/orders/1',
      '/api/dashboard-data',
      '/api/events',
      '/api/reports/2026-01-01',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error).toBe('unauthorized');
    }
    const bearer = await t.app.inject({
      method: 'GET',
      url: '/api/orders',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bearer.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/dashboard' })).headers.location).toBe(
      '/dashboard/login',
    );

    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/dashboard/login',
      payload: 'token=nope',
      headers: form,
    });
    expect(wrong.headers.location).toBe('/dashboard/login?error=1');
    const login = await t.app.inject({
      method: 'POST',
      url: '/dashboard/login',
      payload: `token=${TOKEN}`,
      headers: form,
    });
    expect(login.statusCode).toBe(303);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0] ?? '';
    const withCookie = await t.app.inject({
      method: 'GET',
      url: '/api/dashboard-data',
      headers: { cookie: session },
    });
    expect(withCookie.statusCode).toBe(200);
    // A cookie that is not valid percent-encoding is no session: 401, never a 500 (it was a URIError).
    for (const bad of ['dashboard_session=%E0%A4%A', 'dashboard_session=%', 'dashboard_session=%ZZ']) {
      const res = await t.app.inject({ method: 'GET', url: '/api/orders', headers: { cookie: bad } });
      expect(res.statusCode, bad).toBe(401);
    }
    // Placing orders is not behind the dashboard token.
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/orders', payload: seedOrderBody() })).statusCode,
    ).toBe(201);
  });
});
