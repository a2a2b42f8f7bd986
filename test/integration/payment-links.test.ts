// Voice orders paid by a texted link (issue 7, "no card numbers by voice"), through the real app: Stripe's
// adapter against a local fake (Checkout Sessions), Twilio's adapter against a local fake, webhook events
// signed with the Stripe SDK's own test header, and the export worker writing the day's workbook.
// place_order with text_link -> awaiting_payment, one session, one SMS with its URL, not in the workbook ->
// checkout.session.completed -> confirmed, paid by its PaymentIntent, in the workbook; expired -> failed;
// cancelled while waiting -> session expired; outages of either provider never lose or double an order.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockSmsSender } from '../../src/adapters/sms/mock-sms-sender.js';
import { readWorkbook } from '../../src/modules/exports/workbook.reader.js';
import { verifyWorkbook } from '../../src/modules/exports/workbook-verification.js';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.js';
import {
  FAKE_TWILIO_ACCOUNT_SID,
  FAKE_TWILIO_AUTH_TOKEN,
  FAKE_TWILIO_FROM,
  type FakeTwilio,
  startFakeTwilio,
} from '../helpers/fake-twilio.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { toolCallMessage } from '../helpers/vapi-messages.js';

const WEBHOOK_SECRET = 'whsec_payment_links_test';
const CALLER = '+12125550123';
const stripeSdk = new Stripe('sk_test_signing_only');

interface OrderJson {
  id: number;
  status: string;
  payment_status: string;
  payment_provider: string | null;
  payment_id: string | null;
  failure_code: string | null;
  total: number;
  business_date: string;
  exported_at: string | null;
  refund_id: string | null;
}

