// The one use-case that turns a request into an order, for every channel (REST API and voice):
// hours -> menu pricing -> geocode + zone -> claim the idempotency key -> charge (API orders; voice orders are
// paid on delivery or at pickup) -> write the order. A voice order paid by link instead gets a payment link
// under the claimed key, is written `awaiting_payment`, and the link is texted after the write (an SMS
// failure never loses the order); the Stripe webhook confirms it.
//
// Idempotency (DESIGN invariant 1): every order first claims a key in PostgreSQL (the client's, or one made
// here), before any money moves; the same key is the payment provider's idempotency key. The primary key of
// idempotency_keys, not a check in this file, keeps one order and one charge per key. Duplicates reaching
// this process while the first is running share its promise; duplicates elsewhere get 409 until it is done.
import { randomUUID } from 'node:crypto';
import type { Geocoder } from '../../adapters/geo/geocoder.js';
import type { ChargeResult, PaymentGateway, PaymentLink } from '../../adapters/payment/payment-gateway.js';
import type { RateLimiter } from '../../adapters/rate-limit/rate-limiter.js';
import { DomainError, PaymentDeclinedError, UnavailableError } from '../../errors.js';
import type { PaymentLinks } from '../payments/payment-links.service.js';
import { ABANDONED_AFTER_SECONDS, type IdempotencyRepository } from './idempotency.repository.js';
import { phoneLimitRefusal } from './phone-order-limit.js';
import type { OrderEvents } from './order-events.js';
import {
  type DeliveryLocation,
  type OrderRequest,
  type PreparedOrder,
  type Restaurant,
  assertOpen,
  locateDelivery,
  prepareOrder,
} from './order-preparation.js';
import { toOrderView } from './order-view.js';
import type { OrderRecord, OrderSource, OrdersRepository } from './orders.repository.js';
import type { OrderView } from './orders.schemas.js';
import { requestHash } from './request-hash.js';
import { inProgress, keyReused, paymentRefunded } from './claim-errors.js';
import { draftOf, recordOf } from './order-draft.js';

export interface OrderContext {
  source: OrderSource;
  /** Client idempotency key (Idempotency-Key header, Vapi tool call); null = this request only. */
  idempotencyKey: string | null;
  vapiCallId: string | null;
  /**
   * Voice orders: paid on delivery / at pickup (the default) or by a texted payment link. Not part of the
   * request hash: asking to pay on delivery replays the call's order and switches a waiting one over.
   */
  payment?: 'on_delivery' | 'link';
}

export interface PlacedOrder {
  order: OrderView;
  /** True when this answer repeats an earlier request with the same idempotency key. */
  replayed: boolean;
  /** A new order paid by link: whether the link reached the caller by text. */
  linkTexted?: boolean;
}

const CLAIM_SCOPE = 'order';

/** Keys this service makes itself: a voice call's (voice-order.tools.ts) and one for a request without a key. */
const VOICE_KEY_PREFIX = 'vapi-';
const SERVER_KEY_PREFIX = 'srv-';
/** In front of a client key that would otherwise look like one of the service's own. */
const CLIENT_ESCAPE = 'api:';

/**
 * The key as stored (and sent to the payment provider), in its source's own namespace, so a REST client that
 * sends `Idempotency-Key: vapi-<call>-order` neither replays nor blocks that call's order. Voice keys always
 * begin with `vapi-`; a REST key that begins with `vapi-`, `srv-` or `api:` gets `api:` in front, which keeps
 * the mapping one-to-one. Every other REST key, and every voice key, is stored as before, so retries that span
 * a deploy still find their first answer.
 */
export function scopedIdempotencyKey(source: OrderSource, key: string): string {
  if (source === 'voice') return key.startsWith(VOICE_KEY_PREFIX) ? key : `${VOICE_KEY_PREFIX}${key}`;
  const reserved = [VOICE_KEY_PREFIX, SERVER_KEY_PREFIX, CLIENT_ESCAPE].some((prefix) =>
    key.startsWith(prefix),
  );
  return reserved ? `${CLIENT_ESCAPE}${key}` : key;
}

