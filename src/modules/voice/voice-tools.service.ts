// The four tools the voice assistant calls, each answering with one line the assistant can speak. Placing a
// voice order is the same use-case as POST /api/orders (menu pricing, geo, payment, one write, export),
// marked source=voice with the call id. Each tool call id runs once: a repeated delivery gets the first
// answer, and every place_order of a call shares one idempotency key, so a call places one order unless the
// caller explicitly asks for another.
import type { Logger } from 'pino';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  ConflictError,
  DomainError,
  NotFoundError,
  PaymentDeclinedError,
  UnavailableError,
} from '../../errors.js';
import { Phone } from '../../http/schemas/common.js';
import { formatDollars } from '../../shared/money.js';
import { lastFourDigits } from '../../shared/phone.js';
import { estimateDeliveryMinutes } from '../delivery/delivery-zone.js';
import type { MenuService } from '../menu/menu.service.js';
import { orderRequestFromBody } from '../orders/order-request.js';
import {
  type CreateOrderBody,
  CreateOrderBody as CreateOrderSchema,
  type OrderView,
} from '../orders/orders.schemas.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { PlaceOrder, PlacedOrder } from '../orders/place-order.js';
import { PAYMENT_LINK_MINUTES } from '../payments/payment-links.service.js';
import { describeMenu } from './voice-menu.js';
import type { ToolAnswer, VoiceCallsRepository } from './voice-calls.repository.js';
import type { ParsedToolCall } from './vapi.messages.js';
import { toSpokenLine } from './vapi.messages.js';

export interface ToolCallContext {
  callId: string | null;
  callerNumber: string | null;
}

export interface VoiceToolsOptions {
  /** Answer within this, even when a provider is slow (Vapi waits 20 s by default; the caller less). */
  timeoutMs: number;
  timeZone: string;
}

const PlaceOrderArgs = Compile(
  Type.Object({
    ...CreateOrderSchema.properties,
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
    items: CreateOrderSchema.properties.items,
  }),
);

const STILL_WORKING =
  "I'm still working on that. Please give me a moment, then ask me to check the order status before trying again.";
const POLL_MS = 100;

export class VoiceTools {
  private readonly inFlight = new Map<string, Promise<ToolAnswer>>();

