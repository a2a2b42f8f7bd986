import { Type } from 'typebox';
import { BusinessDate, Dollars, Nullable } from '../../http/schemas/common.js';

const SourceView = Type.Object({
  orders: Type.Integer(),
  attempts: Type.Integer(),
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
    attempts: Type.Integer({ description: 'Every attempt: confirmed, failed, cancelled, awaiting payment' }),
    failed: Type.Integer({ description: 'Attempts neither confirmed nor awaiting payment' }),
    awaiting_payment: Type.Integer({
      description: 'Voice orders whose texted payment link is not paid yet (not revenue until paid)',
    }),
    success_rate: Type.Number({
      description: 'orders / attempts decided (awaiting payment left out), 0..1 (1 when there were none)',
    }),
    average_order_value: Dollars('revenue / orders'),
  }),
  by_source: Type.Object({ api: SourceView, voice: SourceView }),
  failures_by_reason: Type.Array(Type.Object({ code: Type.String(), count: Type.Integer() })),
  hourly: Type.Array(
    Type.Object({
      hour: Type.Integer({ minimum: 0, maximum: 23 }),
      orders: Type.Integer(),
      revenue: Dollars(''),
    }),
  ),
  export: Type.Object({
    backlog: Type.Integer({ description: 'Confirmed orders not yet in their workbook' }),
  }),
});
export type DashboardData = Type.Static<typeof DashboardData>;
