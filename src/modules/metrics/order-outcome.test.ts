import { describe, expect, it } from 'vitest';
import type { OrderEvent } from '../orders/order-events.js';
import type { OrderView } from '../orders/orders.schemas.js';
import { countedOutcome, failureReason } from './order-outcome.js';

const CREATED_AT = '2026-03-02T12:00:00.000Z';
const LATER = '2026-03-02T12:05:00.000Z';

function order(fields: Partial<OrderView>): OrderView {
  return {
    id: 1,
    status: 'confirmed',
    source: 'api',
    payment_status: 'succeeded',
    failure_code: null,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    cancelled_at: null,
    ...fields,
  } as OrderView;
}

const created = (fields: Partial<OrderView>): OrderEvent => ({ type: 'order.created', order: order(fields) });
const updated = (fields: Partial<OrderView>): OrderEvent => ({ type: 'order.updated', order: order(fields) });

describe('failureReason', () => {
  it.each([
    ['declined', 'card_declined', 'payment_declined'],
    ['declined', 'some_new_stripe_code', 'payment_declined'],
    ['declined', 'payment_processing', 'payment_declined'],
    ['error', 'payment_unavailable', 'payment_unavailable'],
    ['error', 'payment_timeout', 'payment_unavailable'],
    ['link_expired', 'payment_link_expired', 'payment_link_expired'],
    ['not_attempted', 'address_not_found', 'address'],
    ['not_attempted', 'outside_delivery_zone', 'address'],
    ['not_attempted', 'geo_unavailable', 'geo_unavailable'],
    ['not_attempted', 'geo_timeout', 'geo_unavailable'],
    ['not_attempted', 'restaurant_closed', 'other'],
    ['not_attempted', null, 'other'],
  ] as const)('payment %s, code %s -> %s', (payment_status, failure_code, reason) => {
    expect(failureReason({ payment_status, failure_code })).toBe(reason);
  });
});

describe('countedOutcome', () => {
  it('counts every new order by its status and source, failures with their reason', () => {
    expect(countedOutcome(created({}))).toEqual({ source: 'api', outcome: 'confirmed', reason: null });
    expect(
      countedOutcome(created({ status: 'failed', payment_status: 'declined', failure_code: 'expired_card' })),
    ).toEqual({ source: 'api', outcome: 'failed', reason: 'payment_declined' });
    expect(
      countedOutcome(
        created({ status: 'awaiting_payment', source: 'voice', payment_status: 'awaiting_payment' }),
      ),
    ).toEqual({ source: 'voice', outcome: 'awaiting_payment', reason: null });
  });

  it('counts an unknown status as other, keeping the label values a fixed set', () => {
    expect(countedOutcome(created({ status: 'on_hold' as OrderView['status'] }))?.outcome).toBe('other');
  });

  it('ignores exports', () => {
    expect(countedOutcome({ type: 'order.exported', ids: [1, 2] })).toBeNull();
  });

  it('counts a cancellation by its own update, not a later refund of it', () => {
    const cancelledNow = { status: 'cancelled', cancelled_at: LATER, updated_at: LATER } as const;
    expect(countedOutcome(updated({ ...cancelledNow, payment_status: 'refund_pending' }))).toEqual({
      source: 'api',
      outcome: 'cancelled',
      reason: null,
    });
    const refundLater = {
      status: 'cancelled',
      cancelled_at: LATER,
      updated_at: '2026-03-02T12:09:00.000Z',
    } as const;
    expect(countedOutcome(updated({ ...refundLater, payment_status: 'refunded' }))).toBeNull();
  });

  it('counts the end of a wait for a payment link: paid, paid on delivery after all, or expired', () => {
    const voice = { source: 'voice', updated_at: LATER } as const;
    expect(
      countedOutcome(updated({ ...voice, status: 'confirmed', payment_status: 'succeeded' }))?.outcome,
    ).toBe('confirmed');
    expect(
      countedOutcome(updated({ ...voice, status: 'confirmed', payment_status: 'due_on_delivery' }))?.outcome,
    ).toBe('confirmed');
    expect(
      countedOutcome(
        updated({
          ...voice,
          status: 'failed',
          payment_status: 'link_expired',
          failure_code: 'payment_link_expired',
        }),
      ),
    ).toEqual({ source: 'voice', outcome: 'failed', reason: 'payment_link_expired' });
  });

  it('does not count updates that leave the outcome as it was', () => {
    // A charged failed order refunded; a processing payment that settled as declined; a refund completing.
    expect(countedOutcome(updated({ status: 'failed', payment_status: 'refunded' }))).toBeNull();
    expect(
      countedOutcome(
        updated({ status: 'failed', payment_status: 'declined', failure_code: 'card_declined' }),
      ),
    ).toBeNull();
    expect(countedOutcome(updated({ status: 'confirmed', payment_status: 'refund_pending' }))).toBeNull();
    expect(
      countedOutcome(updated({ status: 'awaiting_payment', payment_status: 'awaiting_payment' })),
    ).toBeNull();
  });
});
