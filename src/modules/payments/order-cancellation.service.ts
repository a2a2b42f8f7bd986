// POST /api/orders/{id}/cancel: refunds a paid order and marks it cancelled. The refund goes first, under a
// key of the order's own, so a repeated or concurrent cancel refunds once; the status change is conditional
// on the order still being confirmed. Its day's workbook is then rewritten without it.
// An order still waiting for its payment link has its link expired first (nothing to refund); if the link
// was paid a moment before, that payment is refunded under the same key the webhook would use.
import type { PaymentGateway } from '../../adapters/payment/payment-gateway.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { cents } from '../../shared/money.js';
import type { OrderEvents } from '../orders/order-events.js';
import { toOrderView } from '../orders/order-view.js';
import type { OrderRecord, OrdersRepository } from '../orders/orders.repository.js';
import type { OrderView } from '../orders/orders.schemas.js';
import type { PaymentsRepository } from './payments.repository.js';

export interface CancelledOrder {
  order: OrderView;
  /** True when the order was already cancelled before this request. */
  replayed: boolean;
}

export class OrderCancellation {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly payments: PaymentsRepository,
    private readonly gateway: PaymentGateway,
    private readonly events: OrderEvents,
  ) {}

  async cancel(orderId: number): Promise<CancelledOrder> {
    let order = await this.mustFind(orderId);
    if (order.status === 'awaiting_payment') {
      if (await this.cancelAwaiting(order)) return this.done(orderId, true);
      // It stopped waiting meanwhile (paid and confirmed by the webhook, or expired): decide on what it is now.
      order = await this.mustFind(orderId);
    }
    if (order.status === 'cancelled') return { order: toOrderView(order), replayed: true };
    if (order.status !== 'confirmed') {
      throw new ConflictError(
        'order_not_cancellable',
        `Order ${orderId} was never placed (${order.failureCode ?? order.status}), so there is nothing to cancel.`,
      );
    }
    let paymentStatus: string | null = null;
    let refundId: string | null = null;
    if (order.paymentStatus === 'succeeded' && order.paymentId) {
      const refund = await this.gateway.refund({
        paymentId: order.paymentId,
        amountCents: cents(order.totalCents),
        idempotencyKey: refundKey(order),
      });
      paymentStatus = refund.status === 'succeeded' ? 'refunded' : 'refund_pending';
      refundId = refund.refundId;
    }
    return this.done(orderId, await this.payments.cancel(order.id, paymentStatus, refundId));
  }

  /** Expires the order's link (refunding it if it was just paid) and cancels; false if it stopped waiting. */
  private async cancelAwaiting(order: OrderRecord): Promise<boolean> {
    const link = order.paymentId ? await this.gateway.expirePaymentLink(order.paymentId) : null;
    if (link?.status !== 'complete') {
      return this.payments.cancelAwaiting(order.id, 'link_expired', null, null);
    }
    if (!link.paymentId) {
      throw new ConflictError(
        'payment_in_progress',
        `The payment of order ${order.id} is being completed right now. Retry in a moment.`,
        2,
      );
    }
    const refund = await this.gateway.refund({
      paymentId: link.paymentId,
      amountCents: cents(order.totalCents),
      idempotencyKey: refundKey(order),
    });
    const status = refund.status === 'succeeded' ? 'refunded' : 'refund_pending';
    return this.payments.cancelAwaiting(order.id, status, refund.refundId, link.paymentId);
  }

  private async done(orderId: number, cancelledNow: boolean): Promise<CancelledOrder> {
    const view = toOrderView(await this.mustFind(orderId));
    if (cancelledNow) this.events.emit({ type: 'order.updated', order: view });
    return { order: view, replayed: !cancelledNow };
  }

  private async mustFind(id: number): Promise<OrderRecord> {
    const order = await this.orders.findById(id);
    if (!order) throw new NotFoundError('order_not_found', `There is no order ${id}.`);
    return order;
  }
}

/** One refund per order, whichever path (cancellation, a late webhook) asks for it first. */
const refundKey = (order: OrderRecord) => `refund-order-${order.id}`;
