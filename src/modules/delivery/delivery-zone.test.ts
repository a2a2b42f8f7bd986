import { describe, expect, it } from 'vitest';
import { checkDeliveryZone, distanceKm, estimateDeliveryMinutes } from './delivery-zone.js';

const MIDTOWN = { lat: 40.7505, lng: -73.9934 };
const EMPIRE_STATE = { lat: 40.74844, lng: -73.985664 };

describe('distanceKm', () => {
  it('is zero for the same point and symmetric', () => {
    expect(distanceKm(MIDTOWN, MIDTOWN)).toBe(0);
    expect(distanceKm(MIDTOWN, EMPIRE_STATE)).toBeCloseTo(distanceKm(EMPIRE_STATE, MIDTOWN), 12);
  });

  it('gives one degree of longitude on the equator as about 111.2 km', () => {
    expect(distanceKm({ lat: 0, lng: 0 }, { lat: 0, lng: 1 })).toBeCloseTo(111.195, 2);
  });

  it('measures Midtown to the Empire State Building at about 0.7 km', () => {
    expect(distanceKm(MIDTOWN, EMPIRE_STATE)).toBeCloseTo(0.69, 1);
  });

  it('measures New York to London at about 5,570 km', () => {
    const london = { lat: 51.5074, lng: -0.1278 };
    const d = distanceKm({ lat: 40.7128, lng: -74.006 }, london);
    expect(d).toBeGreaterThan(5550);
    expect(d).toBeLessThan(5590);
  });

  it('handles antipodal points', () => {
    expect(distanceKm({ lat: 0, lng: 0 }, { lat: 0, lng: 180 })).toBeCloseTo(Math.PI * 6371.0088, 3);
  });
});

describe('checkDeliveryZone', () => {
  const zone = { center: MIDTOWN, radiusKm: 3 };

  it('accepts a point inside the radius and reports its distance', () => {
    const result = checkDeliveryZone(zone, EMPIRE_STATE);
    expect(result.inside).toBe(true);
    expect(result.distanceKm).toBeCloseTo(distanceKm(MIDTOWN, EMPIRE_STATE), 12);
  });

  it('refuses a point outside the radius', () => {
    const brooklyn = { lat: 40.6782, lng: -73.9442 };
    const result = checkDeliveryZone(zone, brooklyn);
    expect(result.inside).toBe(false);
    expect(result.distanceKm).toBeGreaterThan(3);
  });

  it('counts a point exactly on the edge as inside', () => {
    const point = { lat: 40.76, lng: -73.99 };
    const d = distanceKm(MIDTOWN, point);
    expect(checkDeliveryZone({ center: MIDTOWN, radiusKm: d }, point).inside).toBe(true);
    expect(checkDeliveryZone({ center: MIDTOWN, radiusKm: d - 1e-9 }, point).inside).toBe(false);
  });
});

describe('estimateDeliveryMinutes', () => {
  it.each([
    [0, 20],
    [1, 25],
    [1.25, 25],
    [2.5, 30],
    [3.1, 35],
    [5, 40],
  ])('estimates %s km as %s minutes', (km, minutes) => {
    expect(estimateDeliveryMinutes(km)).toBe(minutes);
  });

  it('rejects a negative or non-finite distance', () => {
    expect(() => estimateDeliveryMinutes(-1)).toThrow(RangeError);
    expect(() => estimateDeliveryMinutes(Number.NaN)).toThrow(RangeError);
  });
});
