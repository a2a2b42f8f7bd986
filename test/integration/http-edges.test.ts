// The edges of every request (issue 14, item 6): answers that carry customer data are never stored by a cache,
// a client's x-request-id is used only when it is a short plain token, the Vapi webhook refuses a caller
// without credentials before it parses or validates the body (and an HMAC without a fresh timestamp), and the
// webhooks are rate limited per source address before any of that.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDateOf } from '../../src/shared/zoned-time.js';
import { STAGING_ON_MOCKS } from '../helpers/staging-env.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

const backend = availableBackends()[0] ?? 'pglite';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe(`Cache-Control and x-request-id on ${backend}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  it('sends no-store on every answer that can carry customer data, and only there', async () => {
    const placed = await t.app.inject({ method: 'POST', url: '/api/orders', payload: seedOrderBody() });
    expect(placed.statusCode).toBe(201);
    expect(placed.headers['cache-control']).toBe('no-store');
    const id = placed.json<{ id: number }>().id;
    const today = businessDateOf(new Date(), t.config.timeZone);
    const withData = [
      '/api/orders',
      '/api/orders?q=Zelda',
      `/api/orders/${id}`,
      '/api/orders/999999',
      '/api/dashboard-data',
      `/api/reports/${today}`,
    ];
    for (const url of withData) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    for (const url of ['/api/menu', '/health/live']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).not.toBe('no-store');
    }
  });

  it('answers an order id or page beyond any integer with 422 naming it, never a 500', async () => {
    for (const url of ['/api/orders/1e309', '/api/orders/-1e309', '/api/orders?page=1e309']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(422);
    }
    const read = await t.app.inject({ method: 'GET', url: '/api/orders/1e309' });
    expect(read.json().details).toEqual([expect.objectContaining({ field: 'id' })]);
    const cancel = await t.app.inject({ method: 'POST', url: '/api/orders/1e309/cancel' });
    expect(cancel.statusCode).toBe(422);
  });

  it("echoes a client's short plain request id and replaces anything else with a new UUID", async () => {
    const asked = async (id: string) =>
      (await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': id } })).headers[
        'x-request-id'
      ];
    expect(await asked('lb-7f3a.2026:req_01')).toBe('lb-7f3a.2026:req_01');
    expect(await asked('a'.repeat(128))).toBe('a'.repeat(128));
    for (const sent of ['a'.repeat(129), 'x'.repeat(10_000), 'two words', '<script>', 'name=Zelda"']) {
      const id = await asked(sent);
      expect(id, sent).toMatch(UUID);
    }
  });
});

describe(`the Vapi webhook's door on ${backend}`, () => {
  const SECRET = STAGING_ON_MOCKS.VAPI_WEBHOOK_SECRET;
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { ...STAGING_ON_MOCKS, WEBHOOK_RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(async () => t?.close());

  const post = (payload: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/webhook/vapi',
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const statusUpdate = JSON.stringify({
    message: { type: 'status-update', status: 'in-progress', call: { id: `call-${randomUUID()}` } },
  });
  const signed = (body: string, timestamp: string | null) => ({
    'x-signature': createHmac('sha256', SECRET)
      .update(timestamp === null ? body : `${timestamp}.${body}`)
      .digest('hex'),
    ...(timestamp === null ? {} : { 'x-timestamp': timestamp }),
  });

  it('answers an unauthenticated body with 401, whatever it holds, and tells nothing of the schema', async () => {
    for (const body of ['{}', '{"message":1}', 'not json', '[[[[[[[[[[', '']) {
      const res = await post(body);
      expect(res.statusCode, body).toBe(401);
      expect(res.json(), body).toEqual({
        error: 'unauthorized',
        message: 'Missing or invalid Vapi credentials.',
      });
    }
    // With credentials the same `{}` is a validation problem, named.
    const checked = await post('{}', { 'x-vapi-secret': SECRET });
    expect(checked.statusCode).toBe(422);
    expect(checked.json().message).toMatch(/message/i);
  });

  it('takes an HMAC signature only with a timestamp within five minutes', async () => {
    const now = Date.now();
    expect((await post(statusUpdate, signed(statusUpdate, String(now)))).statusCode).toBe(200);
    const refused = [
      signed(statusUpdate, null),
      signed(statusUpdate, String(now - 6 * 60_000)),
      signed(statusUpdate, String(now + 6 * 60_000)),
      { ...signed(statusUpdate, String(now)), 'x-timestamp': String(now + 1) },
    ];
    for (const headers of refused) expect((await post(statusUpdate, headers)).statusCode).toBe(401);
  });
});

describe(`webhook rate limit per source on ${backend}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, {
      ...STAGING_ON_MOCKS,
      STRIPE_WEBHOOK_SECRET: 'whsec_http_edges',
      WEBHOOK_RATE_LIMIT_PER_MINUTE: '3',
    });
  });
  afterAll(async () => t?.close());

  const hit = (url: string, remoteAddress: string) =>
    t.app.inject({ method: 'POST', url, payload: {}, remoteAddress });

  it('refuses the fourth request a minute from one address with 429, before any credential check', async () => {
    for (const url of ['/webhook/vapi', '/webhook/stripe']) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await hit(url, '198.51.100.7')).statusCode);
      expect(
        statuses.slice(0, 3).every((status) => status === 400 || status === 401),
        url,
      ).toBe(true);
      expect(statuses[3], url).toBe(429);
      const refused = await hit(url, '198.51.100.7');
      expect(refused.json()).toMatchObject({ error: 'rate_limited' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // Another source has its own count.
      expect((await hit(url, '198.51.100.8')).statusCode, url).not.toBe(429);
    }
  });
});
