import { sql } from 'drizzle-orm';
import type { ExportQueue } from '../../adapters/queue/export-queue.js';
import type { Database } from '../../db/client.js';
import { withTimeout as bounded } from '../../shared/timeout.js';
import type { ExportsRepository } from '../exports/exports.repository.js';
import type { HealthView, ReadinessView } from './health.schemas.js';

export interface HealthDeps {
  db: Database;
  queue: ExportQueue;
  exports: ExportsRepository;
  version: string;
  mode: string;
  services: { payment: string; geo: string; sms: string };
}

const CHECK_TIMEOUT_MS = 2_000;
const WORKER_ALIVE_SECONDS = 15;

const SHUTTING_DOWN = 'shutting down: finishing the requests in flight, taking no new ones';

/**
 * What /health reports: `unavailable` (503) when the database does not answer, `degraded` when exports lag.
 * Readiness (/health/ready) is the narrower question a load balancer asks: can this instance take orders?
 */
export class HealthService {
  private readonly startedAt = Date.now();
  private stopping = false;

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

  /** Ready: the database answers and no shutdown has begun. */
  async readiness(): Promise<ReadinessView> {
    const database = await this.database();
    const shutdown = this.stopping ? { ok: false, error: SHUTTING_DOWN } : { ok: true, error: null };
    const failed: ReadinessView['failed'] = [];
    if (!database.ok) failed.push('database');
    if (!shutdown.ok) failed.push('shutdown');
    return { status: failed.length === 0 ? 'ok' : 'unavailable', failed, checks: { database, shutdown } };
  }

  /** Called as a graceful shutdown begins: from then on this instance is not ready, and says why. */
  beginShutdown(): void {
    this.stopping = true;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  private async database(): Promise<HealthView['database']> {
    const started = performance.now();
    try {
      await withTimeout(this.deps.db.orm.execute(sql`select 1`));
      const latency = Math.round((performance.now() - started) * 100) / 100;
      return { kind: this.deps.db.kind, ok: true, latency_ms: latency, error: null };
    } catch (error) {
      return { kind: this.deps.db.kind, ok: false, latency_ms: null, error: reasonOf(error) };
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

/** Drizzle wraps a driver's error as "Failed query: …" with the driver's reason as its cause. */
function reasonOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error ? cause.message : (error as Error).message;
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return bounded(promise, CHECK_TIMEOUT_MS);
}
