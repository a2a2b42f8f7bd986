// Payments after the charge: the Stripe webhook (signature, once per event id, refunding a payment that went
// through on an order stored as failed), cancellation with a refund (once, also when repeated or concurrent,
// and out of the day's workbook), and voice orders that are never charged. Stripe is a local fake.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signStripePayload } from '../../src/adapters/payment/stripe-signature.js';
import { readWorkbook } from '../../src/modules/exports/workbook.reader.js';
import { verifyWorkbook } from '../../src/modules/exports/workbook-verification.js';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { toolCallMessage } from '../helpers/vapi-messages.js';

const WEBHOOK_SECRET = 'whsec_payments_test';

function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_${randomUUID()}`): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2024-06-20',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: { object },
  });
}

describe.each(availableBackends())('payments on %s', (backend) => {
  let fake: FakeStripe;
  let t: TestApp;

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await createTestApp(
      backend,
      {
        PAYMENT_PROVIDER: 'stripe',
        STRIPE_SECRET_KEY: 'sk_test_payments',
        STRIPE_API_URL: fake.url,
        STRIPE_WEBHOOK_SECRET: `whsec_old_one, ${WEBHOOK_SECRET}`,
        EXPORT_SWEEP_SECONDS: '0.2',
      },
      { startWorker: true },
    );
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(() => fake.setMode('succeed'));

  const deliver = (
    body: string,
    signature = signStripePayload(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/webhook/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      payload: body,
    });
  const place = (body = seedOrderBody(), key = randomUUID()) =>
    t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { 'idempotency-key': key },
      payload: body,
    });
  const claimOf = async (key: string) =>
    (
      await t.container.db.query<{ scope: string; order_id: number | null }>(
        { name: 'test_claim_of', text: 'SELECT scope, order_id FROM idempotency_keys WHERE key = $1' },
        [key],
      )
    )[0];
  /** Stripe's word that the charge under `key` went through, as our charges' metadata carries it. */
  const chargeSucceeded = (paymentId: string, key: string) =>
    stripeEvent('payment_intent.succeeded', {
      id: paymentId,
      object: 'payment_intent',
      status: 'succeeded',
      amount_received: 4514,
      metadata: { idempotency_key: key },
    });
  const order = async (id: number) =>
    (await t.app.inject({ method: 'GET', url: `/api/orders/${id}` })).json();

  it('refuses an event without a valid Stripe-Signature with a 400 naming the problem, changing nothing', async () => {
    const body = stripeEvent('charge.refunded', { payment_intent: 'pi_x', refunded: true });
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/webhook/stripe',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(unsigned.statusCode).toBe(400);
    expect(unsigned.json()).toMatchObject({
      error: 'invalid_signature',
      message: expect.stringMatching(/missing header/),
    });
    const wrongSecret = await deliver(
      body,
      signStripePayload(body, 'whsec_attacker', Math.floor(Date.now() / 1000)),
    );
    expect(wrongSecret.json()).toMatchObject({
      error: 'invalid_signature',
      message: expect.stringMatching(/no match/),
    });
    const stale = await deliver(
      body,
      signStripePayload(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 600),
    );
    expect(stale.json().message).toMatch(/timestamp out of tolerance/);
    const tampered = await deliver(
      body.replace('pi_x', 'pi_y'),
      signStripePayload(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
    );
    expect(tampered.statusCode).toBe(400);
    // Signed with the older of the two rotating secrets: accepted.
    const old = await deliver(body, signStripePayload(body, 'whsec_old_one', Math.floor(Date.now() / 1000)));
    expect(old.statusCode).toBe(200);
  });

  it('refuses a signed body that is not a Stripe event with a 400', async () => {
    const response = await deliver(JSON.stringify({ hello: 'world' }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_event');
  });

  it('refunds a payment that succeeded on an order stored as failed, once, however often the event comes', async () => {
    fake.setMode('processing', { times: 1 });
    const placed = await place();
    expect(placed.statusCode).toBe(402);
    const orderId = placed.json().details[0].order_id as number;
    const failed = await order(orderId);
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'payment_processing' });
    const paymentId = failed.payment_id as string;
    expect(paymentId).toMatch(/^pi_/);

    const body = stripeEvent('payment_intent.succeeded', {
      id: paymentId,
      object: 'payment_intent',
      status: 'succeeded',
    });
    const refundsBefore = fake.refunds.length;
    const first = await deliver(body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ applied: true, order_ids: [orderId] });
    const [again, concurrent] = await Promise.all([deliver(body), deliver(body)]);
    expect(again.json()).toMatchObject({ applied: false, order_ids: [] });
    expect(concurrent.json().applied).toBe(false);
    expect(fake.refunds.slice(refundsBefore)).toEqual([{ paymentIntent: paymentId, amount: 4514 }]);
    expect(await order(orderId)).toMatchObject({
      status: 'failed',
      payment_status: 'refunded',
      refund_id: expect.stringMatching(/^re_/),
    });
  });

  it('answers 503 when the refund cannot be made, and applies the redelivered event later', async () => {
    fake.setMode('processing', { times: 1 });
    const orderId = (await place()).json().details[0].order_id as number;
    const paymentId = (await order(orderId)).payment_id as string;
    const body = stripeEvent('payment_intent.succeeded', { id: paymentId });
    fake.setMode('server_error', { times: 2 });
    const outage = await deliver(body);
    expect(outage.statusCode).toBe(503);
    expect((await order(orderId)).payment_status).toBe('declined');
    const retried = await deliver(body);
    expect(retried.json()).toMatchObject({ applied: true, order_ids: [orderId] });
    expect((await order(orderId)).payment_status).toBe('refunded');
  });

  it('refunds a charge whose order was never saved (timed out, never retried) once, and refuses a late retry of its key', async () => {
    const key = randomUUID();
    fake.setMode('server_error', { times: 2 });
    expect((await place(seedOrderBody(), key)).statusCode).toBe(503);
    expect(await claimOf(key)).toBeUndefined();

    // The charge went through at Stripe after all.
    const paymentId = `pi_orphan_${randomUUID().slice(0, 8)}`;
    const body = chargeSucceeded(paymentId, key);
    const refundsBefore = fake.refunds.length;
    expect((await deliver(body)).statusCode).toBe(200);
    expect((await deliver(body)).json()).toMatchObject({ applied: false });
    expect(fake.refunds.slice(refundsBefore)).toEqual([{ paymentIntent: paymentId, amount: 4514 }]);
    expect(await claimOf(key)).toEqual({ scope: 'refunded', order_id: null });

    // A retry now would be answered by Stripe with that refunded charge: it must not confirm an order.
    const intentsBefore = fake.paymentIntentsCreated;
    const late = await place(seedOrderBody(), key);
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: 'payment_refunded' });
    expect(fake.paymentIntentsCreated).toBe(intentsBefore);
    expect(await claimOf(key)).toEqual({ scope: 'refunded', order_id: null });
  });

  it('answers 503 while the charged order may still be written, and refunds once its claimant is gone', async () => {
    const key = randomUUID();
    await t.container.db.query(
      {
        name: 'test_claim_in_progress',
        text: `INSERT INTO idempotency_keys (key, scope, request_hash) VALUES ($1, 'order', 'h')`,
      },
      [key],
    );
    const paymentId = `pi_pending_${randomUUID().slice(0, 8)}`;
    const body = chargeSucceeded(paymentId, key);
    const refundsBefore = fake.refunds.length;
    const early = await deliver(body);
    expect(early.statusCode).toBe(503);
    expect(early.json()).toMatchObject({ error: 'order_in_progress' });
    expect(fake.refunds.length).toBe(refundsBefore);
    expect(await claimOf(key)).toEqual({ scope: 'order', order_id: null });

    // The process that claimed the key died mid-payment: past the abandon time the redelivery refunds.
    await t.container.db.query(
      {
        name: 'test_claim_abandon',
        text: `UPDATE idempotency_keys SET claimed_at = now() - interval '5 minutes' WHERE key = $1`,
      },
      [key],
    );
    expect((await deliver(body)).statusCode).toBe(200);
    expect(fake.refunds.slice(refundsBefore)).toEqual([{ paymentIntent: paymentId, amount: 4514 }]);
    expect((await claimOf(key))?.scope).toBe('refunded');
  });

  it("leaves a confirmed order's own charge alone when its success event arrives", async () => {
    const key = randomUUID();
    const placed = await place(seedOrderBody(), key);
    expect(placed.statusCode).toBe(201);
    const refundsBefore = fake.refunds.length;
    const applied = await deliver(chargeSucceeded(placed.json().payment_id as string, key));
    expect(applied.statusCode).toBe(200);
    expect(fake.refunds.length).toBe(refundsBefore);
    expect(await order(placed.json().id as number)).toMatchObject({
      status: 'confirmed',
      payment_status: 'succeeded',
    });
  });

  it('gives a processing payment that finally failed its real decline reason', async () => {
    fake.setMode('processing', { times: 1 });
    const orderId = (await place()).json().details[0].order_id as number;
    const paymentId = (await order(orderId)).payment_id as string;
    const body = stripeEvent('payment_intent.payment_failed', {
      id: paymentId,
      last_payment_error: {
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Insufficient funds.',
      },
    });
    expect((await deliver(body)).json()).toMatchObject({ applied: true, order_ids: [orderId] });
    expect(await order(orderId)).toMatchObject({
      payment_status: 'declined',
      failure_code: 'insufficient_funds',
      failure_reason: 'Insufficient funds.',
    });
  });

  it("marks a confirmed order refunded when it is refunded in full from Stripe's dashboard, not when partly", async () => {
    const placed = (await place()).json();
    const partly = stripeEvent('charge.refunded', { payment_intent: placed.payment_id, refunded: false });
    expect((await deliver(partly)).json().order_ids).toEqual([]);
    const full = stripeEvent('charge.refunded', {
      payment_intent: placed.payment_id,
      refunded: true,
      refunds: { object: 'list', data: [{ id: 're_dashboard_1' }] },
    });
    expect((await deliver(full)).json()).toMatchObject({ applied: true, order_ids: [placed.id] });
    expect(await order(placed.id)).toMatchObject({
      status: 'confirmed',
      payment_status: 'refunded',
      refund_id: 're_dashboard_1',
    });
  });

  it('acknowledges event types it does not act on', async () => {
    const response = await deliver(stripeEvent('customer.created', { id: 'cus_1' }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      received: true,
      type: 'customer.created',
      applied: true,
      order_ids: [],
    });
  });

  it('cancels a paid order with one refund, however often or concurrently it is asked, and takes it out of the workbook', async () => {
    const keep = (await place()).json();
    const cancel = (await place()).json();
    await expect.poll(async () => (await order(cancel.id)).exported_at, { timeout: 20_000 }).not.toBeNull();
    const refundsBefore = fake.refunds.length;

    const answers = await Promise.all(
      [1, 2, 3].map(() => t.app.inject({ method: 'POST', url: `/api/orders/${cancel.id}/cancel` })),
    );
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ id: cancel.id, status: 'cancelled', payment_status: 'refunded' });
    }
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
    const again = await t.app.inject({ method: 'POST', url: `/api/orders/${cancel.id}/cancel` });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(fake.refunds.slice(refundsBefore)).toEqual([{ paymentIntent: cancel.payment_id, amount: 4514 }]);

    const date = cancel.business_date as string;
    await expect
      .poll(
        async () => {
          const workbook = await readWorkbook(t.container.exporter.filePath(date));
          return workbook.rows.map((r) => r.orderId);
        },
        { timeout: 20_000, interval: 100 },
      )
      .not.toContain(cancel.id);
    const workbook = await readWorkbook(t.container.exporter.filePath(date));
    expect(workbook.rows.map((r) => r.orderId)).toContain(keep.id);
    const ledger = await t.container.exportsRepository.dayLedger(date);
    expect(verifyWorkbook(workbook, ledger).ok).toBe(true);
    expect((await order(cancel.id)).exported_at).not.toBeNull();
  });

  it('refuses to cancel an order that was never placed (409) or does not exist (404)', async () => {
    fake.setMode('decline', { times: 1 });
    const failedId = (await place()).json().details[0].order_id as number;
    const failed = await t.app.inject({ method: 'POST', url: `/api/orders/${failedId}/cancel` });
    expect(failed.statusCode).toBe(409);
    expect(failed.json()).toMatchObject({ error: 'order_not_cancellable' });
    const missing = await t.app.inject({ method: 'POST', url: '/api/orders/999999/cancel' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('order_not_found');
  });

  it('answers 503 and leaves the order confirmed when the refund fails; a retry cancels it', async () => {
    const placed = (await place()).json();
    fake.setMode('server_error', { times: 2 });
    const outage = await t.app.inject({ method: 'POST', url: `/api/orders/${placed.id}/cancel` });
    expect(outage.statusCode).toBe(503);
    expect((await order(placed.id)).status).toBe('confirmed');
    const retried = await t.app.inject({ method: 'POST', url: `/api/orders/${placed.id}/cancel` });
    expect(retried.json()).toMatchObject({ status: 'cancelled', payment_status: 'refunded' });
  });

  it('never charges a voice order: it is confirmed as paid on delivery, and cancelling it refunds nothing', async () => {
    const createdBefore = fake.paymentIntentsCreated;
    const response = await t.app.inject({
      method: 'POST',
      url: '/webhook/simulation',
      payload: toolCallMessage(
        'place_order',
        {
          customer_name: 'Vera Voice',
          fulfillment: 'delivery',
          delivery_address: '350 Fifth Avenue',
          city: 'New York',
          zip_code: '10001',
          items: [{ name: 'Pizza Margherita', quantity: 1 }],
        },
        { callId: `call-${randomUUID()}`, caller: '+12125550123' },
      ),
    });
    const spoken = response.json().results[0].result as string;
    expect(spoken).toMatch(/^Your order is confirmed: number (\d+).*Please pay the driver\.$/);
    const id = Number(/number (\d+)/.exec(spoken)?.[1]);
    expect(await order(id)).toMatchObject({
      status: 'confirmed',
      payment_status: 'due_on_delivery',
      payment_id: null,
    });
    expect(fake.paymentIntentsCreated).toBe(createdBefore);
    const refundsBefore = fake.refunds.length;
    const cancelled = await t.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel` });
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      payment_status: 'due_on_delivery',
      refund_id: null,
    });
    expect(fake.refunds.length).toBe(refundsBefore);
  });
});

describe('the Stripe webhook without STRIPE_WEBHOOK_SECRET', () => {
  it('is 404, saying what to set', async () => {
    const t = await createTestApp('pglite');
    try {
      const response = await t.app.inject({
        method: 'POST',
        url: '/webhook/stripe',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(response.statusCode).toBe(404);
      expect(response.json().message).toMatch(/STRIPE_WEBHOOK_SECRET/);
    } finally {
      await t.close();
    }
  });
});
