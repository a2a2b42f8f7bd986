// Voice orders paid by a texted link (no card numbers by voice): the link is a payment page made under the
// order's idempotency key, texted to the caller once the order is stored, so an SMS failure never loses an
// order; the order waits (`awaiting_payment`) until the Stripe webhook confirms it. A caller who cannot get
// the text may pay on delivery instead: the link is expired first, so it can no longer be paid as well.
import type { Logger } from 'pino';
import type { PaymentGateway, PaymentLink } from '../../adapters/payment/payment-gateway.js';
import type { SmsSender } from '../../adapters/sms/sms-sender.js';
import { maskPhone } from '../../logger.js';
import { type Cents, formatDollars } from '../../shared/money.js';
import { toE164 } from '../../shared/phone.js';
import type { OrderEvents } from '../orders/order-events.js';
import { toOrderView } from '../orders/order-view.js';
import type { OrderRecord, OrdersRepository } from '../orders/orders.repository.js';
import type { PaymentsRepository } from './payments.repository.js';

/** How long a link can be paid (Stripe's shortest Checkout Session). */
export const PAYMENT_LINK_MINUTES = 30;

export class PaymentLinks {
  constructor(
    private readonly restaurantName: string,
    private readonly gateway: PaymentGateway,
    private readonly sms: SmsSender,
    private readonly payments: PaymentsRepository,
    private readonly orders: OrdersRepository,
    private readonly events: OrderEvents,
    private readonly logger: Logger,
  ) {}

  /** The payment page, under the order's key. Throws UnavailableError on a provider outage. */
  create(totalCents: Cents, customerPhone: string, key: string): Promise<PaymentLink> {
    return this.gateway.createPaymentLink({
      amountCents: totalCents,
      currency: 'usd',
      idempotencyKey: key,
      description: `${this.restaurantName} order`,
      customerPhone,
      expiresInMinutes: PAYMENT_LINK_MINUTES,
    });
  }

  /** Texts the link to the order's phone; false (logged, never thrown) when it could not be sent. */
  async text(order: OrderRecord, link: PaymentLink): Promise<boolean> {
    const to = toE164(order.customerPhone);
    if (!to) {
      this.logger.warn(
        { order: order.id, to: maskPhone(order.customerPhone) },
        'payment link not texted: not a phone number that can get texts',
      );
      return false;
    }
    const body =
      `${this.restaurantName}: pay for order ${order.id} (${formatDollars(order.totalCents)}) here: ${link.url} ` +
      `The link works for ${PAYMENT_LINK_MINUTES} minutes; we start your order once it is paid.`;
    try {
      const { messageId } = await this.sms.send({ to, body, idempotencyKey: `payment-link-${order.id}` });
      this.logger.info({ order: order.id, to: maskPhone(to), messageId }, 'payment link texted');
      return true;
    } catch (error) {
      this.logger.warn(
        { err: error, order: order.id, to: maskPhone(to) },
        'payment link could not be texted; the order waits for its payment',
      );
      return false;
    }
  }

  /**
   * The caller pays on delivery (or at pickup) after all: the link is expired, then the order confirmed as
   * due. If the link was paid a moment ago the order is left to the webhook, which confirms it as paid.
   */
  async payOnDelivery(order: OrderRecord): Promise<OrderRecord> {
    if (order.paymentId) {
      const link = await this.gateway.expirePaymentLink(order.paymentId);
      if (link.status === 'complete') return order;
    }
    const due = order.fulfillment === 'pickup' ? 'due_at_pickup' : 'due_on_delivery';
    const switched = await this.payments.payOnDelivery(order.id, due);
    const current = (await this.orders.findById(order.id)) ?? order;
    if (switched) this.events.emit({ type: 'order.updated', order: toOrderView(current) });
    return current;
  }
}
