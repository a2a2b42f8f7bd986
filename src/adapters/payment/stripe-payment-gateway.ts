// The real payment provider: one confirmed PaymentIntent per order, keyed by the order's idempotency key so a
// retry (ours, the SDK's, or the caller's) is replayed by Stripe instead of charging twice.
import Stripe from 'stripe';
import { InFlight } from '../../shared/in-flight.js';
import { ConflictError } from '../../errors.js';
import type {
  ChargeRequest,
  ChargeResult,
  ExpiredPaymentLink,
  PaymentGateway,
  PaymentLink,
  PaymentLinkRequest,
  RefundRequest,
  RefundResult,
} from './payment-gateway.js';
import { StripeCheckout } from './stripe-checkout.js';
import { rethrowStripeFailure } from './stripe-errors.js';

export interface StripePaymentGatewayOptions {
  secretKey: string;
  /** Another API base, e.g. `http://127.0.0.1:12111` for a local fake; default Stripe's own. */
  apiUrl?: string;
  timeoutMs: number;
  /** Where Checkout sends the customer back (PUBLIC_URL); default http://localhost:8001. */
  publicUrl?: string;
}

/**
 * Stripe's test card, used only with a test key (sk_test_) when the API client sent no payment method: the
 * quick start and the simulations need no card form. A live key never charges it: such an order is declined
 * with `payment_method_required`. Voice orders are never charged (they are paid on delivery or at pickup).
 */
const DEFAULT_TEST_PAYMENT_METHOD = 'pm_card_visa';

const GENERIC_DECLINE = 'The card was declined. Please try another card.';

/**
 * Sentences a caller can act on. Lost, stolen and fraud declines deliberately read as a generic decline:
 * Stripe advises never telling the person on the phone that the card was flagged.
 */
const DECLINE_REASONS: Readonly<Record<string, string>> = {
  insufficient_funds: 'The card has insufficient funds. Please try another card.',
  expired_card: 'The card has expired. Please use another card.',
  incorrect_cvc: "The card's security code is incorrect.",
  invalid_cvc: "The card's security code is incorrect.",
  incorrect_number: 'The card number is incorrect.',
  invalid_number: 'The card number is incorrect.',
  invalid_expiry_month: "The card's expiration date is incorrect.",
  invalid_expiry_year: "The card's expiration date is incorrect.",
  incorrect_zip: "The card's billing zip code is incorrect.",
  card_velocity_exceeded: 'The card has reached its spending limit. Please try another card.',
  withdrawal_count_limit_exceeded: 'The card has reached its spending limit. Please try another card.',
  card_not_supported: 'This card does not support this kind of purchase. Please try another card.',
  currency_not_supported: 'This card does not support this kind of purchase. Please try another card.',
  processing_error: 'The card could not be processed. Please try again in a moment.',
  authentication_required:
    'Your bank asked for extra verification, which cannot be done over the phone. Please try another card.',
  card_declined: GENERIC_DECLINE,
  generic_decline: GENERIC_DECLINE,
  do_not_honor: GENERIC_DECLINE,
  lost_card: GENERIC_DECLINE,
  stolen_card: GENERIC_DECLINE,
  pickup_card: GENERIC_DECLINE,
  fraudulent: GENERIC_DECLINE,
  restricted_card: GENERIC_DECLINE,
  security_violation: GENERIC_DECLINE,
};

function declineReason(code: string): string {
  return DECLINE_REASONS[code] ?? GENERIC_DECLINE;
}

function parseApiUrl(apiUrl: string): { host: string; port: number; protocol: 'http' | 'https' } {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new Error(`Invalid Stripe API URL "${apiUrl}": expected e.g. http://127.0.0.1:12111`);
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'http' && protocol !== 'https') {
    throw new Error(`Invalid Stripe API URL "${apiUrl}": the protocol must be http or https`);
  }
  const port = url.port ? Number(url.port) : protocol === 'https' ? 443 : 80;
  return { host: url.hostname, port, protocol };
}

export class StripePaymentGateway implements PaymentGateway {
  readonly provider = 'stripe' as const;

  readonly #stripe: Stripe;
  readonly #testMode: boolean;
  /** Stripe answers a concurrent duplicate with 409 instead of waiting: calls with one key share one request. */
  readonly #inFlight = new InFlight<ChargeResult>();
  readonly #checkout: StripeCheckout;

