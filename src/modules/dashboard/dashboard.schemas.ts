import { Type } from 'typebox';
import { BusinessDate, Dollars, Nullable } from '../../http/schemas/common.js';

const SourceView = Type.Object({
  orders: Type.Integer({ description: 'Confirmed orders' }),
  attempts: Type.Integer({ description: 'Every attempt of this source' }),
  failed: Type.Integer({ description: 'Attempts that failed (declined, address invalid...)' }),
  cancelled: Type.Integer({ description: 'Orders placed, then cancelled' }),
  revenue: Dollars('Confirmed revenue'),
});

export const DashboardQuery = Type.Object({
  date: Type.Optional(BusinessDate('Business day (default: today in TIMEZONE)')),
});

export const DashboardData = Type.Object({
  date: Type.String(),
  time_zone: Type.String(),
  restaurant: Type.Object({
    name: Type.String(),
    location: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
    delivery_radius_km: Type.Number(),
  }),
  map: Type.Object({
    tile_url: Nullable(Type.String({ description: 'Leaflet tile URL template; null = no tiles' })),
    attribution: Type.String(),
  }),
  totals: Type.Object({
    revenue: Dollars('Sum of confirmed totals'),
    orders: Type.Integer({ description: 'Confirmed orders' }),
    attempts: Type.Integer({
      description: 'Every attempt: orders + failed + cancelled + awaiting_payment',
    }),
    failed: Type.Integer({
      description:
        'Attempts that never became an order (declined, address invalid, ...); the sum of failures_by_reason',
    }),
    cancelled: Type.Integer({
      description:
        'Orders placed and then cancelled (POST /api/orders/{id}/cancel): neither revenue nor failures',
    }),
    refunded: Type.Integer({ description: 'Cancelled orders whose payment was refunded in full' }),
    refunded_amount: Dollars('What the refunded orders had been charged'),
    awaiting_payment: Type.Integer({
      description: 'Voice orders whose texted payment link is not paid yet (not revenue until paid)',
    }),
    success_rate: Type.Number({
      description:
        'orders / (orders + failed), 0..1 (1 when there were none): the share of attempts that went through. ' +
        'Cancellations (decided after the order was placed) and orders awaiting payment are left out',
    }),
    average_order_value: Dollars('revenue / orders'),
  }),
  by_source: Type.Object({ api: SourceView, voice: SourceView }),
  failures_by_reason: Type.Array(Type.Object({ code: Type.String(), count: Type.Integer() }), {
    description: 'Failed attempts by failure code, most frequent first; the counts add up to totals.failed',
  }),
  hourly: Type.Array(
    Type.Object({
      hour: Type.Integer({ minimum: 0, maximum: 23 }),
      orders: Type.Integer({ description: 'Confirmed orders placed in this hour (TIMEZONE)' }),
      revenue: Dollars('Their revenue'),
    }),
    { description: 'Hours with at least one confirmed order' },
  ),
  export: Type.Object({
    backlog: Type.Integer({ description: 'Confirmed orders not yet in their workbook' }),
  }),
});
export type DashboardData = Type.Static<typeof DashboardData>;
