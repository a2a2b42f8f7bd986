// The development geocoder: no network, no key. Any plausible address gets stable coordinates inside the default
// delivery zone (a pure function of the normalised address, so the same address always lands on the same spot),
// the seed's sample address lands on its real place, and ZIP 07102 (Newark, NJ) far outside the zone, so a
// developer can see an out-of-zone answer. Timeouts are simulated from the seeded stream.
import { UnavailableError, ValidationError, type ErrorDetail } from '../../errors.js';
import {
  createRandom,
  sampleLatency,
  simulateLatency,
  type LatencyRange,
} from '../../shared/seeded-random.js';
import type { AddressQuery, GeocodeResult, Geocoder, GeoPoint } from './geocoder.js';

export interface MockGeocoderOptions {
  /** Probability in [0, 1] that a lookup times out (after passing validation). */
  failureRate: number;
  latency: LatencyRange;
  seed: string;
}

/** Midtown Manhattan, the default restaurant location. */
export const MOCK_GEO_CENTER: GeoPoint = { lat: 40.7505, lng: -73.9934 };
/** Mock places stay inside this disc (a little under 3 km, so rounding never pushes one past a 3 km zone). */
export const MOCK_GEO_RADIUS_KM = 2.9;

/** The seed README's sample order, at its real place (the Empire State Building). */
const KNOWN_PLACES = [
  {
    address: '350 fifth avenue',
    zip: '10001',
    result: {
      lat: 40.74844,
      lng: -73.985664,
      formattedAddress: '350 Fifth Avenue, New York, NY 10001',
      postalCode: '10001',
    },
  },
] as const;

/**
 * The one ZIP code the mock places far away: downtown Newark, about 15 km west of Midtown, outside any zone
 * under 14 km around the default restaurant. Any street with this ZIP lands there (within 0.5 km).
 */
export const MOCK_FAR_ZIP = '07102';
const FAR_PLACE = { center: { lat: 40.7357, lng: -74.1724 }, radiusKm: 0.5, state: 'NJ' } as const;

const NEW_YORK_NAMES = new Set(['new york', 'new york city', 'nyc', 'manhattan', 'new york ny']);

const WORD_ALIASES: Readonly<Record<string, string>> = {
  ave: 'avenue',
  av: 'avenue',
  st: 'street',
  str: 'street',
  rd: 'road',
  blvd: 'boulevard',
  dr: 'drive',
  pl: 'place',
  ln: 'lane',
  ct: 'court',
  sq: 'square',
  pkwy: 'parkway',
  hwy: 'highway',
  n: 'north',
  s: 'south',
  e: 'east',
  w: 'west',
  '1st': 'first',
  '2nd': 'second',
  '3rd': 'third',
  '4th': 'fourth',
  '5th': 'fifth',
  '6th': 'sixth',
  '7th': 'seventh',
  '8th': 'eighth',
  '9th': 'ninth',
  '10th': 'tenth',
  '11th': 'eleventh',
  '12th': 'twelfth',
};

const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;
const ZIP = /^(\d{5})(?:-\d{4})?$/;

/** Lower case, no accents or punctuation, common abbreviations spelled out: "350 5th Ave." -> "350 fifth avenue". */
export function normalizeAddressText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .map((word) => WORD_ALIASES[word] ?? word)
    .join(' ');
}

function tidy(text: string): string {
  return text.trim().replace(/\s+/g, ' ').replace(/,+$/, '');
}

function validate(query: AddressQuery): void {
  const details: ErrorDetail[] = [];
  const address = query.address.trim();
  if (address.length < 3 || !/\p{L}/u.test(address)) {
    details.push({
      field: 'delivery_address',
      message: 'A street address needs a street name, e.g. "350 Fifth Avenue".',
    });
  }
  if (!/\p{L}/u.test(query.city)) {
    details.push({ field: 'city', message: 'The city needs a name, e.g. "New York".' });
  }
  if (!ZIP.test(query.zipCode.trim())) {
    details.push({ field: 'zip_code', message: 'A US zip code has 5 digits, e.g. 10001.' });
  }
  if (details.length === 0) return;
  const shown = `${tidy(query.address)}, ${tidy(query.city)} ${tidy(query.zipCode)}`.slice(0, 200);
  throw new ValidationError(
    'address_not_found',
    `We couldn't find '${shown}'. Please check the street address and zip code.`,
    details,
  );
}

function place(query: AddressQuery): GeocodeResult {
  const address = normalizeAddressText(query.address);
  const city = normalizeAddressText(query.city);
  const zipMatch = ZIP.exec(query.zipCode.trim());
  const zip5 = zipMatch?.[1] ?? query.zipCode.trim();

  const known = KNOWN_PLACES.find((p) => p.address === address && p.zip === zip5 && NEW_YORK_NAMES.has(city));
  if (known) return { ...known.result };

  const far = zip5 === MOCK_FAR_ZIP;
  const { lat, lng } = spotInDisc(
    far ? FAR_PLACE.center : MOCK_GEO_CENTER,
    far ? FAR_PLACE.radiusKm : MOCK_GEO_RADIUS_KM,
    `geo-place:${address}|${city}|${zip5}`,
  );
  return {
    lat,
    lng,
    // Every other mock place is in Manhattan, hence NY.
    formattedAddress: `${tidy(query.address)}, ${tidy(query.city)}, ${far ? FAR_PLACE.state : 'NY'} ${zip5}`,
    postalCode: tidy(query.zipCode),
  };
}

/**
 * A stable spot in the disc, uniform over its area (radius ~ sqrt(u)). Drawn from a hash of the address, not
 * the outcome stream, so the spot never depends on MOCK_SEED or on how many lookups came before.
 */
function spotInDisc(center: GeoPoint, radiusKm: number, key: string): GeoPoint {
  const random = createRandom(key);
  const distanceKm = radiusKm * Math.sqrt(random());
  const bearing = 2 * Math.PI * random();
  const lat = center.lat + (distanceKm * Math.cos(bearing)) / KM_PER_DEGREE;
  const lng =
    center.lng + (distanceKm * Math.sin(bearing)) / (KM_PER_DEGREE * Math.cos((center.lat * Math.PI) / 180));
  return { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
}

export class MockGeocoder implements Geocoder {
  readonly provider = 'mock' as const;

  readonly #failureRate: number;
  readonly #latency: LatencyRange;
  readonly #failureRandom: () => number;
  readonly #latencyRandom: () => number;

  constructor(options: MockGeocoderOptions) {
    if (!(options.failureRate >= 0 && options.failureRate <= 1)) {
      throw new RangeError(`failureRate must be between 0 and 1, got ${options.failureRate}`);
    }
    this.#failureRate = options.failureRate;
    this.#latency = options.latency;
    this.#failureRandom = createRandom(`geo-failure:${options.seed}`);
    this.#latencyRandom = createRandom(`geo-latency:${options.seed}`);
  }

  async geocode(query: AddressQuery): Promise<GeocodeResult> {
    validate(query);
    // Drawn before waiting, so the seeded sequence follows call order whatever the timers do.
    const timesOut = this.#failureRandom() < this.#failureRate;
    const wait = simulateLatency(sampleLatency(this.#latency, this.#latencyRandom));
    if (wait) await wait;
    if (timesOut)
      throw new UnavailableError('geo_timeout', 'Address lookup timed out (simulated). Please retry.');
    return place(query);
  }
}
