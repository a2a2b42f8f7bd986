// Export health, read at scrape time: the queue's jobs by state, and the confirmed orders not yet in their
// workbook with the age of the oldest. A scrape must answer while Redis or the database is down or hanging,
// so each read is bounded; a source that fails or is too slow reports NaN ("unknown") and is logged.
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { ExportQueue, ExportQueueCounts } from '../../adapters/queue/export-queue.js';
import { withTimeout } from '../../shared/timeout.js';
import type { BacklogAge, ExportsRepository } from '../exports/exports.repository.js';

export interface ExportSources {
  queue: Pick<ExportQueue, 'counts'>;
  exports: Pick<ExportsRepository, 'backlogAge'>;
}

/** Well under a scraper's usual 10 s timeout, and under a second so a hang costs the scrape little. */
export const SCRAPE_READ_TIMEOUT_MS = 1_000;

const QUEUE_STATES: ReadonlyArray<keyof ExportQueueCounts> = ['waiting', 'active', 'delayed', 'failed'];

export function registerExportGauges(registry: Registry, sources: ExportSources, logger: Logger): void {
  const depth = new Gauge({
    name: 'export_queue_depth',
    help: 'Export queue jobs by state (failed: parked after their last attempt); NaN when the queue does not answer',
    labelNames: ['state'] as const,
    registers: [registry],
    collect: async () => {
      const counts = await read(() => sources.queue.counts(), 'export queue counts', logger);
      for (const state of QUEUE_STATES) depth.set({ state }, counts ? counts[state] : Number.NaN);
    },
  });

  // Both gauges below come from one query; the registry collects them concurrently, so they share it.
  let pending: Promise<BacklogAge | null> | null = null;
  const backlogAge = () =>
    (pending ??= read(() => sources.exports.backlogAge(), 'export backlog', logger).finally(() => {
      pending = null;
    }));
  const backlog = new Gauge({
    name: 'export_backlog_orders',
    help: 'Confirmed orders not yet in their workbook; NaN when the database does not answer',
    registers: [registry],
    collect: async () => {
      const age = await backlogAge();
      backlog.set(age ? age.orders : Number.NaN);
    },
  });
  const lag = new Gauge({
    name: 'export_lag_seconds',
    help: 'Age of the oldest confirmed order not yet exported (0 when none); NaN when the database does not answer',
    registers: [registry],
    collect: async () => {
      const age = await backlogAge();
      lag.set(age ? age.oldestSeconds : Number.NaN);
    },
  });
}

async function read<T>(source: () => Promise<T>, what: string, logger: Logger): Promise<T | null> {
  try {
    return await withTimeout(source(), SCRAPE_READ_TIMEOUT_MS);
  } catch (error) {
    logger.warn({ err: error }, `metrics: ${what} not read`);
    return null;
  }
}
