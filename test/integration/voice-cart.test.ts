// The cart of a call over the real webhook: what the caller hears at each step, an API restart mid-call,
// changes before and after placing, and whose orders a caller may hear about.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders } from '../../src/db/schema/index.js';
import { readWorkbook } from '../../src/modules/exports/workbook.reader.js';
import { businessDateOf } from '../../src/shared/zoned-time.js';
import { type TestApp, createSiblingApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { toolCallMessage } from '../helpers/vapi-messages.js';

const CALLER = '+14155550123';
const DELIVERY = {
  customer_name: 'Vera Voice',
  fulfillment: 'delivery',
  delivery_address: '350 Fifth Avenue',
  city: 'New York',
  zip_code: '10001',
};

interface ToolResult {
  toolCallId: string;
  result?: string;
  error?: string;
}

describe.each(availableBackends())('the voice cart on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { EXPORT_SWEEP_SECONDS: '0.5' }, { startWorker: true });
  });
  afterAll(async () => t?.close());

  /** One tool call; the answer must be a spoken result, never an error. */
  const say = async (
    app: TestApp,
    callId: string,
    name: string,
    args: unknown,
    options: { caller?: string; toolCallId?: string } = {},
  ): Promise<string> => {
    const res = await app.app.inject({
      method: 'POST',
      url: '/webhook/simulation',
      payload: toolCallMessage(name, args, { callId, caller: options.caller ?? CALLER, ...options }),
    });
    expect(res.statusCode).toBe(200);
    const [answer] = res.json<{ results: ToolResult[] }>().results;
    expect(answer?.error, `${name} answered an error`).toBeUndefined();
    return answer?.result ?? '';
  };
  const orderIdIn = (sentence: string) => Number(/number (\d+)/.exec(sentence)?.[1]);

  it('builds the seed order item by item, survives a restart and places it once without items', async () => {
    const callId = `cart-${randomUUID()}`;
    expect(await say(t, callId, 'add_item', { item: 'pizza-margherita', quantity: 2 })).toBe(
      'Added 2 Pizza Margherita. The order so far: 2 Pizza Margherita; subtotal $29.98 before tax and any delivery fee.',
    );
    expect(await say(t, callId, 'add_item', { item: 'Coke', quantity: 3 })).toBe(
      'Added 3 Coke. The order so far: 2 Pizza Margherita, 3 Coke; subtotal $38.95 before tax and any delivery fee.',
    );
    // A redelivered add_item (same tool call id) adds once.
    const once = { toolCallId: 'tc-remove-once' };
    const removed = await say(t, callId, 'remove_item', { item: 'coke', quantity: 1 }, once);
    expect(removed).toBe(
      'Removed 1 Coke. The order now has: 2 Pizza Margherita, 2 Coke; subtotal $35.96 before tax and any delivery fee.',
    );
    expect(await say(t, callId, 'remove_item', { item: 'coke', quantity: 1 }, once)).toBe(removed);

    // A new API process (a restart) finds the cart in the database.
    const restarted = await createSiblingApp(t);
    try {
      expect(await say(restarted, callId, 'list_order', {})).toBe(
        'The order has: 2 Pizza Margherita, 2 Coke; subtotal $35.96 before tax and any delivery fee.',
      );
      const quote = await say(restarted, callId, 'quote_order', {
        fulfillment: 'delivery',
        delivery_address: '350 Fifth Avenue',
        city: 'New York',
        zip_code: '10001',
      });
      expect(quote).toMatch(
        /^2 Pizza Margherita, 2 Coke\. Total \$45\.14 including \$3\.19 tax and \$5\.99 delivery\./,
      );
      expect(quote).toContain('ask them to confirm before placing it');
      const placed = await say(restarted, callId, 'place_order', DELIVERY);
      expect(placed).toMatch(
        /^Your order is confirmed: number \d+, total \$45\.14, 2 Pizza Margherita, 2 Coke, delivered to/,
      );
      // The model places again under a new tool call id: the same order, not a second one.
      expect(await say(restarted, callId, 'place_order', DELIVERY)).toBe(placed);
      expect(await say(restarted, callId, 'add_item', { item: 'coke', quantity: 1 })).toMatch(
        /^Order number \d+ is already placed, so nothing was changed\. If the caller wants to change it, confirm with them and call cancel_order/,
      );
    } finally {
      await restarted.close();
    }
    const placedRows = await t.container.db.orm.select().from(orders).where(eq(orders.vapiCallId, callId));
    expect(placedRows).toHaveLength(1);
    expect(placedRows[0]).toMatchObject({ totalCents: 4514, status: 'confirmed', customerPhone: CALLER });
    await expect.poll(() => t.container.exportsRepository.backlogCount(), { timeout: 30_000 }).toBe(0);
    const workbook = await readWorkbook(
      t.container.exporter.filePath(businessDateOf(new Date(), t.config.timeZone)),
    );
    expect(workbook.rows.filter((r) => r.orderId === placedRows[0]?.id)).toHaveLength(1);
  });

  it('changes an order after placing it: cancel, edit the kept items, place the new one', async () => {
    const callId = `change-${randomUUID()}`;
    const first = await say(t, callId, 'place_order', { ...DELIVERY, items: seedOrderBody().items });
    const firstId = orderIdIn(first);
    const cancelled = await say(t, callId, 'cancel_order', {});
    expect(cancelled).toBe(
      `Order number ${firstId} is cancelled; nothing will be made or charged. Its items are still in the order: ` +
        '2 Pizza Margherita, 2 Coke. Change them with add_item or remove_item and place the order again, or leave ' +
        'it cancelled if the caller is done.',
    );
    expect(await say(t, callId, 'remove_item', { item: 'Coke' })).toBe(
      'Removed 2 Coke. The order now has: 2 Pizza Margherita; subtotal $29.98 before tax and any delivery fee.',
    );
    const second = await say(t, callId, 'place_order', DELIVERY);
    expect(orderIdIn(second)).not.toBe(firstId);
    // 29.98 + 8.875% tax (2.66) + 5.99 delivery
    expect(second).toMatch(/^Your order is confirmed: number \d+, total \$38\.63, 2 Pizza Margherita,/);
    const rows = await t.container.db.orm.select().from(orders).where(eq(orders.vapiCallId, callId));
    expect(rows.map((r) => r.status).sort()).toEqual(['cancelled', 'confirmed']);
    expect(await say(t, callId, 'cancel_order', { order_id: 1_000_000 })).toBe(
      'I can only cancel an order placed in this call, so not order 1000000.',
    );
  });

  it('answers every problem the caller can fix as a sentence saying what to ask next', async () => {
    const callId = `fix-${randomUUID()}`;
    expect(await say(t, callId, 'place_order', DELIVERY)).toBe(
      'Nothing has been added to the order yet. Add what the caller wants with add_item first, then place the order. Nothing was placed.',
    );
    expect(await say(t, callId, 'quote_order', { ...DELIVERY, zip_code: '1000' })).toBe(
      'The ZIP code I have is 1000; could you repeat it? A ZIP code has 5 digits. Then call quote_order again.',
    );
    expect(await say(t, callId, 'add_item', { item: 'coke', quantity: 0 })).toBe(
      'The quantity must be a whole number from 1 to 99. Ask the caller how many they want.',
    );
    expect(await say(t, callId, 'add_item', { item: 'pizza-margherita', options: ['Anchovies'] })).toMatch(
      /^Pizza Margherita has no option 'Anchovies'\..* Ask the caller which option they want\.$/,
    );
    expect(
      await say(t, callId, 'quote_order', {
        fulfillment: 'pickup',
        items: [
          { name: 'Lasagna', quantity: 1 },
          { name: 'Sushi Platter', quantity: 1 },
        ],
      }),
    ).toBe(
      "We don't have 'Lasagna' on the menu. We don't have 'Sushi Platter' on the menu. Ask the caller what they would like instead.",
    );
    expect(await say(t, callId, 'remove_item', { item: 'coke' })).toBe(
      'There is no Coke in the order. The order is empty: nothing has been added yet.',
    );
    expect(await say(t, callId, 'cancel_order', {})).toBe(
      'No order has been placed in this call, so there is nothing to cancel.',
    );
    expect(
      await say(t, callId, 'place_order', { fulfillment: 'delivery', items: seedOrderBody().items }),
    ).toBe('What name should I put the order under? Then call place_order again.');
  });

  it('tells a caller only about orders of this call or their own number, the same way for any other', async () => {
    const mine = await say(t, `own-${randomUUID()}`, 'place_order', {
      ...DELIVERY,
      items: seedOrderBody().items,
    });
    const myId = orderIdIn(mine);
    const someoneElse = await say(
      t,
      `other-${randomUUID()}`,
      'place_order',
      { ...DELIVERY, customer_name: 'Olga Other', items: seedOrderBody().items },
      { caller: '+12125550777' },
    );
    const theirId = orderIdIn(someoneElse);
    // The same caller on a later call, by order number and by their own number.
    const later = `later-${randomUUID()}`;
    expect(await say(t, later, 'check_order_status', { order_id: myId })).toMatch(
      new RegExp(`^Order ${myId} is confirmed.*: 2 Pizza Margherita, 2 Coke, total \\$45\\.14, placed at`),
    );
    expect(await say(t, later, 'check_order_status', {})).toMatch(/^Order \d+ is confirmed/);
    const refused = await say(t, later, 'check_order_status', { order_id: theirId });
    expect(refused).toBe(
      `I can only share orders placed on this call or from the number you are calling from, so I can't tell you about order ${theirId}.`,
    );
    expect(refused).not.toMatch(/Olga|45\.14|Pizza/);
    const missing = await say(t, later, 'check_order_status', { order_id: 9_999_999 });
    expect(missing).toBe(refused.replace(String(theirId), '9999999'));
    // A stranger calling with no order of their own hears nothing about anyone's.
    expect(
      await say(t, `stranger-${randomUUID()}`, 'check_order_status', {}, { caller: '+13105550000' }),
    ).toBe(
      "I can't find an order placed on this call or from the number you are calling from. If the caller has an order number, ask for it.",
    );
  });

  it('forgets the cart when the call ends', async () => {
    const callId = `ended-${randomUUID()}`;
    await say(t, callId, 'add_item', { item: 'coke', quantity: 1 });
    const report = await t.app.inject({
      method: 'POST',
      url: '/webhook/simulation',
      payload: {
        message: { type: 'end-of-call-report', call: { id: callId }, endedReason: 'customer-ended-call' },
      },
    });
    expect(report.statusCode).toBe(200);
    expect(await say(t, callId, 'list_order', {})).toBe('The order is empty: nothing has been added yet.');
  });
});
