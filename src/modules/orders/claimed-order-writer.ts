// Writes the orders of claimed keys, batched naturally like the claims themselves (StatementBatcher): alone,
// an order goes through the single-order statement with no added delay; in a rush, many orders share one
// statement and one commit.
import type { Database, SqlStatement } from '../../db/client.js';
import { StatementBatcher } from '../../db/statement-batcher.js';
import { isDatabaseUnavailable } from '../../db/errors.js';
import type { InsertedOrder, OrderDraft } from './orders.repository.js';

const MAX_BATCH = 100;

/**
 * Many orders in one statement: arrays of columns (one element per order) and of item columns (one element
 * per line, `idx` naming its order's position). As in the single statement, each order is written only if
 * its claim has no order yet, and gets the claim's new order id; an order whose claim was taken over by
 * another process is left out of the result.
 */
const INSERT_CLAIMED_ORDERS: SqlStatement = {
  name: 'orders_insert_claimed_many',
  text: `WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
      $8::text[], $9::text[], $10::text[], $11::float8[], $12::float8[], $13::float8[], $14::int[], $15::int[],
      $16::int[], $17::int[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[],
      $24::text[])
      WITH ORDINALITY AS x(key, status, source, fulfillment, customer_name, customer_phone, delivery_address,
        city, zip_code, formatted_address, latitude, longitude, distance_km, subtotal_cents, tax_cents,
        delivery_fee_cents, total_cents, payment_status, payment_provider, payment_id, failure_code,
        failure_reason, notes, vapi_call_id, idx)
  ),
  k AS (UPDATE idempotency_keys c SET order_id = nextval('orders_id_seq')
      FROM input WHERE c.key = input.key AND c.order_id IS NULL AND c.scope <> 'refunded'
      RETURNING c.key, c.order_id),
  o AS (INSERT INTO orders (id, status, source, fulfillment, customer_name, customer_phone, delivery_address,
        city, zip_code, formatted_address, latitude, longitude, distance_km, subtotal_cents, tax_cents,
        delivery_fee_cents, total_cents, payment_status, payment_provider, payment_id, failure_code,
        failure_reason, notes, vapi_call_id, business_date)
      OVERRIDING SYSTEM VALUE
      SELECT k.order_id, input.status, input.source, input.fulfillment, input.customer_name,
        input.customer_phone, input.delivery_address, input.city, input.zip_code, input.formatted_address,
        input.latitude, input.longitude, input.distance_km, input.subtotal_cents, input.tax_cents,
        input.delivery_fee_cents, input.total_cents, input.payment_status, input.payment_provider,
        input.payment_id, input.failure_code, input.failure_reason, input.notes, input.vapi_call_id,
        (now() AT TIME ZONE $25)::date
      FROM input JOIN k ON k.key = input.key
      RETURNING id, created_at, business_date),
  i AS (INSERT INTO order_items (order_id, line_no, menu_item_id, name, quantity, unit_price_cents, options,
        line_total_cents)
      SELECT k.order_id, t.n, t.item_id, t.name, t.qty, t.price, t.opts::jsonb, t.total
      FROM unnest($26::int[], $27::int[], $28::text[], $29::text[], $30::int[], $31::int[], $32::text[],
        $33::int[]) AS t(idx, n, item_id, name, qty, price, opts, total)
      JOIN input ON input.idx = t.idx JOIN k ON k.key = input.key)
  SELECT k.key, o.id, o.created_at, o.business_date FROM o JOIN k ON k.order_id = o.id`,
};

interface Pending {
  draft: OrderDraft;
  key: string;
  resolve(inserted: InsertedOrder | null): void;
  reject(error: unknown): void;
}

interface InsertedRow {
  key: string;
  id: number;
  created_at: Date;
  business_date: string;
}

type SingleWrite = (draft: OrderDraft, key: string) => Promise<InsertedOrder | null>;

export class ClaimedOrderWriter {
  private readonly batches: StatementBatcher<Pending>;

  constructor(
    private readonly db: Database,
    private readonly timeZone: string,
    /** The single-order statement, for a batch of one and for isolating a batch that failed. */
    private readonly single: SingleWrite,
  ) {
    this.batches = new StatementBatcher(db, MAX_BATCH, (batch) =>
      batch.length === 1 ? this.writeOne(batch[0]!) : this.writeMany(batch),
    );
  }

  /** Writes the order of a claimed key; null when the claim already has an order (written elsewhere). */
  write(draft: OrderDraft, key: string): Promise<InsertedOrder | null> {
    return new Promise((resolve, reject) => {
      this.batches.add({ draft, key, resolve, reject });
    });
  }

  private async writeOne(pending: Pending): Promise<void> {
    try {
      pending.resolve(await this.single(pending.draft, pending.key));
    } catch (error) {
      pending.reject(error);
    }
  }

  private async writeMany(batch: Pending[]): Promise<void> {
    let rows: InsertedRow[];
    try {
      rows = await this.db.query<InsertedRow>(INSERT_CLAIMED_ORDERS, manyParams(batch, this.timeZone));
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      // One order the database refuses must not fail the others: write them one by one (the statement
      // was atomic, so nothing of the batch was written).
      for (const pending of batch) await this.writeOne(pending);
      return;
    }
    const byKey = new Map(rows.map((row) => [row.key, row]));
    for (const pending of batch) {
      const row = byKey.get(pending.key);
      pending.resolve(
        row ? { id: row.id, createdAt: row.created_at, businessDate: row.business_date } : null,
      );
    }
  }
}

function manyParams(batch: readonly Pending[], timeZone: string): unknown[] {
  const column = <T>(pick: (draft: OrderDraft) => T) => batch.map((p) => pick(p.draft));
  const lines = batch.flatMap((p, i) => p.draft.lines.map((line, n) => ({ idx: i + 1, n: n + 1, line })));
  return [
    batch.map((p) => p.key),
    column((d) => d.status),
    column((d) => d.source),
    column((d) => d.fulfillment),
    column((d) => d.customerName),
    column((d) => d.customerPhone),
    column((d) => d.deliveryAddress),
    column((d) => d.city),
    column((d) => d.zipCode),
    column((d) => d.formattedAddress),
    column((d) => d.latitude),
    column((d) => d.longitude),
    column((d) => d.distanceKm),
    column((d) => d.subtotalCents),
    column((d) => d.taxCents),
    column((d) => d.deliveryFeeCents),
    column((d) => d.totalCents),
    column((d) => d.paymentStatus),
    column((d) => d.paymentProvider),
    column((d) => d.paymentId),
    column((d) => d.failureCode),
    column((d) => d.failureReason),
    column((d) => d.notes),
    column((d) => d.vapiCallId),
    timeZone,
    lines.map((l) => l.idx),
    lines.map((l) => l.n),
    lines.map((l) => l.line.itemId),
    lines.map((l) => l.line.name),
    lines.map((l) => l.line.quantity),
    lines.map((l) => l.line.unitPriceCents),
    lines.map((l) => JSON.stringify(l.line.options)),
    lines.map((l) => l.line.lineTotalCents),
  ];
}