/**
 * A decline answered again from the stored order, to a retry under the same key: the route marks it
 * Idempotent-Replayed like a replayed 201. A new error each time: the first caller's is never changed.
 */
export class ReplayedDeclineError extends PaymentDeclinedError {
  static of(error: PaymentDeclinedError): ReplayedDeclineError {
    return new ReplayedDeclineError(error.code, error.message, error.orderId);
  }
}

export class PlaceOrder {
  private readonly inFlight = new Map<string, { hash: string; result: Promise<PlacedOrder> }>();

  constructor(
    private readonly restaurant: Restaurant,
    private readonly orders: OrdersRepository,
    private readonly claims: IdempotencyRepository,
    private readonly geocoder: Geocoder,
    private readonly payment: PaymentGateway,
    private readonly events: OrderEvents,
    private readonly links: PaymentLinks,
    /** New orders per customer phone (phone-order-limit.ts); null = no limit, and no cost. */
    private readonly phoneLimiter: RateLimiter | null = null,
  ) {}

  async execute(request: OrderRequest, context: OrderContext, now = new Date()): Promise<PlacedOrder> {
    if (!context.idempotencyKey)
      return this.place(request, context, `${SERVER_KEY_PREFIX}${randomUUID()}`, '-', now);
    const clientKey = scopedIdempotencyKey(context.source, context.idempotencyKey);
    const hash = requestHash({ source: context.source, request });
    const running = this.inFlight.get(clientKey);
    if (running) {
      if (running.hash !== hash) throw keyReused();
      try {
        return { order: (await running.result).order, replayed: true };
      } catch (error) {
        throw asReplayed(error);
      }
    }
    const result = this.place(request, context, clientKey, hash, now);
    this.inFlight.set(clientKey, { hash, result });
    try {
      return await result;
    } finally {
      this.inFlight.delete(clientKey);
    }
  }

  private async place(
    request: OrderRequest,
    context: OrderContext,
    key: string,
    hash: string,
    now: Date,
  ): Promise<PlacedOrder> {
    assertOpen(this.restaurant, now);
    const prepared = prepareOrder(this.restaurant, request);
    let location: DeliveryLocation | null = null;
    if (request.fulfillment === 'delivery') {
      try {
        location = await locateDelivery(this.restaurant, this.geocoder, request);
      } catch (error) {
        // A retry of an order that was already placed gets its first answer, whatever the geocoder says now.
        const replay = hash === '-' ? null : await this.replayOf(key, hash, context);
        if (replay) return replay;
        // Address failures are kept (the dashboard shows why orders fail) but claim no key: a retry re-checks.
        if (error instanceof DomainError) await this.storeFailure(prepared, context, location, error);
        throw error;
      }
    }
    if (!(await this.claims.claim(key, CLAIM_SCOPE, hash))) {
      const resumed = await this.resolveExisting(key, hash, context);
      if (resumed) return resumed;
    } else if (this.phoneLimiter) {
      await this.admitNewOrder(this.phoneLimiter, prepared.request.customerPhone, key);
    }
    if (context.source === 'voice' && context.payment === 'link')
      return this.linkAndStore(prepared, context, location, key);
    return { order: await this.chargeAndStore(prepared, context, location, key), replayed: false };
  }

  /** Counts a new order (its key just claimed) against its phone's limit; over it, frees the key and refuses. */
  private async admitNewOrder(limiter: RateLimiter, phone: string, key: string): Promise<void> {
    const refusal = await phoneLimitRefusal(limiter, phone);
    if (!refusal) return;
    await this.claims.release(key);
    throw refusal;
  }

