// Duplicates the system must absorb (DESIGN invariants 1 and 2): the same POST with the same Idempotency-Key
// reaching two API processes at once, and export jobs delivered again for orders already in the workbook
// (BullMQ delivers at least once; the sweep re-queues). Afterwards each key has one order and one charge,
// the workbook holds each confirmed order exactly once, and `npm run verify` passes.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BullmqExportQueue } from '../../src/adapters/queue/bullmq-export-queue.js';
import { readWorkbook } from '../../src/modules/exports/workbook.reader.js';
import { workbookFileName } from '../../src/modules/exports/workbook.columns.js';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.js';
import {
  type TimedAnswer,
  expectVerified,
  postOrder,
  retryUntilPlaced,
  todayIn,
} from '../helpers/fault-kit.js';
import {
  type Running,
  freePort,
  placeOrders,
  runNode,
  startNode,
  startRedis,
  stop,
  waitForHealth,
} from '../helpers/processes.js';
import { type TestApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { type TestDatabase, availableBackends, createTestDatabase } from '../helpers/test-database.js';

const TIMEZONE = 'America/New_York';
const QUEUE_NAME = 'order-export';
const SAME_KEY_ORDERS = 30;

const confirmedIds = async (url: string): Promise<number[]> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: number }>(
      "SELECT id::int AS id FROM orders WHERE status = 'confirmed' ORDER BY id",
    );
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
};

const sortedIds = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);

describe.runIf(availableBackends().includes('postgres'))('duplicate deliveries (real processes)', () => {
  let database: TestDatabase;
  let redis: Running;
  let stripe: FakeStripe;
  let exportDir: string;
  let env: Record<string, string> & {
    DATABASE_URL: string;
    EXPORT_DIR: string;
    TIMEZONE: string;
    REDIS_URL: string;
  };
  const processes: Running[] = [];

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    const redisPort = await freePort();
    redis = await startRedis(redisPort);
    stripe = await startFakeStripe();
    exportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-dup-'));
    env = {
      DATABASE_URL: database.url ?? '',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      EXPORT_QUEUE_NAME: QUEUE_NAME,
      EXPORT_DIR: exportDir,
      TIMEZONE,
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_duplicates',
      STRIPE_API_URL: stripe.url,
      MOCK_GEO_FAILURE_RATE: '0',
      EXPORT_SWEEP_SECONDS: '1',
    };
  });
  afterEach(async () => {
    for (const running of processes.splice(0).reverse()) await stop(running, 'SIGKILL');
    await stop(redis, 'SIGKILL');
    await stripe.close();
    await database.db.close();
    await database.drop();
    await fs.rm(exportDir, { recursive: true, force: true });
  });

  const startApi = async () => {
    const port = await freePort();
    const api = startNode('src/server.ts', { ...env, PORT: String(port), WORKER: 'off' });
    processes.push(api);
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, api);
    return base;
  };

  it('one key sent to two API processes at once: one order, one charge; ids queued again: each order once in the workbook', async () => {
    const [first, second] = await Promise.all([startApi(), startApi()]);
    if (!first || !second) throw new Error('two API processes expected');
    processes.push(startNode('src/worker.ts', env));

    // 1. Each key POSTed to both processes at the same moment; a 409 (the other holds the key) is retried.
    const body = (i: number) => seedOrderBody({ customer_name: `Twin ${i}` });
    const pairs = await Promise.all(
      Array.from({ length: SAME_KEY_ORDERS }, (_, i) =>
        Promise.all([postOrder(first, body(i), `twin-${i}`), postOrder(second, body(i), `twin-${i}`)]),
      ),
    );
    const answers = pairs.flat();
    expect(answers.filter((a) => a.status !== 201 && a.status !== 409)).toEqual([]);
    const conflicts = answers.filter((a) => a.status === 409);
    for (const conflict of conflicts) {
      expect(conflict.body.error).toBe('request_in_progress');
      expect(conflict.retryAfter).toBe('1');
    }
    const retried = await retryUntilPlaced(
      first,
      conflicts.map((a) => ({ key: a.key, body: body(Number(a.key.split('-')[1])) })),
      { concurrency: 4, deadlineMs: 30_000 },
    );
    const finalId = (a: TimedAnswer) => (a.status === 201 ? a.id : (retried.final.get(a.key)?.id ?? null));
    pairs.forEach(([a, b], i) => {
      if (!a || !b) throw new Error(`pair ${i} missing`);
      expect(finalId(a)).not.toBeNull();
      expect(finalId(a)).toBe(finalId(b));
    });
    const twinIds = new Set(pairs.map(([a]) => (a ? finalId(a) : null)));
    expect(twinIds.size).toBe(SAME_KEY_ORDERS);
    // Exactly one charge per key, under that key.
    expect(stripe.paymentIntentsCreated).toBe(SAME_KEY_ORDERS);
    for (let i = 0; i < SAME_KEY_ORDERS; i++) {
      expect(stripe.requests.filter((r) => r.idempotencyKey === `twin-${i}`)).toHaveLength(1);
    }

    // 2. A burst through both processes, exported by the standalone worker.
    const burst = await Promise.all([
      placeOrders(first, 60, 8, (i) => seedOrderBody({ customer_name: `First ${i}` })),
      placeOrders(second, 60, 8, (i) => seedOrderBody({ customer_name: `Second ${i}` })),
    ]);
    expect(burst.flat().filter((r) => r.status !== 201)).toEqual([]);
    const exported = await expectVerified(first, env, { queueIdle: true });
    const confirmed = await confirmedIds(env.DATABASE_URL);
    expect(confirmed).toHaveLength(SAME_KEY_ORDERS + 120);
    expect(sortedIds(exported.rows.map((r) => r.orderId))).toEqual(confirmed);

    // 3. Every exported id delivered again, twice at once from two producers, through the queue's public add.
    const producers = [0, 1].map(
      () =>
        new BullmqExportQueue({
          redisUrl: env.REDIS_URL,
          queueName: QUEUE_NAME,
          onError: () => undefined,
        }),
    );
    try {
      await Promise.all(
        producers.map((producer, n) => producer.add(n === 0 ? confirmed : [...confirmed].reverse())),
      );
    } finally {
      await Promise.all(producers.map((producer) => producer.close()));
    }
    // New orders keep arriving meanwhile, so the worker rewrites the day with the duplicates around.
    const more = await placeOrders(second, 10, 5, (i) => seedOrderBody({ customer_name: `Late ${i}` }));
    expect(more.filter((r) => r.status !== 201)).toEqual([]);
    const workbook = await expectVerified(second, env, { queueIdle: true });
    const finalConfirmed = await confirmedIds(env.DATABASE_URL);
    expect(finalConfirmed).toHaveLength(SAME_KEY_ORDERS + 130);
    expect(workbook.rows).toHaveLength(finalConfirmed.length);
    expect(sortedIds(workbook.rows.map((r) => r.orderId))).toEqual(finalConfirmed);
    console.info(
      `duplicates: ${conflicts.length} of ${SAME_KEY_ORDERS} same-key pairs answered 409 first, ` +
        `${answers.filter((a) => a.replayed).length} replayed; ${confirmed.length} ids queued twice again`,
    );
  }, 180_000);
});

