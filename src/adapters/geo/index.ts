// The one place that picks the geocoder: mock or Google, from config alone (never from NODE_ENV).
import type { LatencyRange } from '../../shared/seeded-random.js';
import type { Geocoder } from './geocoder.js';
import { GoogleGeocoder } from './google-geocoder.js';
import { MockGeocoder } from './mock-geocoder.js';

export interface GeoConfig {
  provider: 'mock' | 'google';
  mock: { failureRate: number; latency: LatencyRange; seed: string };
  google: { apiKey?: string; baseUrl?: string; timeoutMs: number };
}

export function createGeocoder(config: GeoConfig): Geocoder {
  switch (config.provider) {
    case 'mock':
      return new MockGeocoder(config.mock);
    case 'google': {
      const { apiKey, baseUrl, timeoutMs } = config.google;
      if (!apiKey) throw new Error('GOOGLE_MAPS_API_KEY is required when the geo provider is google');
      return new GoogleGeocoder({ apiKey, timeoutMs, ...(baseUrl ? { baseUrl } : {}) });
    }
  }
}

/** The original Python system's name for this factory (`get_geo_service()`), kept for readers porting from it. */
export const getGeoService = createGeocoder;
