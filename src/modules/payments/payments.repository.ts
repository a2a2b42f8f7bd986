// Payment-state changes of stored orders: Stripe webhook events (each applied at most once, by event id, in
// the same statement that records it), cancellations and voice orders waiting for a payment link. Every change is one statement, so nothing is
// half-written, and each is conditional on the order's current state, so a repeat or a race changes nothing.
import type { Database, SqlStatement } from '../../db/client.js';

/** A payment Stripe reports as taken: confirmed orders on it are paid; failed orders on it get refunded. */
const APPLY_SUCCEEDED: SqlStatement = {
  name: 'payments_apply_succeeded',
  text: `WITH e AS (INSERT INTO payment_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id),
  paid AS (UPDATE orders SET payment_status = 'succeeded', updated_at = now()
      WHERE payment_id = $3 AND status = 'confirmed' AND payment_status NOT IN ('succeeded', 'refunded', 'refund_pending')
        AND EXISTS (SELECT 1 FROM e) RETURNING id),
  refunded AS (UPDATE orders o SET payment_status = r.status, refund_id = r.refund_id, updated_at = now()
      FROM unnest($4::bigint[], $5::text[], $6::text[]) AS r(id, refund_id, status)
      WHERE o.id = r.id AND o.status = 'failed' AND EXISTS (SELECT 1 FROM e) RETURNING o.id)
  SELECT EXISTS (SELECT 1 FROM e) AS fresh, ARRAY(SELECT id FROM paid UNION ALL SELECT id FROM refunded) AS ids`,
};

/** A payment that finally failed: a failed order still waiting on it ("processing") gets the real reason. */
const APPLY_FAILED: SqlStatement = {
  name: 'payments_apply_failed',
  text: `WITH e AS (INSERT INTO payment_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id),
  u AS (UPDATE orders SET payment_status = 'declined', failure_code = $4, failure_reason = $5, updated_at = now()
      WHERE payment_id = $3 AND status = 'failed' AND failure_code = 'payment_processing'
        AND EXISTS (SELECT 1 FROM e) RETURNING id)
  SELECT EXISTS (SELECT 1 FROM e) AS fresh, ARRAY(SELECT id FROM u) AS ids`,
};

/** A full refund made elsewhere (Stripe's dashboard, or ours confirming a pending one). */
const APPLY_REFUNDED: SqlStatement = {
  name: 'payments_apply_refunded',
  text: `WITH e AS (INSERT INTO payment_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id),
  u AS (UPDATE orders SET payment_status = 'refunded', refund_id = COALESCE(refund_id, $4), updated_at = now()
      WHERE payment_id = $3 AND payment_status <> 'refunded' AND EXISTS (SELECT 1 FROM e) RETURNING id)
  SELECT EXISTS (SELECT 1 FROM e) AS fresh, ARRAY(SELECT id FROM u) AS ids`,
};

/** The order a payment link (Checkout Session) was made for. */
const LINK_ORDER: SqlStatement = {
  name: 'payments_link_order',
  text: `SELECT id, status, payment_status, total_cents FROM orders WHERE payment_id = $1 ORDER BY id LIMIT 1`,
};

/**
 * A link paid: its order, still waiting, is confirmed, and from now on carries the payment itself (Stripe
 * `pi_...`) so refunds and cancellations work as for any paid order. exported_at is still NULL: the order
 * joins the export backlog here.
 */
const APPLY_LINK_PAID: SqlStatement = {
  name: 'payments_apply_link_paid',
  text: `WITH e AS (INSERT INTO payment_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id),
  u AS (UPDATE orders SET status = 'confirmed', payment_status = 'succeeded', payment_id = COALESCE($4, payment_id),
        updated_at = now()
      WHERE payment_id = $3 AND status = 'awaiting_payment' AND EXISTS (SELECT 1 FROM e) RETURNING id)
  SELECT EXISTS (SELECT 1 FROM e) AS fresh, ARRAY(SELECT id FROM u) AS ids`,
};

