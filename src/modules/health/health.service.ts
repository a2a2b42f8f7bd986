import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { HealthView } from './health.schemas.js';

export interface HealthDeps {
  db: Database;
  version: string;
  mode: string;
  services: { payment: string; geo: string };
}

const PING_TIMEOUT_MS = 2_000;

/** What /health reports; `status` is `unavailable` (503) when the database does not answer. */
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(private readonly deps: HealthDeps) {}

  async check(): Promise<HealthView> {
    const database = await this.pingDatabase();
    return {
      status: database.ok ? 'ok' : 'unavailable',
      version: this.deps.version,
      mode: this.deps.mode,
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000),
      database,
      services: this.deps.services,
    };
  }

  private async pingDatabase(): Promise<HealthView['database']> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.deps.db.orm.execute(sql`select 1`),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)),
            PING_TIMEOUT_MS,
          );
        }),
      ]);
      return {
        kind: this.deps.db.kind,
        ok: true,
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        error: null,
      };
    } catch (error) {
      return { kind: this.deps.db.kind, ok: false, latency_ms: null, error: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
