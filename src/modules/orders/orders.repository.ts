// Every database read and write of an order. An order is written once, with its outcome, by one statement
// (order + items, and the link from its idempotency claim; in a rush, many orders per statement): no
// BEGIN/COMMIT round trips, no later UPDATE of a wide, heavily indexed row.
import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Database, SqlStatement } from '../../db/client.js';
import { orderItems, orders } from '../../db/schema/index.js';
import type { PricedLine } from '../menu/menu.pricing.js';
import { ClaimedOrderWriter } from './claimed-order-writer.js';
import { orderSearchCondition } from './order-search.js';

export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = Omit<typeof orderItems.$inferSelect, 'id' | 'orderId'>;
export interface OrderRecord extends OrderRow {
  items: OrderItemRow[];
}

export type OrderSource = 'api' | 'voice';
export type Fulfillment = 'delivery' | 'pickup';
export type PaymentStatus =
  | 'succeeded'
  | 'declined'
  | 'error'
  | 'not_attempted'
  | 'refunded'
  | 'refund_pending'
  /** Voice orders: paid to the driver or at the counter. */
  | 'due_on_delivery'
  | 'due_at_pickup'
  /** Voice orders paid by a texted link: not paid yet, or the link expired unpaid. */
  | 'awaiting_payment'
  | 'link_expired';

/** Everything known about an order attempt when it is written. */
export interface OrderDraft {
  status: 'confirmed' | 'failed' | 'awaiting_payment';
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
  paymentId: string | null;
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

const ORDER_COLUMNS = `status, source, fulfillment, customer_name, customer_phone, delivery_address, city, zip_code,
  formatted_address, latitude, longitude, distance_km, subtotal_cents, tax_cents, delivery_fee_cents, total_cents,
  payment_status, payment_provider, payment_id, failure_code, failure_reason, notes, vapi_call_id, business_date`;
const ORDER_VALUES = `$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
  $22, $23, (now() AT TIME ZONE $24)::date`;
const INSERT_ITEMS = `INSERT INTO order_items (order_id, line_no, menu_item_id, name, quantity, unit_price_cents, options, line_total_cents)
  SELECT o.id, t.n, t.item_id, t.name, t.qty, t.price, t.opts::jsonb, t.total
  FROM o, unnest($25::text[], $26::text[], $27::int[], $28::int[], $29::text[], $30::int[])
    WITH ORDINALITY AS t(item_id, name, qty, price, opts, total, n)`;

/** Order + items for an attempt that holds no claim (address failures, freed claims). */
const INSERT_ORDER: SqlStatement = {
  name: 'orders_insert',
  text: `WITH o AS (INSERT INTO orders (${ORDER_COLUMNS}) VALUES (${ORDER_VALUES}) RETURNING id, created_at, business_date),
  i AS (${INSERT_ITEMS})
  SELECT id, created_at, business_date FROM o`,
};

/**
 * Order + items for a claimed key, linked to the claim in the same statement. The claim row's lock and its
 * `order_id IS NULL` condition make this write happen at most once per key (and never under a key retired
 * because its charge was refunded): a second writer (a process that
 * took over an abandoned claim while the first was merely slow) inserts nothing and gets no row back.
 */
const INSERT_CLAIMED_ORDER: SqlStatement = {
  name: 'orders_insert_claimed',
  text: `WITH k AS (UPDATE idempotency_keys SET order_id = nextval('orders_id_seq')
      WHERE key = $31 AND order_id IS NULL AND scope <> 'refunded' RETURNING order_id),
  o AS (INSERT INTO orders (id, ${ORDER_COLUMNS}) OVERRIDING SYSTEM VALUE SELECT k.order_id, ${ORDER_VALUES} FROM k
      RETURNING id, created_at, business_date),
  i AS (${INSERT_ITEMS})
  SELECT id, created_at, business_date FROM o`,
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
  /** `#12` or `12` (an order number), a phone number (by its digits), or part of a name or phone. */
  search?: string;
}

export class OrdersRepository {
  private readonly claimedOrders: ClaimedOrderWriter;

  constructor(
    private readonly db: Database,
    private readonly timeZone: string,
  ) {
    this.claimedOrders = new ClaimedOrderWriter(db, timeZone, (draft, key) => this.insertOne(draft, key));
  }

  /**
   * Writes an attempt; with `claimedKey`, only if that claim has no order yet (null otherwise). Claimed
   * orders written at the same moment share one statement.
   */
  insert(draft: OrderDraft, claimedKey: string | null): Promise<InsertedOrder | null> {
    return claimedKey === null ? this.insertOne(draft, null) : this.claimedOrders.write(draft, claimedKey);
  }

  private async insertOne(draft: OrderDraft, claimedKey: string | null): Promise<InsertedOrder | null> {
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
      draft.paymentId,
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
    if (claimedKey !== null) params.push(claimedKey);
    const rows = await this.db.query<InsertedRow>(
      claimedKey === null ? INSERT_ORDER : INSERT_CLAIMED_ORDER,
      params,
    );
    const row = rows[0];
    return row ? { id: row.id, createdAt: row.created_at, businessDate: row.business_date } : null;
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
    if (filters.search) {
      conditions.push(
        orderSearchCondition({ text: filters.search, withinOneDay: filters.businessDate !== undefined }),
      );
    }
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
