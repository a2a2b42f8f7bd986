// POST /api/orders/{id}/cancel: refunds a paid order and marks it cancelled. The refund goes first, under a
// key of the order's own, so a repeated or concurrent cancel refunds once; the status change is conditional
// on the order still being confirmed. Its day's workbook is then rewritten without it.
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
    const order = await this.mustFind(orderId);
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
        idempotencyKey: `refund-order-${order.id}`,
      });
      paymentStatus = refund.status === 'succeeded' ? 'refunded' : 'refund_pending';
      refundId = refund.refundId;
    }
    const cancelledNow = await this.payments.cancel(order.id, paymentStatus, refundId);
    const current = await this.mustFind(orderId);
    const view = toOrderView(current);
    if (cancelledNow) this.events.emit({ type: 'order.updated', order: view });
    return { order: view, replayed: !cancelledNow };
  }

  private async mustFind(id: number): Promise<OrderRecord> {
    const order = await this.orders.findById(id);
    if (!order) throw new NotFoundError('order_not_found', `There is no order ${id}.`);
    return order;
  }
}
