// The export's view of the database: which days have confirmed orders not yet in their workbook, the
// confirmed orders of a day (streamed in id order), and marking exactly the written orders as exported.
import { and, asc, count, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Database, SqlStatement } from '../../db/client.js';
import { orderItems, orders, workerHeartbeats } from '../../db/schema/index.js';
import type { PricedOption } from '../menu/menu.pricing.js';
import type { WorkbookOrder } from './workbook.cells.js';

const BACKLOG_DAYS: SqlStatement = {
  name: 'exports_backlog_days',
  text: `SELECT DISTINCT business_date FROM orders
    WHERE status IN ('confirmed', 'cancelled') AND exported_at IS NULL ORDER BY 1`,
};

/** Cancelled orders whose day's workbook may still show them (exported_at was cleared by the cancel). */
const CANCELLED_PENDING: SqlStatement = {
  name: 'exports_cancelled_pending',
  text: `SELECT id FROM orders WHERE business_date = $1 AND status = 'cancelled' AND exported_at IS NULL`,
};

/** Through the backlog index (its predicate repeated so the planner matches it): a few rows, never the day. */
const OLDEST_UNEXPORTED: SqlStatement = {
  name: 'exports_oldest_unexported',
  text: `SELECT min(id)::bigint AS id FROM orders WHERE status IN ('confirmed', 'cancelled') AND exported_at IS NULL
    AND status = 'confirmed' AND business_date = $1`,
};

const STALE_BACKLOG: SqlStatement = {
  name: 'exports_stale_backlog',
  text: `SELECT id FROM orders WHERE status IN ('confirmed', 'cancelled') AND exported_at IS NULL
    AND created_at < now() - make_interval(secs => $1) ORDER BY id LIMIT $2`,
};

/**
 * Only rows still unexported are marked, so a concurrent or repeated export never moves the timestamp; and
 * only in the status they were written with: an order cancelled during the write stays pending its removal.
 */
const MARK_EXPORTED: SqlStatement = {
  name: 'exports_mark',
  text: `UPDATE orders SET exported_at = now() WHERE id = ANY($1::bigint[]) AND exported_at IS NULL AND status = $2
    RETURNING id`,
};

/**
 * How far exports lag, for the metrics scrape: the rows of the partial index orders_export_backlog_idx (its
 * predicate repeated so the planner matches it), of which only confirmed orders wait to be exported.
 */
const BACKLOG_AGE: SqlStatement = {
  name: 'exports_backlog_age',
  text: `SELECT count(*)::int AS orders,
      GREATEST(COALESCE(extract(epoch FROM now() - min(created_at)), 0), 0)::float8 AS oldest_seconds
    FROM orders WHERE status IN ('confirmed', 'cancelled') AND exported_at IS NULL AND status = 'confirmed'`,
};

const CHUNK = 2_000;

export interface DayLedgerEntry {
  id: number;
  totalCents: number;
}

export interface BacklogAge {
  /** Confirmed orders not yet in their workbook. */
  orders: number;
  /** Age of the oldest of them by the database clock; 0 when there is none. */
  oldestSeconds: number;
}

export interface Heartbeat {
  workerId: string;
  hostname: string;
  pid: number;
  startedAt: Date;
  lastExportAt: Date | null;
  lastExportOrders: number | null;
  lastError: string | null;
}

/**
 * One chunk of a day's confirmed orders after an id, in id order: an append reads only its new rows
 * (orders_day_status_id_idx makes that one index range whatever the statistics say).
 */
export function confirmedRowsAfter(db: Database, businessDate: string, afterId: number) {
  return db.orm
    .select()
    .from(orders)
    .where(and(eq(orders.businessDate, businessDate), eq(orders.status, 'confirmed'), gt(orders.id, afterId)))
    .orderBy(asc(orders.id))
    .limit(CHUNK);
}

export class ExportsRepository {
  constructor(private readonly db: Database) {}

  async backlogDays(): Promise<string[]> {
    const rows = await this.db.query<{ business_date: string }>(BACKLOG_DAYS, []);
    return rows.map((r) => r.business_date);
  }

  /** Cancelled orders of the day not yet taken out of its workbook. */
  async cancelledPendingIds(businessDate: string): Promise<number[]> {
    const rows = await this.db.query<{ id: number }>(CANCELLED_PENDING, [businessDate]);
    return rows.map((r) => r.id);
  }

  /** The lowest id of the day's confirmed orders not yet in its workbook, or null when there is none. */
  async oldestUnexportedId(businessDate: string): Promise<number | null> {
    const [row] = await this.db.query<{ id: number | null }>(OLDEST_UNEXPORTED, [businessDate]);
    return row?.id ?? null;
  }

