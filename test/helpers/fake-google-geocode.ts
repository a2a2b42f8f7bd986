// A local stand-in for Google's `GET /maps/api/geocode/json`, answering the documented JSON shape. Its little
// "map": addresses with letters are found (the seed's 350 Fifth Avenue at its real place, others at a spot
// derived from the text), addresses without letters give ZERO_RESULTS, like Google.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FakeMode, closeServer, listenOnLoopback } from './loopback.js';

export type FakeGoogleMode =
  | 'ok'
  | 'no_postal_code'
  | 'ZERO_RESULTS'
  | 'OVER_QUERY_LIMIT'
  | 'REQUEST_DENIED'
  | 'INVALID_REQUEST'
  | 'UNKNOWN_ERROR'
  | 'server_error'
  | 'hang'
  | 'malformed';

export interface FakeGoogleRequest {
  path: string;
  /** The query string decoded, including `key`. */
  query: Record<string, string>;
}

export interface FakeGoogleGeocode {
  /** e.g. http://127.0.0.1:53211 (use as the geocoder's baseUrl) */
  readonly url: string;
  readonly requests: FakeGoogleRequest[];
  /** Sets how the next requests are answered; after `times` requests it returns to 'ok'. */
  setMode(mode: FakeGoogleMode, options?: { times?: number }): void;
  close(): Promise<void>;
}

/** The key the fake accepts; any other gives REQUEST_DENIED, like Google. */
export const FAKE_GOOGLE_API_KEY = 'fake-google-key-123';

function textHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function result(address: string, withPostalCode: boolean): Record<string, unknown> {
  const zip = /\b(\d{5})\b(?!.*\b\d{5}\b)/.exec(address)?.[1];
  const isSample = /^350 (fifth|5th) ave/i.test(address) && zip === '10001';
  const h = textHash(address.toLowerCase());
  const location = isSample
    ? { lat: 40.7484405, lng: -73.9856644 }
    : { lat: 40.7 + (h % 1000) / 10_000, lng: -74.0 + ((h >>> 10) % 1000) / 10_000 };
  const components: Array<Record<string, unknown>> = [
    { long_name: 'New York', short_name: 'New York', types: ['locality', 'political'] },
    { long_name: 'New York', short_name: 'NY', types: ['administrative_area_level_1', 'political'] },
    { long_name: 'United States', short_name: 'US', types: ['country', 'political'] },
  ];
  if (withPostalCode && zip) components.push({ long_name: zip, short_name: zip, types: ['postal_code'] });
  return {
    address_components: components,
    formatted_address: isSample ? '350 5th Ave, New York, NY 10001, USA' : `${address}, USA`,
    geometry: {
      location,
      location_type: 'ROOFTOP',
      viewport: {
        northeast: { lat: location.lat + 0.0013, lng: location.lng + 0.0013 },
        southwest: { lat: location.lat - 0.0013, lng: location.lng - 0.0013 },
      },
    },
    place_id: `ChIJ${h.toString(36)}`,
    types: ['street_address'],
  };
}

export async function startFakeGoogleGeocode(): Promise<FakeGoogleGeocode> {
  const requests: FakeGoogleRequest[] = [];
  const mode = new FakeMode<FakeGoogleMode>('ok');

  function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, query });

    if (req.method !== 'GET' || url.pathname !== '/maps/api/geocode/json') {
      send(res, 404, { error_message: 'Not found', results: [], status: 'INVALID_REQUEST' });
      return;
    }
    const current = mode.take();
    switch (current) {
      case 'hang':
        return;
      case 'server_error':
        send(res, 500, '<html><body>Server Error</body></html>');
        return;
      case 'malformed':
        send(res, 200, '{"results": [ {"formatted_address": "350 5th');
        return;
      case 'OVER_QUERY_LIMIT':
      case 'REQUEST_DENIED':
      case 'INVALID_REQUEST':
      case 'UNKNOWN_ERROR':
      case 'ZERO_RESULTS':
        send(res, 200, { error_message: `Simulated ${current}.`, results: [], status: current });
        return;
      default:
        break;
    }
    if (query.key !== FAKE_GOOGLE_API_KEY) {
      send(res, 200, {
        error_message: 'The provided API key is invalid.',
        results: [],
        status: 'REQUEST_DENIED',
      });
      return;
    }
    const address = query.address ?? '';
    if (!address) {
      send(res, 200, {
        error_message: "Invalid request. Missing the 'address' parameter.",
        results: [],
        status: 'INVALID_REQUEST',
      });
      return;
    }
    // The street part (before the first comma) must contain letters to be found.
    const street = address.split(',')[0] ?? '';
    if (!/\p{L}/u.test(street)) {
      send(res, 200, { results: [], status: 'ZERO_RESULTS' });
      return;
    }
    send(res, 200, { results: [result(address, current !== 'no_postal_code')], status: 'OK' });
  }

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  const url = await listenOnLoopback(server);

  return {
    url,
    requests,
    setMode(next, options = {}) {
      mode.set(next, options.times);
    },
    close: () => closeServer(server),
  };
}
