// "Nothing is half-written", as SQL: each rule is a query listing the rows that break it, and every one must
// come back empty. The fuzz suites check these after their runs, each adding the rules of its own channel.
import { expect } from 'vitest';
import type { SqlStatement } from '../../src/db/client.js';
import type { TestApp } from './test-app.js';

/** A query listing the rows that break one rule, with its parameters. */
export type Rule = SqlStatement | [SqlStatement, unknown[]];

export const ruleSql = (name: string, text: string): SqlStatement => ({ name: `consistency_${name}`, text });

/** Rules every order path must keep, whatever channel wrote the orders. */
export const orderConsistencyRules = (t: TestApp): Record<string, Rule> => ({
  'orders without items': ruleSql(
    'no_items',
    `SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)`,
  ),
  'order items without an order': ruleSql(
    'orphan_items',
    `SELECT i.id FROM order_items i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL`,
  ),
  'confirmed totals that do not add up': [
    ruleSql(
      'totals',
      `SELECT o.id FROM orders o JOIN (SELECT order_id, sum(line_total_cents) AS lines FROM order_items GROUP BY order_id) s
        ON s.order_id = o.id
      WHERE o.status = 'confirmed' AND (
        o.subtotal_cents <> s.lines
        OR o.tax_cents <> floor((o.subtotal_cents::bigint * $1::bigint + 500000) / 1000000)
        OR o.delivery_fee_cents <> CASE o.fulfillment WHEN 'delivery' THEN $2::int ELSE 0 END
        OR o.total_cents <> o.subtotal_cents + o.tax_cents + o.delivery_fee_cents)`,
    ),
    [t.container.restaurant.pricing.taxRatePpm, t.container.restaurant.pricing.deliveryFeeCents],
  ],
  'claims pointing at a missing order': ruleSql(
    'dangling_claims',
    `SELECT k.key FROM idempotency_keys k LEFT JOIN orders o ON o.id = k.order_id
      WHERE k.order_id IS NOT NULL AND o.id IS NULL`,
  ),
  // Callers check this once nothing is in flight and payments cannot fail: a claim without an order is then
  // a key taken by a request that wrote nothing.
  'claims without an order': ruleSql(
    'open_claims',
    `SELECT key FROM idempotency_keys WHERE order_id IS NULL`,
  ),
});

export async function expectNoBrokenRules(t: TestApp, rules: Record<string, Rule>): Promise<void> {
  for (const [name, rule] of Object.entries(rules)) {
    const [statement, params] = Array.isArray(rule) ? rule : [rule, []];
    const rows = await t.container.db.query<Record<string, unknown>>(statement, params);
    expect(rows, name).toEqual([]);
  }
}
