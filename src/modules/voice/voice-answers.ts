// The sentences the assistant reads back about orders: confirmations, link payments and item lists.
import { formatDollars } from '../../shared/money.js';
import { lastFourDigits } from '../../shared/phone.js';
import { estimateDeliveryMinutes } from '../delivery/delivery-zone.js';
import type { OrderView } from '../orders/orders.schemas.js';
import type { PlacedOrder } from '../orders/place-order.js';
import { PAYMENT_LINK_MINUTES } from '../payments/payment-links.service.js';
import type { ToolAnswer } from './voice-calls.repository.js';
import { toSpokenLine } from './vapi.messages.js';

interface SpokenLine {
  quantity: number;
  name: string;
  options: ReadonlyArray<{ name: string }>;
}

export const spoken = (text: string): ToolAnswer => ({ result: toSpokenLine(text, 2_000), isError: false });

export const dollars = (amount: number) => formatDollars(Math.round(amount * 100));

/** "2 Pizza Margherita (Large), 2 Coke" */
export function itemsText(lines: readonly SpokenLine[]): string {
  return lines
    .map(
      (l) =>
        `${l.quantity} ${l.name}${l.options.length > 0 ? ` (${l.options.map((o) => o.name).join(', ')})` : ''}`,
    )
    .join(', ');
}

export function confirmation(placed: PlacedOrder): string {
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
  return `Your order is confirmed: number ${order.id}, total ${dollars(order.total)}, ${itemsText(order.items)}, ${when}.${pay}`;
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
    `Your order number ${order.id} is saved: total ${dollars(order.total)}, ${itemsText(order.items)}. I texted a ` +
    `secure payment link to the number ending in ${phone}. It works for ${PAYMENT_LINK_MINUTES} minutes, and ` +
    'the kitchen starts as soon as it is paid.'
  );
}
