import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per export worker process, refreshed every few seconds, so /health in any API process can tell
 * whether a worker (in-process or standalone) is alive and when it last wrote a workbook.
 */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  workerId: text('worker_id').primaryKey(),
  hostname: text('hostname').notNull(),
  pid: integer('pid').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
  lastExportAt: timestamp('last_export_at', { withTimezone: true, mode: 'date' }),
  lastExportOrders: integer('last_export_orders'),
  lastError: text('last_error'),
});
