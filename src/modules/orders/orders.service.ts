// Reads and quotes: everything about orders that moves no money. Placing an order is place-order.ts.
import type { Geocoder } from '../../adapters/geo/geocoder.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { centsToDollars } from '../../shared/money.js';
import { describeOpening, isOpenAt, nextOpeningAt } from '../hours/opening-hours.js';
import {
  type OrderRequest,
  type Restaurant,
  locateDelivery,
  prepareOrder,
  readBack,
} from './order-preparation.js';
import { toItemView, toOrderView } from './order-view.js';
import type { OrdersRepository } from './orders.repository.js';
import type { ListOrdersQuery, OrderView, QuoteView } from './orders.schemas.js';

/** Finds the voice call record of an order placed by phone. */
export type CallLookup = (callId: string) => Promise<OrderView['call']>;

export class OrdersService {
  constructor(
    private readonly restaurant: Restaurant,
    private readonly repository: OrdersRepository,
    private readonly geocoder: Geocoder,
    private readonly findCall: CallLookup,
  ) {}

  async get(id: number): Promise<OrderView> {
    const order = await this.repository.findById(id);
    if (!order) throw new NotFoundError('order_not_found', `There is no order ${id}.`);
    const view = toOrderView(order);
    return order.vapiCallId ? { ...view, call: await this.findCall(order.vapiCallId) } : view;
  }

  async list(query: ListOrdersQuery) {
    const { orders, total } = await this.repository.list(
      { status: query.status, source: query.source, businessDate: query.date, search: query.q },
      query.page,
      query.page_size,
    );
    return { orders: orders.map(toOrderView), page: query.page, page_size: query.page_size, total };
  }

  /** Prices a would-be order and checks the address, charging and storing nothing. */
  async quote(request: OrderRequest, now = new Date()): Promise<QuoteView> {
    const prepared = prepareOrder(this.restaurant, request);
    const sentences = [readBack(prepared)];
    let delivery: QuoteView['delivery'] = null;
    if (request.fulfillment === 'delivery') {
      try {
        const place = await locateDelivery(this.restaurant, this.geocoder, request);
        delivery = {
          deliverable: true,
          formatted_address: place.formattedAddress,
          distance_km: place.distanceKm,
          estimated_minutes: place.estimatedMinutes,
          problem: null,
        };
        sentences.push(
          `Delivery to ${place.formattedAddress} takes about ${place.estimatedMinutes} minutes.`,
        );
      } catch (error) {
        // An address we cannot deliver to is an answer to read back, not a failed request.
        if (!(error instanceof ValidationError)) throw error;
        delivery = {
          deliverable: false,
          formatted_address: null,
          distance_km: null,
          estimated_minutes: null,
          problem: error.message,
        };
        sentences.push(error.message);
      }
    }
    const openNow = isOpenAt(this.restaurant.hours, now);
    const opening = openNow ? null : nextOpeningAt(this.restaurant.hours, now);
    if (opening)
      sentences.push(
        `We are closed right now and open again ${describeOpening(this.restaurant.hours, opening, now)}.`,
      );
    const { subtotalCents, taxCents, deliveryFeeCents, totalCents } = prepared.totals;
    return {
      items: prepared.lines.map((l) => toItemView({ ...l, menuItemId: l.itemId, options: l.options })),
      subtotal: centsToDollars(subtotalCents),
      tax: centsToDollars(taxCents),
      delivery_fee: centsToDollars(deliveryFeeCents),
      total: centsToDollars(totalCents),
      currency: 'usd',
      fulfillment: request.fulfillment,
      delivery,
      open_now: openNow,
      next_opening_at: opening ? opening.toISOString() : null,
      summary: sentences.join(' '),
    };
  }
}
