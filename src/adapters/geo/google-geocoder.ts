// The real geocoder: Google's Geocoding API over plain fetch. Google reports most failures with HTTP 200 and a
// `status` field, so the body decides, not the HTTP code. The API key travels only in the request URL: it is
// never logged and never put into an error.
import { UnavailableError, ValidationError } from '../../errors.js';
import type { AddressQuery, GeocodeResult, Geocoder } from './geocoder.js';

export interface GoogleGeocoderOptions {
  apiKey: string;
  /** Default https://maps.googleapis.com; tests point it at a local fake. */
  baseUrl?: string;
  timeoutMs: number;
}

interface GoogleAddressComponent {
  long_name?: unknown;
  types?: unknown;
}

interface GoogleGeocodeResponse {
  status?: unknown;
  results?: Array<{
    formatted_address?: unknown;
    geometry?: { location?: { lat?: unknown; lng?: unknown } };
    address_components?: GoogleAddressComponent[];
  }>;
}

function unavailable(code: 'geo_unavailable' | 'geo_timeout', diagnostic: string): UnavailableError {
  const error =
    code === 'geo_timeout'
      ? new UnavailableError(code, 'Address lookup timed out. Please retry.')
      : new UnavailableError(code, 'Address lookup is unavailable right now. Please retry in a moment.');
  // A key-free description for the logs (the fetch error itself could echo the request).
  error.cause = new Error(diagnostic);
  return error;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function postalCodeOf(components: GoogleAddressComponent[] | undefined): string | null {
  const found = components?.find((c) => Array.isArray(c.types) && c.types.includes('postal_code'));
  return typeof found?.long_name === 'string' ? found.long_name : null;
}

export class GoogleGeocoder implements Geocoder {
  readonly provider = 'google' as const;

  readonly #apiKey: string;
  readonly #endpoint: string;
  readonly #timeoutMs: number;

  constructor(options: GoogleGeocoderOptions) {
    if (!options.apiKey) throw new Error('GoogleGeocoder needs an API key');
    this.#apiKey = options.apiKey;
    const base = (options.baseUrl ?? 'https://maps.googleapis.com').replace(/\/+$/, '');
    // Parsed here so a malformed base URL fails at start-up, not on the first order.
    this.#endpoint = new URL(`${base}/maps/api/geocode/json`).href;
    this.#timeoutMs = options.timeoutMs;
  }

  async geocode(query: AddressQuery): Promise<GeocodeResult> {
    const text = `${query.address.trim()}, ${query.city.trim()} ${query.zipCode.trim()}`;
    const url = new URL(this.#endpoint);
    url.searchParams.set('address', text);
    // The restaurant delivers in the US; without this a bare street name can match abroad.
    url.searchParams.set('components', 'country:US');
    url.searchParams.set('key', this.#apiKey);

    let body: string;
    let httpStatus: number;
    try {
      // The same signal bounds the body read, so a server that stalls mid-body also times out.
      const response = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
      httpStatus = response.status;
      body = await response.text();
    } catch (error) {
      if (isTimeout(error))
        throw unavailable('geo_timeout', `Google geocode: no answer in ${this.#timeoutMs} ms`);
      throw unavailable('geo_unavailable', 'Google geocode: network error');
    }
    if (httpStatus >= 500) throw unavailable('geo_unavailable', `Google geocode: HTTP ${httpStatus}`);

    let parsed: GoogleGeocodeResponse;
    try {
      parsed = JSON.parse(body) as GoogleGeocodeResponse;
    } catch {
      throw unavailable('geo_unavailable', `Google geocode: malformed JSON (HTTP ${httpStatus})`);
    }
    if (typeof parsed !== 'object' || parsed === null) {
      throw unavailable('geo_unavailable', `Google geocode: unexpected body (HTTP ${httpStatus})`);
    }

    switch (parsed.status) {
      case 'OK':
        break;
      case 'ZERO_RESULTS': {
        const message = `We couldn't find '${text.slice(0, 200)}'. Please check the street address and zip code.`;
        throw new ValidationError('address_not_found', message, [
          { field: 'delivery_address', message: 'No place matches this address.' },
        ]);
      }
      default:
        // OVER_QUERY_LIMIT, REQUEST_DENIED, INVALID_REQUEST, UNKNOWN_ERROR, or anything new.
        throw unavailable(
          'geo_unavailable',
          `Google geocode: status ${String(parsed.status)} (HTTP ${httpStatus})`,
        );
    }

    const first = Array.isArray(parsed.results) ? parsed.results[0] : undefined;
    const lat = first?.geometry?.location?.lat;
    const lng = first?.geometry?.location?.lng;
    if (
      typeof lat !== 'number' ||
      typeof lng !== 'number' ||
      !Number.isFinite(lat) ||
      !Number.isFinite(lng)
    ) {
      throw unavailable('geo_unavailable', 'Google geocode: OK without a usable location');
    }
    return {
      lat,
      lng,
      formattedAddress: typeof first?.formatted_address === 'string' ? first.formatted_address : text,
      postalCode: postalCodeOf(first?.address_components),
    };
  }
}