describe.runIf(availableBackends().includes('postgres'))('duplicate deliveries (embedded queue)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('already exported ids re-added through the queue port are harmless: each order once, verify passes', async () => {
    const app = await createTestApp(
      'postgres',
      { TIMEZONE, EXPORT_SWEEP_SECONDS: '1' },
      { startWorker: true },
    );
    t = app;
    const post = (i: number) =>
      app.app.inject({
        method: 'POST',
        url: '/api/orders',
        payload: seedOrderBody({ customer_name: `Again ${i}` }),
        headers: { 'idempotency-key': `again-${i}` },
      });
    const placed = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i)));
    expect(placed.map((r) => r.statusCode)).toEqual(Array(40).fill(201));
    const ids = placed.map((r) => r.json<{ id: number }>().id);
    const idle = async () => {
      const counts = await app.container.queue.counts();
      return counts.waiting + counts.active + counts.delayed === 0;
    };
    await expect
      .poll(async () => (await app.container.exportsRepository.backlogCount()) === 0 && (await idle()), {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(true);

    // The embedded queue forgets completed jobs, so these are real second and third deliveries.
    const queue = app.container.queue;
    await Promise.all([queue.add(ids), queue.add([...ids].reverse()), queue.add(ids.slice(0, 10))]);
    const late = await Promise.all(Array.from({ length: 5 }, (_, i) => post(40 + i)));
    expect(late.map((r) => r.statusCode)).toEqual(Array(5).fill(201));
    await queue.add(ids);
    await expect
      .poll(async () => (await app.container.exportsRepository.backlogCount()) === 0 && (await idle()), {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(true);

    const env = {
      DATABASE_URL: app.config.database.url ?? '',
      EXPORT_DIR: app.config.exportDir,
      TIMEZONE,
    };
    const date = todayIn(TIMEZONE);
    const verify = await runNode('scripts/verify.ts', env, ['--date', date]);
    expect(verify.code, verify.output).toBe(0);
    expect(verify.output).toContain('VERIFICATION COMPLETE');
    const workbook = await readWorkbook(path.join(app.config.exportDir, workbookFileName(date)));
    const all = [...ids, ...late.map((r) => r.json<{ id: number }>().id)];
    expect(sortedIds(workbook.rows.map((r) => r.orderId))).toEqual(sortedIds(all));
  }, 120_000);
});
