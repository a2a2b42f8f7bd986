import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/**
 * One row per order attempt, written once its outcome is known (an order in payment exists only as its
 * idempotency claim), so the hot path never updates a wide, heavily indexed row (voice orders paid by a
 * link are the exception: written `awaiting_payment`, updated once by the payment's webhook). Failed attempts (declined, address not found, provider timeout) are kept with
 * their reason so success rates can be shown; only `confirmed` orders reach the daily workbook.
 * Money columns are integer cents.
 */
export const orders = pgTable(
  'orders',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    status: text('status').notNull(),
    source: text('source').notNull(),
    fulfillment: text('fulfillment').notNull(),
    customerName: text('customer_name').notNull(),
    customerPhone: text('customer_phone').notNull(),
    deliveryAddress: text('delivery_address'),
    city: text('city'),
    zipCode: text('zip_code'),
    formattedAddress: text('formatted_address'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    distanceKm: doublePrecision('distance_km'),
    subtotalCents: integer('subtotal_cents').notNull(),
    taxCents: integer('tax_cents').notNull(),
    deliveryFeeCents: integer('delivery_fee_cents').notNull(),
    totalCents: integer('total_cents').notNull(),
    paymentStatus: text('payment_status').notNull(),
    paymentProvider: text('payment_provider'),
    paymentId: text('payment_id'),
    failureCode: text('failure_code'),
    failureReason: text('failure_reason'),
    notes: text('notes'),
    vapiCallId: text('vapi_call_id'),
    /** The restaurant's calendar day (TIMEZONE) of `created_at`: the workbook the order belongs to. */
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    exportedAt: timestamp('exported_at', { withTimezone: true, mode: 'date' }),
    /** Set when the order was cancelled (POST /api/orders/{id}/cancel), with the provider's refund id. */
    cancelledAt: timestamp('cancelled_at', { withTimezone: true, mode: 'date' }),
    refundId: text('refund_id'),
  },
  (t) => [
    // id last: a day's rows after an id (every workbook append) are one ordered range, whatever the
    // planner's statistics say (PGlite never gathers any; PostgreSQL's lag behind a new day).
    index('orders_day_status_id_idx').on(t.businessDate, t.status, t.id),
    index('orders_status_idx').on(t.status, t.id),
    index('orders_phone_idx').on(t.customerPhone),
    // Voice orders only: links a call to its orders without indexing every API order.
    index('orders_vapi_call_idx')
      .on(t.vapiCallId)
      .where(sql`vapi_call_id IS NOT NULL`),
    // Keeps the export sweep cheap: only orders whose day's workbook must be rewritten are indexed (new
    // confirmed orders, and cancelled ones still to be taken out of it). Orders awaiting payment by link are
    // left out: they join the workbook only once the payment confirms them.
    index('orders_export_backlog_idx')
      .on(t.id)
      .where(sql`status IN ('confirmed', 'cancelled') AND exported_at IS NULL`),
    // Webhooks find an order by its provider payment id.
    index('orders_payment_id_idx')
      .on(t.paymentId)
      .where(sql`payment_id IS NOT NULL`),
    check('orders_status_check', sql`status IN ('confirmed', 'failed', 'cancelled', 'awaiting_payment')`),
    check('orders_source_check', sql`source IN ('api', 'voice')`),
    check('orders_fulfillment_check', sql`fulfillment IN ('delivery', 'pickup')`),
    check(
      'orders_money_check',
      sql`subtotal_cents >= 0 AND tax_cents >= 0 AND delivery_fee_cents >= 0 AND total_cents = subtotal_cents + tax_cents + delivery_fee_cents`,
    ),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    lineNo: smallint('line_no').notNull(),
    menuItemId: text('menu_item_id').notNull(),
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
    /** Chosen options as [{ groupId, optionId, name, priceDeltaCents }]. */
    options: jsonb('options')
      .notNull()
      .default(sql`'[]'::jsonb`),
    lineTotalCents: integer('line_total_cents').notNull(),
  },
  (t) => [
    index('order_items_order_idx').on(t.orderId, t.lineNo),
    check('order_items_quantity_check', sql`quantity > 0`),
    check('order_items_line_total_check', sql`line_total_cents = unit_price_cents * quantity`),
  ],
);
