// Input that used to reach PostgreSQL or the Stripe SDK and come back as a 5xx (or a fake payment outage):
// a session cookie that is not valid percent-encoding, dates PostgreSQL has no day for, NUL in a search, a
// signed Stripe event whose id holds NUL, and text that is not well-formed Unicode (README "Text is
// well-formed Unicode without NUL"). Each gets a 4xx naming the problem, and nothing is stored or charged.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signStripePayload } from '../../src/adapters/payment/stripe-signature.js';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.js';
import { STAGING_ON_MOCKS } from '../helpers/staging-env.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { toolCallMessage } from '../helpers/vapi-messages.js';

const WEBHOOK_SECRET = 'whsec_input_text_test';
const TOKEN = 'input-text-dashboard-token-0123456789';
const TEXT_RULE = 'must be valid Unicode text without NUL';
const DATE_RULE = 'must be a calendar date as YYYY-MM-DD with a year from 1000 to 9999';

interface ErrorBody {
  error: string;
  message: string;
  details?: Array<{ field?: string; message: string }>;
}

const stripeEvent = (id: string, type: string, object: Record<string, unknown>) =>
  JSON.stringify({ id, object: 'event', created: Math.floor(Date.now() / 1000), type, data: { object } });

describe.each(availableBackends())('bad text, dates and cookies on %s', (backend) => {
  let fake: FakeStripe;
  let t: TestApp;
  let staging: TestApp;

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await createTestApp(backend, {
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_input_text',
      STRIPE_API_URL: fake.url,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    staging = await createTestApp(backend, {
      ...STAGING_ON_MOCKS,
      DASHBOARD_TOKEN: TOKEN,
      VAPI_WEBHOOK_SECRET: 'input-text-vapi-secret-0123456789',
    });
  });
  afterAll(async () => {
    await t?.close();
    await staging?.close();
    await fake?.close();
  });
  beforeEach(() => fake.setMode('succeed'));

  const countOrders = async (app: TestApp) => {
    const [row] = await app.container.db.query<{ orders: number; claims: number }>(
      {
        name: 'input_text_counts',
        text: `SELECT (SELECT count(*)::int FROM orders) AS orders,
                      (SELECT count(*)::int FROM idempotency_keys) AS claims`,
      },
      [],
    );
    return row;
  };

  const expectRefused = (
    res: { statusCode: number; json<T>(): T },
    status: number,
    field: string,
    rule: string,
  ) => {
    expect(res.statusCode).toBe(status);
    const body = res.json<ErrorBody>();
    expect(body.error).toBe('validation_failed');
    expect(body.details).toEqual([{ field, message: `${field} ${rule}` }]);
    expect(body.message).toBe(`${field.charAt(0).toUpperCase()}${field.slice(1)} ${rule}.`);
  };

  it('answers a session cookie that is not valid percent-encoding with 401 on every protected route', async () => {
    for (const [method, url] of [
      ['GET', '/api/orders'],
      ['GET', '/api/orders/1'],
      ['GET', '/api/dashboard-data'],
      ['GET', '/api/reports/2026-01-02'],
      ['GET', '/metrics'],
      ['POST', '/api/orders/1/cancel'],
    ] as const) {
      for (const cookie of ['dashboard_session=%E0%A4%A', 'a=1; dashboard_session=%; b=%ZZ']) {
        const res = await staging.app.inject({ method, url, headers: { cookie } });
        expect(res.statusCode, `${method} ${url} ${cookie}`).toBe(401);
        expect(res.json<ErrorBody>().error).toBe('unauthorized');
      }
    }
    // The token still opens them, whatever else the cookie header holds.
    const res = await staging.app.inject({
      method: 'GET',
      url: '/api/orders',
      headers: { cookie: 'dashboard_session=%E0%A4%A', authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses dates PostgreSQL or the workbook has no day for with 422 naming date', async () => {
    for (const date of [
      '0000-01-01',
      '0001-01-01',
      '0099-12-31',
      '99999-12-31',
      '2026-02-30',
      '-2026-01-01',
    ]) {
      const query = `date=${encodeURIComponent(date)}`;
      for (const url of [`/api/orders?${query}`, `/api/dashboard-data?${query}`, `/api/reports/${date}`]) {
        expectRefused(await t.app.inject({ method: 'GET', url }), 422, 'date', DATE_RULE);
      }
      const rebuild = await t.app.inject({ method: 'POST', url: `/api/reports/${date}/rebuild` });
      expectRefused(rebuild, 422, 'date', DATE_RULE);
    }
    // The ends of the range are real days.
    for (const date of ['1000-01-01', '9999-12-31']) {
      expect((await t.app.inject({ method: 'GET', url: `/api/orders?date=${date}` })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: `/api/reports/${date}` })).statusCode).toBe(200);
    }
  });

  it('refuses NUL in a search or any query or path parameter with 422 naming it', async () => {
    expectRefused(await t.app.inject({ method: 'GET', url: '/api/orders?q=%00' }), 422, 'q', TEXT_RULE);
    expectRefused(await t.app.inject({ method: 'GET', url: '/api/orders?q=Zelda%00' }), 422, 'q', TEXT_RULE);
    expectRefused(
      await t.app.inject({ method: 'GET', url: '/api/dashboard-data?other=%00' }),
      422,
      'other',
      TEXT_RULE,
    );
    expectRefused(
      await t.app.inject({ method: 'GET', url: '/api/reports/2026-01-0%00' }),
      422,
      'date',
      TEXT_RULE,
    );
    // Wildcards and backslashes are searched for as they are.
    for (const q of ['%', '_', '\\', 'a\\', "'"]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/orders?q=${encodeURIComponent(q)}` });
      expect(res.statusCode, q).toBe(200);
    }
  });

  it('refuses an order whose customer_name holds a lone surrogate with 422, storing and charging nothing', async () => {
    const before = await countOrders(t);
    const requestsBefore = fake.requests.length;
    const key = randomUUID();
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: { 'idempotency-key': key },
        payload: seedOrderBody({ customer_name: 'Zelda \ud800' }),
      });
      expectRefused(res, 422, 'customer_name', TEXT_RULE);
    }
    const nested = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: seedOrderBody({ items: [{ name: 'Coke', quantity: 1, options: ['\udc00x'] }] }),
    });
    expectRefused(nested, 422, 'items[0].options[0]', TEXT_RULE);
    const quote = await t.app.inject({
      method: 'POST',
      url: '/api/orders/quote',
      payload: seedOrderBody({ delivery_address: '\ud83d 350 Fifth Avenue' }),
    });
    expectRefused(quote, 422, 'delivery_address', TEXT_RULE);
    const name = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: { ...seedOrderBody(), ['\ud800']: 1 },
    });
    expect(name.statusCode).toBe(422);
    expect(name.json<ErrorBody>().details?.[0]?.field).toBe('body');

    expect(await countOrders(t)).toEqual(before);
    expect(fake.requests.length).toBe(requestsBefore);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).not.toMatch(/reason="payment_unavailable"/);
    // A well-formed emoji (a surrogate pair) is text like any other.
    const emoji = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: seedOrderBody({ customer_name: 'Zelda 🍕' }),
    });
    expect(emoji.statusCode).toBe(201);
    expect(emoji.json<{ customer_name: string }>().customer_name).toBe('Zelda 🍕');
  });

  it('answers a voice tool call with unreadable text by asking to repeat it, placing nothing', async () => {
    const before = await countOrders(t);
    const requestsBefore = fake.requests.length;
    const res = await t.app.inject({
      method: 'POST',
      url: '/webhook/vapi',
      payload: toolCallMessage(
        'place_order',
        {
          customer_name: 'Zelda \ud800',
          fulfillment: 'pickup',
          payment: 'text_link',
          items: [{ name: 'Coke', quantity: 1 }],
        },
        { callId: `call-${randomUUID()}`, caller: '+14155550123' },
      ),
    });
    expect(res.statusCode).toBe(200);
    const [result] = res.json<{ results: Array<{ result?: string; error?: string }> }>().results;
    expect(result?.error).toBeUndefined();
    expect(result?.result).toMatch(/customer_name.*not valid text.*say it again/);
    expect(await countOrders(t)).toEqual(before);
    expect(fake.requests.length).toBe(requestsBefore);
  });

  const deliver = (body: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhook/stripe',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signStripePayload(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
      },
      payload: body,
    });

  it('refuses a signed Stripe event whose id holds NUL or a lone surrogate with 400 naming the id', async () => {
    for (const id of ['evt_\u0000', 'evt_1\ud800']) {
      const res = await deliver(stripeEvent(id, 'payment_intent.succeeded', { id: 'pi_1' }));
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorBody>()).toEqual({
        error: 'invalid_event',
        message: expect.stringContaining(`The event id ${TEXT_RULE}`),
      });
    }
    const badType = await deliver(stripeEvent(`evt_${randomUUID()}`, 'charge.refunded\u0000', {}));
    expect(badType.statusCode).toBe(400);
    expect(badType.json<ErrorBody>().error).toBe('invalid_event');
  });

  it('acknowledges and ignores a signed Stripe event whose payment ids hold NUL (no order has such an id)', async () => {
    for (const [type, object] of [
      ['payment_intent.succeeded', { id: 'pi_\u0000', metadata: { idempotency_key: 'k\u0000' } }],
      ['payment_intent.payment_failed', { id: 'pi_\u0000' }],
      // Stored on the order as its failure: our own words instead.
      [
        'payment_intent.payment_failed',
        { id: 'pi_none', last_payment_error: { code: 'x\u0000', message: '\u0000' } },
      ],
      ['charge.refunded', { payment_intent: 'pi_\ud800', refunded: true }],
      ['checkout.session.completed', { id: 'cs_\u0000', payment_status: 'paid' }],
      ['checkout.session.expired', { id: 'cs_\u0000' }],
    ] as const) {
      const res = await deliver(stripeEvent(`evt_${randomUUID()}`, type, object));
      expect(res.statusCode, type).toBe(200);
      expect(res.json()).toMatchObject({ received: true, applied: true, order_ids: [] });
    }
  });
});
