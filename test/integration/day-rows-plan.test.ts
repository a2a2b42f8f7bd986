// A workbook append reads the day's rows after the last exported id. That must cost the new rows, not the
// day, even when the planner's statistics do not know the day: PGlite never gathers any (it has no
// autovacuum), and PostgreSQL's come from the last autoanalyze, which may not have seen today's orders. With
// the day index ending in id the read is one ordered index range; with (business_date, status) alone both
// engines read and sorted the whole day (PGlite: 137 ms per append to a 47,000-order day instead of 8 ms).
import { afterAll, describe, expect, it } from 'vitest';
import { confirmedRowsAfter } from '../../src/modules/exports/exports.repository.js';
import { type TestDatabase, availableBackends, createTestDatabase } from '../helpers/test-database.js';

const DAY = '2026-03-02';
const ORDERS_PER_DAY = 3_000;

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe.each(availableBackends())('reading a day after an id on %s', (backend) => {
  let database: TestDatabase;
  afterAll(async () => {
    await database.db.close();
    await database.drop();
  });

  it('reads only the rows after the id, in index order, with no statistics gathered', async () => {
    database = await createTestDatabase(backend);
    // Two large days: the day before, then the day itself.
    for (const date of ['2026-03-01', DAY]) {
      await database.db.query(
        {
          name: 'test_fill_day',
          text: `INSERT INTO orders (status, source, fulfillment, customer_name, customer_phone, subtotal_cents,
              tax_cents, delivery_fee_cents, total_cents, payment_status, business_date)
            SELECT 'confirmed', 'api', 'pickup', 'Plan Test', '555-000-0000', 100, 0, 0, 100, 'succeeded', $1::date
            FROM generate_series(1, $2::int)`,
        },
        [date, ORDERS_PER_DAY],
      );
    }
    const [newest] = await database.db.query<{ max: number }>(
      { name: 'test_max_id', text: 'SELECT max(id)::int AS max FROM orders' },
      [],
    );
    const query = confirmedRowsAfter(database.db, DAY, newest!.max - 50).toSQL();
    const [row] = await database.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      { name: 'test_explain_day_rows', text: `EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}` },
      query.params,
    );
    const nodes = nodesOf(row!['QUERY PLAN'][0].Plan);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    // The scan touched the 50 new rows, not the day's 3,000.
    for (const node of nodes) expect(node['Rows Removed by Filter'] ?? 0).toBeLessThanOrEqual(50);
    expect(nodes[0]!['Actual Rows']).toBe(50);
  });
});
