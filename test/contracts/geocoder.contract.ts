// The behaviour every Geocoder must show, whatever provider is behind it. Run by geocoder.test.ts against the
// mock and against Google's adapter pointed at a local fake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Geocoder } from '../../src/adapters/geo/geocoder.js';
import { DomainError } from '../../src/errors.js';
import { distanceKm } from '../../src/modules/delivery/delivery-zone.js';

export interface GeocoderUnderTest {
  geocoder: Geocoder;
  close(): Promise<void>;
}

const SAMPLE = { address: '350 Fifth Avenue', city: 'New York', zipCode: '10001' };
const EMPIRE_STATE = { lat: 40.74844, lng: -73.985664 };

export function geocoderContract(name: string, makeGeocoder: () => Promise<GeocoderUnderTest>): void {
  describe(`Geocoder contract: ${name}`, () => {
    let subject: GeocoderUnderTest;
    beforeAll(async () => {
      subject = await makeGeocoder();
    });
    afterAll(async () => {
      await subject.close();
    });

    it("finds the seed's sample address at its real place", async () => {
      const result = await subject.geocoder.geocode(SAMPLE);
      expect(distanceKm(result, EMPIRE_STATE)).toBeLessThan(0.1);
      expect(result.formattedAddress).toMatch(/350/);
      expect(result.postalCode).toBe('10001');
    });

    it('gives the same address the same coordinates every time', async () => {
      const query = { address: '123 West 34th Street', city: 'New York', zipCode: '10001' };
      const a = await subject.geocoder.geocode(query);
      const b = await subject.geocoder.geocode({ ...query });
      expect(Number.isFinite(a.lat) && Number.isFinite(a.lng)).toBe(true);
      expect(Math.abs(a.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(a.lng)).toBeLessThanOrEqual(180);
      expect({ lat: b.lat, lng: b.lng }).toEqual({ lat: a.lat, lng: a.lng });
      expect(a.formattedAddress.length).toBeGreaterThan(0);
    });

    it('rejects an address that cannot be found with 422 address_not_found naming the field', async () => {
      const error = await subject.geocoder
        .geocode({ address: '!!! ???', city: 'New York', zipCode: '10001' })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ status: 422, code: 'address_not_found' });
      expect((error as DomainError).details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'delivery_address' })]),
      );
      expect((error as DomainError).message).toContain('!!! ???');
    });
  });
}
