// check_order_status: a caller hears about an order only when it was placed in this call or from the number
// they are calling from. Anything else gets one sentence, the same whether the order exists or not, so the
// tool cannot be used to find out that an order number exists or to read out another customer's order.
import { NotFoundError } from '../../errors.js';
import { lastFourDigits, phoneSpellings, samePhoneNumber } from '../../shared/phone.js';
import type { OrderView } from '../orders/orders.schemas.js';
import type { OrdersService } from '../orders/orders.service.js';
import { PAYMENT_LINK_MINUTES } from '../payments/payment-links.service.js';
import { dollars, itemsText } from './voice-answers.js';
import type { VoiceCallsRepository } from './voice-calls.repository.js';
import type { ToolCallContext } from './voice-tools.service.js';

const ONLY_OWN = 'I can only share orders placed on this call or from the number you are calling from';

export class OrderStatusTool {
  constructor(
    private readonly orders: OrdersService,
    private readonly calls: VoiceCallsRepository,
    private readonly timeZone: string,
  ) {}

  async answer(args: Record<string, unknown>, context: ToolCallContext): Promise<string> {
    const asked = orderNumber(args.order_id);
    if (asked !== null) {
      const order = await this.findShareable(asked, context);
      return order ? this.describe(order) : `${ONLY_OWN}, so I can't tell you about order ${asked}.`;
    }
    const ofCall = context.callId ? await this.calls.ordersOfCall(context.callId) : [];
    const id =
      ofCall[0]?.id ??
      (context.callerNumber
        ? await this.calls.latestOrderIdByPhone(phoneSpellings(context.callerNumber))
        : null);
    if (id === null) {
      return context.callerNumber
        ? "I can't find an order placed on this call or from the number you are calling from. If the caller has an order number, ask for it."
        : "I can't find an order placed on this call.";
    }
    return this.describe(await this.orders.get(id));
  }

  private async findShareable(id: number, context: ToolCallContext): Promise<OrderView | null> {
    let order: OrderView;
    try {
      order = await this.orders.get(id);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
    const ofThisCall = context.callId !== null && order.vapi_call_id === context.callId;
    return ofThisCall || samePhoneNumber(order.customer_phone, context.callerNumber) ? order : null;
  }

  private describe(order: OrderView): string {
    const placedAt = this.clock(new Date(order.created_at));
    switch (order.status) {
      case 'awaiting_payment': {
        const until = this.clock(
          new Date(new Date(order.created_at).getTime() + PAYMENT_LINK_MINUTES * 60_000),
        );
        return (
          `Order ${order.id} is awaiting payment: total ${dollars(order.total)}, placed at ${placedAt}. The payment ` +
          `link texted to the number ending in ${lastFourDigits(order.customer_phone)} works until about ${until}; ` +
          'the kitchen starts once it is paid.'
        );
      }
      case 'cancelled':
        return `Order ${order.id} was cancelled${order.payment_status === 'refunded' ? ' and refunded' : ''}; nothing will be made.`;
      case 'confirmed': {
        const state = order.exported_at ? 'confirmed and with the kitchen' : 'confirmed';
        return `Order ${order.id} is ${state}: ${itemsText(order.items)}, total ${dollars(order.total)}, placed at ${placedAt}.`;
      }
      default:
        return `Order ${order.id} was not placed. ${sentence(order.failure_reason ?? 'It failed.')}`;
    }
  }

  private clock(at: Date): string {
    return at.toLocaleTimeString('en-US', { timeZone: this.timeZone, hour: 'numeric', minute: '2-digit' });
  }
}

function orderNumber(value: unknown): number | null {
  const id =
    typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? Number.parseInt(value.replace(/^#/, ''), 10)
        : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** A stored reason as one sentence: capitalised, one full stop. */
function sentence(text: string): string {
  const trimmed = text.trim().replace(/[.\s]+$/, '');
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
}
