// The day's statistics in a few aggregate queries over the orders of one business day (indexed by
// business_date), so the dashboard costs the database the same at 50 orders or 5,000.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { orders } from '../../db/schema/index.js';

export interface SourceStats {
  source: string;
  attempts: number;
  orders: number;
  /** Voice orders whose payment link is not paid yet: neither orders (nor revenue) nor failures. */
  awaiting: number;
  /** Attempts that never became an order (declined, address invalid...): one per failures row. */
  failed: number;
  /** Orders placed and then cancelled: not revenue, and not failures either. */
  cancelled: number;
  /** Cancelled orders whose payment was refunded in full, and how much that was. */
  refunded: number;
  refundedCents: number;
  revenueCents: number;
}

export interface DayStats {
  bySource: SourceStats[];
  failures: Array<{ code: string; count: number }>;
  hourly: Array<{ hour: number; orders: number; revenueCents: number }>;
}

export class DashboardRepository {
  constructor(
    private readonly db: Database,
    private readonly timeZone: string,
  ) {}

  async dayStats(businessDate: string): Promise<DayStats> {
    const day = eq(orders.businessDate, businessDate);
    const confirmed = sql`${orders.status} = 'confirmed'`;
    const refunded = sql`${orders.status} = 'cancelled' and ${orders.paymentStatus} = 'refunded'`;
    const [bySource, failures, hourly] = await Promise.all([
      this.db.orm
        .select({
          source: orders.source,
          attempts: sql<number>`count(*)::int`,
          orders: sql<number>`(count(*) filter (where ${confirmed}))::int`,
          awaiting: sql<number>`(count(*) filter (where ${orders.status} = 'awaiting_payment'))::int`,
          failed: sql<number>`(count(*) filter (where ${orders.status} = 'failed'))::int`,
          cancelled: sql<number>`(count(*) filter (where ${orders.status} = 'cancelled'))::int`,
          refunded: sql<number>`(count(*) filter (where ${refunded}))::int`,
          refundedCents: sql<number>`(coalesce(sum(${orders.totalCents}) filter (where ${refunded}), 0))::int`,
          revenueCents: sql<number>`(coalesce(sum(${orders.totalCents}) filter (where ${confirmed}), 0))::int`,
        })
        .from(orders)
        .where(day)
        .groupBy(orders.source),
      this.db.orm
        .select({
          code: sql<string>`coalesce(${orders.failureCode}, 'unknown')`,
          count: sql<number>`count(*)::int`,
        })
        .from(orders)
        .where(and(day, eq(orders.status, 'failed')))
        .groupBy(orders.failureCode)
        .orderBy(sql`count(*) desc`),
      this.db.orm
        .select({
          hour: sql<number>`extract(hour from ${orders.createdAt} at time zone ${this.timeZone})::int`,
          orders: sql<number>`count(*)::int`,
          revenueCents: sql<number>`(coalesce(sum(${orders.totalCents}), 0))::int`,
        })
        .from(orders)
        .where(and(day, eq(orders.status, 'confirmed')))
        .groupBy(sql`1`)
        .orderBy(sql`1`),
    ]);
    return { bySource, failures, hourly };
  }
}
