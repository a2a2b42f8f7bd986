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
    items: body.items,
    notes: body.notes?.trim() || null,
    paymentMethodId: body.payment_method_id ?? null,
  };
}