function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_${randomUUID()}`): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    type,
    data: { object },
  });
}

const orderArgs = (payment?: string, extra: Record<string, unknown> = {}) => ({
  customer_name: 'Lena Link',
  fulfillment: 'delivery',
  delivery_address: '350 Fifth Avenue',
  city: 'New York',
  zip_code: '10001',
  items: [{ name: 'Pizza Margherita', quantity: 1 }],
  ...(payment ? { payment } : {}),
  ...extra,
});

const orderNumber = (spoken: string) => Number(/number (\d+)/.exec(spoken)?.[1]);

describe.each(availableBackends())('voice orders paid by a texted link on %s', (backend) => {
  let stripe: FakeStripe;
  let twilio: FakeTwilio;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    twilio = await startFakeTwilio();
    t = await createTestApp(
      backend,
      {
        PAYMENT_PROVIDER: 'stripe',
        STRIPE_SECRET_KEY: 'sk_test_payment_links',
        STRIPE_API_URL: stripe.url,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        PAYMENT_TIMEOUT_MS: '300',
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: FAKE_TWILIO_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: FAKE_TWILIO_AUTH_TOKEN,
        TWILIO_FROM_NUMBER: FAKE_TWILIO_FROM,
        TWILIO_API_URL: twilio.url,
        SMS_TIMEOUT_MS: '300',
        PUBLIC_URL: 'https://orders.example.com',
        EXPORT_SWEEP_SECONDS: '0.2',
      },
      { startWorker: true },
    );
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
    await twilio.close();
  });
  beforeEach(() => {
    stripe.setMode('succeed');
    twilio.setMode('send');
  });

  const tool = async (
    name: string,
    args: Record<string, unknown>,
    callId: string,
    toolCallId = `tc-${randomUUID()}`,
  ) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/webhook/simulation',
      payload: toolCallMessage(name, args, { callId, caller: CALLER, toolCallId }),
    });
    expect(response.statusCode).toBe(200);
    return response.json().results[0].result as string;
  };
  const deliver = (body: string) =>
    t.app.inject({
      method: 'POST',
      url: '/webhook/stripe',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripeSdk.webhooks.generateTestHeaderString({
          payload: body,
          secret: WEBHOOK_SECRET,
        }),
      },
      payload: body,
    });
  const order = async (id: number) =>
    (await t.app.inject({ method: 'GET', url: `/api/orders/${id}` })).json<OrderJson>();
  const workbookIds = async (date: string) => {
    const file = t.container.exporter.filePath(date);
    return existsSync(file) ? (await readWorkbook(file)).rows.map((r) => r.orderId) : [];
  };
  /** An API order exported: proof that the day's workbook was written after everything before it. */
  const exportedApiOrder = async () => {
    const placed = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { 'idempotency-key': randomUUID() },
      payload: seedOrderBody(),
    });
    expect(placed.statusCode).toBe(201);
    const api = placed.json<OrderJson>();
    await expect
      .poll(() => workbookIds(api.business_date), { timeout: 20_000, interval: 100 })
      .toContain(api.id);
    return api;
  };
  const newSessions = (before: number) => [...stripe.checkoutSessions.values()].slice(before);

  it('waits for payment with one session and one SMS, stays out of the workbook, and the paid webhook confirms it into the workbook once', async () => {
    const callId = `call-${randomUUID()}`;
    const sessionsBefore = stripe.checkoutSessions.size;
    const textsBefore = twilio.messages.length;
    const spoken = await tool('place_order', orderArgs('text_link'), callId);
    expect(spoken).toMatch(
      /^Your order number \d+ is saved: total \$\d+\.\d\d, 1 Pizza Margherita\. I texted a secure payment link to the number ending in 0123\. It works for 30 minutes, and the kitchen starts as soon as it is paid\.$/,
    );
    const id = orderNumber(spoken);
    const waiting = await order(id);
    const [session] = newSessions(sessionsBefore);
    expect(newSessions(sessionsBefore)).toHaveLength(1);
    expect(waiting).toMatchObject({
      status: 'awaiting_payment',
      payment_status: 'awaiting_payment',
      payment_provider: 'stripe',
      payment_id: session?.id,
      exported_at: null,
    });
    expect(session).toMatchObject({
      status: 'open',
      amount_total: Math.round(waiting.total * 100),
      metadata: { idempotency_key: `vapi-${callId}-order` },
    });
    const texts = twilio.messages.slice(textsBefore);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({ to: CALLER, from: FAKE_TWILIO_FROM });
    expect(texts[0]?.body).toContain(session?.url as string);
    expect(texts[0]?.body).toContain(`order ${id}`);

    expect(await tool('check_order_status', { order_id: id }, callId)).toMatch(
      new RegExp(
        `^Order ${id} is awaiting payment: .*number ending in 0123.*kitchen starts once it is paid\\.$`,
      ),
    );
    const listed = await t.app.inject({ method: 'GET', url: '/api/orders?status=awaiting_payment' });
    expect(listed.json().orders.map((o: OrderJson) => o.id)).toContain(id);
    const statsBefore = (await t.app.inject({ method: 'GET', url: '/api/dashboard-data' })).json();
    expect(statsBefore.totals.awaiting_payment).toBeGreaterThanOrEqual(1);

    await exportedApiOrder();
    expect(await workbookIds(waiting.business_date)).not.toContain(id);
    expect((await order(id)).exported_at).toBeNull();
    const revenueBefore = (await t.app.inject({ method: 'GET', url: '/api/dashboard-data' })).json().totals
      .revenue as number;

    const paid = stripe.completeCheckoutSession(session?.id as string);
    const body = stripeEvent('checkout.session.completed', paid);
    const first = await deliver(body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ applied: true, order_ids: [id] });
    const [again, concurrent] = await Promise.all([deliver(body), deliver(body)]);
    expect(again.json()).toMatchObject({ applied: false, order_ids: [] });
    expect(concurrent.json()).toMatchObject({ applied: false, order_ids: [] });
    expect(await order(id)).toMatchObject({
      status: 'confirmed',
      payment_status: 'succeeded',
      payment_id: paid.payment_intent,
    });
    expect(paid.payment_intent).toMatch(/^pi_/);

    await expect
      .poll(() => workbookIds(waiting.business_date), { timeout: 20_000, interval: 100 })
      .toContain(id);
    const workbook = await readWorkbook(t.container.exporter.filePath(waiting.business_date));
    expect(workbook.rows.filter((r) => r.orderId === id)).toHaveLength(1);
    const ledger = await t.container.exportsRepository.dayLedger(waiting.business_date);
    expect(verifyWorkbook(workbook, ledger).ok).toBe(true);
    const statsAfter = (await t.app.inject({ method: 'GET', url: '/api/dashboard-data' })).json();
    expect(Math.round((statsAfter.totals.revenue - revenueBefore) * 100)).toBe(
      Math.round(waiting.total * 100),
    );

    // Paid by its PaymentIntent now: cancelling refunds that payment in full.
    const refundsBefore = stripe.refunds.length;
    const cancelled = await t.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel` });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', payment_status: 'refunded' });
    expect(stripe.refunds.slice(refundsBefore)).toEqual([
      { paymentIntent: paid.payment_intent, amount: Math.round(waiting.total * 100) },
    ]);
  });

  it('makes one session and sends one SMS however often the tool call is repeated in the call', async () => {
    const callId = `call-${randomUUID()}`;
    const toolCallId = `tc-${randomUUID()}`;
    const sessionsBefore = stripe.checkoutSessions.size;
    const textsBefore = twilio.messages.length;
    const answers = await Promise.all([
      tool('place_order', orderArgs('text_link'), callId, toolCallId),
      tool('place_order', orderArgs('text_link'), callId, toolCallId),
    ]);
    answers.push(await tool('place_order', orderArgs('text_link'), callId, toolCallId));
    // Another tool call of the same call (the model repeating itself): the same order, nothing new.
    answers.push(await tool('place_order', orderArgs('text_link'), callId));
    const ids = new Set(answers.map(orderNumber));
    expect(ids.size).toBe(1);
    expect(answers.every((a) => /payment link/.test(a))).toBe(true);
    expect(newSessions(sessionsBefore)).toHaveLength(1);
    expect(twilio.messages.slice(textsBefore)).toHaveLength(1);
    expect((await order([...ids][0] as number)).status).toBe('awaiting_payment');
  });

  it('fails the order when its link expires unpaid, once, and never puts it in the workbook', async () => {
    const callId = `call-${randomUUID()}`;
    const id = orderNumber(await tool('place_order', orderArgs('text_link'), callId));
    const { payment_id: sessionId, business_date: date } = await order(id);
    const expired = stripe.expireCheckoutSession(sessionId as string);
    const body = stripeEvent('checkout.session.expired', expired);
    expect((await deliver(body)).json()).toMatchObject({ applied: true, order_ids: [id] });
    expect((await deliver(body)).json()).toMatchObject({ applied: false, order_ids: [] });
    expect(await order(id)).toMatchObject({
      status: 'failed',
      payment_status: 'link_expired',
      failure_code: 'payment_link_expired',
    });
    expect(await tool('check_order_status', { order_id: id }, callId)).toMatch(
      /^Order \d+ was not placed\. The payment link expired before it was paid\.$/,
    );
    await exportedApiOrder();
    expect(await workbookIds(date)).not.toContain(id);
    // Expired is final: cancelling it is refused, as for any order that was never placed.
    const cancel = await t.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel` });
    expect(cancel.statusCode).toBe(409);
  });

  it('acknowledges and ignores events of sessions it does not know', async () => {
    const body = stripeEvent('checkout.session.completed', {
      id: 'cs_test_not_ours',
      object: 'checkout.session',
      payment_status: 'paid',
      status: 'complete',
      payment_intent: 'pi_not_ours',
    });
    const refundsBefore = stripe.refunds.length;
    const response = await deliver(body);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ received: true, order_ids: [] });
    expect(stripe.refunds.length).toBe(refundsBefore);
    const expired = await deliver(stripeEvent('checkout.session.expired', { id: 'cs_test_not_ours_either' }));
    expect(expired.json()).toMatchObject({ received: true, order_ids: [] });
  });

  it('cancels a waiting order by expiring its session, with no refund; a paid event for it later is refunded once', async () => {
    const id = orderNumber(await tool('place_order', orderArgs('text_link'), `call-${randomUUID()}`));
    const { payment_id: sessionId, total } = await order(id);
    const refundsBefore = stripe.refunds.length;
    const answers = await Promise.all(
      [1, 2].map(() => t.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel` })),
    );
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ id, status: 'cancelled', payment_status: 'link_expired' });
    }
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(1);
    expect(stripe.checkoutSessions.get(sessionId as string)?.status).toBe('expired');
    expect(stripe.refunds.length).toBe(refundsBefore);

    // Stripe cannot complete an expired session; should a paid event arrive anyway, the money goes back.
    const body = stripeEvent('checkout.session.completed', {
      id: sessionId,
      object: 'checkout.session',
      status: 'complete',
      payment_status: 'paid',
      payment_intent: 'pi_paid_after_cancel',
    });
    expect((await deliver(body)).json()).toMatchObject({ applied: true, order_ids: [id] });
    expect((await deliver(body)).json()).toMatchObject({ applied: false });
    expect(stripe.refunds.slice(refundsBefore)).toEqual([
      { paymentIntent: 'pi_paid_after_cancel', amount: Math.round(total * 100) },
    ]);
    expect(await order(id)).toMatchObject({
      status: 'cancelled',
      payment_status: 'refunded',
      payment_id: 'pi_paid_after_cancel',
      refund_id: expect.stringMatching(/^re_/),
    });
  });

  it('refunds a link paid just before the cancel, and the late paid event changes nothing more', async () => {
    const id = orderNumber(await tool('place_order', orderArgs('text_link'), `call-${randomUUID()}`));
    const { payment_id: sessionId, total } = await order(id);
    const paid = stripe.completeCheckoutSession(sessionId as string);
    const refundsBefore = stripe.refunds.length;
    const cancelled = await t.app.inject({ method: 'POST', url: `/api/orders/${id}/cancel` });
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      payment_status: 'refunded',
      payment_id: paid.payment_intent,
    });
    const late = await deliver(stripeEvent('checkout.session.completed', paid));
    expect(late.statusCode).toBe(200);
    expect(stripe.refunds.slice(refundsBefore)).toEqual([
      { paymentIntent: paid.payment_intent, amount: Math.round(total * 100) },
    ]);
    expect((await order(id)).status).toBe('cancelled');
  });

  it('stores a failed attempt and frees the call when Stripe cannot make the link; the retry makes one', async () => {
    const callId = `call-${randomUUID()}`;
    const sessionsBefore = stripe.checkoutSessions.size;
    const textsBefore = twilio.messages.length;
    stripe.setMode('server_error', { times: 2 }); // the first try and the SDK's one retry
    const failed = await tool('place_order', orderArgs('text_link'), callId);
    expect(failed).toBe(
      "I couldn't create the payment link just now, so nothing was placed. Offer the caller to pay the driver " +
        'instead (payment on_delivery; at the counter for pickup), or try the link again in a moment.',
    );
    const attempts = (
      await t.app.inject({ method: 'GET', url: `/api/orders?source=voice&page_size=100` })
    ).json().orders as Array<OrderJson & { vapi_call_id: string }>;
    expect(attempts.filter((o) => o.vapi_call_id === callId)).toEqual([
      expect.objectContaining({
        status: 'failed',
        payment_status: 'error',
        failure_code: 'payment_unavailable',
      }),
    ]);
    expect(twilio.messages.length).toBe(textsBefore);

    stripe.setMode('hang', { times: 2 });
    expect(await tool('place_order', orderArgs('text_link'), callId)).toMatch(
      /^I couldn't create the payment link/,
    );

    const retried = await tool('place_order', orderArgs('text_link'), callId);
    expect(retried).toMatch(/I texted a secure payment link/);
    expect((await order(orderNumber(retried))).status).toBe('awaiting_payment');
    expect(twilio.messages.slice(textsBefore)).toHaveLength(1);
    // Only the session whose order was written had its URL texted.
    const texted = twilio.messages.at(-1)?.body ?? '';
    expect(newSessions(sessionsBefore).filter((s) => s.url && texted.includes(s.url))).toHaveLength(1);
  });

  it('keeps the order when the SMS cannot be sent, says so, and switches it to pay on delivery when asked', async () => {
    const callId = `call-${randomUUID()}`;
    const sessionsBefore = stripe.checkoutSessions.size;
    const textsBefore = twilio.messages.length;
    twilio.setMode('invalid_number', { times: 1 });
    const spoken = await tool('place_order', orderArgs('text_link'), callId);
    expect(spoken).toMatch(
      /^Order number \d+ is saved, total \$\d+\.\d\d, but I could not text the payment link to the number ending in 0123.*pay the driver instead.*payment on_delivery.*call us back later\.$/,
    );
    const id = orderNumber(spoken);
    expect((await order(id)).status).toBe('awaiting_payment');
    expect(twilio.messages.length).toBe(textsBefore);

    const switched = await tool('place_order', orderArgs('on_delivery'), callId);
    expect(switched).toMatch(
      new RegExp(`^Your order is confirmed: number ${id}, .*Please pay the driver\\.$`),
    );
    const [session] = newSessions(sessionsBefore);
    expect(newSessions(sessionsBefore)).toHaveLength(1);
    expect(session?.status).toBe('expired');
    const confirmed = await order(id);
    expect(confirmed).toMatchObject({ status: 'confirmed', payment_status: 'due_on_delivery' });
    await expect
      .poll(() => workbookIds(confirmed.business_date), { timeout: 20_000, interval: 100 })
      .toContain(id);
    // Its expiry event later changes nothing.
    const expired = stripeEvent('checkout.session.expired', { ...session, status: 'expired' });
    expect((await deliver(expired)).json()).toMatchObject({ applied: true, order_ids: [] });
    expect((await order(id)).status).toBe('confirmed');
  });
});

