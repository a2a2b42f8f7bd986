// Export lag on a long day: how long after the last answer of a batch its orders are in the day's workbook,
// for a day already holding 10,000 and 150,000 orders. The day is filled straight into PostgreSQL (minutes of
// ordering in a second), exported once (a rebuild: there is no workbook yet), then batches of orders go
// through the real path: POST /api/orders -> export queue -> worker -> workbook -> exported_at.
//
//   npx tsx scripts/bench/export-lag.ts [--days 10000,150000] [--batch 100] [--rounds 5]
//
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is where a scratch database is
// created and dropped; REDIS_URL, if set, puts the queue on BullMQ instead of the embedded queue.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import type { DayExport } from '../../src/modules/exports/workbook-exporter.js';
import { verifyWorkbook } from '../../src/modules/exports/workbook-verification.js';
import { readWorkbook } from '../../src/modules/exports/workbook.reader.js';
import { SEED_EXAMPLE_ORDER } from '../../src/modules/orders/orders.schemas.js';
import { businessDateOf } from '../../src/shared/zoned-time.js';

const TARGET_LAG_MS = 1_000;
const POLL_MS = 5;

const { values: args } = parseArgs({
  options: {
    days: { type: 'string', default: '10000,150000' },
    batch: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '5' },
    /** For comparison: every write rebuilds the whole day, as every batch did before appending. */
    'rebuild-every-batch': { type: 'boolean', default: false },
  },
});
const daySizes = args.days.split(',').map(Number);
const batchSize = Number(args.batch);
const rounds = Number(args.rounds);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface DayResult {
  orders: number;
  rebuildMs: number;
  fileMb: number;
  lagsMs: number[];
  writes: DayExport[];
}

