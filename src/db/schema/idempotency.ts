import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * A client's idempotency key, claimed before any money moves. The primary key is what guarantees one order
 * and one charge per key, even for concurrent duplicates; `request_hash` tells a replay from a reused key.
 */
export const idempotencyKeys = pgTable('idempotency_keys', {
  key: text('key').primaryKey(),
  scope: text('scope').notNull(),
  requestHash: text('request_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
