// Orders written at the same moment share one statement (ClaimedOrderWriter). What must hold: each order
// gets exactly its own customer, totals and items; an order the database refuses fails alone; a claim that
// already has an order is not written twice.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlStatement } from '../../src/db/client.js';
import type { PricedLine } from '../../src/modules/menu/menu.pricing.js';
import { cents } from '../../src/shared/money.js';
import { IdempotencyRepository } from '../../src/modules/orders/idempotency.repository.js';
import { type OrderDraft, OrdersRepository } from '../../src/modules/orders/orders.repository.js';
import { type TestApp, createTestApp } from '../helpers/test-app.js';
import { type TestDatabase, availableBackends, createTestDatabase } from '../helpers/test-database.js';

const MENU = ['Pizza Margherita', 'Coke', 'Calzone', 'Caesar Salad', 'Tiramisu'];

function draft(i: number, overrides: Partial<OrderDraft> = {}): OrderDraft {
  const lines: PricedLine[] = Array.from({ length: 1 + (i % 3) }, (_, n) => ({
    itemId: `item-${n}`,
    name: `Dish ${i}-${n}`,
    quantity: 1 + ((i + n) % 4),
    unitPriceCents: cents(100 * (n + 1) + i),
    options: [],
    lineTotalCents: cents((1 + ((i + n) % 4)) * (100 * (n + 1) + i)),
  }));
  const subtotal = lines.reduce((sum, l) => sum + l.lineTotalCents, 0);
  return {
    status: 'confirmed',
    source: 'api',
    fulfillment: 'pickup',
    customerName: `Batch Customer ${i}`,
    customerPhone: `555-000-${String(i).padStart(4, '0')}`,
    deliveryAddress: null,
    city: null,
    zipCode: null,
    formattedAddress: null,
    latitude: null,
    longitude: null,
    distanceKm: null,
    subtotalCents: cents(subtotal),
    taxCents: cents(i),
    deliveryFeeCents: cents(0),
    totalCents: cents(subtotal + i),
    paymentStatus: 'succeeded',
    paymentProvider: 'mock',
    paymentId: `pay_${i}`,
    failureCode: null,
    failureReason: null,
    notes: i % 2 ? `note ${i}` : null,
    vapiCallId: null,
    lines,
    ...overrides,
  };
}

describe.each(availableBackends())('orders written together on %s', (backend) => {
  let database: TestDatabase | null = null;
  let app: TestApp | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
    if (database) {
      await database.db.close();
      await database.drop();
      database = null;
    }
  });

  /** Records the name of every statement the repositories send. */
  const recordStatements = (db: TestDatabase['db']) => {
    const names: string[] = [];
    const query = db.query.bind(db);
    db.query = <Row>(statement: SqlStatement, params: readonly unknown[]) => {
      names.push(statement.name);
      return query<Row>(statement, params);
    };
    return names;
  };

  it('gives each of 60 concurrent orders exactly its own row and items, in shared statements', async () => {
    database = await createTestDatabase(backend);
    const names = recordStatements(database.db);
    const claims = new IdempotencyRepository(database.db);
    const orders = new OrdersRepository(database.db, 'America/New_York');
    const keys = Array.from({ length: 60 }, (_, i) => `batch-${i}-${randomUUID()}`);
    for (const key of keys) expect(await claims.claim(key, 'order', '-')).toBe(true);

    const inserted = await Promise.all(keys.map((key, i) => orders.insert(draft(i), key)));
    expect(names.filter((n) => n === 'orders_insert_claimed_many').length).toBeGreaterThan(0);
    expect(new Set(inserted.map((o) => o?.id)).size).toBe(60);

    for (const [i, order] of inserted.entries()) {
      const stored = await orders.findById(order!.id);
      const expected = draft(i);
      expect(stored).toMatchObject({
        customerName: expected.customerName,
        customerPhone: expected.customerPhone,
        totalCents: expected.totalCents,
        notes: expected.notes,
        paymentId: expected.paymentId,
      });
      expect(
        stored!.items.map((item) => [item.lineNo, item.name, item.quantity, item.lineTotalCents]),
      ).toEqual(expected.lines.map((l, n) => [n + 1, l.name, l.quantity, l.lineTotalCents]));
    }
    // Every claim now points at its own order.
    for (const [i, key] of keys.entries()) {
      expect((await claims.find(key, 30))?.orderId).toBe(inserted[i]!.id);
    }
  });

  it('fails only the order the database refuses, and writes a claim that already has an order never again', async () => {
    database = await createTestDatabase(backend);
    const claims = new IdempotencyRepository(database.db);
    const orders = new OrdersRepository(database.db, 'America/New_York');
    const keys = Array.from({ length: 10 }, (_, i) => `refused-${i}-${randomUUID()}`);
    for (const key of keys) await claims.claim(key, 'order', '-');
    const first = await orders.insert(draft(100), keys[9]!);
    expect(first).not.toBeNull();

    const results = await Promise.allSettled(
      keys.map((key, i) =>
        // Order 3 breaks a CHECK constraint; order 9's claim already has an order.
        orders.insert(draft(i, i === 3 ? { source: 'fax' as 'api' } : {}), key),
      ),
    );
    expect(results[3]!.status).toBe('rejected');
    expect(results[9]).toEqual({ status: 'fulfilled', value: null });
    const written = results.filter((r, i) => i !== 3 && i !== 9 && r.status === 'fulfilled' && r.value);
    expect(written).toHaveLength(8);
    expect((await claims.find(keys[3]!, 30))?.orderId).toBeNull();
    expect((await claims.find(keys[9]!, 30))?.orderId).toBe(first!.id);
  });

  it('keeps placed orders intact through the whole API when many arrive at once, in shared statements', async () => {
    app = await createTestApp(backend);
    const names = recordStatements(app.container.db);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        app!.app.inject({
          method: 'POST',
          url: '/api/orders',
          headers: { 'idempotency-key': `api-batch-${i}` },
          payload: {
            customer_name: `Caller ${i}`,
            customer_phone: `555-010-${String(i).padStart(4, '0')}`,
            fulfillment: 'pickup',
            items: [{ name: MENU[i % MENU.length], quantity: 1 + (i % 5) }],
          },
        }),
      ),
    );
    for (const [i, res] of responses.entries()) {
      expect(res.statusCode).toBe(201);
      const view = (await app.app.inject({ method: 'GET', url: `/api/orders/${res.json().id}` })).json();
      expect(view.customer_name).toBe(`Caller ${i}`);
      expect(view.items).toHaveLength(1);
      expect(view.items[0]).toMatchObject({ name: MENU[i % MENU.length], quantity: 1 + (i % 5) });
      expect(view.total).toBe(res.json().total);
    }
    // 40 orders ready in the same turn of the event loop share statements on both engines (on PGlite a
    // statement started at once would have carried one order each: 40 claims and 40 writes).
    const claimStatements = names.filter((n) => n === 'idempotency_claim_many').length;
    const writeStatements = names.filter((n) => n.startsWith('orders_insert_claimed')).length;
    expect(claimStatements).toBeLessThanOrEqual(4);
    expect(writeStatements).toBeLessThanOrEqual(4);
  });
});
