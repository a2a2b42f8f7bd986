import type { RequestedLine } from '../menu/menu.pricing.js';
import type { OrderRequest } from './order-preparation.js';
import type { CreateOrderBody } from './orders.schemas.js';

/** The REST body (snake_case, optional fields) as the transport-neutral request the use-cases take. */
export function orderRequestFromBody(body: CreateOrderBody): OrderRequest {
  return {
    customerName: body.customer_name.trim(),
    customerPhone: body.customer_phone.trim(),
    fulfillment: body.fulfillment ?? 'delivery',
    deliveryAddress: body.delivery_address?.trim() || null,
    city: body.city?.trim() || null,
    zipCode: body.zip_code ?? null,
    items: body.items.map(requestedLine),
    notes: body.notes?.trim() || null,
    paymentMethodId: body.payment_method_id ?? null,
  };
}

/**
 * Only the fields a line defines: the schema lets unknown properties through, and they must not reach the
 * request hash (a deeply nested one overflowed its recursion: a 500) or make a replay look like a new body.
 */
function requestedLine(line: CreateOrderBody['items'][number]): RequestedLine {
  return {
    name: line.name,
    item_id: line.item_id,
    quantity: line.quantity,
    unit_price: line.unit_price,
    options: line.options,
  };
}