  /** Confirmed orders not exported and older than `olderThanSeconds`: the ones whose job may be lost. */
  async staleBacklogIds(olderThanSeconds: number, limit: number): Promise<number[]> {
    const rows = await this.db.query<{ id: number }>(STALE_BACKLOG, [olderThanSeconds, limit]);
    return rows.map((r) => r.id);
  }

  async backlogCount(): Promise<number> {
    const [row] = await this.db.orm
      .select({ n: count() })
      .from(orders)
      .where(and(eq(orders.status, 'confirmed'), isNull(orders.exportedAt)));
    return row?.n ?? 0;
  }

  async backlogAge(): Promise<BacklogAge> {
    const [row] = await this.db.query<{ orders: number; oldest_seconds: number }>(BACKLOG_AGE, []);
    return { orders: row?.orders ?? 0, oldestSeconds: row?.oldest_seconds ?? 0 };
  }

  /**
   * The day's confirmed orders in id order (from `fromId` on), read in chunks so a 10,000-order day never
   * sits in memory twice.
   */
  async *confirmedOrdersOfDay(
    businessDate: string,
    { fromId = 1 }: { fromId?: number } = {},
  ): AsyncGenerator<WorkbookOrder & { exported: boolean }> {
    let after = fromId - 1;
    for (;;) {
      const rows = await confirmedRowsAfter(this.db, businessDate, after);
      if (rows.length === 0) return;
      const items = await this.db.orm
        .select({
          orderId: orderItems.orderId,
          name: orderItems.name,
          quantity: orderItems.quantity,
          options: orderItems.options,
        })
        .from(orderItems)
        .where(
          inArray(
            orderItems.orderId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(asc(orderItems.orderId), asc(orderItems.lineNo));
      const byOrder = new Map<number, WorkbookOrder['items']>();
      for (const item of items) {
        const line = {
          name: item.name,
          quantity: item.quantity,
          options: (item.options as PricedOption[]).map((o) => o.name),
        };
        const list = byOrder.get(item.orderId);
        if (list) list.push(line);
        else byOrder.set(item.orderId, [line]);
      }
      for (const row of rows) {
        yield {
          id: row.id,
          createdAt: row.createdAt,
          customerName: row.customerName,
          customerPhone: row.customerPhone,
          deliveryAddress: row.deliveryAddress,
          city: row.city,
          zipCode: row.zipCode,
          items: byOrder.get(row.id) ?? [],
          subtotalCents: row.subtotalCents,
          taxCents: row.taxCents,
          deliveryFeeCents: row.deliveryFeeCents,
          totalCents: row.totalCents,
          paymentStatus: row.paymentStatus,
          paymentId: row.paymentId,
          latitude: row.latitude,
          longitude: row.longitude,
          source: row.source,
          exported: row.exportedAt !== null,
        };
      }
      after = rows[rows.length - 1]!.id;
      if (rows.length < CHUNK) return;
    }
  }

  /** What the workbook of a day must contain: every confirmed order once, with its total. */
  async dayLedger(businessDate: string): Promise<DayLedgerEntry[]> {
    return this.db.orm
      .select({ id: orders.id, totalCents: orders.totalCents })
      .from(orders)
      .where(and(eq(orders.businessDate, businessDate), eq(orders.status, 'confirmed')))
      .orderBy(asc(orders.id));
  }

  async markExported(
    ids: readonly number[],
    status: 'confirmed' | 'cancelled' = 'confirmed',
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await this.db.query(MARK_EXPORTED, [ids, status]);
    return rows.length;
  }

  async beat(heartbeat: Heartbeat): Promise<void> {
    const values = { ...heartbeat, lastSeenAt: sql`now()` };
    await this.db.orm
      .insert(workerHeartbeats)
      .values(values)
      .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: values });
  }

  async removeHeartbeat(workerId: string): Promise<void> {
    await this.db.orm.delete(workerHeartbeats).where(eq(workerHeartbeats.workerId, workerId));
  }

  /** The most recently seen worker, with how many seconds ago (by the database clock). */
  async latestHeartbeat(): Promise<(Heartbeat & { lastSeenAt: Date; ageSeconds: number }) | null> {
    const [row] = await this.db.orm
      .select({
        workerId: workerHeartbeats.workerId,
        hostname: workerHeartbeats.hostname,
        pid: workerHeartbeats.pid,
        startedAt: workerHeartbeats.startedAt,
        lastSeenAt: workerHeartbeats.lastSeenAt,
        lastExportAt: workerHeartbeats.lastExportAt,
        lastExportOrders: workerHeartbeats.lastExportOrders,
        lastError: workerHeartbeats.lastError,
        ageSeconds: sql<number>`extract(epoch from now() - ${workerHeartbeats.lastSeenAt})::float8`,
      })
      .from(workerHeartbeats)
      .orderBy(sql`${workerHeartbeats.lastSeenAt} desc`)
      .limit(1);
    return row ?? null;
  }
}
