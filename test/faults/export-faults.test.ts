// Crash and outage faults against real processes (DESIGN invariants 2 and 3): the API and standalone
// workers on PostgreSQL, BullMQ on a private Redis. After each fault, `npm run verify` (the real CLI) must
// pass: every confirmed order of the day exactly once in a workbook that opens cleanly.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../src/modules/exports/workbook.reader.js';
import { workbookFileName } from '../../src/modules/exports/workbook.columns.js';
import { businessDateOf } from '../../src/shared/zoned-time.js';
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
import { seedOrderBody } from '../helpers/test-app.js';
import { type TestDatabase, availableBackends, createTestDatabase } from '../helpers/test-database.js';

const TIMEZONE = 'America/New_York';

describe.runIf(availableBackends().includes('postgres'))('export faults with real processes', () => {
  let database: TestDatabase;
  let redis: Running;
  let redisPort: number;
  let exportDir: string;
  let env: Record<string, string>;
  const processes: Running[] = [];

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    exportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-faults-'));
    env = {
      DATABASE_URL: database.url ?? '',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      EXPORT_DIR: exportDir,
      TIMEZONE,
      MOCK_PAYMENT_FAILURE_RATE: '0',
      MOCK_GEO_FAILURE_RATE: '0',
      EXPORT_SWEEP_SECONDS: '1',
    };
  });
  afterEach(async () => {
    for (const running of processes.splice(0).reverse()) await stop(running, 'SIGKILL');
    await stop(redis, 'SIGKILL');
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
    return { api, base };
  };
  const startWorker = () => {
    const worker = startNode('src/worker.ts', env);
    processes.push(worker);
    return worker;
  };
  const body = (tag: string) => (i: number) => seedOrderBody({ customer_name: `${tag} ${i}` });
  const today = () => businessDateOf(new Date(), TIMEZONE);

  const waitForWorker = (base: string) =>
    expect
      .poll(
        async () =>
          ((await (await fetch(`${base}/health`)).json()) as { exports: { worker: unknown } }).exports.worker,
        {
          timeout: 30_000,
          interval: 100,
        },
      )
      .not.toBeNull();

  /** Waits until no confirmed order is left unexported, then runs the verify CLI and opens the workbook. */
  const expectVerified = async (base: string) => {
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${base}/health`)).json()) as { exports: { backlog: number } }).exports
            .backlog,
        {
          timeout: 90_000,
          interval: 250,
        },
      )
      .toBe(0);
    const verify = await runNode('scripts/verify.ts', env, ['--date', today()]);
    expect(verify.code, verify.output).toBe(0);
    expect(verify.output).toContain('VERIFICATION COMPLETE');
    const workbook = await readWorkbook(path.join(exportDir, workbookFileName(today())));
    return workbook;
  };

  it('a worker SIGKILLed mid-export and restarted loses and duplicates nothing', async () => {
    const { base } = await startApi();
    const worker = startWorker();
    await waitForWorker(base);
    const file = path.join(exportDir, workbookFileName(today()));
    let killed = false;
    const burst = placeOrders(base, 600, 32, body('Kill'), () => {
      // Kill the worker once it has started writing workbooks, while orders keep arriving.
      if (!killed && existsSync(file)) {
        killed = true;
        worker.child.kill('SIGKILL');
      }
    });
    const results = await burst;
    expect(killed).toBe(true);
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(await worker.exited).toBe(null);

    startWorker();
    await placeOrders(base, 10, 5, body('After'));
    const workbook = await expectVerified(base);
    expect(workbook.rows).toHaveLength(610);
  }, 180_000);

  it('a Redis restart in the middle of a burst fails no order and loses no export', async () => {
    const { base } = await startApi();
    startWorker();
    const outage: { restarted?: Promise<void> } = {};
    const results = await placeOrders(base, 500, 32, body('Redis'), (done) => {
      if (done === 150 && !outage.restarted) {
        outage.restarted = (async () => {
          await stop(redis, 'SIGKILL');
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          redis = await startRedis(redisPort);
        })();
      }
    });
    await outage.restarted;
    expect(outage.restarted).toBeDefined();
    expect(results.filter((r) => r.status !== 201)).toEqual([]);
    await placeOrders(base, 10, 5, body('Back'));
    const workbook = await expectVerified(base);
    expect(workbook.rows).toHaveLength(510);
  }, 180_000);

  it('an API process SIGKILLed between commits and enqueues: the sweep exports what it committed', async () => {
    const { api, base } = await startApi();
    startWorker();
    const burst = placeOrders(base, 400, 32, body('Crash'), (done) => {
      if (done === 200) api.child.kill('SIGKILL');
    });
    const results = await burst;
    const answered = results.filter((r) => r.status === 201).length;
    expect(answered).toBeGreaterThanOrEqual(200);
    expect(answered).toBeLessThan(400);
    const restarted = await startApi();
    const workbook = await expectVerified(restarted.base);
    // Every order answered 201 is there; orders committed just before the kill may be too (verify checks them).
    expect(workbook.rows.length).toBeGreaterThanOrEqual(answered);
  }, 180_000);

  it('two standalone workers at once: one writer at a time, each order once', async () => {
    const { base } = await startApi();
    startWorker();
    startWorker();
    const results = await placeOrders(base, 500, 32, body('Twin'));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const workbook = await expectVerified(base);
    expect(new Set(workbook.rows.map((r) => r.orderId)).size).toBe(500);
  }, 180_000);
});
