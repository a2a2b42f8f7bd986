import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** One row per Vapi call, upserted by status updates and the end-of-call report (neither is exactly-once). */
export const voiceCalls = pgTable(
  'voice_calls',
  {
    callId: text('call_id').primaryKey(),
    callerNumber: text('caller_number'),
    status: text('status'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    endedReason: text('ended_reason'),
    summary: text('summary'),
    transcript: text('transcript'),
    recordingUrl: text('recording_url'),
    /** Vapi's cost of the call in dollars (fractions of a cent), not order money. */
    costUsd: doublePrecision('cost_usd'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('voice_calls_caller_idx').on(t.callerNumber)],
);

/**
 * The answer to each tool call, keyed by call and tool call id: a repeated delivery gets the stored first
 * answer instead of running the tool again. A row without `result` is a tool call still running.
 */
export const voiceToolResults = pgTable('voice_tool_results', {
  key: text('key').primaryKey(),
  callId: text('call_id'),
  name: text('name').notNull(),
  result: text('result'),
  isError: boolean('is_error').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
});

/** One line of a call's cart: a menu item id, how many, and the chosen option ids (priced when read). */
export interface CartLineRecord {
  itemId: string;
  quantity: number;
  optionIds: string[];
}

/**
 * The order a caller is building during a call (add_item, remove_item), keyed by the Vapi call id, so every
 * API process and a restarted one see the same cart. Deleted with the call's end-of-call report; a cart not
 * touched for hours is treated as gone. `placedOrderId` is the order placed from it, until it is cancelled;
 * `orderRound` counts those cancellations, so the next place_order of the call is a new order, not a replay.
 */
export const voiceCarts = pgTable('voice_carts', {
  callId: text('call_id').primaryKey(),
  lines: jsonb('lines').$type<CartLineRecord[]>().notNull(),
  placedOrderId: integer('placed_order_id'),
  orderRound: integer('order_round').notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
