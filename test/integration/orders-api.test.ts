import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderItems, orders } from '../../src/db/schema/index.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

const todayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());

describe.each(availableBackends())('order API on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  const place = (body: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/orders', payload: body, headers });

  it("answers the original system's curl example with 201 and the full order (total 45.14)", async () => {
    const res = await place(seedOrderBody());
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order).toMatchObject({
      status: 'confirmed',
      source: 'api',
      fulfillment: 'delivery',
      customer_name: 'John Doe',
      customer_phone: '555-123-4567',
      subtotal: 35.96,
      tax: 3.19,
      delivery_fee: 5.99,
      total: 45.14,
      currency: 'usd',
      payment_status: 'succeeded',
      payment_provider: 'mock',
      latitude: 40.74844,
      longitude: -73.985664,
      failure_code: null,
      exported_at: null,
      business_date: todayIn('America/New_York'),
    });
    expect(order.payment_id).toMatch(/^mock_pi_/);
    expect(order.items).toEqual([
      {
        item_id: 'pizza-margherita',
        name: 'Pizza Margherita',
        quantity: 2,
        unit_price: 14.99,
        options: [],
        line_total: 29.98,
      },
      { item_id: 'coke', name: 'Coke', quantity: 2, unit_price: 2.99, options: [], line_total: 5.98 },
    ]);
    expect(Date.parse(order.created_at)).toBeGreaterThan(Date.now() - 60_000);

    const fetched = await t.app.inject({ method: 'GET', url: `/api/orders/${order.id}` });
    expect(fetched.statusCode).toBe(200);
    expect(fetched.json()).toEqual(order);
  });

  it('prices options and aliases from the menu, whatever the client says the names are', async () => {
    const res = await place(
      seedOrderBody({
        items: [
          { name: 'PEPPERONI!', quantity: 2, options: ['large', 'extra cheese'] },
          { item_id: 'coke', quantity: 1, options: ['2 Liter'] },
        ],
      }),
    );
    expect(res.statusCode).toBe(201);
    const [pizza, coke] = res.json().items;
    expect(pizza).toMatchObject({
      item_id: 'pepperoni-pizza',
      name: 'Pepperoni Pizza',
      unit_price: 22.49,
      line_total: 44.98,
    });
    expect(pizza.options.map((o: { option_id: string }) => o.option_id)).toEqual(['large', 'extra-cheese']);
    expect(coke.item_id).toBe('coke');
    expect(coke.unit_price).toBeGreaterThan(2.99);
  });

  it('takes the common phone formats', async () => {
    for (const phone of ['(212) 555-0142', '+1 (212) 555-0142', '212.555.0142', '2125550142']) {
      const res = await place(seedOrderBody({ customer_phone: phone }));
      expect(res.statusCode, phone).toBe(201);
    }
  });

  it('takes pickup orders without an address or delivery fee', async () => {
    const res = await place({
      customer_name: 'Pat Pickup',
      customer_phone: '+1 212 555 0100',
      fulfillment: 'pickup',
      items: [{ name: 'Calzone', quantity: 1 }],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      fulfillment: 'pickup',
      delivery_address: null,
      latitude: null,
      subtotal: 13.99,
      tax: 1.24,
      delivery_fee: 0,
      total: 15.23,
    });
  });

  it('quotes an order without charging or storing it', async () => {
    const [before] = await t.container.db.orm.select({ n: count() }).from(orders);
    const [itemsBefore] = await t.container.db.orm.select({ n: count() }).from(orderItems);
    const res = await t.app.inject({ method: 'POST', url: '/api/orders/quote', payload: seedOrderBody() });
    expect(res.statusCode).toBe(200);
    const quote = res.json();
    expect(quote).toMatchObject({
      subtotal: 35.96,
      tax: 3.19,
      delivery_fee: 5.99,
      total: 45.14,
      open_now: true,
    });
    expect(quote.delivery).toMatchObject({ deliverable: true, problem: null });
    expect(quote.delivery.estimated_minutes).toBeGreaterThanOrEqual(20);
    expect(quote.summary).toContain('2 Pizza Margherita, 2 Coke. Total $45.14');
    const [after] = await t.container.db.orm.select({ n: count() }).from(orders);
    const [itemsAfter] = await t.container.db.orm.select({ n: count() }).from(orderItems);
    expect(after?.n).toBe(before?.n);
    expect(itemsAfter?.n).toBe(itemsBefore?.n);
  });

  it('quotes an undeliverable address as an answer, not an error', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/orders/quote',
      payload: seedOrderBody({ delivery_address: '12345' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().delivery).toMatchObject({ deliverable: false });
    expect(res.json().delivery.problem).toMatch(/find/i);
  });

  it('lists orders newest first with pagination and filters', async () => {
    // One failed attempt (address not found) next to the confirmed ones.
    const failed = await place(seedOrderBody({ delivery_address: '!!!' }));
    expect(failed.statusCode).toBe(422);
    for (let i = 0; i < 3; i++)
      expect((await place(seedOrderBody({ customer_name: `Lister ${i}` }))).statusCode).toBe(201);

    const all = (await t.app.inject({ method: 'GET', url: '/api/orders?page_size=100' })).json();
    expect(all.total).toBe(all.orders.length);
    const ids = all.orders.map((o: { id: number }) => o.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
    expect(all.orders[0].customer_name).toBe('Lister 2');

    const page2 = (await t.app.inject({ method: 'GET', url: '/api/orders?page=2&page_size=2' })).json();
    expect(page2).toMatchObject({ page: 2, page_size: 2, total: all.total });
    expect(page2.orders.map((o: { id: number }) => o.id)).toEqual(ids.slice(2, 4));

    const failedOnly = (await t.app.inject({ method: 'GET', url: '/api/orders?status=failed' })).json();
    expect(failedOnly.total).toBeGreaterThanOrEqual(1);
    expect(failedOnly.orders.every((o: { status: string }) => o.status === 'failed')).toBe(true);
    expect(failedOnly.orders[0]).toMatchObject({
      failure_code: 'address_not_found',
      payment_status: 'not_attempted',
    });

    const voice = (await t.app.inject({ method: 'GET', url: '/api/orders?source=voice' })).json();
    expect(voice.total).toBe(0);
    const today = (
      await t.app.inject({
        method: 'GET',
        url: `/api/orders?date=${todayIn('America/New_York')}&page_size=100`,
      })
    ).json();
    expect(today.total).toBe(all.total);
    const longAgo = (await t.app.inject({ method: 'GET', url: '/api/orders?date=2020-01-01' })).json();
    expect(longAgo.total).toBe(0);
  });
});