  constructor(options: StripePaymentGatewayOptions) {
    if (!options.secretKey) throw new Error('StripePaymentGateway needs a secret key');
    this.#testMode = options.secretKey.startsWith('sk_test_');
    this.#stripe = new Stripe(options.secretKey, {
      // One retry with the same idempotency key covers a dropped connection without a double charge.
      maxNetworkRetries: 1,
      telemetry: false,
      timeout: options.timeoutMs,
      ...(options.apiUrl ? parseApiUrl(options.apiUrl) : {}),
    });
    this.#checkout = new StripeCheckout(this.#stripe, options.publicUrl ?? 'http://localhost:8001');
  }

  createPaymentLink(request: PaymentLinkRequest): Promise<PaymentLink> {
    return this.#checkout.create(request);
  }

  expirePaymentLink(linkId: string): Promise<ExpiredPaymentLink> {
    return this.#checkout.expire(linkId);
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.#inFlight.run(request.idempotencyKey, () => this.#create(request));
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    let refund: Stripe.Refund;
    try {
      refund = await this.#stripe.refunds.create(
        { payment_intent: request.paymentId, amount: request.amountCents },
        { idempotencyKey: request.idempotencyKey },
      );
    } catch (error) {
      const E = Stripe.errors;
      if (error instanceof E.StripeInvalidRequestError && error.code === 'charge_already_refunded') {
        return { refundId: null, status: 'succeeded' };
      }
      if (error instanceof E.StripeInvalidRequestError) {
        const conflict = new ConflictError(
          'refund_refused',
          `The payment could not be refunded: ${error.message}`,
        );
        conflict.cause = error;
        throw conflict;
      }
      // Outages and key problems throw the same 503s as a charge; nothing else is expected of a refund.
      rethrowStripeFailure(error);
    }
    if (refund.status === 'failed' || refund.status === 'canceled') {
      throw new ConflictError('refund_failed', `The refund ${refund.id} ${refund.status}.`);
    }
    return { refundId: refund.id, status: refund.status === 'succeeded' ? 'succeeded' : 'pending' };
  }

  async #create(request: ChargeRequest): Promise<ChargeResult> {
    const paymentMethod = request.paymentMethodId ?? (this.#testMode ? DEFAULT_TEST_PAYMENT_METHOD : null);
    if (paymentMethod === null) {
      return {
        outcome: 'declined',
        paymentId: null,
        code: 'payment_method_required',
        reason: 'A payment method is required (payment_method_id, a Stripe pm_... id).',
      };
    }
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.#stripe.paymentIntents.create(
        {
          amount: request.amountCents,
          currency: request.currency,
          confirm: true,
          payment_method: paymentMethod,
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          description: request.description,
          metadata: {
            idempotency_key: request.idempotencyKey,
            customer_name: request.customerName,
            customer_phone: request.customerPhone,
          },
        },
        { idempotencyKey: request.idempotencyKey },
      );
    } catch (error) {
      return mapStripeError(error);
    }
    return mapIntent(intent);
  }
}

function mapIntent(intent: Stripe.PaymentIntent): ChargeResult {
  const paymentId = intent.id;
  switch (intent.status) {
    case 'succeeded':
      return { outcome: 'succeeded', paymentId };
    case 'requires_payment_method': {
      const last = intent.last_payment_error;
      const code = last?.decline_code || last?.code || 'card_declined';
      return { outcome: 'declined', paymentId, code, reason: declineReason(code) };
    }
    case 'requires_action':
      // 3-D Secure or similar: needs the cardholder in a browser, which a phone call cannot offer.
      return {
        outcome: 'declined',
        paymentId,
        code: 'authentication_required',
        reason: declineReason('authentication_required'),
      };
    case 'processing':
      // Not money yet (it can still fail), so the order must not be confirmed on it; the payment id lets the
      // outcome be reconciled later. Cards almost never stop here; delayed methods (bank debits) do.
      return {
        outcome: 'declined',
        paymentId,
        code: 'payment_processing',
        reason: 'The payment is still being processed, so the order cannot be confirmed yet.',
      };
    case 'canceled':
      return {
        outcome: 'declined',
        paymentId,
        code: 'payment_canceled',
        reason: 'The payment was canceled. Please try again.',
      };
    default:
      // requires_confirmation / requires_capture (or a future status): we asked for an automatic, confirmed
      // charge, so anything else means the money was not taken.
      return {
        outcome: 'declined',
        paymentId,
        code: 'payment_incomplete',
        reason: 'The payment could not be completed. Please try again.',
      };
  }
}

function mapStripeError(error: unknown): ChargeResult {
  const E = Stripe.errors;
  if (error instanceof E.StripeCardError) {
    // stripe-node sets decline_code to '' (not undefined) when Stripe sent none, hence || rather than ??.
    const code = error.decline_code || error.code || 'card_declined';
    return {
      outcome: 'declined',
      paymentId: error.payment_intent?.id ?? null,
      code,
      reason: declineReason(code),
    };
  }
  if (
    error instanceof E.StripeInvalidRequestError &&
    error.param === 'payment_method' &&
    error.code === 'resource_missing'
  ) {
    return {
      outcome: 'declined',
      paymentId: error.payment_intent?.id ?? null,
      code: 'invalid_payment_method',
      reason: 'That payment method could not be used. Please try another card.',
    };
  }
  return rethrowStripeFailure(error);
}
