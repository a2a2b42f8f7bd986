// Payment links as Stripe Checkout Sessions (mode `payment`, one line for the order total, cards only so a
// completed session is money taken, not a bank debit still pending). The order's idempotency key is Stripe's
// idempotency key, so a retry gets the first session back.
import Stripe from 'stripe';
import { InFlight } from '../../shared/in-flight.js';
import type { ExpiredPaymentLink, PaymentLink, PaymentLinkRequest } from './payment-gateway.js';
import { rethrowStripeFailure, unavailable } from './stripe-errors.js';

/** Stripe refuses an expires_at less than 30 minutes after the session is created. */
const STRIPE_MIN_MINUTES = 30;
/** Covers our request's time in flight and clock skew against that minimum. */
const MARGIN_SECONDS = 30;

export class StripeCheckout {
  /** Calls in flight per key: Stripe answers a concurrent duplicate with 409 instead of waiting. */
  readonly #inFlight = new InFlight<PaymentLink>();

  constructor(
    private readonly stripe: Stripe,
    private readonly publicUrl: string,
  ) {}

  create(request: PaymentLinkRequest): Promise<PaymentLink> {
    return this.#inFlight.run(request.idempotencyKey, () => this.#create(request));
  }

  async expire(linkId: string): Promise<ExpiredPaymentLink> {
    try {
      await this.stripe.checkout.sessions.expire(linkId);
      return { status: 'expired' };
    } catch (error) {
      // Stripe refuses to expire a session that is not open (already expired, or paid): ask which.
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) rethrowStripeFailure(error);
    }
    let session: Stripe.Checkout.Session;
    try {
      session = await this.stripe.checkout.sessions.retrieve(linkId);
    } catch (error) {
      // A session Stripe does not know can never be paid.
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing')
        return { status: 'expired' };
      rethrowStripeFailure(error);
    }
    if (session.status === 'complete') return { status: 'complete', paymentId: idOf(session.payment_intent) };
    if (session.status === 'expired') return { status: 'expired' };
    throw unavailable('The payment link could not be expired. Please retry in a moment.', null);
  }

  async #create(request: PaymentLinkRequest): Promise<PaymentLink> {
    const minutes = Math.max(request.expiresInMinutes, STRIPE_MIN_MINUTES);
    // Whole minutes: a retry of the same order in the same minute sends the very same parameters, which
    // Stripe requires of a request that reuses an idempotency key.
    const expiresAt = Math.ceil((Date.now() / 1000 + minutes * 60 + MARGIN_SECONDS) / 60) * 60;
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: 'payment',
      allowed_payment_method_types: ['card'],
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: request.currency,
            unit_amount: request.amountCents,
            product_data: { name: request.description },
          },
        },
      ],
      expires_at: expiresAt,
      success_url: `${this.publicUrl}/payment/complete`,
      cancel_url: `${this.publicUrl}/payment/cancelled`,
      metadata: { idempotency_key: request.idempotencyKey, customer_phone: request.customerPhone },
      payment_intent_data: {
        description: request.description,
        metadata: { idempotency_key: request.idempotencyKey },
      },
    };
    let session: Stripe.Checkout.Session;
    try {
      session = await this.stripe.checkout.sessions.create(params, {
        idempotencyKey: request.idempotencyKey,
      });
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeIdempotencyError)) rethrowStripeFailure(error);
      // The key was used in an earlier minute by an attempt whose answer was lost (an outage freed the
      // order's claim). That session's URL never reached anyone, so it can never be paid: make a new one.
      try {
        session = await this.stripe.checkout.sessions.create(params, {
          idempotencyKey: `${request.idempotencyKey}:${expiresAt}`,
        });
      } catch (retryError) {
        rethrowStripeFailure(retryError);
      }
    }
    if (!session.url) {
      throw unavailable('The payment service answered without a payment page.', new Error(session.id));
    }
    return { linkId: session.id, url: session.url, expiresAt: new Date(session.expires_at * 1000) };
  }
}

function idOf(value: string | { id: string } | null): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? value : value.id;
}
