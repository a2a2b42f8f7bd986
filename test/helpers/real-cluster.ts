// Real API and export-worker processes on a fresh PostgreSQL database and the shared Redis, for the
// multi-process and graceful-shutdown tests. Each test gets its own database, export folder and queue name
// (obliterated afterwards; the shared Redis is never flushed); every process is stopped by the PID started here.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterEach, beforeEach, expect } from 'vitest';
import { SHARED_REDIS_URL, probeRedis } from './redis-probe.js';
import { type Running, freePort, startNode, stop, waitForHealth } from './processes.js';
import { type TestDatabase, availableBackends, createTestDatabase } from './test-database.js';

export { SHARED_REDIS_URL };
const IN_CI = process.env.CI === 'true';

const redisProblem = await probeRedis(SHARED_REDIS_URL);
if (redisProblem && !IN_CI) {
  console.warn(
    `Redis at ${SHARED_REDIS_URL} is unreachable (${redisProblem}); skipping the multi-process tests.`,
  );
}

/** PostgreSQL is reachable (always in CI) and so is Redis; in CI an unreachable Redis fails instead of skipping. */
export const clusterAvailable = availableBackends().includes('postgres') && (redisProblem === null || IN_CI);

export async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export type ClusterEnv = Record<string, string> & {
  DATABASE_URL: string;
  EXPORT_DIR: string;
  EXPORT_QUEUE_NAME: string;
  TIMEZONE: string;
};

export interface Cluster {
  readonly env: ClusterEnv;
  readonly exportDir: string;
  /** An API process (WORKER=off) on a free port, once healthy. */
  startApi(extra?: Record<string, string>): Promise<{ base: string; running: Running }>;
  /** A standalone worker at log level info: each "workbook written" line says when and for how long. */
  startWorker(): Running;
  /** PIDs of the workers with a heartbeat row. */
  heartbeatPids(): Promise<number[]>;
  waitForHeartbeats(workers: Running[]): Promise<void>;
}

/** Registers beforeEach/afterEach for the calling describe block and returns the current test's cluster. */
export function useCluster(tag: string): Cluster {
  let database: TestDatabase;
  let exportDir = '';
  let env: ClusterEnv;
  const processes: Running[] = [];

  beforeEach(async () => {
    expect(redisProblem, `Redis at ${SHARED_REDIS_URL} (CI must test against Redis)`).toBeNull();
    database = await createTestDatabase('postgres');
    exportDir = await fs.mkdtemp(path.join(os.tmpdir(), `phone-orders-${tag}-`));
    env = {
      DATABASE_URL: database.url ?? '',
      REDIS_URL: SHARED_REDIS_URL,
      EXPORT_QUEUE_NAME: `test-${tag}-${randomUUID()}`,
      EXPORT_DIR: exportDir,
      TIMEZONE: 'America/New_York',
      EXPORT_SWEEP_SECONDS: '1',
    };
  });
  afterEach(async () => {
    for (const running of processes.splice(0).reverse()) await stop(running, 'SIGKILL');
    const queue = new Queue(env.EXPORT_QUEUE_NAME, { connection: { url: SHARED_REDIS_URL } });
    await queue.obliterate({ force: true });
    await queue.close();
    await database.db.close();
    await database.drop();
    await fs.rm(exportDir, { recursive: true, force: true });
  });

  const heartbeatPids = async () =>
    (await query<{ pid: number }>(env.DATABASE_URL, 'SELECT pid FROM worker_heartbeats ORDER BY pid')).map(
      (r) => r.pid,
    );
  return {
    get env() {
      return env;
    },
    get exportDir() {
      return exportDir;
    },
    async startApi(extra = {}) {
      const port = await freePort();
      const running = startNode('src/server.ts', { ...env, PORT: String(port), WORKER: 'off', ...extra });
      processes.push(running);
      const base = `http://127.0.0.1:${port}`;
      await waitForHealth(base, running, 60_000);
      return { base, running };
    },
    startWorker() {
      const running = startNode('src/worker.ts', { ...env, LOG_LEVEL: 'info' });
      processes.push(running);
      return running;
    },
    heartbeatPids,
    async waitForHeartbeats(workers) {
      await expect
        .poll(heartbeatPids, { timeout: 60_000, interval: 200 })
        .toEqual(expect.arrayContaining(workers.map((w) => w.child.pid)));
    },
  };
}
