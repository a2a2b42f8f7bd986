// Every database read and write of an order. The write path is two single statements per order (claim the
// order with its items and idempotency key; record the payment outcome): no BEGIN/COMMIT round trips, and
// each statement is atomic by itself.
import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Database, SqlStatement } from '../../db/client.js';
import { idempotencyKeys, orderItems, orders } from '../../db/schema/index.js';
import type { PricedLine } from '../menu/menu.pricing.js';

export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = Omit<typeof orderItems.$inferSelect, 'id' | 'orderId'>;
export interface OrderRecord extends OrderRow {
  items: OrderItemRow[];
}

export type OrderSource = 'api' | 'voice';
export type Fulfillment = 'delivery' | 'pickup';
export type PaymentStatus = 'pending' | 'succeeded' | 'declined' | 'error' | 'not_attempted';

/** Everything known about an order before it is written. */
export interface OrderDraft {
  status: 'pending' | 'failed';
  source: OrderSource;
  fulfillment: Fulfillment;
  customerName: string;
  customerPhone: string;
  deliveryAddress: string | null;
  city: string | null;
  zipCode: string | null;
  formattedAddress: string | null;
  latitude: number | null;
  longitude: number | null;
  distanceKm: number | null;
  subtotalCents: number;
  taxCents: number;
  deliveryFeeCents: number;
  totalCents: number;
  paymentStatus: PaymentStatus;
  paymentProvider: string | null;
  failureCode: string | null;
  failureReason: string | null;
  notes: string | null;
  vapiCallId: string | null;
  lines: PricedLine[];
}

export interface InsertedOrder {
  id: number;
  createdAt: Date;
  businessDate: string;
}

export interface PaymentOutcome {
  status: 'confirmed' | 'failed';
  paymentStatus: PaymentStatus;
  paymentProvider: string;
  paymentId: string | null;
  failureCode: string | null;
  failureReason: string | null;
}

const ORDER_COLUMNS = `status, source, fulfillment, customer_name, customer_phone, delivery_address, city, zip_code,
  formatted_address, latitude, longitude, distance_km, subtotal_cents, tax_cents, delivery_fee_cents, total_cents,
  payment_status, payment_provider, failure_code, failure_reason, notes, vapi_call_id, business_date`;
const ORDER_VALUES = `$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
  $22, (now() AT TIME ZONE $23)::date`;
const INSERT_ITEMS = `INSERT INTO order_items (order_id, line_no, menu_item_id, name, quantity, unit_price_cents, options, line_total_cents)
  SELECT o.id, t.n, t.item_id, t.name, t.qty, t.price, t.opts::jsonb, t.total
  FROM o, unnest($24::text[], $25::text[], $26::int[], $27::int[], $28::text[], $29::int[])
    WITH ORDINALITY AS t(item_id, name, qty, price, opts, total, n)`;

/** Order + items in one statement, for attempts with no idempotency key. */
const INSERT_ORDER: SqlStatement = {
  name: 'orders_insert',
  text: `WITH o AS (INSERT INTO orders (${ORDER_COLUMNS}) VALUES (${ORDER_VALUES}) RETURNING id, created_at, business_date),
  i AS (${INSERT_ITEMS})
  SELECT id, created_at, business_date FROM o`,
};

/**
 * Claims the idempotency key and writes order + items in one statement. When the key already exists the
 * primary key makes the claim insert nothing, so no order is written and no row comes back.
 */
const INSERT_ORDER_WITH_KEY: SqlStatement = {
  name: 'orders_insert_with_key',
  text: `WITH k AS (INSERT INTO idempotency_keys (key, scope, request_hash) VALUES ($30, 'order', $31)
      ON CONFLICT (key) DO NOTHING RETURNING key),
  o AS (INSERT INTO orders (idempotency_key, ${ORDER_COLUMNS}) SELECT k.key, ${ORDER_VALUES} FROM k
      RETURNING id, created_at, business_date),
  i AS (${INSERT_ITEMS})
  SELECT id, created_at, business_date FROM o`,
};

const RECORD_PAYMENT: SqlStatement = {
  name: 'orders_record_payment',
  text: `UPDATE orders SET status = $2, payment_status = $3, payment_provider = $4, payment_id = $5,
      failure_code = $6, failure_reason = $7, updated_at = now()
    WHERE id = $1 AND status = 'pending' RETURNING updated_at`,
};

/** The charge's outcome is unknown (provider timeout): fail the attempt and free its key for a retry. */
const ABANDON_PAYMENT: SqlStatement = {
  name: 'orders_abandon_payment',
  text: `WITH o AS (UPDATE orders SET status = 'failed', payment_status = 'error', payment_provider = $2,
      failure_code = $3, failure_reason = $4, idempotency_key = NULL, updated_at = now()
    WHERE id = $1 AND status = 'pending' RETURNING id)
  DELETE FROM idempotency_keys WHERE key = $5 AND EXISTS (SELECT 1 FROM o)`,
};

/** A pending order whose process died mid-payment may be resumed by a retry once it has gone quiet. */
const TAKE_OVER_STALE: SqlStatement = {
  name: 'orders_take_over_stale',
  text: `UPDATE orders SET updated_at = now()
    WHERE id = $1 AND status = 'pending' AND updated_at < now() - make_interval(secs => $2) RETURNING id`,
};

