// The checks an order passes before any I/O, and the delivery check, shared by placing and quoting an
// order so that a quote read back to a caller is exactly what placing it would charge.
import type { Geocoder } from '../../adapters/geo/geocoder.js';
import { type ErrorDetail, ValidationError } from '../../errors.js';
import { formatDollars } from '../../shared/money.js';
import { checkDeliveryZone, type DeliveryZone, estimateDeliveryMinutes } from '../delivery/delivery-zone.js';
import { type OpeningHours, describeOpening, isOpenAt, nextOpeningAt } from '../hours/opening-hours.js';
import type { MenuCatalog } from '../menu/menu.matcher.js';
import { type PricedLine, type RequestedLine, priceLines } from '../menu/menu.pricing.js';
import { type OrderTotals, type PricingRules, computeTotals } from './order-totals.js';
import type { Fulfillment } from './orders.repository.js';

/** An order as any channel (REST, voice) asks for it, already trimmed. */
export interface OrderRequest {
  customerName: string;
  customerPhone: string;
  fulfillment: Fulfillment;
  deliveryAddress: string | null;
  city: string | null;
  zipCode: string | null;
  items: RequestedLine[];
  notes: string | null;
  paymentMethodId: string | null;
}

export interface PreparedOrder {
  request: OrderRequest;
  lines: PricedLine[];
  totals: OrderTotals;
}

export interface Restaurant {
  name: string;
  catalog: MenuCatalog;
  hours: OpeningHours;
  pricing: PricingRules;
  zone: DeliveryZone;
}

/** Prices the request from the menu and checks what needs no I/O: delivery fields. Throws ValidationError. */
export function prepareOrder(restaurant: Restaurant, request: OrderRequest): PreparedOrder {
  if (request.fulfillment === 'delivery') {
    const missing: ErrorDetail[] = [];
    if (!request.deliveryAddress)
      missing.push({ field: 'delivery_address', message: 'delivery_address is required for delivery' });
    if (!request.city) missing.push({ field: 'city', message: 'city is required for delivery' });
    if (!request.zipCode) missing.push({ field: 'zip_code', message: 'zip_code is required for delivery' });
    if (missing.length > 0) {
      throw new ValidationError(
        'address_required',
        `A delivery order needs ${missing.map((m) => m.field).join(', ')}; or choose fulfillment "pickup".`,
        missing,
      );
    }
  }
  const lines = priceLines(restaurant.catalog, request.items);
  return { request, lines, totals: computeTotals(lines, request.fulfillment, restaurant.pricing) };
}

/** Refuses orders outside opening hours, saying when the restaurant opens again. */
export function assertOpen(restaurant: Restaurant, now: Date): void {
  if (isOpenAt(restaurant.hours, now)) return;
  const opening = nextOpeningAt(restaurant.hours, now);
  const when = opening ? describeOpening(restaurant.hours, opening, now) : 'soon';
  throw new ValidationError(
    'restaurant_closed',
    `${restaurant.name} is closed right now. We open again ${when}.`,
    [{ field: 'restaurant', message: 'closed', next_opening_at: opening?.toISOString() ?? null }],
  );
}

export interface DeliveryLocation {
  formattedAddress: string;
  latitude: number;
  longitude: number;
  distanceKm: number;
  estimatedMinutes: number;
}

/**
 * Geocodes a delivery address and applies the zone. Throws ValidationError (address not found, outside the
 * zone) or UnavailableError (geocoder down or slow).
 */
export async function locateDelivery(
  restaurant: Restaurant,
  geocoder: Geocoder,
  request: OrderRequest,
): Promise<DeliveryLocation> {
  const place = await geocoder.geocode({
    address: request.deliveryAddress ?? '',
    city: request.city ?? '',
    zipCode: request.zipCode ?? '',
  });
  const zone = checkDeliveryZone(restaurant.zone, place);
  const distanceKm = Math.round(zone.distanceKm * 100) / 100;
  if (!zone.inside) {
    throw new ValidationError(
      'outside_delivery_zone',
      `Sorry, ${place.formattedAddress} is ${distanceKm.toFixed(1)} km away and we deliver within ${restaurant.zone.radiusKm} km. Pickup is available.`,
      [{ field: 'delivery_address', message: 'outside the delivery zone', distance_km: distanceKm }],
    );
  }
  return {
    formattedAddress: place.formattedAddress,
    latitude: place.lat,
    longitude: place.lng,
    distanceKm,
    estimatedMinutes: estimateDeliveryMinutes(zone.distanceKm),
  };
}

/** "2 Pizza Margherita (Large), 2 Coke. Total $45.14 including $3.19 tax and $5.99 delivery." */
export function readBack(prepared: PreparedOrder): string {
  const items = prepared.lines
    .map(
      (l) =>
        `${l.quantity} ${l.name}${l.options.length > 0 ? ` (${l.options.map((o) => o.name).join(', ')})` : ''}`,
    )
    .join(', ');
  const { totalCents, taxCents, deliveryFeeCents } = prepared.totals;
  const fee =
    prepared.request.fulfillment === 'delivery' ? ` and ${formatDollars(deliveryFeeCents)} delivery` : '';
  return `${items}. Total ${formatDollars(totalCents)} including ${formatDollars(taxCents)} tax${fee}.`;
}