describe('voice orders paid by link on the development defaults (mock payment and SMS)', () => {
  it('texts a mock link under PUBLIC_URL to the caller and waits for the payment', async () => {
    const t = await createTestApp('pglite', { PUBLIC_URL: 'https://orders.example.com' });
    try {
      const response = await t.app.inject({
        method: 'POST',
        url: '/webhook/simulation',
        payload: toolCallMessage('place_order', orderArgs('text_link', { fulfillment: 'pickup' }), {
          callId: `call-${randomUUID()}`,
          caller: '212-555-0199',
        }),
      });
      const spoken = response.json().results[0].result as string;
      expect(spoken).toMatch(/number ending in 0199/);
      const id = orderNumber(spoken);
      const view = (await t.app.inject({ method: 'GET', url: `/api/orders/${id}` })).json<OrderJson>();
      expect(view).toMatchObject({ status: 'awaiting_payment', payment_provider: 'mock' });
      expect(view.payment_id).toMatch(/^cs_mock_/);
      const sms = t.container.sms;
      expect(sms).toBeInstanceOf(MockSmsSender);
      const sent = (sms as MockSmsSender).sentTo('+12125550199');
      expect(sent).toHaveLength(1);
      expect(sent[0]?.body).toContain(`https://orders.example.com/payment/mock-checkout/${view.payment_id}`);

      // The link's page, paid: as Stripe's checkout.session.completed would, once.
      const pageUrl = `/payment/mock-checkout/${view.payment_id}`;
      const page = await t.app.inject({ method: 'GET', url: pageUrl });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`Pay order ${id}`);
      expect(page.body).toContain(`Pay $${view.total.toFixed(2)}`);
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const paid = await t.app.inject({ method: 'POST', url: pageUrl, headers: form, payload: '' });
      expect(paid.statusCode).toBe(200);
      expect(paid.body).toContain(`Order ${id} is paid`);
      const confirmed = (await t.app.inject({ method: 'GET', url: `/api/orders/${id}` })).json<OrderJson>();
      expect(confirmed).toMatchObject({ status: 'confirmed', payment_status: 'succeeded' });
      expect(confirmed.payment_id).toMatch(/^pi_mock_/);
      // Paid, the link leads nowhere (the order's payment is now the PaymentIntent), as with Stripe.
      const again = await t.app.inject({ method: 'POST', url: pageUrl, headers: form, payload: '' });
      expect(again.statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: pageUrl })).body).toMatch(/already paid/);
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/orders/${id}` })).json<OrderJson>().payment_id,
      ).toBe(confirmed.payment_id);
      const unknown = await t.app.inject({ method: 'GET', url: '/payment/mock-checkout/cs_mock_0123abcd' });
      expect(unknown.statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('has no mock checkout page outside development', async () => {
    const t = await createTestApp('pglite', {
      ENV_MODE: 'staging',
      PAYMENT_PROVIDER: 'mock',
      GEO_PROVIDER: 'mock',
      SMS_PROVIDER: 'mock',
      VAPI_WEBHOOK_SECRET: 'vapi-links-secret-0123456789',
      DASHBOARD_TOKEN: 'dashboard-links-token-0123456789',
    });
    try {
      const page = await t.app.inject({ method: 'GET', url: '/payment/mock-checkout/cs_mock_0123abcd' });
      expect(page.statusCode).toBe(404);
      expect(page.json()).toMatchObject({ error: 'not_found' });
    } finally {
      await t.close();
    }
  });
});
