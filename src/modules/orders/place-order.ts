// The one use-case that turns a request into an order, for every channel (REST API and voice):
// hours -> menu pricing -> geocode + zone -> claim key and write order -> charge -> record outcome.
//
// Idempotency (DESIGN invariant 1): the key is claimed in PostgreSQL, in the same statement that writes the
// pending order, before any money moves, and is passed to the payment provider as its idempotency key. The
// primary key on idempotency_keys, not a check in this file, is what keeps one order per key. Duplicates that
// reach this process while the first is running share its promise; duplicates elsewhere get 409.
import type { Geocoder } from '../../adapters/geo/geocoder.js';
import type { PaymentGateway } from '../../adapters/payment/payment-gateway.js';
import {
  ConflictError,
  DomainError,
  PaymentDeclinedError,
  UnavailableError,
  ValidationError,
} from '../../errors.js';
import { cents } from '../../shared/money.js';
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
import type {
  InsertedOrder,
  OrderDraft,
  OrderRecord,
  OrderSource,
  OrdersRepository,
} from './orders.repository.js';
import type { OrderView } from './orders.schemas.js';
import { requestHash } from './request-hash.js';

export interface OrderContext {
  source: OrderSource;
  /** Client idempotency key (Idempotency-Key header, Vapi tool call). */
  idempotencyKey: string | null;
  vapiCallId: string | null;
}

export interface PlacedOrder {
  order: OrderView;
  /** True when this answer repeats an earlier request with the same idempotency key. */
  replayed: boolean;
}

/** A pending order untouched this long belongs to a process that died mid-payment; a retry may resume it. */
const ABANDONED_AFTER_SECONDS = 30;

export class PlaceOrder {
  private readonly inFlight = new Map<string, { hash: string; result: Promise<PlacedOrder> }>();

  constructor(
    private readonly restaurant: Restaurant,
    private readonly repository: OrdersRepository,
    private readonly geocoder: Geocoder,
    private readonly payment: PaymentGateway,
    private readonly events: OrderEvents,
  ) {}

