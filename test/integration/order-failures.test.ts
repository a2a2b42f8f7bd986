// Failed attempts: each answers with the documented status and is stored with its reason, and none binds
// money to an order it should not.
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { MockPaymentGateway } from '../../src/adapters/payment/mock-payment-gateway.js';
import type {
  ChargeRequest,
  ChargeResult,
  ExpiredPaymentLink,
  PaymentLink,
  PaymentLinkRequest,
  RefundRequest,
  RefundResult,
  PaymentGateway,
} from '../../src/adapters/payment/payment-gateway.js';
import type { Geocoder } from '../../src/adapters/geo/geocoder.js';
import { idempotencyKeys, orders } from '../../src/db/schema/index.js';
import { UnavailableError } from '../../src/errors.js';
import { CountingPaymentGateway } from '../helpers/counting-payment.js';
import { type TestApp, createSiblingApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

/** A provider that can be made to fail or hang on demand. */
class ControlledPayment implements PaymentGateway {
  readonly provider = 'mock' as const;
  mode: 'ok' | 'unavailable' | 'hang' = 'ok';
  private readonly inner = new MockPaymentGateway({
    failureRate: 0,
    latency: { minMs: 0, maxMs: 0 },
    seed: 'controlled',
  });

  charge(request: ChargeRequest): Promise<ChargeResult> {
    if (this.mode === 'unavailable')
      return Promise.reject(new UnavailableError('payment_unavailable', 'Stripe timed out.'));
    if (this.mode === 'hang') return new Promise(() => undefined);
    return this.inner.charge(request);
  }

  refund(request: RefundRequest): Promise<RefundResult> {
    return this.inner.refund(request);
  }

  createPaymentLink(request: PaymentLinkRequest): Promise<PaymentLink> {
    return this.inner.createPaymentLink(request);
  }

  expirePaymentLink(linkId: string): Promise<ExpiredPaymentLink> {
    return this.inner.expirePaymentLink(linkId);
  }
}

const tomorrowWeekday = (timeZone: string) =>
  new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' })
    .format(new Date(Date.now() + 86_400_000))
    .toLowerCase();

describe.each(availableBackends())('failed orders on %s', (backend) => {
  const apps: TestApp[] = [];
  const start = async (...args: Parameters<typeof createTestApp>) => {
    const t = await createTestApp(...args);
    apps.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of apps.splice(0).reverse()) await t.close();
  });
  const post = (t: TestApp, body: object, key?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: body,
      headers: key ? { 'idempotency-key': key } : {},
    });
  const stored = async (t: TestApp, id: number) =>
    (await t.app.inject({ method: 'GET', url: `/api/orders/${id}` })).json();

  it('a declined card is a 402 with the reason, stored as failed, and replays as the same 402', async () => {
    const payment = new CountingPaymentGateway(
      new MockPaymentGateway({ failureRate: 1, latency: { minMs: 0, maxMs: 0 }, seed: 'declines' }),
    );
    const t = await start(backend, {}, { payment });
    const res = await post(t, seedOrderBody(), 'decline-1');
    expect(res.statusCode).toBe(402);
    const body = res.json();
    expect(['card_declined', 'expired_card']).toContain(body.error);
    expect(body.message).toMatch(/declined|expired/i);
    const orderId = body.details[0].order_id as number;
    expect(await stored(t, orderId)).toMatchObject({
      status: 'failed',
      payment_status: 'declined',
      failure_code: body.error,
      failure_reason: body.message,
      total: 45.14,
    });
    const replay = await post(t, seedOrderBody(), 'decline-1');
    expect(replay.statusCode).toBe(402);
    expect(replay.json()).toEqual(body);
    expect(payment.attempts.get('decline-1')).toBe(1);
  });

  it('a geocoder timeout is a 503 with a retry hint, stored as failed, charging nothing', async () => {
    const t = await start(backend, { MOCK_GEO_FAILURE_RATE: '1' });
    const res = await post(t, seedOrderBody(), 'geo-timeout-1');
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('geo_timeout');
    expect(res.headers['retry-after']).toBeDefined();
    const [row] = await t.container.db.orm.select().from(orders).where(eq(orders.status, 'failed'));
    expect(row).toMatchObject({ failureCode: 'geo_timeout', paymentStatus: 'not_attempted' });
    // No claim was taken: the client's retry with the same key starts afresh.
    expect(await t.container.db.orm.select().from(idempotencyKeys)).toHaveLength(0);
  });

  it('a retry of a placed order gets its first answer even while the geocoder is down', async () => {
    const t = await start(backend);
    const first = await post(t, seedOrderBody(), 'geo-replay-1');
    expect(first.statusCode).toBe(201);
    const geoDown: Geocoder = {
      provider: 'mock',
      geocode: () => Promise.reject(new UnavailableError('geo_timeout', 'The geocoder timed out.')),
    };
    const other = await createSiblingApp(t, { geocoder: geoDown });
    apps.push(other);
    const retry = await post(other, seedOrderBody(), 'geo-replay-1');
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().id).toBe(first.json().id);
    // The replay stored no failed attempt.
    expect(await t.container.db.orm.select().from(orders)).toHaveLength(1);
  });

  it('an address that cannot be found is a 422 naming the field, stored as failed', async () => {
    const t = await start(backend);
    const res = await post(t, seedOrderBody({ delivery_address: '42' }));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'address_not_found' });
    expect(res.json().details[0].field).toBe('delivery_address');
    const list = (await t.app.inject({ method: 'GET', url: '/api/orders?status=failed' })).json();
    expect(list.orders[0]).toMatchObject({ failure_code: 'address_not_found', delivery_address: '42' });
  });

  it('an address outside the delivery zone is a 422; pickup still works', async () => {
    // The restaurant moved to Los Angeles: every mock address in Manhattan is far outside its 5 km zone.
    const t = await start(backend, { RESTAURANT_LAT: '34.0522', RESTAURANT_LNG: '-118.2437' });
    const res = await post(t, seedOrderBody());
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toBe('outside_delivery_zone');
    expect(res.json().message).toMatch(/we deliver within 5 km/);
    const list = (await t.app.inject({ method: 'GET', url: '/api/orders?status=failed' })).json();
    expect(list.orders[0]).toMatchObject({
      failure_code: 'outside_delivery_zone',
      payment_status: 'not_attempted',
    });
    const pickup = await post(t, seedOrderBody({ fulfillment: 'pickup' }));
    expect(pickup.statusCode).toBe(201);
    expect(pickup.json().delivery_fee).toBe(0);
  });

  it("the README's out-of-zone example: ZIP 07102 (the mock places it in Newark) is a 422 on the defaults", async () => {
    const t = await start(backend);
    const res = await post(
      t,
      seedOrderBody({ delivery_address: '1 Main Street', city: 'Newark', zip_code: '07102' }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: 'outside_delivery_zone' });
    expect(res.json().message).toMatch(
      /^Sorry, 1 Main Street, Newark, NJ 07102 is 1\d\.\d km away and we deliver within 5 km/,
    );
  });

  it('a payment provider outage is a 503 that frees the key, so the retry is charged under the same key', async () => {
    const controlled = new ControlledPayment();
    const payment = new CountingPaymentGateway(controlled);
    const t = await start(backend, {}, { payment });
    controlled.mode = 'unavailable';
    const res = await post(t, seedOrderBody(), 'outage-1');
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('payment_unavailable');
    const [failed] = await t.container.db.orm
      .select()
      .from(orders)
      .where(eq(orders.failureCode, 'payment_unavailable'));
    expect(failed).toMatchObject({ status: 'failed', paymentStatus: 'error', paymentProvider: 'mock' });
    expect(await t.container.db.orm.select().from(idempotencyKeys)).toHaveLength(0);

    controlled.mode = 'ok';
    const retry = await post(t, seedOrderBody(), 'outage-1');
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).not.toBe(failed?.id);
    expect(payment.attempts.get('outage-1')).toBe(2);
  });

  it('an order left pending by a crashed process is resumed by a retry elsewhere, under the same key', async () => {
    const controlled = new ControlledPayment();
    const t = await start(backend, {}, { payment: controlled });
    const survivor = await createSiblingApp(t, {
      payment: new CountingPaymentGateway(new ControlledPayment()),
    });
    apps.push(survivor);
    controlled.mode = 'hang';
    // The first process claims the key, then "dies" inside the payment call: a claim with no order.
    void post(t, seedOrderBody(), 'crash-1');
    await expect.poll(async () => (await t.container.db.orm.select().from(idempotencyKeys)).length).toBe(1);
    expect(await t.container.db.orm.select().from(orders)).toHaveLength(0);

    const tooSoon = await post(survivor, seedOrderBody(), 'crash-1');
    expect(tooSoon.statusCode).toBe(409);
    expect(tooSoon.json().error).toBe('request_in_progress');
    expect(tooSoon.headers['retry-after']).toBe('1');

    await t.container.db.orm.update(idempotencyKeys).set({ claimedAt: sql`now() - interval '5 minutes'` });
    const resumed = await post(survivor, seedOrderBody(), 'crash-1');
    expect(resumed.statusCode).toBe(201);
    expect(resumed.json()).toMatchObject({ status: 'confirmed', payment_status: 'succeeded' });
    const survivorPayment = survivor.container.payment as CountingPaymentGateway;
    expect(survivorPayment.attempts.get('crash-1')).toBe(1);
    expect(await t.container.db.orm.select().from(orders)).toHaveLength(1);
    const [claim] = await t.container.db.orm.select().from(idempotencyKeys);
    expect(claim?.orderId).toBe(resumed.json().id);
    // Later retries replay the resumed order.
    const replay = await post(survivor, seedOrderBody(), 'crash-1');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(resumed.json().id);
  });

  it('refuses orders while closed, naming the next opening time', async () => {
    const t = await start(backend, { OPENING_HOURS: `${tomorrowWeekday('America/New_York')} 11:00-22:00` });
    const res = await post(t, seedOrderBody());
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toBe('restaurant_closed');
    expect(res.json().message).toMatch(/closed right now\. We open again tomorrow at 11:00 AM\./);
    expect(Date.parse(res.json().details[0].next_opening_at)).toBeGreaterThan(Date.now());
    const [n] = await t.container.db.orm.select({ n: sql<number>`count(*)::int` }).from(orders);
    expect(n?.n).toBe(0);
    const menu = (await t.app.inject({ method: 'GET', url: '/api/menu' })).json();
    expect(menu.open_now).toBe(false);
  });
});
