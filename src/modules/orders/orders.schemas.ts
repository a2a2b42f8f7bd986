// HTTP shapes of the order API (snake_case, dollars), compatible with the original system's curl example.
import { Type } from 'typebox';
import { BusinessDate, CallerText, Dollars, Nullable, Phone } from '../../http/schemas/common.js';

/**
 * The original system's curl example (2 x Pizza Margherita + 2 x Coke to 350 Fifth Avenue): the API docs'
 * example, and the order the simulation's pre-flight, the benchmark and the tests send.
 */
export const SEED_EXAMPLE_ORDER = {
  customer_name: 'John Doe',
  customer_phone: '555-123-4567',
  delivery_address: '350 Fifth Avenue',
  city: 'New York',
  zip_code: '10001',
  items: [
    { name: 'Pizza Margherita', quantity: 2, unit_price: 14.99 },
    { name: 'Coke', quantity: 2, unit_price: 2.99 },
  ],
};

export const OrderLineRequest = Type.Object({
  name: Type.Optional(CallerText(100, 'Menu item name or alias, e.g. "Pizza Margherita"; matched loosely')),
  item_id: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'Menu item id (wins over name)' }),
  ),
  quantity: Type.Integer({ minimum: 1, maximum: 99 }),
  unit_price: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 10_000,
      description: 'Optional; refused when it disagrees with the menu',
    }),
  ),
  options: Type.Optional(
    Type.Array(CallerText(60, 'Option name or id, e.g. "Large", "Extra cheese"'), { maxItems: 20 }),
  ),
});

export const CreateOrderBody = Type.Object(
  {
    customer_name: CallerText(100, 'Customer name'),
    customer_phone: Phone,
    fulfillment: Type.Optional(Type.Enum(['delivery', 'pickup'], { description: 'Default delivery' })),
    delivery_address: Type.Optional(CallerText(200, 'Street address; required for delivery')),
    city: Type.Optional(CallerText(100, 'City; required for delivery')),
    zip_code: Type.Optional(Type.String({ pattern: '^[0-9]{5}(-[0-9]{4})?$', description: 'US ZIP code' })),
    items: Type.Array(OrderLineRequest, { minItems: 1, maxItems: 50 }),
    notes: Type.Optional(Type.String({ maxLength: 500, pattern: '^[^\\u0000\\u007F]*$' })),
    payment_method_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Stripe pm_...' }),
    ),
  },
  {
    examples: [SEED_EXAMPLE_ORDER],
  },
);
export type CreateOrderBody = Type.Static<typeof CreateOrderBody>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[\\x21-\\x7E]+$',
      description: 'Same key + same body replays the first answer; same key + other body is a 422',
    }),
  ),
});

const OrderItemOption = Type.Object({
  group_id: Type.String(),
  option_id: Type.String(),
  name: Type.String(),
  price_delta: Type.Number(),
});

export const OrderItemView = Type.Object({
  item_id: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unit_price: Dollars('Unit price including options'),
  options: Type.Array(OrderItemOption),
  line_total: Dollars('unit_price x quantity'),
});

/** The money of an order or a quote, in dollars. */
const MoneyFields = {
  subtotal: Dollars('Sum of the lines'),
  tax: Dollars('round_half_up(subtotal x TAX_RATE)'),
  delivery_fee: Dollars('DELIVERY_FEE for delivery, 0 for pickup'),
  total: Dollars('subtotal + tax + delivery_fee'),
  currency: Type.Literal('usd'),
};

export const OrderStatus = Type.Enum(['confirmed', 'failed', 'cancelled', 'awaiting_payment'], {
  description:
    'awaiting_payment: a voice order whose texted payment link is not paid yet (not in the workbook, not revenue)',
});

export const OrderView = Type.Object({
  id: Type.Integer(),
  status: OrderStatus,
  source: Type.Enum(['api', 'voice']),
  fulfillment: Type.Enum(['delivery', 'pickup']),
  customer_name: Type.String(),
  customer_phone: Type.String(),
  delivery_address: Nullable(Type.String()),
  city: Nullable(Type.String()),
  zip_code: Nullable(Type.String()),
  formatted_address: Nullable(Type.String()),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  distance_km: Nullable(Type.Number()),
  items: Type.Array(OrderItemView),
  ...MoneyFields,
  payment_status: Type.String({
    description:
      'succeeded, declined, error (provider outage), not_attempted, refunded or refund_pending (cancelled orders); ' +
      'voice orders: due_on_delivery, due_at_pickup, awaiting_payment (link texted) or link_expired',
  }),
  payment_provider: Nullable(Type.String()),
  payment_id: Nullable(Type.String()),
  failure_code: Nullable(Type.String()),
  failure_reason: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  vapi_call_id: Nullable(Type.String()),
  business_date: Type.String({ description: "The restaurant's calendar day (TIMEZONE) of the order" }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  exported_at: Nullable(Type.String({ format: 'date-time' })),
  cancelled_at: Nullable(Type.String({ format: 'date-time' })),
  refund_id: Nullable(Type.String({ description: "The provider's refund id of a cancelled order" })),
  call: Nullable(
    Type.Object(
      {
        call_id: Type.String(),
        caller_number: Nullable(Type.String()),
        status: Nullable(Type.String()),
        started_at: Nullable(Type.String({ format: 'date-time' })),
        ended_at: Nullable(Type.String({ format: 'date-time' })),
        ended_reason: Nullable(Type.String()),
        summary: Nullable(Type.String()),
        transcript: Nullable(Type.String()),
        recording_url: Nullable(Type.String()),
        cost_usd: Nullable(Type.Number({ description: "Vapi's cost of the call" })),
      },
      { description: 'The voice call that placed the order (GET /api/orders/{id} only)' },
    ),
  ),
});
export type OrderView = Type.Static<typeof OrderView>;

export const OrderIdParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

export const MAX_PAGE = 100_000;
export const MAX_PAGE_SIZE = 100;

export const ListOrdersQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 }),
  page_size: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 }),
  status: Type.Optional(OrderStatus),
  source: Type.Optional(Type.Enum(['api', 'voice'])),
  date: Type.Optional(BusinessDate('Business day, YYYY-MM-DD')),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'Search: `#12` or `12` is order 12 exactly (a number of 7+ digits also matches phones by their digits); ' +
        'a phone number matches by its digits (5551234567 finds 555-123-4567); other text matches part of a ' +
        'name or phone, case-insensitive',
    }),
  ),
});
export type ListOrdersQuery = Type.Static<typeof ListOrdersQuery>;

export const OrderList = Type.Object({
  orders: Type.Array(OrderView),
  page: Type.Integer(),
  page_size: Type.Integer(),
  total: Type.Integer({ description: 'Orders matching the filters' }),
});

export const QuoteView = Type.Object({
  items: Type.Array(OrderItemView),
  ...MoneyFields,
  fulfillment: Type.Enum(['delivery', 'pickup']),
  delivery: Nullable(
    Type.Object({
      deliverable: Type.Boolean(),
      formatted_address: Nullable(Type.String()),
      distance_km: Nullable(Type.Number()),
      estimated_minutes: Nullable(Type.Integer()),
      problem: Nullable(Type.String({ description: 'Why the address cannot be delivered to' })),
    }),
  ),
  open_now: Type.Boolean(),
  next_opening_at: Nullable(Type.String({ format: 'date-time' })),
  summary: Type.String({ description: 'A read-back sentence for a voice agent' }),
});
export type QuoteView = Type.Static<typeof QuoteView>;
