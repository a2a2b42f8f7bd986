import { sql } from 'drizzle-orm';
import type { ExportQueue } from '../../adapters/queue/export-queue.js';
import type { Database } from '../../db/client.js';
import type { ExportsRepository } from '../exports/exports.repository.js';
import type { HealthView } from './health.schemas.js';

export interface HealthDeps {
  db: Database;
  queue: ExportQueue;
  exports: ExportsRepository;
  version: string;
  mode: string;
  services: { payment: string; geo: string };
}

const CHECK_TIMEOUT_MS = 2_000;
const WORKER_ALIVE_SECONDS = 15;

/** What /health reports: `unavailable` (503) when the database does not answer, `degraded` when exports lag. */
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(private readonly deps: HealthDeps) {}

  async check(): Promise<HealthView> {
    const [database, queue, exports] = await Promise.all([this.database(), this.queue(), this.exports()]);
    const degraded = !queue.ok || exports.worker === null || !exports.worker.alive;
    return {
      status: !database.ok ? 'unavailable' : degraded ? 'degraded' : 'ok',
      version: this.deps.version,
      mode: this.deps.mode,
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000),
      database,
      services: this.deps.services,
      queue,
      exports,
    };
  }

  private async database(): Promise<HealthView['database']> {
    const started = performance.now();
    try {
      await withTimeout(this.deps.db.orm.execute(sql`select 1`));
      const latency = Math.round((performance.now() - started) * 100) / 100;
      return { kind: this.deps.db.kind, ok: true, latency_ms: latency, error: null };
    } catch (error) {
      return { kind: this.deps.db.kind, ok: false, latency_ms: null, error: (error as Error).message };
    }
  }

  private async queue(): Promise<HealthView['queue']> {
    const kind = this.deps.queue.kind;
    try {
      const counts = await withTimeout(this.deps.queue.counts());
      return { kind, ok: true, ...counts, error: null };
    } catch (error) {
      const message = (error as Error).message;
      return { kind, ok: false, waiting: null, active: null, delayed: null, failed: null, error: message };
    }
  }

  private async exports(): Promise<HealthView['exports']> {
    try {
      const [backlog, beat] = await withTimeout(
        Promise.all([this.deps.exports.backlogCount(), this.deps.exports.latestHeartbeat()]),
      );
      return {
        backlog,
        worker: beat && {
          id: beat.workerId,
          pid: beat.pid,
          alive: beat.ageSeconds < WORKER_ALIVE_SECONDS,
          last_seen_seconds_ago: Math.round(beat.ageSeconds * 10) / 10,
          last_export_at: beat.lastExportAt?.toISOString() ?? null,
          last_export_orders: beat.lastExportOrders,
          last_error: beat.lastError,
        },
      };
    } catch {
      return { backlog: null, worker: null };
    }
  }
}

async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