  /** Makes the payment link under the claimed key, writes the waiting order, then texts the link. */
  private async linkAndStore(
    prepared: PreparedOrder,
    context: OrderContext,
    location: DeliveryLocation | null,
    key: string,
  ): Promise<PlacedOrder> {
    let link: PaymentLink;
    try {
      link = await this.links.create(prepared.totals.totalCents, prepared.request.customerPhone, key);
    } catch (error) {
      throw await this.providerFailed(error, prepared, context, location, key);
    }
    const draft = draftOf(prepared, context, location, {
      status: 'awaiting_payment',
      paymentStatus: 'awaiting_payment',
      paymentProvider: this.payment.provider,
      paymentId: link.linkId,
      failureCode: null,
      failureReason: null,
    });
    const inserted = await this.orders.insert(draft, key);
    // Written elsewhere first (a takeover of this claim): that process texts its link.
    if (!inserted) return { order: this.answer(await this.orderForClaim(key)), replayed: false };
    const order = recordOf(draft, inserted);
    this.events.emit({ type: 'order.created', order: toOrderView(order) });
    return { order: toOrderView(order), replayed: false, linkTexted: await this.links.text(order, link) };
  }

  /** Charges under the claimed key (API orders) and writes the order with its outcome; 402 for a decline. */
  private async chargeAndStore(
    prepared: PreparedOrder,
    context: OrderContext,
    location: DeliveryLocation | null,
    key: string,
  ): Promise<OrderView> {
    // No card numbers by voice: a phone order is paid to the driver or at the counter, so nothing is charged.
    const result: ChargeResult | null =
      context.source === 'voice' ? null : await this.chargeOrFail(prepared, context, location, key);
    const draft = draftOf(
      prepared,
      context,
      location,
      result === null
        ? {
            status: 'confirmed',
            paymentStatus: prepared.request.fulfillment === 'pickup' ? 'due_at_pickup' : 'due_on_delivery',
            paymentProvider: null,
            paymentId: null,
            failureCode: null,
            failureReason: null,
          }
        : {
            status: result.outcome === 'succeeded' ? 'confirmed' : 'failed',
            paymentStatus: result.outcome === 'succeeded' ? 'succeeded' : 'declined',
            paymentProvider: this.payment.provider,
            paymentId: result.paymentId,
            failureCode: result.outcome === 'declined' ? result.code : null,
            failureReason: result.outcome === 'declined' ? result.reason : null,
          },
    );
    const inserted = await this.orders.insert(draft, key);
    // Nothing written: another process resumed this claim after we went quiet and wrote the order first.
    if (!inserted) return this.answer(await this.orderForClaim(key));
    const order = recordOf(draft, inserted);
    // One view for the event and the answer (built once per order: it is on every order's path).
    const view = toOrderView(order);
    this.events.emit({ type: 'order.created', order: view });
    if (order.status === 'failed') return this.answer(order);
    return view;
  }

  /** The charge under the claimed key; an outage frees the claim, stores the failed attempt and throws. */
  private async chargeOrFail(
    prepared: PreparedOrder,
    context: OrderContext,
    location: DeliveryLocation | null,
    key: string,
  ): Promise<ChargeResult> {
    try {
      return await this.payment.charge({
        amountCents: prepared.totals.totalCents,
        currency: 'usd',
        idempotencyKey: key,
        description: `${this.restaurant.name} order`,
        customerName: prepared.request.customerName,
        customerPhone: prepared.request.customerPhone,
        ...(prepared.request.paymentMethodId ? { paymentMethodId: prepared.request.paymentMethodId } : {}),
      });
    } catch (error) {
      throw await this.providerFailed(error, prepared, context, location, key);
    }
  }

  /** A payment call that failed: the claim is freed, the failed attempt stored; returns the error to throw. */
  private async providerFailed(
    error: unknown,
    prepared: PreparedOrder,
    context: OrderContext,
    location: DeliveryLocation | null,
    key: string,
  ): Promise<DomainError> {
    const failure =
      error instanceof DomainError
        ? error
        : new UnavailableError('payment_unavailable', 'The payment service did not answer. Please retry.');
    // The charge (or link) may or may not have been made. The claim is freed so that the client's retry asks
    // the provider again under the same key, which returns the first one instead of making a second.
    await this.claims.release(key);
    await this.storeFailure(prepared, context, location, failure, this.payment.provider);
    return failure;
  }

