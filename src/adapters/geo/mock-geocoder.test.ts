import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError, ValidationError, type DomainError } from '../../errors.js';
import { distanceKm } from '../../modules/delivery/delivery-zone.js';
import type { AddressQuery } from './geocoder.js';
import {
  MOCK_FAR_ZIP,
  MOCK_GEO_CENTER,
  MockGeocoder,
  normalizeAddressText,
  type MockGeocoderOptions,
} from './mock-geocoder.js';
import { rejection } from '../../../test/helpers/rejection.js';

function geocoder(overrides: Partial<MockGeocoderOptions> = {}): MockGeocoder {
  return new MockGeocoder({ failureRate: 0, latency: { minMs: 0, maxMs: 0 }, seed: 'unit', ...overrides });
}

function q(address: string, zipCode = '10001', city = 'New York'): AddressQuery {
  return { address, city, zipCode };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MockGeocoder', () => {
  it.each(['350 Fifth Avenue', '350 5th Ave', '350 Fifth Ave.', '  350  FIFTH   avenue ', '350 5th Avenue'])(
    'puts the sample address "%s" at its real place',
    async (address) => {
      const result = await geocoder().geocode(q(address));
      expect(result).toEqual({
        lat: 40.74844,
        lng: -73.985664,
        formattedAddress: '350 Fifth Avenue, New York, NY 10001',
        postalCode: '10001',
      });
    },
  );

  it('does not treat another zip code as the sample address', async () => {
    const result = await geocoder().geocode(q('350 Fifth Avenue', '10118'));
    expect(result.lat).not.toBe(40.74844);
  });

  it('gives an address the same coordinates across calls, seeds and spellings', async () => {
    const a = await geocoder({ seed: 'one' }).geocode(q('123 Main St'));
    const b = await geocoder({ seed: 'two' }).geocode(q('123 main street'));
    const other = await geocoder().geocode(q('125 Main St'));
    expect({ lat: b.lat, lng: b.lng }).toEqual({ lat: a.lat, lng: a.lng });
    expect({ lat: other.lat, lng: other.lng }).not.toEqual({ lat: a.lat, lng: a.lng });
    expect(a.formattedAddress).toBe('123 Main St, New York, NY 10001');
    expect(a.postalCode).toBe('10001');
  });

  it('keeps every place inside the 3 km disc around Midtown, spread across it', async () => {
    const g = geocoder();
    const distances: number[] = [];
    for (let i = 0; i < 500; i++) {
      const result = await g.geocode(q(`${i + 1} Broadway`, String(10001 + (i % 40))));
      distances.push(distanceKm(MOCK_GEO_CENTER, result));
    }
    expect(Math.max(...distances)).toBeLessThan(3);
    // Uniform over the area: about a quarter of the places within half the radius.
    const near = distances.filter((d) => d < 1.45).length / distances.length;
    expect(near).toBeGreaterThan(0.15);
    expect(near).toBeLessThan(0.35);
  });

  it(`places any street with ZIP ${MOCK_FAR_ZIP} in Newark, far outside the default 5 km zone, the same each time`, async () => {
    const streets = ['1 Main Street', '12 Broad St', '350 Fifth Avenue', '99 Market Street', '7 Mulberry St'];
    for (const street of streets) {
      const result = await geocoder({ seed: 'one' }).geocode(q(street, MOCK_FAR_ZIP, 'Newark'));
      const again = await geocoder({ seed: 'two' }).geocode(q(street, MOCK_FAR_ZIP, 'Newark'));
      expect({ lat: again.lat, lng: again.lng }).toEqual({ lat: result.lat, lng: result.lng });
      expect(distanceKm(MOCK_GEO_CENTER, result)).toBeGreaterThan(14);
      expect(distanceKm({ lat: 40.7357, lng: -74.1724 }, result)).toBeLessThan(0.51);
      expect(result.formattedAddress).toBe(`${street}, Newark, NJ ${MOCK_FAR_ZIP}`);
    }
    // Only that ZIP: its neighbours stay in Manhattan.
    const near = await geocoder().geocode(q('1 Main Street', '07101', 'Newark'));
    expect(distanceKm(MOCK_GEO_CENTER, near)).toBeLessThan(3);
  });

  it('normalises spelling and abbreviations', () => {
    expect(normalizeAddressText('  350 5th Ave., Apt #4 ')).toBe('350 fifth avenue apt 4');
    expect(normalizeAddressText('12 W 34th St')).toBe('12 west 34th street');
    expect(normalizeAddressText('Café Façade Rd')).toBe('cafe facade road');
  });

  it.each([
    ['!!! ???', '10001', 'delivery_address'],
    ['12345', '10001', 'delivery_address'],
    ['ab', '10001', 'delivery_address'],
    ['350 Fifth Avenue', '1234', 'zip_code'],
    ['350 Fifth Avenue', 'abcde', 'zip_code'],
    ['350 Fifth Avenue', '100010', 'zip_code'],
  ])('rejects the implausible address "%s" / zip "%s" with 422 on %s', async (address, zip, field) => {
    const error = await rejection(geocoder().geocode(q(address, zip)));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 422, code: 'address_not_found' });
    expect((error as DomainError).details).toEqual([expect.objectContaining({ field })]);
    expect((error as Error).message).toContain(`We couldn't find '${address.trim()}`);
  });

  it('accepts a ZIP+4 code', async () => {
    const result = await geocoder().geocode(q('350 Fifth Avenue', '10001-2345'));
    expect(result.lat).toBe(40.74844);
  });

  it('times out about failureRate of the lookups with 503 geo_timeout, reproducibly', async () => {
    const run = async (seed: string): Promise<boolean[]> => {
      const g = geocoder({ failureRate: 0.05, seed });
      const failed: boolean[] = [];
      for (let i = 0; i < 2000; i++) {
        const error = await g.geocode(q(`${i} Park Avenue`)).then(
          () => null,
          (e: unknown) => e,
        );
        if (error) {
          expect(error).toBeInstanceOf(UnavailableError);
          expect(error).toMatchObject({
            status: 503,
            code: 'geo_timeout',
            message: 'Address lookup timed out (simulated). Please retry.',
          });
        }
        failed.push(error !== null);
      }
      return failed;
    };
    const a = await run('x');
    const rate = a.filter(Boolean).length / a.length;
    expect(rate).toBeGreaterThan(0.03);
    expect(rate).toBeLessThan(0.07);
    expect(await run('x')).toEqual(a);
    expect(await run('y')).not.toEqual(a);
  });

  it('always times out at rate 1 and rejects a rate outside [0, 1]', async () => {
    const error = await rejection(geocoder({ failureRate: 1 }).geocode(q('350 Fifth Avenue')));
    expect(error).toMatchObject({ code: 'geo_timeout' });
    expect(() => geocoder({ failureRate: -0.1 })).toThrow(RangeError);
  });

  it('uses no timer when latency is 0, and waits when it is not', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    await geocoder().geocode(q('350 Fifth Avenue'));
    expect(spy).not.toHaveBeenCalled();
    const started = performance.now();
    await geocoder({ latency: { minMs: 25, maxMs: 25 } }).geocode(q('350 Fifth Avenue'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(24);
    expect(spy).toHaveBeenCalled();
  });
});
