// Stored order -> the JSON the API returns (snake_case, dollars). The only place that shape is built.
import { centsToDollars } from '../../shared/money.js';
import type { PricedOption } from '../menu/menu.pricing.js';
import type { OrderItemRow, OrderRecord } from './orders.repository.js';
import type { OrderView } from './orders.schemas.js';

export function toItemView(
  item: Pick<
    OrderItemRow,
    'menuItemId' | 'name' | 'quantity' | 'unitPriceCents' | 'options' | 'lineTotalCents'
  >,
) {
  return {
    item_id: item.menuItemId,
    name: item.name,
    quantity: item.quantity,
    unit_price: centsToDollars(item.unitPriceCents),
    options: (item.options as PricedOption[]).map((o) => ({
      group_id: o.groupId,
      option_id: o.optionId,
      name: o.name,
      price_delta: centsToDollars(o.priceDeltaCents),
    })),
    line_total: centsToDollars(item.lineTotalCents),
  };
}

export function toOrderView(order: OrderRecord): OrderView {
  return {
    id: order.id,
    status: order.status as OrderView['status'],
    source: order.source as OrderView['source'],
    fulfillment: order.fulfillment as OrderView['fulfillment'],
    customer_name: order.customerName,
    customer_phone: order.customerPhone,
    delivery_address: order.deliveryAddress,
    city: order.city,
    zip_code: order.zipCode,
    formatted_address: order.formattedAddress,
    latitude: order.latitude,
    longitude: order.longitude,
    distance_km: order.distanceKm,
    items: order.items.map(toItemView),
    subtotal: centsToDollars(order.subtotalCents),
    tax: centsToDollars(order.taxCents),
    delivery_fee: centsToDollars(order.deliveryFeeCents),
    total: centsToDollars(order.totalCents),
    currency: 'usd',
    payment_status: order.paymentStatus,
    payment_provider: order.paymentProvider,
    payment_id: order.paymentId,
    failure_code: order.failureCode,
    failure_reason: order.failureReason,
    notes: order.notes,
    vapi_call_id: order.vapiCallId,
    business_date: order.businessDate,
    created_at: order.createdAt.toISOString(),
    updated_at: order.updatedAt.toISOString(),
    exported_at: order.exportedAt ? order.exportedAt.toISOString() : null,
    cancelled_at: order.cancelledAt ? order.cancelledAt.toISOString() : null,
    refund_id: order.refundId,
    call: null,
  };
}
