// POST /webhook/stripe: the signature is checked on the raw body, then each event is applied once (by its id)
// to the orders on its payment. A payment that succeeded on an order that was stored as failed (a charge
// that timed out and then went through, a "processing" payment that later succeeded) is refunded here, so
// no customer is left charged for an order that does not exist. The refund happens before the event is
// recorded: if it fails, the answer is a 503 and Stripe's redelivery retries it under the same refund key.
import type { Logger } from 'pino';
import { parseStripeEvent, type StripeEventEnvelope } from '../../adapters/payment/stripe-events.js';
import { verifyStripeSignature } from '../../adapters/payment/stripe-signature.js';
import type { PaymentGateway } from '../../adapters/payment/payment-gateway.js';
import { BadRequestError, DomainError, NotFoundError } from '../../errors.js';
import { cents } from '../../shared/money.js';
import type { OrderEvents } from '../orders/order-events.js';
import { toOrderView } from '../orders/order-view.js';
import type { OrdersRepository } from '../orders/orders.repository.js';
import type { AppliedEvent, PaymentsRepository, RefundedOrder } from './payments.repository.js';

export interface WebhookOutcome {
  eventId: string;
  type: string;
  /** False for a redelivered event: nothing was changed again. */
  applied: boolean;
  orderIds: number[];
}

export class InvalidSignatureError extends DomainError {
  constructor(reason: string) {
    super(400, 'invalid_signature', `The Stripe-Signature header does not verify (${reason}).`);
  }
}

export class PaymentWebhook {
  constructor(
    private readonly secrets: readonly string[],
    private readonly payments: PaymentsRepository,
    private readonly orders: OrdersRepository,
    private readonly gateway: PaymentGateway,
    private readonly events: OrderEvents,
    private readonly logger: Logger,
  ) {}

  async handle(rawBody: string, signature: string | undefined): Promise<WebhookOutcome> {
    if (this.secrets.length === 0) {
      throw new NotFoundError('not_found', 'Stripe webhooks are not configured (set STRIPE_WEBHOOK_SECRET).');
    }
    const verdict = verifyStripeSignature(rawBody, signature, this.secrets);
    if (!verdict.ok) throw new InvalidSignatureError(verdict.reason.replaceAll('_', ' '));
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new BadRequestError('invalid_json', 'The webhook body is not JSON.');
    }
    const envelope = parseStripeEvent(body);
    if (!envelope) throw new BadRequestError('invalid_event', 'The body is not a Stripe event.');
    const applied = await this.apply(envelope);
    await this.announce(applied.orderIds);
    if (applied.fresh)
      this.logger.info(
        { event: envelope.id, type: envelope.type, orders: applied.orderIds },
        'stripe event applied',
      );
    return { eventId: envelope.id, type: envelope.type, applied: applied.fresh, orderIds: applied.orderIds };
  }

  private async apply({ id, type, event }: StripeEventEnvelope): Promise<AppliedEvent> {
    switch (event.kind) {
      case 'payment_succeeded': {
        if (await this.payments.seen(id)) return { fresh: false, orderIds: [] };
        const refunds = await this.refundFailedOrders(event.paymentId);
        return this.payments.applySucceeded(id, type, event.paymentId, refunds);
      }
      case 'payment_failed':
        return this.payments.applyFailed(id, type, event.paymentId, event.code, event.reason);
      case 'refunded':
        return this.payments.applyRefunded(id, type, event.paymentId, event.refundId);
      case 'ignored':
        return this.payments.recordIgnored(id, type);
    }
  }

  private async refundFailedOrders(paymentId: string): Promise<RefundedOrder[]> {
    const charged = await this.payments.chargedFailedOrders(paymentId);
    const refunds: RefundedOrder[] = [];
    for (const order of charged) {
      const refund = await this.gateway.refund({
        paymentId,
        amountCents: cents(order.totalCents),
        idempotencyKey: `refund-${paymentId}`,
      });
      this.logger.warn(
        { order: order.id, payment: paymentId, refund: refund.refundId },
        'a payment succeeded on an order stored as failed: refunded',
      );
      refunds.push({
        id: order.id,
        refundId: refund.refundId,
        status: refund.status === 'succeeded' ? 'refunded' : 'refund_pending',
      });
    }
    return refunds;
  }

  private async announce(orderIds: number[]): Promise<void> {
    for (const id of orderIds) {
      const order = await this.orders.findById(id);
      if (order) this.events.emit({ type: 'order.updated', order: toOrderView(order) });
    }
  }
}
