import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GoogleGeocoder } from '../../src/adapters/geo/google-geocoder.js';
import { createGeocoder, type GeoConfig } from '../../src/adapters/geo/index.js';
import { MockGeocoder } from '../../src/adapters/geo/mock-geocoder.js';
import { DomainError, UnavailableError, ValidationError } from '../../src/errors.js';
import {
  FAKE_GOOGLE_API_KEY,
  startFakeGoogleGeocode,
  type FakeGoogleGeocode,
  type FakeGoogleMode,
} from '../helpers/fake-google-geocode.js';
import { geocoderContract } from './geocoder.contract.js';
import { rejection } from '../helpers/rejection.js';

geocoderContract('MockGeocoder', () =>
  Promise.resolve({
    geocoder: new MockGeocoder({ failureRate: 0, latency: { minMs: 0, maxMs: 0 }, seed: 'contract' }),
    close: () => Promise.resolve(),
  }),
);

geocoderContract('GoogleGeocoder against a local fake', async () => {
  const fake = await startFakeGoogleGeocode();
  return {
    geocoder: new GoogleGeocoder({ apiKey: FAKE_GOOGLE_API_KEY, baseUrl: fake.url, timeoutMs: 2000 }),
    close: () => fake.close(),
  };
});

const QUERY = { address: '350 Fifth Avenue', city: 'New York', zipCode: '10001' };

describe('GoogleGeocoder mapping (local fake)', () => {
  let fake: FakeGoogleGeocode;
  let geocoder: GoogleGeocoder;

  beforeAll(async () => {
    fake = await startFakeGoogleGeocode();
    // A trailing slash on the base URL must not produce "//maps".
    geocoder = new GoogleGeocoder({ apiKey: FAKE_GOOGLE_API_KEY, baseUrl: `${fake.url}/`, timeoutMs: 300 });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode('ok');
    fake.requests.length = 0;
  });

  it('sends the address, the US restriction and the key to /maps/api/geocode/json', async () => {
    const result = await geocoder.geocode(QUERY);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toEqual({
      path: '/maps/api/geocode/json',
      query: {
        address: '350 Fifth Avenue, New York 10001',
        components: 'country:US',
        key: FAKE_GOOGLE_API_KEY,
      },
    });
    expect(result).toEqual({
      lat: 40.7484405,
      lng: -73.9856644,
      formattedAddress: '350 5th Ave, New York, NY 10001, USA',
      postalCode: '10001',
    });
  });

  it('gives postalCode null when the result has no postal_code component', async () => {
    fake.setMode('no_postal_code');
    const result = await geocoder.geocode(QUERY);
    expect(result.postalCode).toBeNull();
  });

  it('maps ZERO_RESULTS to 422 address_not_found on delivery_address', async () => {
    fake.setMode('ZERO_RESULTS');
    const error = await rejection(geocoder.geocode(QUERY));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      status: 422,
      code: 'address_not_found',
      details: [expect.objectContaining({ field: 'delivery_address' })],
    });
    expect((error as Error).message).toContain('350 Fifth Avenue');
  });

  it.each<FakeGoogleMode>([
    'OVER_QUERY_LIMIT',
    'REQUEST_DENIED',
    'UNKNOWN_ERROR',
    'INVALID_REQUEST',
    'server_error',
    'malformed',
  ])('maps %s to 503 geo_unavailable', async (mode) => {
    fake.setMode(mode);
    const error = await rejection(geocoder.geocode(QUERY));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'geo_unavailable' });
  });

  it('maps no answer within the timeout to 503 geo_timeout', async () => {
    fake.setMode('hang');
    const started = Date.now();
    const error = await rejection(geocoder.geocode(QUERY));
    expect(error).toMatchObject({ status: 503, code: 'geo_timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('never puts the API key into an error, even when the key is rejected', async () => {
    const wrongKey = 'secret-wrong-key-987';
    const denied = new GoogleGeocoder({ apiKey: wrongKey, baseUrl: fake.url, timeoutMs: 1000 });
    const error = await rejection(denied.geocode(QUERY));
    expect(error).toMatchObject({ status: 503, code: 'geo_unavailable' });
    const err = error as Error & { cause?: unknown };
    const cause = err.cause instanceof Error ? err.cause.message : '';
    expect(`${err.message} ${cause} ${JSON.stringify(err)}`).not.toContain(wrongKey);
  });

  it('maps a refused connection to 503 geo_unavailable', async () => {
    const closed = await startFakeGoogleGeocode();
    const url = closed.url;
    await closed.close();
    const offline = new GoogleGeocoder({ apiKey: FAKE_GOOGLE_API_KEY, baseUrl: url, timeoutMs: 1000 });
    const error = await rejection(offline.geocode(QUERY));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ status: 503, code: 'geo_unavailable' });
  });
});

describe('createGeocoder', () => {
  const base: GeoConfig = {
    provider: 'mock',
    mock: { failureRate: 0.05, latency: { minMs: 0, maxMs: 0 }, seed: 's' },
    google: { timeoutMs: 1000 },
  };

  it('builds the mock for provider mock', () => {
    expect(createGeocoder(base)).toBeInstanceOf(MockGeocoder);
  });

  it('builds Google for provider google with a key', () => {
    const geocoder = createGeocoder({
      ...base,
      provider: 'google',
      google: { apiKey: 'k', timeoutMs: 1000 },
    });
    expect(geocoder).toBeInstanceOf(GoogleGeocoder);
    expect(geocoder.provider).toBe('google');
  });

  it('refuses provider google without a key', () => {
    expect(() => createGeocoder({ ...base, provider: 'google' })).toThrow(/GOOGLE_MAPS_API_KEY/);
  });
});
