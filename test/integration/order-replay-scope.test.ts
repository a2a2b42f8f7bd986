// Small correctness of placing orders (issue 14, item 7): a replayed decline says it is a replay, the per-phone
// limit counts one caller however the number is written, and REST keys never meet voice call keys.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockPaymentGateway } from '../../src/adapters/payment/mock-payment-gateway.js';
import { idempotencyKeys, orders } from '../../src/db/schema/index.js';
import { CountingPaymentGateway } from '../helpers/counting-payment.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { toolCallMessage } from '../helpers/vapi-messages.js';

const voiceOrder = {
  customer_name: 'Vera Voice',
  fulfillment: 'pickup',
  items: [{ name: 'Pizza Margherita', quantity: 1 }],
};

describe.each(availableBackends())('placing orders on %s', (backend) => {
  const post = (t: TestApp, body: object, key?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: body,
      headers: key ? { 'idempotency-key': key } : {},
    });

  describe('a replayed decline', () => {
    let t: TestApp;
    beforeAll(async () => {
      const payment = new CountingPaymentGateway(
        new MockPaymentGateway({ failureRate: 1, latency: { minMs: 20, maxMs: 40 }, seed: 'replayed-402' }),
      );
      t = await createTestApp(backend, {}, { payment });
    });
    afterAll(async () => t?.close());

    it('carries Idempotent-Replayed: true like a replayed 201, and the first answer does not', async () => {
      const first = await post(t, seedOrderBody(), 'declined-replay-1');
      expect(first.statusCode).toBe(402);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await post(t, seedOrderBody(), 'declined-replay-1');
      expect(again.statusCode).toBe(402);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
    });

    it('marks the duplicates that shared a running decline, and only them', async () => {
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => post(t, seedOrderBody(), 'declined-replay-2')),
      );
      expect(answers.map((a) => a.statusCode)).toEqual([402, 402, 402, 402]);
      const marked = answers.filter((a) => a.headers['idempotent-replayed'] === 'true');
      expect(marked).toHaveLength(3);
    });
  });

  describe('keys and phones', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(backend, { PHONE_ORDERS_PER_HOUR: '2' });
    });
    afterAll(async () => t?.close());

    const placeByVoice = async (callId: string, caller: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/webhook/simulation',
        payload: toolCallMessage('place_order', voiceOrder, { callId, caller }),
      });
      expect(res.statusCode).toBe(200);
      return res.json<{ results: Array<{ result?: string }> }>().results[0]?.result ?? '';
    };
    const ordersOfCall = (callId: string) =>
      t.container.db.orm.select().from(orders).where(eq(orders.vapiCallId, callId));

    it('counts "001 555 200 0001", "+1 555-200-0001" and "555-200-0001" as one caller', async () => {
      const pickup = (phone: string) =>
        seedOrderBody({ customer_phone: phone, fulfillment: 'pickup', delivery_address: undefined });
      expect((await post(t, pickup('001 555 200 0001'))).statusCode).toBe(201);
      expect((await post(t, pickup('+1 555-200-0001'))).statusCode).toBe(201);
      const third = await post(t, pickup('555-200-0001'));
      expect(third.statusCode).toBe(429);
      expect(third.json().error).toBe('too_many_orders');
    });

    it("a REST key spelled like a voice call's key neither replays nor blocks that call's order", async () => {
      // Voice first: the REST request with the call's key places its own order.
      const callId = `call-${randomUUID()}`;
      expect(await placeByVoice(callId, '+14155550111')).toMatch(/^Your order is confirmed/);
      const [voice] = await ordersOfCall(callId);
      const restBody = seedOrderBody({ customer_phone: '555-200-0002' });
      const rest = await post(t, restBody, `vapi-${callId}-order`);
      expect(rest.statusCode).toBe(201);
      expect(rest.headers['idempotent-replayed']).toBeUndefined();
      expect(rest.json()).toMatchObject({ source: 'api' });
      expect(rest.json().id).not.toBe(voice?.id);
      // The call's key still belongs to the call: its order comes back, and the REST key replays the REST one.
      expect(await placeByVoice(callId, '+14155550111')).toMatch(new RegExp(`number ${voice?.id}\\b`));
      const restAgain = await post(t, restBody, `vapi-${callId}-order`);
      expect(restAgain.headers['idempotent-replayed']).toBe('true');
      expect(restAgain.json().id).toBe(rest.json().id);

      // REST first: the call still places its order.
      const nextCall = `call-${randomUUID()}`;
      expect((await post(t, restBody, `vapi-${nextCall}-order`)).statusCode).toBe(201);
      expect(await placeByVoice(nextCall, '+14155550112')).toMatch(/^Your order is confirmed/);
      expect(await ordersOfCall(nextCall)).toHaveLength(1);
    });

    it('keeps REST keys that look like nothing else exactly as sent (retries across a deploy still replay)', async () => {
      const first = await post(t, seedOrderBody({ customer_phone: '555-200-0003' }), 'client-key-1');
      expect(first.statusCode).toBe(201);
      const [claim] = await t.container.db.orm
        .select()
        .from(idempotencyKeys)
        .where(eq(idempotencyKeys.orderId, first.json().id));
      expect(claim?.key).toBe('client-key-1');
    });
  });
});
