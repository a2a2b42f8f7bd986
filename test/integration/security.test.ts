// Production-mode protections through the whole app: security headers and CSP on every answer (the dashboard's
// and ReDoc's own policies kept), the CORS allow-list, the JSON depth limit before parsing (REST, Vapi; the
// Stripe webhook's raw body untouched), the per-client request limit (429 shape, Retry-After, TRUST_PROXY), the
// per-phone order limit across REST and voice with replays still answered, both limits shared through Redis
// by two API processes and let through when Redis is down, and development left unlimited by default.
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStripePayload } from '../../src/adapters/payment/stripe-signature.js';
import { rateLimitKeyDigest } from '../../src/adapters/rate-limit/key-digest.js';
import { EmbeddedExportQueue } from '../../src/adapters/queue/embedded-export-queue.js';
import { idempotencyKeys, orders } from '../../src/db/schema/index.js';
import { contentSecurityPolicy } from '../../src/http/security-headers.js';
import { dashboardCsp } from '../../src/modules/dashboard/dashboard.routes.js';
import { type TestApp, createSiblingApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { STAGING_ON_MOCKS } from '../helpers/staging-env.js';
import { toolCallMessage } from '../helpers/vapi-messages.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const backends = availableBackends();
const first = backends[0] ?? 'pglite';

const STAGING = STAGING_ON_MOCKS;

const TOO_MANY_ORDERS =
  'This phone number has placed too many orders in the last hour; please call the restaurant.';

/** A JSON value nested `depth` levels deep ([] is one level), built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < depth; level++) value = [value];
  return value;
}

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: unknown): Record<string, string> {
  expect(typeof header).toBe('string');
  return Object.fromEntries(
    (header as string)
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
  );
}

const quoteBody = () => seedOrderBody({ fulfillment: 'pickup', delivery_address: undefined });

/** A Vapi tool-calls message with one place_order call. */
function voiceOrder(callId: string, args: Record<string, unknown>, toolCallId = `tc-${randomUUID()}`) {
  return toolCallMessage('place_order', args, { callId, caller: '+14155550199', toolCallId });
}

const voiceArgs = (phone: string) => ({
  customer_name: 'Vera Voice',
  customer_phone: phone,
  fulfillment: 'pickup',
  items: [{ name: 'Calzone', quantity: 1 }],
});

async function spoken(t: TestApp, body: unknown): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/webhook/simulation', payload: body as object });
  expect(res.statusCode).toBe(200);
  const [result] = res.json<{ results: Array<{ result?: string; error?: string }> }>().results;
  return result?.result ?? result?.error ?? '';
}