  constructor(
    private readonly placeOrder: PlaceOrder,
    private readonly orders: OrdersService,
    private readonly menu: MenuService,
    private readonly calls: VoiceCallsRepository,
    private readonly options: VoiceToolsOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Waits for the tool calls still running, including those already answered "still working": at shutdown
   * they must write their order before the database closes, or the caller's order is lost.
   */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Runs a tool call once per (call, tool call id) and answers within the time limit. */
  async run(toolCall: ParsedToolCall, context: ToolCallContext): Promise<ToolAnswer> {
    if (toolCall.argsError)
      return { result: `Invalid arguments for ${toolCall.name}: ${toolCall.argsError}`, isError: true };
    if (!toolCall.id) return this.withinTime(this.execute(toolCall, context));
    const key = `${context.callId ?? 'no-call'}:${toolCall.id}`;
    const running = this.inFlight.get(key);
    if (running) return this.withinTime(running);
    const work = this.once(key, toolCall, context);
    this.inFlight.set(key, work);
    void work.finally(() => this.inFlight.delete(key)).catch(() => undefined);
    return this.withinTime(work);
  }

  private async once(key: string, toolCall: ParsedToolCall, context: ToolCallContext): Promise<ToolAnswer> {
    if (!(await this.calls.claimToolCall(key, context.callId, toolCall.name))) return this.awaitStored(key);
    const answer = await this.execute(toolCall, context);
    await this.calls.saveToolAnswer(key, answer);
    return answer;
  }

  /** Another process is running the same tool call: wait for its stored answer. */
  private async awaitStored(key: string): Promise<ToolAnswer> {
    const deadline = Date.now() + this.options.timeoutMs;
    while (Date.now() < deadline) {
      const stored = await this.calls.findToolAnswer(key);
      if (stored) return stored;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return { result: STILL_WORKING, isError: false };
  }

  /** The tool's answer, or a spoken "still working" when it is late; the work itself carries on. */
  private async withinTime(work: Promise<ToolAnswer>): Promise<ToolAnswer> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<ToolAnswer>((resolve) => {
      timer = setTimeout(() => resolve({ result: STILL_WORKING, isError: false }), this.options.timeoutMs);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async execute(toolCall: ParsedToolCall, context: ToolCallContext): Promise<ToolAnswer> {
    const args = toolCall.args ?? {};
    try {
      switch (toolCall.name) {
        case 'get_menu':
          return spoken(this.getMenu(args));
        case 'quote_order':
          return await this.quoteOrder(args, context);
        case 'place_order':
          return await this.placeOrderTool(args, context, toolCall.id);
        case 'check_order_status':
          return spoken(await this.checkOrderStatus(args, context));
        default:
          return {
            result: `Unknown tool ${toolCall.name}. Use get_menu, quote_order, place_order or check_order_status.`,
            isError: true,
          };
      }
    } catch (error) {
      return spoken(this.explain(error, toolCall.name));
    }
  }

  private getMenu(args: Record<string, unknown>): string {
    const category = typeof args.category === 'string' ? args.category : undefined;
    return describeMenu(this.menu.view(category), this.options.timeZone);
  }

  private async quoteOrder(args: Record<string, unknown>, context: ToolCallContext): Promise<ToolAnswer> {
    if (!QuoteOrderArgs.Check(args)) return invalid('quote_order', QuoteOrderArgs.Errors(args));
    // Only the checked fields: a quote needs no name or phone, and an unchecked one (a number) broke trim().
    const { fulfillment, delivery_address, city, zip_code, items } = args;
    const body: CreateOrderBody = {
      customer_name: 'Caller',
      customer_phone: context.callerNumber ?? '000-000-0000',
      fulfillment,
      delivery_address,
      city,
      zip_code,
      items,
    };
    const quote = await this.orders.quote(orderRequestFromBody(body));
    return spoken(
      `${quote.summary} Nothing has been charged yet; ask the caller to confirm before placing it.`,
    );
  }

  private async placeOrderTool(
    args: Record<string, unknown>,
    context: ToolCallContext,
    toolCallId: string,
  ): Promise<ToolAnswer> {
    const withPhone = { ...args, customer_phone: args.customer_phone ?? context.callerNumber ?? undefined };
    if (!PlaceOrderArgs.Check(withPhone)) return invalid('place_order', PlaceOrderArgs.Errors(withPhone));
    if (!withPhone.customer_phone)
      return {
        result: 'place_order needs customer_phone: ask the caller for a callback number.',
        isError: true,
      };
    const { additional_order: additional, payment, ...body } = withPhone;
    // One order per call; a second one only when the caller asked for it (its own key: this tool call).
    const key = context.callId ? `vapi-${context.callId}-${additional ? toolCallId : 'order'}` : null;
    const placed = await this.placeOrder.execute(orderRequestFromBody(body as CreateOrderBody), {
      source: 'voice',
      idempotencyKey: key,
      vapiCallId: context.callId,
      payment: payment === 'text_link' ? 'link' : 'on_delivery',
    });
    return spoken(confirmation(placed));
  }

  private async checkOrderStatus(args: Record<string, unknown>, context: ToolCallContext): Promise<string> {
    const byId =
      typeof args.order_id === 'number'
        ? args.order_id
        : typeof args.order_id === 'string'
          ? Number.parseInt(args.order_id, 10)
          : Number.NaN;
    let id: number | null = Number.isSafeInteger(byId) && byId > 0 ? byId : null;
    if (id === null) {
      const phone =
        typeof args.phone === 'string' && args.phone.trim() ? args.phone.trim() : context.callerNumber;
      if (!phone) return 'I need the order number or the phone number the order was placed with.';
      id = await this.calls.latestOrderIdByPhone(phone);
      if (id === null) return `I can't find an order for the phone number ${phone}.`;
    }
    const order = await this.orders.get(id);
    const placedAt = new Date(order.created_at).toLocaleTimeString('en-US', {
      timeZone: this.options.timeZone,
      hour: 'numeric',
      minute: '2-digit',
    });
    if (order.status === 'awaiting_payment') {
      const until = new Date(
        new Date(order.created_at).getTime() + PAYMENT_LINK_MINUTES * 60_000,
      ).toLocaleTimeString('en-US', { timeZone: this.options.timeZone, hour: 'numeric', minute: '2-digit' });
      return (
        `Order ${order.id} is awaiting payment: total ${dollars(order.total)}, placed at ${placedAt}. The payment ` +
        `link texted to the number ending in ${lastFourDigits(order.customer_phone)} works until about ${until}; ` +
        'the kitchen starts once it is paid.'
      );
    }
    if (order.status !== 'confirmed') {
      return `Order ${order.id} was not placed: ${order.failure_reason ?? 'it failed'}.`;
    }
    const state = order.exported_at ? 'confirmed and with the kitchen' : 'confirmed';
    return `Order ${order.id} is ${state}: ${itemsText(order)}, total ${dollars(order.total)}, placed at ${placedAt}.`;
  }

  private explain(error: unknown, tool: string): string {
    if (error instanceof PaymentDeclinedError) {
      return `Sorry, the payment was declined: ${error.message} The order was not placed.`;
    }
    if (error instanceof ConflictError) {
      return 'That order is still being placed. Give me a moment, then ask me to check the order status.';
    }
    if (error instanceof UnavailableError) {
      return 'Sorry, our ordering system is not answering right now. Please try again in a moment, or I can transfer you to the restaurant.';
    }
    if (error instanceof DomainError && error.code === 'idempotency_key_reused') {
      return 'This call already placed an order. If the caller explicitly wants a second, separate order, call place_order again with additional_order set to true.';
    }
    if (error instanceof DomainError || error instanceof NotFoundError) return error.message;
    this.logger.error({ err: error, tool }, 'voice tool failed');
    return 'Sorry, something went wrong on our side. I can transfer you to the restaurant.';
  }
}

function confirmation(placed: PlacedOrder): string {
  const { order } = placed;
  if (order.status === 'awaiting_payment') return linkConfirmation(order, placed.linkTexted ?? true);
  const when =
    order.fulfillment === 'delivery'
      ? `delivered to ${order.formatted_address ?? order.delivery_address} in about ${estimateDeliveryMinutes(order.distance_km ?? 0)} minutes`
      : 'ready for pickup in about 20 minutes';
  const pay =
    order.payment_status === 'due_on_delivery'
      ? ' Please pay the driver.'
      : order.payment_status === 'due_at_pickup'
        ? ' Please pay at the counter.'
        : '';
  return `Your order is confirmed: number ${order.id}, total ${dollars(order.total)}, ${itemsText(order)}, ${when}.${pay}`;
}

/** A voice order paid by link: saved, but the kitchen waits for the payment. */
function linkConfirmation(order: OrderView, texted: boolean): string {
  const phone = lastFourDigits(order.customer_phone);
  if (!texted) {
    const instead = order.fulfillment === 'pickup' ? 'pay at the counter' : 'pay the driver';
    return (
      `Order number ${order.id} is saved, total ${dollars(order.total)}, but I could not text the payment link ` +
      `to the number ending in ${phone}, so the kitchen cannot start it yet. Offer the caller to ${instead} ` +
      'instead (call place_order again with the same order and payment on_delivery to switch this order), or ' +
      'to call us back later.'
    );
  }
  return (
    `Your order number ${order.id} is saved: total ${dollars(order.total)}, ${itemsText(order)}. I texted a ` +
    `secure payment link to the number ending in ${phone}. It works for ${PAYMENT_LINK_MINUTES} minutes, and ` +
    'the kitchen starts as soon as it is paid.'
  );
}

function itemsText(order: OrderView): string {
  return order.items
    .map(
      (i) =>
        `${i.quantity} ${i.name}${i.options.length > 0 ? ` (${i.options.map((o) => o.name).join(', ')})` : ''}`,
    )
    .join(', ');
}

const dollars = (amount: number) => formatDollars(Math.round(amount * 100));

const spoken = (text: string): ToolAnswer => ({ result: toSpokenLine(text, 2_000), isError: false });

function invalid(
  tool: string,
  errors: ReadonlyArray<{ instancePath: string; message: string; params: unknown }>,
): ToolAnswer {
  const problems = errors.slice(0, 5).map((e) => {
    const missing = (e.params as { requiredProperties?: string[] }).requiredProperties;
    if (missing) return `missing ${missing.join(', ')}`;
    const field = e.instancePath
      .replace(/^\//, '')
      .replace(/\/(\d+)/g, '[$1]')
      .replace(/\//g, '.');
    return `${field || 'arguments'} ${e.message}`;
  });
  return { result: toSpokenLine(`Invalid arguments for ${tool}: ${problems.join('; ')}.`), isError: true };
}
