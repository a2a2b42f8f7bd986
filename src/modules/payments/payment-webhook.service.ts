// POST /webhook/stripe: the signature is checked on the raw body, then each event is applied once (by its id)
// to the orders on its payment. A payment that succeeded on an order that was stored as failed (a charge
// that timed out and then went through, a "processing" payment that later succeeded) is refunded here, so
// no customer is left charged for an order that does not exist. The refund happens before the event is
// recorded: if it fails, the answer is a 503 and Stripe's redelivery retries it under the same refund key.
// Payment links (voice orders): a paid Checkout Session confirms its waiting order (which then reaches the
// workbook through the order.updated event, or the export sweep); an expired one fails it; a session paid
// for an order that no longer waits for it (cancelled meanwhile) is refunded. Unknown sessions are ignored.
// A charge whose order was never written at all is refunded too, found by the order key in its metadata.
import type { Logger } from 'pino';
import { parseStripeEvent, type StripeEventEnvelope } from '../../adapters/payment/stripe-events.js';
import { verifyStripeSignature } from '../../adapters/payment/stripe-signature.js';
import type { PaymentGateway } from '../../adapters/payment/payment-gateway.js';
import { BadRequestError, DomainError, NotFoundError, UnavailableError } from '../../errors.js';
import { cents } from '../../shared/money.js';
import { WELL_FORMED_TEXT_RULE, isWellFormedText } from '../../shared/well-formed-text.js';
import { ABANDONED_AFTER_SECONDS, type IdempotencyRepository } from '../orders/idempotency.repository.js';
import type { OrderEvents } from '../orders/order-events.js';
import { toOrderView } from '../orders/order-view.js';
import type { OrdersRepository } from '../orders/orders.repository.js';
import type { AppliedEvent, LinkOrder, PaymentsRepository, RefundedOrder } from './payments.repository.js';

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
    private readonly claims: IdempotencyRepository,
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
    // An id PostgreSQL could not look up (NUL) nor store as sent (a lone surrogate) is refused by name here;
    // parseStripeEvent would only say "not an event".
    const id = (body as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && !isWellFormedText(id)) {
      throw new BadRequestError(
        'invalid_event',
        `The event id ${WELL_FORMED_TEXT_RULE}; Stripe's event ids are evt_ followed by letters and digits.`,
      );
    }
    const envelope = parseStripeEvent(body);
    if (!envelope) throw new BadRequestError('invalid_event', 'The body is not a Stripe event.');
    return this.applyOnce(envelope);
  }

  /**
   * The development mock's checkout page (no Stripe to send a webhook): its "pay" button is applied exactly
   * as Stripe's checkout.session.completed for that link would be, once.
   */
  mockLinkPaid(linkId: string): Promise<WebhookOutcome> {
    return this.applyOnce({
      id: `evt_mock_${linkId}`,
      type: 'checkout.session.completed',
      event: { kind: 'link_paid', linkId, paymentId: `pi_mock_${linkId.replace(/^cs_mock_/, '')}` },
    });
  }

  /** The order waiting for a payment link (its total and state), for the mock checkout page. */
  linkOrder(linkId: string) {
    return this.payments.linkOrder(linkId);
  }

  private async applyOnce(envelope: StripeEventEnvelope): Promise<WebhookOutcome> {
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
        if (event.idempotencyKey && event.amountCents)
          await this.refundIfOrphaned(event.paymentId, event.idempotencyKey, event.amountCents);
        return this.payments.applySucceeded(id, type, event.paymentId, refunds);
      }
      case 'payment_failed':
        return this.payments.applyFailed(id, type, event.paymentId, event.code, event.reason);
      case 'refunded':
        return this.payments.applyRefunded(id, type, event.paymentId, event.refundId);
      case 'link_paid': {
        if (await this.payments.seen(id)) return { fresh: false, orderIds: [] };
        const order = await this.payments.linkOrder(event.linkId);
        if (!order) return this.payments.recordIgnored(id, type);
        if (order.status === 'awaiting_payment')
          return this.payments.applyLinkPaid(id, type, event.linkId, event.paymentId);
        const refund = await this.refundLinkPayment(order, event.paymentId);
        return refund
          ? this.payments.applyLinkRefunded(id, type, event.paymentId, refund)
          : this.payments.recordIgnored(id, type);
      }
      case 'link_expired':
        return this.payments.applyLinkExpired(id, type, event.linkId);
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

  /**
   * A charge whose order was never written: its process died between the charge and the write, or the charge
   * went through after our timeout and the client never retried. The key is retired first (so no late retry
   * or slow writer can confirm an order on this payment), then the money goes back. While the key's claimant
   * may still write the order, the answer is a 503 and Stripe delivers the event again later.
   */
  private async refundIfOrphaned(paymentId: string, key: string, amountCents: number): Promise<void> {
    const claim = await this.claims.find(key, ABANDONED_AFTER_SECONDS);
    if (claim?.orderId != null) return;
    if (!(await this.claims.retire(key, ABANDONED_AFTER_SECONDS))) {
      if ((await this.claims.find(key, ABANDONED_AFTER_SECONDS))?.orderId != null) return;
      throw new UnavailableError(
        'order_in_progress',
        'The order for this payment is still being written. Deliver the event again later.',
        ABANDONED_AFTER_SECONDS,
      );
    }
    const refund = await this.gateway.refund({
      paymentId,
      amountCents: cents(amountCents),
      idempotencyKey: `refund-${paymentId}`,
    });
    this.logger.warn(
      { payment: paymentId, refund: refund.refundId },
      'a payment succeeded for an order that was never saved: refunded',
    );
  }

  /** Money taken on a link whose order no longer waits for it; null when there is nothing (left) to refund. */
  private async refundLinkPayment(order: LinkOrder, paymentId: string | null): Promise<RefundedOrder | null> {
    if (!paymentId || ['succeeded', 'refunded', 'refund_pending'].includes(order.paymentStatus)) return null;
    // The key cancellation uses too: whichever of the two comes first refunds, the other replays it.
    const refund = await this.gateway.refund({
      paymentId,
      amountCents: cents(order.totalCents),
      idempotencyKey: `refund-order-${order.id}`,
    });
    this.logger.warn(
      { order: order.id, status: order.status, payment: paymentId, refund: refund.refundId },
      'a payment link was paid for an order that no longer waited for it: refunded',
    );
    return {
      id: order.id,
      refundId: refund.refundId,
      status: refund.status === 'succeeded' ? 'refunded' : 'refund_pending',
    };
  }

  private async announce(orderIds: number[]): Promise<void> {
    for (const id of orderIds) {
      const order = await this.orders.findById(id);
      if (order) this.events.emit({ type: 'order.updated', order: toOrderView(order) });
    }
  }
}