  /**
   * The key was already claimed: replay its order, refuse a different body, wait (409), or, when the claimant
   * died before writing the order, take the claim over and return null so this request places the order.
   */
  private async resolveExisting(
    key: string,
    hash: string,
    context: OrderContext,
  ): Promise<PlacedOrder | null> {
    const claim = await this.claims.find(key, ABANDONED_AFTER_SECONDS);
    if (!claim) throw inProgress(); // freed a moment ago after a provider outage: the client retries
    if (claim.refunded) throw paymentRefunded();
    if (claim.requestHash !== hash) throw keyReused();
    if (claim.orderId !== null) return this.replay(claim.orderId, context);
    if (claim.abandoned && (await this.claims.takeOver(key, ABANDONED_AFTER_SECONDS))) return null;
    throw inProgress();
  }

  /** The stored answer for `key` when its order was already written (same body), else null. */
  private async replayOf(key: string, hash: string, context: OrderContext): Promise<PlacedOrder | null> {
    const claim = await this.claims.find(key, ABANDONED_AFTER_SECONDS);
    if (claim?.refunded) throw paymentRefunded();
    if (claim?.orderId == null) return null;
    if (claim.requestHash !== hash) throw keyReused();
    return this.replay(claim.orderId, context);
  }

  /** The key's order again; one still waiting for its link is switched over when the caller now pays on delivery. */
  private async replay(orderId: number, context: OrderContext): Promise<PlacedOrder> {
    let order = await this.mustFind(orderId);
    if (order.status === 'awaiting_payment' && context.payment === 'on_delivery')
      order = await this.links.payOnDelivery(order);
    try {
      return { order: this.answer(order), replayed: true };
    } catch (error) {
      throw asReplayed(error);
    }
  }

  private async orderForClaim(key: string): Promise<OrderRecord> {
    const claim = await this.claims.find(key, ABANDONED_AFTER_SECONDS);
    // Silent past the abandon time, this process lost its claim to the Stripe webhook, which refunded the charge.
    if (claim?.refunded) throw paymentRefunded();
    if (claim?.orderId == null) throw new Error(`claim ${key} lost its order`);
    return this.mustFind(claim.orderId);
  }

  /** Confirmed orders are the answer; declined ones become the 402 the first caller got. */
  private answer(order: OrderRecord): OrderView {
    if (order.status === 'failed') {
      throw new PaymentDeclinedError(
        order.failureCode ?? 'payment_declined',
        order.failureReason ?? 'Payment declined.',
        order.id,
      );
    }
    return toOrderView(order);
  }

  private async storeFailure(
    prepared: PreparedOrder,
    context: OrderContext,
    location: DeliveryLocation | null,
    failure: DomainError,
    paymentProvider: string | null = null,
  ): Promise<void> {
    const draft = draftOf(prepared, context, location, {
      status: 'failed',
      paymentStatus: paymentProvider ? 'error' : 'not_attempted',
      paymentProvider,
      paymentId: null,
      failureCode: failure.code,
      failureReason: failure.message,
    });
    const inserted = await this.orders.insert(draft, null);
    if (inserted) this.events.emit({ type: 'order.created', order: toOrderView(recordOf(draft, inserted)) });
  }

  private async mustFind(id: number): Promise<OrderRecord> {
    const order = await this.orders.findById(id);
    if (!order) throw new Error(`order ${id} vanished after it was written`);
    return order;
  }
}

/** The error of an answer given again: a decline (the stored answer) marked as replayed, anything else as is. */
function asReplayed(error: unknown): unknown {
  return error instanceof PaymentDeclinedError && !(error instanceof ReplayedDeclineError)
    ? ReplayedDeclineError.of(error)
    : error;
}