  async execute(request: OrderRequest, context: OrderContext, now = new Date()): Promise<PlacedOrder> {
    const key = context.idempotencyKey;
    if (!key) return this.place(request, context, null, now);
    const hash = requestHash({ source: context.source, request });
    const running = this.inFlight.get(key);
    if (running) {
      if (running.hash !== hash) throw keyReused();
      return { order: (await running.result).order, replayed: true };
    }
    const result = this.place(request, context, hash, now);
    this.inFlight.set(key, { hash, result });
    try {
      return await result;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async place(
    request: OrderRequest,
    context: OrderContext,
    hash: string | null,
    now: Date,
  ): Promise<PlacedOrder> {
    assertOpen(this.restaurant, now);
    const prepared = prepareOrder(this.restaurant, request);
    let location: DeliveryLocation | null = null;
    if (request.fulfillment === 'delivery') {
      try {
        location = await locateDelivery(this.restaurant, this.geocoder, request);
      } catch (error) {
        // Address failures are kept (the dashboard shows why orders fail) but bind no key: a retry re-checks.
        if (error instanceof DomainError) await this.storeFailure(prepared, context, error);
        throw error;
      }
    }
    const draft = this.draft(prepared, context, location, null);
    const key = context.idempotencyKey;
    const inserted = await this.repository.insert(draft, key && hash ? { key, requestHash: hash } : null);
    if (!inserted) return this.resolveExisting(key as string, hash as string);
    const order = this.recordOf(draft, inserted, key);
    return { order: await this.charge(order, request.paymentMethodId), replayed: false };
  }

  /** Charges a pending order and records the outcome; returns the confirmed order or throws 402/503. */
  private async charge(order: OrderRecord, paymentMethodId: string | null): Promise<OrderView> {
    const provider = this.payment.provider;
    let result;
    try {
      result = await this.payment.charge({
        amountCents: cents(order.totalCents),
        currency: 'usd',
        idempotencyKey: order.idempotencyKey ?? `order-${order.id}`,
        description: `Order ${order.id}`,
        customerName: order.customerName,
        customerPhone: order.customerPhone,
        ...(paymentMethodId ? { paymentMethodId } : {}),
      });
    } catch (error) {
      const reason =
        error instanceof DomainError
          ? error
          : new UnavailableError('payment_unavailable', 'The payment service did not answer.');
      // The charge may or may not have happened; the key is freed so a retry asks the provider again with
      // the same idempotency key, which returns the first charge instead of making a second.
      await this.repository.abandonPayment(
        order.id,
        provider,
        reason.code,
        reason.message,
        order.idempotencyKey,
      );
      throw error instanceof DomainError ? error : reason;
    }
    const succeeded = result.outcome === 'succeeded';
    const outcome = {
      status: succeeded ? ('confirmed' as const) : ('failed' as const),
      paymentStatus: succeeded ? ('succeeded' as const) : ('declined' as const),
      paymentProvider: provider,
      paymentId: result.paymentId,
      failureCode: result.outcome === 'declined' ? result.code : null,
      failureReason: result.outcome === 'declined' ? result.reason : null,
    };
    const updatedAt = await this.repository.recordPayment(order.id, outcome);
    // No row updated: another process resumed this order after we went quiet; its outcome is the stored one.
    const settled = updatedAt ? { ...order, ...outcome, updatedAt } : await this.mustFind(order.id);
    if (updatedAt) this.events.emit({ type: 'order.created', order: toOrderView(settled) });
    return this.finish(settled).order;
  }

  private async storeFailure(
    prepared: PreparedOrder,
    context: OrderContext,
    error: DomainError,
  ): Promise<void> {
    const draft = this.draft(prepared, context, null, error);
    const inserted = await this.repository.insert(draft, null);
    if (inserted)
      this.events.emit({ type: 'order.created', order: toOrderView(this.recordOf(draft, inserted, null)) });
  }

  /** The key was already claimed: replay its answer, refuse a different body, or resume an abandoned order. */
  private async resolveExisting(key: string, hash: string): Promise<PlacedOrder> {
    const existing = await this.repository.findByIdempotencyKey(key);
    if (!existing?.order) throw inProgress();
    if (existing.requestHash !== hash) throw keyReused();
    const order = existing.order;
    if (order.status !== 'pending') return { ...this.finish(order), replayed: true };
    if (!(await this.repository.takeOverStale(order.id, ABANDONED_AFTER_SECONDS))) throw inProgress();
    return { order: await this.charge(order, null), replayed: true };
  }

  /** Confirmed orders are returned; declined ones become the same 402 the first caller got. */
  private finish(order: OrderRecord): { order: OrderView } {
    if (order.status === 'failed') {
      throw new PaymentDeclinedError(
        order.failureCode ?? 'payment_declined',
        order.failureReason ?? 'Payment declined.',
        order.id,
      );
    }
    return { order: toOrderView(order) };
  }

  private async mustFind(id: number): Promise<OrderRecord> {
    const order = await this.repository.findById(id);
    if (!order) throw new Error(`order ${id} vanished after it was written`);
    return order;
  }

  private draft(
    prepared: PreparedOrder,
    context: OrderContext,
    location: DeliveryLocation | null,
    failure: DomainError | null,
  ): OrderDraft {
    const { request, lines, totals } = prepared;
    return {
      status: failure ? 'failed' : 'pending',
      source: context.source,
      fulfillment: request.fulfillment,
      customerName: request.customerName,
      customerPhone: request.customerPhone,
      deliveryAddress: request.deliveryAddress,
      city: request.city,
      zipCode: request.zipCode,
      formattedAddress: location?.formattedAddress ?? null,
      latitude: location?.latitude ?? null,
      longitude: location?.longitude ?? null,
      distanceKm: location?.distanceKm ?? null,
      subtotalCents: totals.subtotalCents,
      taxCents: totals.taxCents,
      deliveryFeeCents: totals.deliveryFeeCents,
      totalCents: totals.totalCents,
      paymentStatus: failure ? 'not_attempted' : 'pending',
      paymentProvider: null,
      failureCode: failure?.code ?? null,
      failureReason: failure?.message ?? null,
      notes: request.notes,
      vapiCallId: context.vapiCallId,
      lines,
    };
  }

  private recordOf(draft: OrderDraft, inserted: InsertedOrder, key: string | null): OrderRecord {
    const { lines, ...columns } = draft;
    return {
      ...columns,
      id: inserted.id,
      paymentId: null,
      idempotencyKey: key,
      businessDate: inserted.businessDate,
      createdAt: inserted.createdAt,
      updatedAt: inserted.createdAt,
      exportedAt: null,
      items: lines.map((l, i) => ({
        lineNo: i + 1,
        menuItemId: l.itemId,
        name: l.name,
        quantity: l.quantity,
        unitPriceCents: l.unitPriceCents,
        options: l.options,
        lineTotalCents: l.lineTotalCents,
      })),
    };
  }
}

const keyReused = () =>
  new ValidationError(
    'idempotency_key_reused',
    'This Idempotency-Key was already used for a different order. Use a new key for a new order.',
    [{ field: 'Idempotency-Key', message: 'already used with a different request body' }],
  );

const inProgress = () =>
  new ConflictError(
    'request_in_progress',
    'An order with this Idempotency-Key is still being processed. Retry in a moment.',
    1,
  );
