// quote_order, place_order and cancel_order. Without `items` they work on the call's cart; with them they
// keep the older flow where the model sends the whole order. Placing is the same use-case as POST /api/orders
// (marked source=voice with the call id), and every place_order of a call shares one idempotency key per
// "round": a call places one order unless the caller asks for another, and a cancelled order starts a new round
// so the changed order is placed instead of replaying the cancelled one.
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { ConflictError, DomainError, UnavailableError } from '../../errors.js';
import { Phone } from '../../http/schemas/common.js';
import { describeOpening } from '../hours/opening-hours.js';
import type { RequestedLine } from '../menu/menu.pricing.js';
import type { Restaurant } from '../orders/order-preparation.js';
import { orderRequestFromBody } from '../orders/order-request.js';
import { type CreateOrderBody, CreateOrderBody as CreateOrderSchema } from '../orders/orders.schemas.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { PlaceOrder } from '../orders/place-order.js';
import type { OrderCancellation } from '../payments/order-cancellation.service.js';
import { confirmation, dollars, itemsText } from './voice-answers.js';
import type { VoiceCallsRepository } from './voice-calls.repository.js';
import type { CartLine, VoiceCartRepository } from './voice-cart.repository.js';
import { cartLines } from './voice-cart.tools.js';
import { describeArgumentErrors } from './voice-problems.js';
import type { ToolCallContext } from './voice-tools.service.js';

const OrderItems = Type.Optional(CreateOrderSchema.properties.items);
const PlaceOrderArgs = Compile(
  Type.Object({
    ...CreateOrderSchema.properties,
    items: OrderItems,
    customer_phone: Type.Optional(Phone),
    additional_order: Type.Optional(Type.Boolean()),
    payment: Type.Optional(Type.Enum(['on_delivery', 'text_link'])),
  }),
);
const QuoteOrderArgs = Compile(
  Type.Object({
    fulfillment: CreateOrderSchema.properties.fulfillment,
    delivery_address: CreateOrderSchema.properties.delivery_address,
    city: CreateOrderSchema.properties.city,
    zip_code: CreateOrderSchema.properties.zip_code,
    items: OrderItems,
  }),
);

const ACTIVE = new Set(['confirmed', 'awaiting_payment']);
const EMPTY_CART =
  'Nothing has been added to the order yet. Add what the caller wants with add_item first, then';
const NO_CALL = 'This request has no call id, so there is no cart: send the items with the order.';

export class OrderTools {
  constructor(
    private readonly restaurant: Restaurant,
    private readonly placeOrder: PlaceOrder,
    private readonly orders: OrdersService,
    private readonly cancellation: OrderCancellation,
    private readonly calls: VoiceCallsRepository,
    private readonly carts: VoiceCartRepository,
    /** PAYMENT_LINKS: off, a text_link asked for anyway (an older assistant) is declined before anything is placed. */
    private readonly paymentLinks = true,
  ) {}

  async quote(args: Record<string, unknown>, context: ToolCallContext): Promise<string> {
    if (!QuoteOrderArgs.Check(args))
      return describeArgumentErrors('quote_order', QuoteOrderArgs.Errors(args), args);
    const { fulfillment, delivery_address, city, zip_code } = args;
    let items: RequestedLine[] | undefined = args.items;
    if (items === undefined) {
      if (!context.callId) return NO_CALL;
      items = cartLines(await this.carts.find(context.callId));
      if (items.length === 0) return `${EMPTY_CART} quote again.`;
    }
    // Only the checked fields: a quote needs no name or phone, and an unchecked one (a number) broke trim().
    const body: CreateOrderBody = {
      customer_name: 'Caller',
      customer_phone: context.callerNumber ?? '000-000-0000',
      fulfillment,
      delivery_address,
      city,
      zip_code,
      items,
    };
    const now = new Date();
    let quote;
    try {
      quote = await this.orders.quote(orderRequestFromBody(body), now);
    } catch (error) {
      if (addressUnchecked(error)) return ADDRESS_UNCHECKED;
      throw error;
    }
    // A quote that cannot be placed gives no total: the caller would hear a price for an order we refuse.
    if (quote.delivery && !quote.delivery.deliverable) {
      return `${quote.delivery.problem ?? 'We cannot deliver to that address.'} Ask the caller for another address, or offer pickup. Nothing was placed.`;
    }
    if (!quote.open_now) return this.closed(quote.next_opening_at, now);
    return `${quote.summary} Nothing has been charged yet: read the items and the total to the caller and ask them to confirm before placing it.`;
  }

