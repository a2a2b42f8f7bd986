// Which order outcome an order event reports, for orders_total{source,outcome,reason}. The label values are a
// small fixed set: a provider's decline codes are open-ended, so failures are bucketed by their cause.
import type { OrderEvent } from '../orders/order-events.js';
import type { OrderView } from '../orders/orders.schemas.js';

export type OrderOutcome = 'confirmed' | 'failed' | 'awaiting_payment' | 'cancelled' | 'other';

export type FailureReason =
  | 'payment_declined'
  | 'payment_unavailable'
  | 'payment_link_expired'
  | 'address'
  | 'geo_unavailable'
  | 'other';

export interface CountedOutcome {
  source: string;
  outcome: OrderOutcome;
  /** Set for failed orders only. */
  reason: FailureReason | null;
}

const ADDRESS_CODES = new Set(['address_not_found', 'outside_delivery_zone', 'address_required']);
const REFUND_STATES = new Set(['refunded', 'refund_pending']);

/** Why an order failed, from what it stored: the payment's state first, then the failure code. */
export function failureReason(order: Pick<OrderView, 'payment_status' | 'failure_code'>): FailureReason {
  const code = order.failure_code ?? '';
  if (order.payment_status === 'declined') return 'payment_declined';
  if (order.payment_status === 'link_expired' || code === 'payment_link_expired')
    return 'payment_link_expired';
  if (order.payment_status === 'error' || code.startsWith('payment_')) return 'payment_unavailable';
  if (ADDRESS_CODES.has(code)) return 'address';
  if (code.startsWith('geo_')) return 'geo_unavailable';
  return 'other';
}

function outcomeOf(status: string): OrderOutcome {
  switch (status) {
    case 'confirmed':
    case 'failed':
    case 'awaiting_payment':
    case 'cancelled':
      return status;
    default:
      return 'other';
  }
}

/**
 * The outcome an event reports, or null when it reports none. Every new order counts once, by its status.
 * An update counts only when it is a status change. The lifecycle: written confirmed, failed or
 * awaiting_payment; then awaiting_payment -> confirmed (link paid, or paid on delivery after all), failed
 * (link expired) or cancelled; confirmed -> cancelled. Other updates (a refund completing, a processing
 * payment settling on an order already failed) leave the counted outcome as it was. The event carries the
 * order, not its previous state, so a change is recognised from the order itself: a cancellation by its
 * own update (cancelled_at = updated_at), a link's failure by its payment state.
 */
export function countedOutcome(event: OrderEvent): CountedOutcome | null {
  if (event.type === 'order.exported') return null;
  const order = event.order;
  const outcome = outcomeOf(order.status);
  if (event.type === 'order.updated' && !isStatusChange(order, outcome)) return null;
  return { source: order.source, outcome, reason: outcome === 'failed' ? failureReason(order) : null };
}

function isStatusChange(order: OrderView, outcome: OrderOutcome): boolean {
  switch (outcome) {
    case 'cancelled':
      return order.cancelled_at !== null && order.cancelled_at === order.updated_at;
    case 'confirmed':
      return !REFUND_STATES.has(order.payment_status);
    case 'failed':
      return order.payment_status === 'link_expired';
    default:
      return false;
  }
}
