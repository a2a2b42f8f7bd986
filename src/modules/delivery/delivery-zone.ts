// The delivery-zone rule: straight-line (great-circle) distance from the restaurant, compared with a radius.
// Pure functions, so the order service and the dashboard agree on the same numbers.
import type { GeoPoint } from '../../adapters/geo/geocoder.js';

/** Mean Earth radius (IUGG), the usual choice for haversine. */
const EARTH_RADIUS_KM = 6371.0088;

const toRadians = (degrees: number): number => (degrees * Math.PI) / 180;

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  // min() guards asin against float noise just above 1 for antipodal points.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface DeliveryZone {
  center: GeoPoint;
  radiusKm: number;
}

/** Inside when the distance is at most the radius (a point exactly on the edge is delivered to). */
export function checkDeliveryZone(
  zone: DeliveryZone,
  point: GeoPoint,
): { inside: boolean; distanceKm: number } {
  const distance = distanceKm(zone.center, point);
  return { inside: distance <= zone.radiusKm, distanceKm: distance };
}

const PREP_MINUTES = 20;
const MINUTES_PER_KM = 4;
const ROUND_TO_MINUTES = 5;

/** A promise a caller hears: 20 minutes of preparation plus 4 minutes per km, rounded up to 5 minutes. */
export function estimateDeliveryMinutes(distanceKm: number): number {
  if (!Number.isFinite(distanceKm) || distanceKm < 0) {
    throw new RangeError(`distance must be a non-negative number of km, got ${distanceKm}`);
  }
  const minutes = PREP_MINUTES + MINUTES_PER_KM * distanceKm;
  // Subtract a hair first so float noise (25.000000000000004) does not add five minutes.
  return Math.ceil(minutes / ROUND_TO_MINUTES - 1e-9) * ROUND_TO_MINUTES;
}