async function withScratchDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `bench_export_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** `count` confirmed, unexported orders of today (two lines each), inserted in one statement per table. */
async function fillDay(client: pg.Client, businessDate: string, count: number): Promise<void> {
  await client.query(
    `INSERT INTO orders (status, source, fulfillment, customer_name, customer_phone, delivery_address, city,
       zip_code, latitude, longitude, subtotal_cents, tax_cents, delivery_fee_cents, total_cents,
       payment_status, payment_provider, payment_id, business_date, created_at)
     SELECT 'confirmed', 'api', 'delivery', 'Customer ' || n, '555-123-4567', n || ' Fifth Avenue', 'New York',
       '10001', 40.748817, -73.985428, 3596, 319, 599, 4514, 'succeeded', 'mock', 'pi_mock_' || n, $1::date,
       now() - make_interval(secs => $2 - n)
     FROM generate_series(1, $2::int) AS n`,
    [businessDate, count],
  );
  await client.query(
    `INSERT INTO order_items (order_id, line_no, menu_item_id, name, quantity, unit_price_cents, options,
       line_total_cents)
     SELECT o.id, l.line_no, l.item, l.name, 2, l.price, '[]'::jsonb, 2 * l.price
     FROM orders o CROSS JOIN (VALUES (1, 'pizza-margherita', 'Pizza Margherita', 1499),
       (2, 'coke', 'Coke', 299)) AS l(line_no, item, name, price)`,
  );
  await client.query('ANALYZE orders; ANALYZE order_items');
}

async function measureDay(orders: number): Promise<DayResult> {
  return withScratchDatabase(async (databaseUrl) => {
    const exportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-export-lag-'));
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      EXPORT_DIR: exportDir,
      EXPORT_QUEUE_NAME: `bench-export-lag-${process.pid}-${orders}`,
      MOCK_PAYMENT_FAILURE_RATE: '0',
      MOCK_GEO_FAILURE_RATE: '0',
      MOCK_PAYMENT_LATENCY_MS: '0',
      MOCK_GEO_LATENCY_MS: '0',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    });
    const container = await createContainer(config);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const businessDate = businessDateOf(new Date(), config.timeZone);
      await fillDay(client, businessDate, orders);

      // The day's first export: no workbook yet, so the whole day is built.
      const rebuildStarted = performance.now();
      const [first] = await container.exporter.exportBacklog();
      if (process.env.BENCH_DEBUG) console.log(`  first build: write ${first?.ms} ms`);
      const rebuildMs = Math.round(performance.now() - rebuildStarted);

      // A day that grew over hours has been vacuumed and checkpointed along the way: without this, the
      // measured batches would pay for the burst of 150,000 rows just inserted and marked (dead index
      // entries in the backlog index, a checkpoint's writes), not for the workbook.
      await client.query('VACUUM ANALYZE orders');
      await client.query('CHECKPOINT');

      // Every write the worker makes from here on, for the bytes and rows it encoded.
      const writes: DayExport[] = [];
      const exporter = container.exporter;
      const exportBacklog = args['rebuild-every-batch']
        ? async () => {
            const days: DayExport[] = [];
            for (const date of await container.exportsRepository.backlogDays())
              days.push(await exporter.rebuildDay(date));
            return days;
          }
        : exporter.exportBacklog.bind(exporter);
      exporter.exportBacklog = async () => {
        const started = performance.now();
        const days = await exportBacklog();
        writes.push(...days);
        if (process.env.BENCH_DEBUG) {
          for (const d of days)
            console.log(
              `  write ${d.rowsWritten} rows in ${d.ms} ms, call ${Math.round(performance.now() - started)} ms at ${Math.round(started)}`,
            );
        }
        return days;
      };
      const exportedAt = new Map<number, number>();
      container.events.subscribe((event) => {
        if (event.type === 'order.exported')
          for (const id of event.ids) exportedAt.set(id, performance.now());
      });

      const app = await buildApp(container);
      await app.ready();
      container.exportWorker.start();
      const lagsMs: number[] = [];
      try {
        for (let round = 0; round < rounds; round++) {
          const answers = await Promise.all(
            Array.from({ length: batchSize }, () =>
              app.inject({ method: 'POST', url: '/api/orders', payload: SEED_EXAMPLE_ORDER }),
            ),
          );
          const lastAnswer = performance.now();
          if (process.env.BENCH_DEBUG) console.log(`  last answer at ${Math.round(lastAnswer)}`);
          if (answers.some((a) => a.statusCode !== 201)) throw new Error('an order of the batch failed');
          const ids = answers.map((a) => a.json<{ id: number }>().id);
          const deadline = lastAnswer + 60_000;
          while (!ids.every((id) => exportedAt.has(id))) {
            if (performance.now() > deadline) throw new Error('the batch was not exported within 60 s');
            await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          }
          lagsMs.push(
            Math.max(0, Math.round(Math.max(...ids.map((id) => exportedAt.get(id)!)) - lastAnswer)),
          );
        }
      } finally {
        await app.close();
      }
      const file = container.exporter.filePath(businessDate);
      const fileMb = (await fs.stat(file)).size / 1e6;
      // Exactly once: the workbook holds every confirmed order of the day, each once, and nothing else.
      const ledger = await container.exportsRepository.dayLedger(businessDate);
      if (ledger.length !== orders + rounds * batchSize) throw new Error('orders are missing from the day');
      const verification = verifyWorkbook(await readWorkbook(file), ledger);
      if (!verification.ok)
        throw new Error(`the workbook does not verify: ${verification.problems.join('; ')}`);
      return { orders, rebuildMs, fileMb, lagsMs, writes };
    } finally {
      await client.end();
      await container.close();
      await fs.rm(exportDir, { recursive: true, force: true });
    }
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const results: DayResult[] = [];
for (const size of daySizes) {
  process.stdout.write(`day of ${size.toLocaleString('en-US')} orders ... `);
  const result = await measureDay(size);
  results.push(result);
  console.log(`lag ${result.lagsMs.join(', ')} ms`);
}

const mode = args['rebuild-every-batch'] ? 'every write rebuilds the day' : 'batches appended';
console.log(
  `\nExport lag after the last answer of a batch of ${batchSize} (${rounds} batches per day, ${mode})\n`,
);
console.log(
  '| day already holds | first build of the day | workbook | lag median | lag max | rows encoded per write | bytes written per write | target < 1 s |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const rowsPerWrite = r.writes.map((w) => w.rowsWritten);
  const bytesPerWrite = r.writes.map((w) => w.bytesWritten);
  const rebuilds = r.writes.filter((w) => !w.appended).length;
  const max = Math.max(...r.lagsMs);
  console.log(
    `| ${r.orders.toLocaleString('en-US')} | ${(r.rebuildMs / 1000).toFixed(1)} s | ${r.fileMb.toFixed(1)} MB | ` +
      `${median(r.lagsMs)} ms | ${max} ms | ${Math.min(...rowsPerWrite)}-${Math.max(...rowsPerWrite)}` +
      `${rebuilds > 0 ? ` (${rebuilds} of them rebuilds)` : ''} | ` +
      `${(Math.min(...bytesPerWrite) / 1e3).toFixed(1)}-${(Math.max(...bytesPerWrite) / 1e3).toFixed(1)} kB | ` +
      `${max < TARGET_LAG_MS ? 'met' : 'MISSED'} |`,
  );
}
if (results.some((r) => Math.max(...r.lagsMs) >= TARGET_LAG_MS)) process.exitCode = 1;
