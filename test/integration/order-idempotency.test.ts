// DESIGN invariant 1: one idempotency key -> at most one order and one charge, also under concurrent
// duplicates arriving at one process or at two.
import { count, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockPaymentGateway } from '../../src/adapters/payment/mock-payment-gateway.js';
import { idempotencyKeys, orders } from '../../src/db/schema/index.js';
import { CountingPaymentGateway } from '../helpers/counting-payment.js';
import { type TestApp, createSiblingApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

describe.each(availableBackends())('idempotency on %s', (backend) => {
  let t: TestApp;
  let sibling: TestApp;
  let payment: CountingPaymentGateway;

  beforeAll(async () => {
    // A little payment latency keeps the first request in flight while its duplicates arrive.
    payment = new CountingPaymentGateway(
      new MockPaymentGateway({ failureRate: 0, latency: { minMs: 5, maxMs: 30 }, seed: 'idempotency' }),
    );
    t = await createTestApp(backend, {}, { payment });
    sibling = await createSiblingApp(t);
  });
  afterAll(async () => {
    await sibling?.close();
    await t?.close();
  });

  const post = (app: TestApp, key: string | null, body: object = seedOrderBody()) =>
    app.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: key ? { 'idempotency-key': key } : {},
      payload: body,
    });

  it('replays the first answer for the same key and body, without a second charge', async () => {
    const first = await post(t, 'replay-1');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(t, 'replay-1');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    // The other process sees the same stored answer.
    const elsewhere = await post(sibling, 'replay-1');
    expect(elsewhere.statusCode).toBe(201);
    expect(elsewhere.json().id).toBe(first.json().id);
    expect(payment.attempts.get('replay-1')).toBe(1);
  });

  it('treats the same body with keys in another order as the same request', async () => {
    const body = seedOrderBody();
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const first = await post(t, 'reorder-1', body);
    const again = await post(t, 'reorder-1', reordered);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
  });

  it('refuses the same key with a different body (422) and stores nothing for it', async () => {
    const first = await post(t, 'reuse-1');
    expect(first.statusCode).toBe(201);
    const other = await post(t, 'reuse-1', seedOrderBody({ customer_name: 'Jane Roe' }));
    expect(other.statusCode).toBe(422);
    expect(other.json().error).toBe('idempotency_key_reused');
    const otherProcess = await post(sibling, 'reuse-1', seedOrderBody({ customer_name: 'Jane Roe' }));
    expect(otherProcess.statusCode).toBe(422);
    const [row] = await t.container.db.orm
      .select({ n: count() })
      .from(orders)
      .where(eq(orders.customerName, 'Jane Roe'));
    expect(row?.n).toBe(0);
  });

  it('200 concurrent creates over two processes, 20 keys duplicated: one order and one charge per key', async () => {
    const run = `burst-${backend}`;
    const requests: Array<{ key: string; app: TestApp }> = [];
    for (let i = 0; i < 100; i++) requests.push({ key: `${run}-unique-${i}`, app: i % 2 ? t : sibling });
    for (let k = 0; k < 20; k++) {
      for (let copy = 0; copy < 5; copy++)
        requests.push({ key: `${run}-dup-${k}`, app: copy % 2 ? t : sibling });
    }
    expect(requests).toHaveLength(200);
    const responses = await Promise.all(requests.map((r) => post(r.app, r.key)));

    const idsByKey = new Map<string, Set<number>>();
    for (const [i, res] of responses.entries()) {
      const key = requests[i]!.key;
      // A duplicate reaching the other process while the first is still charging may be told to retry (409).
      expect([201, 409]).toContain(res.statusCode);
      if (res.statusCode === 201) {
        const ids = idsByKey.get(key) ?? new Set<number>();
        ids.add(res.json<{ id: number }>().id);
        idsByKey.set(key, ids);
      } else {
        expect(res.json().error).toBe('request_in_progress');
        expect(res.headers['retry-after']).toBe('1');
      }
    }
    const keys = new Set(requests.map((r) => r.key));
    expect(keys.size).toBe(120);
    for (const key of keys) {
      expect(idsByKey.get(key)?.size, `answers for ${key}`).toBe(1);
      expect(payment.attempts.get(key), `charge attempts for ${key}`).toBe(1);
    }
    const claims = await t.container.db.orm
      .select({ key: idempotencyKeys.key, status: orders.status })
      .from(idempotencyKeys)
      .leftJoin(orders, eq(orders.id, idempotencyKeys.orderId))
      .where(like(idempotencyKeys.key, `${run}-%`));
    expect(claims).toHaveLength(120);
    expect(claims.every((c) => c.status === 'confirmed')).toBe(true);
  });
});
