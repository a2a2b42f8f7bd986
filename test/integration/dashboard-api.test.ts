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

  it('matches `#12` and `12` as that order only, phones by their digits, names by part', async () => {
    const date = businessDateOf(new Date(), 'America/New_York');
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) {
      const phone = `646-555-${String(1000 + i)}`;
      const res = await place(seedOrderBody({ customer_name: `Rule Person ${i}`, customer_phone: phone }));
      ids.push(res.json().id);
    }
    const odd = (
      await place(seedOrderBody({ customer_name: 'Phone Spelling', customer_phone: '+1 (917) 555 0142' }))
    ).json().id as number;
    const search = async (q: string, day = true) => {
      const url = `/api/orders?page_size=100&q=${encodeURIComponent(q)}${day ? `&date=${date}` : ''}`;
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().orders.map((o: { id: number }) => o.id) as number[];
    };
    // An id whose digits are part of other ids: a substring match would find more than one.
    const all = (await search('Rule Person')).concat(await search('a'));
    const target = ids.find(
      (id) => id >= 1 && all.some((other) => other !== id && String(other).includes(String(id))),
    );
    expect(target, `ids ${ids.join(',')}`).toBeDefined();
    expect(await search(`#${target}`)).toEqual([target]);
    expect(await search(`# ${target}`)).toEqual([target]);
    expect(await search(String(target))).toEqual([target]);
    expect(await search(`#${target}`, false)).toEqual([target]);
    // Phone digits, whatever the spelling on either side; within a day any spelling, without one the index.
    expect(await search('6465551003')).toEqual([ids[3]]);
    expect(await search('16465551003')).toEqual([ids[3]]);
    expect(await search('(646) 555-1003')).toEqual([ids[3]]);
    expect(await search('6465551003', false)).toEqual([ids[3]]);
    expect(await search('9175550142')).toEqual([odd]);
    expect(await search('917-555-0142')).toEqual([odd]);
    // Names and parts of phones as typed still match by substring, case-insensitive.
    expect(await search('rule person 1')).toEqual(expect.arrayContaining([ids[1], ids[10], ids[11]]));
    expect(await search('555-1011')).toEqual([ids[11]]);
    expect(await search('SPELLING')).toEqual([odd]);
    // `#` means an order number only: never a phone, never a name.
    expect(await search('#6465551003')).toEqual([]);
    for (const q of [
      '#',
      '##1',
      '#99999999999999999999',
      '999999999999999',
      "'; drop table orders; --",
      '\\',
      '((',
      '+',
      '1'.repeat(100),
      '%_',
    ]) {
      await search(q);
      await search(q, false);
    }
  });

  it('keeps cancellations apart from failures: cards, success rate and reasons agree', async () => {
    const date = '2031-05-05';
    const before = (await t.app.inject({ method: 'GET', url: `/api/dashboard-data?date=${date}` })).json();
    expect(before.totals).toMatchObject({ cancelled: 0, refunded: 0, refunded_amount: 0, failed: 0 });
    const today = (await t.app.inject({ method: 'GET', url: '/api/dashboard-data' })).json();
    const placed = (await place(seedOrderBody({ customer_name: 'To Cancel' }))).json();
    expect((await t.app.inject({ method: 'POST', url: `/api/orders/${placed.id}/cancel` })).statusCode).toBe(
      200,
    );
    const after = (await t.app.inject({ method: 'GET', url: '/api/dashboard-data' })).json();
    expect(after.totals.attempts).toBe(today.totals.attempts + 1);
    expect(after.totals.cancelled).toBe(today.totals.cancelled + 1);
    expect(after.totals.refunded).toBe(today.totals.refunded + 1);
    expect(after.totals.refunded_amount).toBeCloseTo(today.totals.refunded_amount + placed.total, 2);
    // A cancellation is neither a failure nor a confirmed order, and leaves the success rate alone.
    expect(after.totals.failed).toBe(today.totals.failed);
    expect(after.totals.orders).toBe(today.totals.orders);
    expect(after.totals.success_rate).toBe(today.totals.success_rate);
    const t2 = after.totals;
    expect(t2.orders + t2.failed + t2.cancelled + t2.awaiting_payment).toBe(t2.attempts);
    expect(after.failures_by_reason.reduce((n: number, f: { count: number }) => n + f.count, 0)).toBe(
      t2.failed,
    );
    expect(t2.success_rate).toBe(Math.round((t2.orders / (t2.orders + t2.failed)) * 10_000) / 10_000);
    expect(after.by_source.api.cancelled).toBe(today.by_source.api.cancelled + 1);
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