/** A link paid for an order that no longer waits for it (cancelled meanwhile): the refund made for it. */
const APPLY_LINK_REFUNDED: SqlStatement = {
  name: 'payments_apply_link_refunded',
  text: `WITH e AS (INSERT INTO payment_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id),
  u AS (UPDATE orders SET payment_status = $5, refund_id = $6, payment_id = COALESCE($4, payment_id), updated_at = now()
      WHERE id = $3 AND payment_status NOT IN ('refunded', 'refund_pending') AND EXISTS (SELECT 1 FROM e) RETURNING id)
  SELECT EXISTS (SELECT 1 FROM e) AS fresh, ARRAY(SELECT id FROM u) AS ids`,
};

/** A link that expired unpaid: its waiting order failed (and never reaches a workbook). */
const APPLY_LINK_EXPIRED: SqlStatement = {
  name: 'payments_apply_link_expired',
  text: `WITH e AS (INSERT INTO payment_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id),
  u AS (UPDATE orders SET status = 'failed', payment_status = 'link_expired', failure_code = 'payment_link_expired',
        failure_reason = $4, updated_at = now()
      WHERE payment_id = $3 AND status = 'awaiting_payment' AND EXISTS (SELECT 1 FROM e) RETURNING id)
  SELECT EXISTS (SELECT 1 FROM e) AS fresh, ARRAY(SELECT id FROM u) AS ids`,
};

/**
 * Awaiting payment -> cancelled, once its link can no longer be paid (or was paid and refunded: then the
 * payment id and refund are kept). Never in a workbook, so exported_at stays as it is (NULL): the export
 * worker records the day as reflecting it like any other cancellation.
 */
const CANCEL_AWAITING: SqlStatement = {
  name: 'payments_cancel_awaiting',
  text: `UPDATE orders SET status = 'cancelled', payment_status = $2, refund_id = $3,
      payment_id = COALESCE($4, payment_id), cancelled_at = now(), updated_at = now()
    WHERE id = $1 AND status = 'awaiting_payment' RETURNING id`,
};

/** Awaiting payment -> confirmed, paid on delivery or at pickup after all (its link expired first). */
const PAY_ON_DELIVERY: SqlStatement = {
  name: 'payments_pay_on_delivery',
  text: `UPDATE orders SET status = 'confirmed', payment_status = $2, updated_at = now()
    WHERE id = $1 AND status = 'awaiting_payment' RETURNING id`,
};

const RECORD_EVENT: SqlStatement = {
  name: 'payments_record_event',
  text: `INSERT INTO payment_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id`,
};

const SEEN_EVENT: SqlStatement = {
  name: 'payments_seen_event',
  text: `SELECT 1 FROM payment_events WHERE id = $1`,
};

const CHARGED_FAILED_ORDERS: SqlStatement = {
  name: 'payments_charged_failed_orders',
  text: `SELECT id, total_cents FROM orders
    WHERE payment_id = $1 AND status = 'failed' AND payment_status NOT IN ('refunded', 'refund_pending')`,
};

/**
 * Confirmed -> cancelled, with the refund's outcome. Clearing exported_at puts the day back in the export
 * backlog: its workbook is rewritten without the order.
 */
const CANCEL: SqlStatement = {
  name: 'payments_cancel_order',
  text: `UPDATE orders SET status = 'cancelled', payment_status = COALESCE($2, payment_status), refund_id = $3,
      cancelled_at = now(), exported_at = NULL, updated_at = now()
    WHERE id = $1 AND status = 'confirmed' RETURNING id`,
};

export interface AppliedEvent {
  /** False when this event id was applied before (a redelivery): nothing changed. */
  fresh: boolean;
  /** Orders whose state changed. */
  orderIds: number[];
}

export interface RefundedOrder {
  id: number;
  refundId: string | null;
  status: 'refunded' | 'refund_pending';
}

export interface LinkOrder {
  id: number;
  status: string;
  paymentStatus: string;
  totalCents: number;
}

interface AppliedRow {
  fresh: boolean;
  ids: Array<number | string>;
}