interface InsertedRow {
  id: number;
  created_at: Date;
  business_date: string;
}

export interface ListFilters {
  status?: string;
  source?: string;
  businessDate?: string;
}

export class OrdersRepository {
  constructor(
    private readonly db: Database,
    private readonly timeZone: string,
  ) {}

  /** Writes the attempt; with a claim, returns null when that key is already taken. */
  async insert(
    draft: OrderDraft,
    claim: { key: string; requestHash: string } | null,
  ): Promise<InsertedOrder | null> {
    const params: unknown[] = [
      draft.status,
      draft.source,
      draft.fulfillment,
      draft.customerName,
      draft.customerPhone,
      draft.deliveryAddress,
      draft.city,
      draft.zipCode,
      draft.formattedAddress,
      draft.latitude,
      draft.longitude,
      draft.distanceKm,
      draft.subtotalCents,
      draft.taxCents,
      draft.deliveryFeeCents,
      draft.totalCents,
      draft.paymentStatus,
      draft.paymentProvider,
      draft.failureCode,
      draft.failureReason,
      draft.notes,
      draft.vapiCallId,
      this.timeZone,
      draft.lines.map((l) => l.itemId),
      draft.lines.map((l) => l.name),
      draft.lines.map((l) => l.quantity),
      draft.lines.map((l) => l.unitPriceCents),
      draft.lines.map((l) => JSON.stringify(l.options)),
      draft.lines.map((l) => l.lineTotalCents),
    ];
    if (claim) params.push(claim.key, claim.requestHash);
    const rows = await this.db.query<InsertedRow>(claim ? INSERT_ORDER_WITH_KEY : INSERT_ORDER, params);
    const row = rows[0];
    return row ? { id: row.id, createdAt: row.created_at, businessDate: row.business_date } : null;
  }

  /** Records the charge outcome of a pending order; null if it was no longer pending. */
  async recordPayment(id: number, outcome: PaymentOutcome): Promise<Date | null> {
    const rows = await this.db.query<{ updated_at: Date }>(RECORD_PAYMENT, [
      id,
      outcome.status,
      outcome.paymentStatus,
      outcome.paymentProvider,
      outcome.paymentId,
      outcome.failureCode,
      outcome.failureReason,
    ]);
    return rows[0]?.updated_at ?? null;
  }

  async abandonPayment(
    id: number,
    provider: string,
    code: string,
    reason: string,
    key: string | null,
  ): Promise<void> {
    await this.db.query(ABANDON_PAYMENT, [id, provider, code, reason, key]);
  }

  async takeOverStale(id: number, quietSeconds: number): Promise<boolean> {
    const rows = await this.db.query<{ id: number }>(TAKE_OVER_STALE, [id, quietSeconds]);
    return rows.length > 0;
  }

  /** The claim for `key` and the order it owns (null while the key is claimed but the order was freed). */
  async findByIdempotencyKey(
    key: string,
  ): Promise<{ requestHash: string; order: OrderRecord | null } | null> {
    const [claim] = await this.db.orm
      .select({ requestHash: idempotencyKeys.requestHash })
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.key, key));
    if (!claim) return null;
    const [row] = await this.db.orm.select().from(orders).where(eq(orders.idempotencyKey, key));
    return { requestHash: claim.requestHash, order: row ? await this.withItems(row) : null };
  }

  async findById(id: number): Promise<OrderRecord | null> {
    const [row] = await this.db.orm.select().from(orders).where(eq(orders.id, id));
    return row ? this.withItems(row) : null;
  }

  async list(
    filters: ListFilters,
    page: number,
    pageSize: number,
  ): Promise<{ orders: OrderRecord[]; total: number }> {
    const conditions: SQL[] = [];
    if (filters.status) conditions.push(eq(orders.status, filters.status));
    if (filters.source) conditions.push(eq(orders.source, filters.source));
    if (filters.businessDate) conditions.push(eq(orders.businessDate, filters.businessDate));
    const where = conditions.length > 0 ? and(...conditions) : undefined;
    const [rows, totals] = await Promise.all([
      this.db.orm
        .select()
        .from(orders)
        .where(where)
        .orderBy(desc(orders.id))
        .limit(pageSize)
        .offset((page - 1) * pageSize),
      this.db.orm.select({ total: count() }).from(orders).where(where),
    ]);
    const items = await this.itemsFor(rows.map((r) => r.id));
    return {
      orders: rows.map((row) => ({ ...row, items: items.get(row.id) ?? [] })),
      total: totals[0]?.total ?? 0,
    };
  }

  private async withItems(row: OrderRow): Promise<OrderRecord> {
    const items = await this.itemsFor([row.id]);
    return { ...row, items: items.get(row.id) ?? [] };
  }

  private async itemsFor(orderIds: number[]): Promise<Map<number, OrderItemRow[]>> {
    const byOrder = new Map<number, OrderItemRow[]>();
    if (orderIds.length === 0) return byOrder;
    const rows = await this.db.orm
      .select()
      .from(orderItems)
      .where(inArray(orderItems.orderId, orderIds))
      .orderBy(orderItems.orderId, orderItems.lineNo);
    for (const { id: _id, orderId, ...item } of rows) {
      const list = byOrder.get(orderId);
      if (list) list.push(item);
      else byOrder.set(orderId, [item]);
    }
    return byOrder;
  }
}