describe(`security headers, CORS and JSON depth on ${first}`, () => {
  let t: TestApp;
  let cors: TestApp;
  const STRIPE_SECRET = 'whsec_security_test';
  beforeAll(async () => {
    [t, cors] = await Promise.all([
      createTestApp(first, { STRIPE_WEBHOOK_SECRET: STRIPE_SECRET }),
      createTestApp(first, { CORS_ORIGINS: 'https://shop.example.com,http://localhost:5173' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), cors?.close()]);
  });

  it('puts the security headers and the default CSP on every kind of answer, without HSTS in development', async () => {
    const answers = await Promise.all(
      [
        { method: 'GET', url: '/api/menu' },
        { method: 'GET', url: '/health' },
        { method: 'GET', url: '/no-such-page' },
        { method: 'GET', url: '/api/orders/abc' },
        { method: 'POST', url: '/api/orders', payload: { customer_name: 'x' } },
        { method: 'GET', url: '/docs/' },
      ].map((options) => t.app.inject(options as InjectOptions)),
    );
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 404, 422, 422, 200]);
    for (const res of answers) {
      const csp = directives(res.headers['content-security-policy']);
      expect(csp).toMatchObject({
        'default-src': "'self'",
        'script-src': "'self'",
        'script-src-attr': "'none'",
        'object-src': "'none'",
        'frame-ancestors': "'self'",
        'base-uri': "'self'",
      });
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
      });
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it("keeps the dashboard's own stricter policy with the tile origin, and lets ReDoc use a blob: worker", async () => {
    const dashboard = await t.app.inject({ method: 'GET', url: '/dashboard' });
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.headers['content-security-policy']).toBe(dashboardCsp(t.config.mapTileUrl));
    expect(directives(dashboard.headers['content-security-policy'])).toMatchObject({
      'img-src': "'self' data: https://tile.openstreetmap.org",
      'frame-ancestors': "'none'",
      'style-src': "'self'",
    });
    expect(dashboard.headers['x-content-type-options']).toBe('nosniff');

    const redoc = await t.app.inject({ method: 'GET', url: '/redoc' });
    expect(redoc.statusCode).toBe(200);
    expect(redoc.headers['content-security-policy']).toBe(
      contentSecurityPolicy({ 'worker-src': ["'self'", 'blob:'] }),
    );
    expect(directives(redoc.headers['content-security-policy'])).toMatchObject({
      'worker-src': "'self' blob:",
      'script-src': "'self'",
    });
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(directives(docs.headers['content-security-policy'])['worker-src']).toBeUndefined();
  });

  it('sends HSTS in staging', async () => {
    const staging = await createTestApp(first, STAGING);
    try {
      const res = await staging.app.inject({ method: 'GET', url: '/api/menu' });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await staging.close();
    }
  });

  it('answers an allowed origin with CORS headers, its preflight with the methods and headers', async () => {
    const menu = await cors.app.inject({
      method: 'GET',
      url: '/api/menu',
      headers: { origin: 'https://shop.example.com' },
    });
    expect(menu.statusCode).toBe(200);
    expect(menu.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(String(menu.headers.vary)).toMatch(/origin/i);
    expect(String(menu.headers['access-control-expose-headers'])).toContain('Retry-After');

    const preflight = await cors.app.inject({
      method: 'OPTIONS',
      url: '/api/orders',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,idempotency-key',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-allow-headers': 'content-type,idempotency-key',
      'access-control-max-age': '600',
    });
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');

    const quote = await cors.app.inject({
      method: 'POST',
      url: '/api/orders/quote',
      headers: { origin: 'https://shop.example.com' },
      payload: quoteBody(),
    });
    expect(quote.statusCode).toBe(200);
    expect(quote.headers['access-control-allow-origin']).toBe('https://shop.example.com');
  });

  it('gives any other origin no CORS headers and its preflight a 404, matching origins exactly', async () => {
    for (const origin of [
      'https://evil.example.com',
      'https://shop.example.com.evil.example.com',
      'http://shop.example.com',
      'https://shop.example.com:8443',
      'null',
    ]) {
      const res = await cors.app.inject({ method: 'GET', url: '/api/menu', headers: { origin } });
      expect(res.statusCode, origin).toBe(200);
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
      const preflight = await cors.app.inject({
        method: 'OPTIONS',
        url: '/api/orders',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.statusCode, origin).toBe(404);
      expect(preflight.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(preflight.headers['access-control-allow-methods'], origin).toBeUndefined();
    }
  });

  it('allows no cross-origin access at all when CORS_ORIGINS is unset', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/menu',
      headers: { origin: 'https://shop.example.com' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/orders',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(404);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a JSON body nested deeper than 32 with a 400 json_too_deep naming the limit, storing nothing', async () => {
    const before = await t.container.db.orm.$count(orders);
    for (const url of ['/api/orders', '/api/orders/quote']) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        payload: seedOrderBody({ extra: nested(32) }), // 33 levels with the body itself
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual({
        error: 'json_too_deep',
        message: expect.stringContaining('32'),
      });
    }
    expect(await t.container.db.orm.$count(orders)).toBe(before);

    const atLimit = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: seedOrderBody({ extra: nested(31) }),
    });
    expect(atLimit.statusCode).toBe(201);
  });

  it('refuses 30,000 unclosed brackets with a 400 before parsing, and a body over BODY_LIMIT_BYTES with 413', async () => {
    const deep = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { 'content-type': 'application/json' },
      payload: '['.repeat(30_000),
    });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().error).toBe('json_too_deep');
    const large = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { 'content-type': 'application/json' },
      payload: '['.repeat(40_000) + ']'.repeat(40_000),
    });
    expect(large.statusCode).toBe(413);
    expect(large.json().error).toBe('body_too_large');
  });

  it('applies the limit to the Vapi webhooks, which parse their own raw body', async () => {
    const deepMessage = { message: { type: 'status-update', status: 'in-progress', extra: nested(40) } };
    for (const url of ['/webhook/vapi', '/webhook/simulation']) {
      const res = await t.app.inject({ method: 'POST', url, payload: deepMessage });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error, url).toBe('json_too_deep');
    }
    const shallow = { message: { type: 'status-update', status: 'in-progress', extra: nested(10) } };
    const ok = await t.app.inject({ method: 'POST', url: '/webhook/vapi', payload: shallow });
    expect(ok.statusCode).toBe(200);
  });

  it("leaves the Stripe webhook's signed raw body alone, however deep", async () => {
    const body = JSON.stringify({
      id: `evt_${randomUUID()}`,
      object: 'event',
      api_version: '2024-06-20',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      type: 'customer.updated',
      data: { object: { id: 'cus_1', metadata: nested(40) } },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhook/stripe',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signStripePayload(body, STRIPE_SECRET, Math.floor(Date.now() / 1000)),
      },
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ received: true, type: 'customer.updated' });
  });

  it('leaves development unlimited by default: many orders from one phone and address, no limit headers', async () => {
    const phone = '(646) 555-0199';
    for (let i = 0; i < 12; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/orders',
        payload: seedOrderBody({ customer_phone: phone, fulfillment: 'pickup', delivery_address: undefined }),
      });
      expect(res.statusCode, `order ${i + 1}`).toBe(201);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    for (let i = 0; i < 12; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/orders/quote', payload: quoteBody() });
      expect(res.statusCode).toBe(200);
    }
    expect(t.container.rateLimitRedis).toBeNull();
  });
});