export class PaymentsRepository {
  constructor(private readonly db: Database) {}

  async seen(eventId: string): Promise<boolean> {
    return (await this.db.query(SEEN_EVENT, [eventId])).length > 0;
  }

  async chargedFailedOrders(paymentId: string): Promise<Array<{ id: number; totalCents: number }>> {
    const rows = await this.db.query<{ id: number; total_cents: number }>(CHARGED_FAILED_ORDERS, [paymentId]);
    return rows.map((r) => ({ id: Number(r.id), totalCents: r.total_cents }));
  }

  applySucceeded(eventId: string, type: string, paymentId: string, refunds: RefundedOrder[]) {
    return this.apply(APPLY_SUCCEEDED, [
      eventId,
      type,
      paymentId,
      refunds.map((r) => r.id),
      refunds.map((r) => r.refundId),
      refunds.map((r) => r.status),
    ]);
  }

  applyFailed(eventId: string, type: string, paymentId: string, code: string, reason: string) {
    return this.apply(APPLY_FAILED, [eventId, type, paymentId, code.slice(0, 100), reason.slice(0, 500)]);
  }

  applyRefunded(eventId: string, type: string, paymentId: string, refundId: string | null) {
    return this.apply(APPLY_REFUNDED, [eventId, type, paymentId, refundId]);
  }

  async linkOrder(linkId: string): Promise<LinkOrder | null> {
    const [row] = await this.db.query<{
      id: number | string;
      status: string;
      payment_status: string;
      total_cents: number;
    }>(LINK_ORDER, [linkId]);
    return row
      ? {
          id: Number(row.id),
          status: row.status,
          paymentStatus: row.payment_status,
          totalCents: row.total_cents,
        }
      : null;
  }

  applyLinkPaid(eventId: string, type: string, linkId: string, paymentId: string | null) {
    return this.apply(APPLY_LINK_PAID, [eventId, type, linkId, paymentId]);
  }

  applyLinkRefunded(eventId: string, type: string, paymentId: string | null, refund: RefundedOrder) {
    return this.apply(APPLY_LINK_REFUNDED, [
      eventId,
      type,
      refund.id,
      paymentId,
      refund.status,
      refund.refundId,
    ]);
  }

  applyLinkExpired(eventId: string, type: string, linkId: string) {
    return this.apply(APPLY_LINK_EXPIRED, [
      eventId,
      type,
      linkId,
      'The payment link expired before it was paid.',
    ]);
  }

  /** True when this call cancelled the waiting order (false: it no longer waits for its payment). */
  async cancelAwaiting(
    orderId: number,
    paymentStatus: string,
    refundId: string | null,
    paymentId: string | null,
  ): Promise<boolean> {
    return (await this.db.query(CANCEL_AWAITING, [orderId, paymentStatus, refundId, paymentId])).length > 0;
  }

  /** True when this call switched the waiting order to paying on delivery / at pickup. */
  async payOnDelivery(orderId: number, paymentStatus: 'due_on_delivery' | 'due_at_pickup'): Promise<boolean> {
    return (await this.db.query(PAY_ON_DELIVERY, [orderId, paymentStatus])).length > 0;
  }

  async recordIgnored(eventId: string, type: string): Promise<AppliedEvent> {
    const rows = await this.db.query(RECORD_EVENT, [eventId, type.slice(0, 100)]);
    return { fresh: rows.length > 0, orderIds: [] };
  }

  /** True when this call cancelled the order (false: it was no longer confirmed). */
  async cancel(orderId: number, paymentStatus: string | null, refundId: string | null): Promise<boolean> {
    return (await this.db.query(CANCEL, [orderId, paymentStatus, refundId])).length > 0;
  }

  private async apply(statement: SqlStatement, params: unknown[]): Promise<AppliedEvent> {
    const [row] = await this.db.query<AppliedRow>(statement, params);
    return { fresh: row?.fresh ?? false, orderIds: (row?.ids ?? []).map(Number) };
  }
}
