import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The claim on an order's idempotency key, taken before any money moves: the client's Idempotency-Key (or a
 * Vapi tool call id), or a server-made key when the client sent none. The primary key is what guarantees one
 * order and one charge per key, even for concurrent duplicates; `request_hash` tells a replay from a reused
 * key. `order_id` is set in the statement that writes the order; a claim without one is an order in payment,
 * or one whose process died mid-payment (`claimed_at` tells how long ago).
 */
export const idempotencyKeys = pgTable('idempotency_keys', {
  key: text('key').primaryKey(),
  scope: text('scope').notNull(),
  requestHash: text('request_hash').notNull(),
  orderId: bigint('order_id', { mode: 'number' }),
  claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