  async place(args: Record<string, unknown>, context: ToolCallContext, toolCallId: string): Promise<string> {
    const withPhone = { ...args, customer_phone: args.customer_phone ?? context.callerNumber ?? undefined };
    if (!PlaceOrderArgs.Check(withPhone))
      return describeArgumentErrors('place_order', PlaceOrderArgs.Errors(withPhone), withPhone);
    if (withPhone.payment === 'text_link' && !this.paymentLinks) return NO_LINKS_HERE;
    if (!withPhone.customer_phone)
      return 'What number can we reach the caller at? I need a callback number for the order. Then call place_order again.';
    const { additional_order: additional, payment, items: given, ...rest } = withPhone;
    const cart = context.callId ? await this.carts.find(context.callId) : null;
    let items: RequestedLine[] | undefined = given;
    if (items === undefined) {
      if (!cart) return NO_CALL;
      items = cartLines(cart);
      if (items.length === 0) return `${EMPTY_CART} place the order. Nothing was placed.`;
    }
    // One order per round of the call; a second one only when the caller asked for it (its own key).
    const key = context.callId
      ? `vapi-${context.callId}-${additional ? toolCallId : roundKey(cart?.orderRound ?? 0)}`
      : null;
    let placed;
    try {
      placed = await this.placeOrder.execute(orderRequestFromBody({ ...rest, items } as CreateOrderBody), {
        source: 'voice',
        idempotencyKey: key,
        vapiCallId: context.callId,
        payment: payment === 'text_link' ? 'link' : 'on_delivery',
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'idempotency_key_reused' && context.callId)
        return this.alreadyPlaced(context.callId);
      if (addressUnchecked(error)) return `${ADDRESS_UNCHECKED} Nothing was placed.`;
      // Paying the driver needs no payment provider: the order can still be taken.
      if (
        payment === 'text_link' &&
        error instanceof UnavailableError &&
        error.code === 'payment_unavailable'
      )
        return NO_LINK_NOW;
      throw error;
    }
    const { order } = placed;
    if (order.status === 'cancelled') {
      return `Order number ${order.id} of this call was cancelled. To order again, call cancel_order to reopen its items, then place the order.`;
    }
    if (context.callId && !additional && ACTIVE.has(order.status)) {
      await this.carts.change(context.callId, (c) => ({
        cart: { ...c, placedOrderId: order.id },
        answer: null,
      }));
    }
    return confirmation(placed);
  }

  async cancel(args: Record<string, unknown>, context: ToolCallContext): Promise<string> {
    if (!context.callId) return 'I can only cancel an order placed in this call.';
    const callId = context.callId;
    const [ofCall, cart] = await Promise.all([this.calls.ordersOfCall(callId), this.carts.find(callId)]);
    const asked = typeof args.order_id === 'number' ? args.order_id : null;
    const target =
      asked !== null
        ? ofCall.find((o) => o.id === asked)
        : (ofCall.find((o) => o.id === cart.placedOrderId) ?? ofCall.find((o) => ACTIVE.has(o.status)));
    if (asked !== null && !target)
      return `I can only cancel an order placed in this call, so not order ${asked}.`;
    if (!target || (!ACTIVE.has(target.status) && target.id !== cart.placedOrderId)) {
      return 'No order has been placed in this call, so there is nothing to cancel.';
    }
    let cancelled;
    try {
      cancelled = await this.cancellation.cancel(target.id);
    } catch (error) {
      if (error instanceof ConflictError) return `${error.message} Nothing was cancelled yet.`;
      throw error;
    }
    const { order } = cancelled;
    const reopened: CartLine[] = order.items.map((i) => ({
      itemId: i.item_id,
      quantity: i.quantity,
      optionIds: i.options.map((o) => o.option_id),
    }));
    // The call's own order: a new round, and its items stay so a change of mind is an edit of the cart.
    if (target.id === cart.placedOrderId || cart.placedOrderId === null) {
      await this.carts.change(callId, (c) => ({
        cart: {
          lines: c.lines.length > 0 ? c.lines : reopened,
          placedOrderId: null,
          orderRound: c.orderRound + 1,
        },
        answer: null,
      }));
    }
    const refund =
      order.payment_status === 'refunded'
        ? ` The payment of ${dollars(order.total)} is refunded.`
        : order.payment_status === 'refund_pending'
          ? ` The refund of ${dollars(order.total)} is on its way.`
          : '';
    return (
      `Order number ${order.id} is cancelled; nothing will be made or charged.${refund} Its items are still in ` +
      `the order: ${itemsText(order.items)}. Change them with add_item or remove_item and place the order again, ` +
      'or leave it cancelled if the caller is done.'
    );
  }

  private async alreadyPlaced(callId: string): Promise<string> {
    const placed = (await this.calls.ordersOfCall(callId)).find((o) => ACTIVE.has(o.status));
    const which = placed ? `order number ${placed.id}` : 'an order';
    return (
      `This call already placed ${which}, so nothing new was placed. If the caller wants to change it, confirm ` +
      'with them and call cancel_order: its items stay in the order to be changed and placed again.'
    );
  }

  private closed(nextOpening: string | null, now: Date): string {
    const when = nextOpening ? describeOpening(this.restaurant.hours, new Date(nextOpening), now) : 'later';
    return `${this.restaurant.name} is closed right now and opens again ${when}, so the order can't be placed until then. Nothing was placed.`;
  }
}

/** The geocoder is down or slow: the caller can still order for pickup, so this is an answer, not an outage. */
const addressUnchecked = (error: unknown) =>
  error instanceof UnavailableError && error.code.startsWith('geo_');
const ADDRESS_UNCHECKED =
  "I can't check delivery addresses right now. Offer the caller pickup instead (no delivery fee), or try the address again in a minute.";

const NO_LINK_NOW =
  "I couldn't create the payment link just now, so nothing was placed. Offer the caller to pay the driver instead " +
  '(payment on_delivery; at the counter for pickup), or try the link again in a moment.';

const NO_LINKS_HERE =
  "We don't send payment links, so nothing was placed. Offer the caller to pay the driver instead (at the " +
  'counter for pickup); if they agree, call place_order again with payment on_delivery.';

/** The first round keeps the key voice orders have always had, so a redeploy mid-call replays, not repeats. */
function roundKey(round: number): string {
  return round === 0 ? 'order' : `order-${round + 1}`;
}