describe(`per-client request limit on ${first}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(first, { RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => t?.close());

  const from = (remoteAddress: string, options: InjectOptions) => t.app.inject({ ...options, remoteAddress });
  const quote = (remoteAddress: string, headers: Record<string, string> = {}) =>
    from(remoteAddress, { method: 'POST', url: '/api/orders/quote', payload: quoteBody(), headers });

  it('answers the request over the limit with 429 rate_limited, Retry-After and our error shape', async () => {
    const ip = '198.51.100.10';
    const allowed = [await quote(ip), await quote(ip), await quote(ip)];
    expect(allowed.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(allowed.map((r) => r.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0']);
    const refused = await quote(ip);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    const body = refused.json<{ error: string; message: string }>();
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(body.error).toBe('rate_limited');
    const seconds = Number(
      /^Too many requests from this address; retry in (\d+) s\.$/.exec(body.message)?.[1],
    );
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(refused.headers['retry-after']).toBe(String(seconds));
    expect(refused.headers['x-ratelimit-limit']).toBe('3');
    expect(refused.headers['x-request-id']).toEqual(expect.any(String));
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    for (const path of ['/api/orders', '/api/orders/quote'])
      expect(Object.keys(spec.paths[path]?.post?.responses ?? {}), path).toEqual(
        expect.arrayContaining(['400', '429']),
      );
    // Another client is not affected.
    expect((await quote('198.51.100.11')).statusCode).toBe(200);
  });

  it('limits order placing and the dashboard login the same way', async () => {
    const ip = '198.51.100.20';
    const place = () =>
      from(ip, {
        method: 'POST',
        url: '/api/orders',
        payload: seedOrderBody({
          customer_phone: `212-555-${String(Math.floor(Math.random() * 9000) + 1000)}`,
        }),
      });
    expect([(await place()).statusCode, (await place()).statusCode, (await place()).statusCode]).toEqual([
      201, 201, 201,
    ]);
    const refused = await place();
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toBe('rate_limited');

    const login = () =>
      from(ip, {
        method: 'POST',
        url: '/dashboard/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'token=guess',
      });
    for (let i = 0; i < 3; i++) expect((await login()).statusCode).toBe(303);
    const tooMany = await login();
    expect(tooMany.statusCode).toBe(429);
    expect(tooMany.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('does not limit the webhooks, docs, health or menu', async () => {
    const ip = '198.51.100.30';
    const requests: Array<{ method: 'GET' | 'POST'; url: string; payload?: object }> = [
      { method: 'GET', url: '/health' },
      { method: 'GET', url: '/api/menu' },
      { method: 'GET', url: '/docs/' },
      { method: 'GET', url: '/openapi.json' },
      {
        method: 'POST',
        url: '/webhook/vapi',
        payload: { message: { type: 'status-update', status: 'in-progress' } },
      },
      {
        method: 'POST',
        url: '/webhook/simulation',
        payload: { message: { type: 'status-update', status: 'in-progress' } },
      },
    ];
    for (const options of requests) {
      for (let i = 0; i < 6; i++) {
        const res = await from(ip, options);
        expect(res.statusCode, `${options.method} ${options.url}`).toBe(200);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    }
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const ip = '198.51.100.40';
    for (let i = 0; i < 3; i++) await quote(ip, { 'x-forwarded-for': `203.0.113.${i}` });
    const spoofed = await quote(ip, { 'x-forwarded-for': '203.0.113.99' });
    expect(spoofed.statusCode).toBe(429);
  });

  it('with TRUST_PROXY, counts per X-Forwarded-For client; with a proxy list, a forged left part does not help', async () => {
    const [on, listed] = await Promise.all([
      createTestApp(first, { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'on' }),
      createTestApp(first, { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1,10.0.0.0/8' }),
    ]);
    try {
      const via = (app: TestApp, forwardedFor: string) =>
        app.app.inject({
          method: 'POST',
          url: '/api/orders/quote',
          payload: quoteBody(),
          headers: { 'x-forwarded-for': forwardedFor },
        });
      expect((await via(on, '203.0.113.5')).statusCode).toBe(200);
      expect((await via(on, '203.0.113.5')).statusCode).toBe(200);
      expect((await via(on, '203.0.113.5')).statusCode).toBe(429);
      expect((await via(on, '203.0.113.6')).statusCode).toBe(200);

      // The proxies append: the client is the last address before them, whatever the client wrote first.
      expect((await via(listed, '192.0.2.1, 203.0.113.7, 10.1.1.1')).statusCode).toBe(200);
      expect((await via(listed, '192.0.2.2, 203.0.113.7, 10.1.1.2')).statusCode).toBe(200);
      expect((await via(listed, '192.0.2.3, 203.0.113.7')).statusCode).toBe(429);
      expect((await via(listed, '203.0.113.8')).statusCode).toBe(200);
    } finally {
      await Promise.all([on.close(), listed.close()]);
    }
  });

  it('uses 120 a minute in staging by default, and 10 orders an hour per phone', async () => {
    const staging = await createTestApp(first, STAGING);
    try {
      const res = await staging.app.inject({
        method: 'POST',
        url: '/api/orders/quote',
        payload: quoteBody(),
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('120');
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const order = await staging.app.inject({
          method: 'POST',
          url: '/api/orders',
          payload: seedOrderBody({ customer_phone: '917-555-0111' }),
        });
        statuses.push(order.statusCode);
      }
      expect(statuses).toEqual([...Array<number>(10).fill(201), 429]);
    } finally {
      await staging.close();
    }
  });
});

describe.each(backends)('per-phone order limit on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { PHONE_ORDERS_PER_HOUR: '2' });
  });
  afterAll(async () => t?.close());

  const place = (body: object, key?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: body,
      headers: key ? { 'idempotency-key': key } : {},
    });
  const pickup = (phone: string, name = 'Pat Phone') =>
    seedOrderBody({
      customer_phone: phone,
      customer_name: name,
      fulfillment: 'pickup',
      delivery_address: undefined,
    });

  it('counts REST and voice orders of one phone together, whatever its format, and refuses the third', async () => {
    expect((await place(pickup('(212) 555-0101'))).statusCode).toBe(201);
    const voice = await spoken(t, voiceOrder(`call-${randomUUID()}`, voiceArgs('+1 212 555 0101')));
    expect(voice).toMatch(/^Your order is confirmed: number \d+/);

    const key = `k-${randomUUID()}`;
    const refused = await place(pickup('212.555.0101'), key);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ error: 'too_many_orders', message: TOO_MANY_ORDERS });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3_500);
    expect(retryAfter).toBeLessThanOrEqual(3_600);

    const voiceRefused = await spoken(t, voiceOrder(`call-${randomUUID()}`, voiceArgs('2125550101')));
    expect(voiceRefused).toBe(TOO_MANY_ORDERS);

    // Refusals store no order and leave no claimed key behind.
    const stored = await t.container.db.orm
      .select({ id: orders.id })
      .from(orders)
      .where(
        inArray(orders.customerPhone, ['(212) 555-0101', '+1 212 555 0101', '212.555.0101', '2125550101']),
      );
    expect(stored).toHaveLength(2);
    const claims = await t.container.db.orm
      .select()
      .from(idempotencyKeys)
      .where(inArray(idempotencyKeys.key, [key]));
    expect(claims).toEqual([]);

    // Another phone is not affected.
    expect((await place(pickup('(212) 555-0102'))).statusCode).toBe(201);
  });

  it('replays an Idempotency-Key over the limit with its first answer, and never counts a replay', async () => {
    const phone = '718-555-0120';
    const [k1, k2, k3] = [randomUUID(), randomUUID(), randomUUID()];
    const firstOrder = await place(pickup(phone), k1);
    expect(firstOrder.statusCode).toBe(201);
    for (let i = 0; i < 3; i++) {
      const replay = await place(pickup(phone), k1);
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json().id).toBe(firstOrder.json().id);
    }
    // Three replays later, the second new order is still within the limit of two.
    const second = await place(pickup(phone, 'Second Order'), k2);
    expect(second.statusCode).toBe(201);
    expect((await place(pickup(phone, 'Third Order'), k3)).statusCode).toBe(429);

    for (const [key, expected, name] of [
      [k1, firstOrder, 'Pat Phone'],
      [k2, second, 'Second Order'],
    ] as const) {
      const replay = await place(pickup(phone, name), key);
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json()).toEqual(expected.json());
    }
    // A different body under a used key is still refused as such, not as a rate limit.
    const reused = await place(pickup(phone, 'Someone Else'), k1);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error).toBe('idempotency_key_reused');
  });

  it("repeats a voice call's confirmed order when its place_order comes again over the limit", async () => {
    const phone = '+1 347 555 0130';
    const callA = `call-${randomUUID()}`;
    const confirmedA = await spoken(t, voiceOrder(callA, voiceArgs(phone)));
    expect(confirmedA).toMatch(/^Your order is confirmed: number \d+/);
    expect(await spoken(t, voiceOrder(`call-${randomUUID()}`, voiceArgs(phone)))).toMatch(
      /^Your order is confirmed/,
    );
    expect(await spoken(t, voiceOrder(`call-${randomUUID()}`, voiceArgs(phone)))).toBe(TOO_MANY_ORDERS);
    // The same call asks again with a new tool call id: the call's one order, not a refusal.
    expect(await spoken(t, voiceOrder(callA, voiceArgs(phone)))).toBe(confirmedA);
  });
});

describe(`limits on Redis, shared by two API processes, on ${first}`, () => {
  const prefix = `test:security:${randomUUID()}:`;
  const env = {
    REDIS_URL,
    RATE_LIMIT_KEY_PREFIX: prefix,
    RATE_LIMIT_PER_MINUTE: '3',
    PHONE_ORDERS_PER_HOUR: '2',
  };
  let a: TestApp;
  let b: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    a = await createTestApp(first, env, { queue: new EmbeddedExportQueue() });
    b = await createSiblingApp(a, { queue: new EmbeddedExportQueue() });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('shares the per-client count: the fourth request is refused whichever process gets it', async () => {
    const quote = (app: TestApp) =>
      app.app.inject({
        method: 'POST',
        url: '/api/orders/quote',
        payload: quoteBody(),
        remoteAddress: '192.0.2.50',
      });
    expect([(await quote(a)).statusCode, (await quote(b)).statusCode, (await quote(a)).statusCode]).toEqual([
      200, 200, 200,
    ]);
    const refused = await quote(b);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toBe('rate_limited');
    expect(await redis.keys(`${prefix}ip:*`)).not.toEqual([]);
  });

  it('shares the per-phone count across processes and channels', async () => {
    const phone = '212-555-0177';
    const order = (app: TestApp) =>
      app.app.inject({
        method: 'POST',
        url: '/api/orders',
        payload: seedOrderBody({ customer_phone: phone }),
        remoteAddress: `192.0.2.${60 + Math.floor(Math.random() * 100)}`,
      });
    expect((await order(a)).statusCode).toBe(201);
    expect(await spoken(b, voiceOrder(`call-${randomUUID()}`, voiceArgs('+12125550177')))).toMatch(
      /^Your order is confirmed/,
    );
    const refused = await order(a);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toBe('too_many_orders');
    // Counted under the number's keyed hash (development: no token, the app's salt alone), never the number.
    const digest = rateLimitKeyDigest(null);
    expect(await redis.get(`${prefix}phone:${digest('2125550177')}`)).toBe('3');
    const phoneKeys = await redis.keys(`${prefix}phone:*`);
    expect(phoneKeys.length).toBeGreaterThan(0);
    for (const key of phoneKeys) expect(key).not.toMatch(/2125550177|5550177/);
  });

  it('lets requests and orders through, with a warning, when Redis does not answer', async () => {
    const warnings: Array<{ msg: string }> = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void warnings.push(JSON.parse(line) as { msg: string }) },
    );
    const started = performance.now();
    const down = await createTestApp(
      first,
      { ...env, REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_PER_MINUTE: '1', PHONE_ORDERS_PER_HOUR: '1' },
      { queue: new EmbeddedExportQueue(), logger },
    );
    try {
      expect(performance.now() - started).toBeLessThan(10_000);
      for (let i = 0; i < 3; i++) {
        const res = await down.app.inject({
          method: 'POST',
          url: '/api/orders',
          payload: seedOrderBody({ customer_phone: '212-555-0188' }),
        });
        expect(res.statusCode).toBe(201);
        const quoted = await down.app.inject({
          method: 'POST',
          url: '/api/orders/quote',
          payload: quoteBody(),
        });
        expect(quoted.statusCode).toBe(200);
      }
      const messages = warnings.map((w) => w.msg);
      expect(messages).toContain('rate limit Redis unreachable; limits are not enforced until it is back');
      expect(messages.filter((m) => m === 'phone order limit not checked; order allowed')).toHaveLength(3);
    } finally {
      await down.close();
    }
  });
});
