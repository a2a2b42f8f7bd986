import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per dashboard login. The cookie holds a random id; only its SHA-256 is stored, so a copy of this
 * table (a backup, a read-only role) opens no dashboard. A session ends at `expires_at` or when its row is
 * deleted (logout), in every API process at once.
 */
export const dashboardSessions = pgTable('dashboard_sessions', {
  idHash: text('id_hash').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});
