// Property-based fuzzing of the inputs every request carries besides an order body (DESIGN invariant 5):
// Cookie headers on the protected routes (malformed percent-encoding, huge, unicode, many cookies), query and
// path parameters on every GET route of the app (NUL, lone surrogates, huge and negative numbers, dates such
// as 0000-01-01 and 99999-12-31), and correctly signed Stripe events of any shape. Whatever arrives, the
// answer is never a 5xx, and every JSON error has the `{ error, message }` shape. The routes are read from
// the app's own route table, so a new GET route is fuzzed the day it is added.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStripePayload } from '../../src/adapters/payment/stripe-signature.js';
import { isProtected } from '../../src/http/dashboard-auth.js';
import { hostileValues, weirdNumber, withNul } from '../helpers/fuzz-inputs.js';
import { routesOf } from '../helpers/route-table.js';
import { STAGING_ON_MOCKS } from '../helpers/staging-env.js';
import { type TestApp, createTestApp } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

const TOKEN = 'fuzz-inputs-dashboard-token-0123456789';
const WEBHOOK_SECRET = 'whsec_fuzz_inputs';

// ---------------------------------------------------------------------------------------------------------
// Generators

const { weirdText, garbage } = hostileValues(
  ['confirmed', 'voice', 'api', 'pickup', 'evt_1', 'pi_1', 'cs_test_1'],
  ['id', 'type', 'object', 'data', 'metadata'],
);

const WEIRD_DATES = [
  '0000-01-01',
  '0001-01-01',
  '0099-12-31',
  '1000-01-01',
  '9999-12-31',
  '99999-12-31',
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '-0001-01-01',
  '+002026-01-01',
  '2026-1-1',
  '2026-01-01T00:00:00Z',
  '1970-01-01',
  'today',
];

/** Percent-encoded fragments as clients really send them: malformed, overlong, a surrogate's bytes, NUL. */
const RAW_FRAGMENTS = [
  '%',
  '%%',
  '%ZZ',
  '%E0%A4%A',
  '%ED%A0%80',
  '%ED%B0%80',
  '%C0%80',
  '%FF',
  '%00',
  'a%00b',
  '%2e%2e%2f',
  '../..',
  '+',
  '[]',
];

const numberText = fc.oneof(
  weirdNumber.map(String),
  fc.bigInt().map(String),
  fc.constantFrom('-1', '0', '1', '00', '1e309', '99999999999999999999', '0x10', ' 1', '1.5', 'NaN'),
);

/** A parameter value: text, numbers, dates and the words the routes know. */
const paramText = fc.oneof(
  weirdText,
  withNul,
  numberText,
  fc.constantFrom(...WEIRD_DATES, '\ud800', 'a\udfff', 'confirmed', 'failed', 'voice', 'api', 'index.html'),
);

/** Percent-encodes every byte but the unreserved ones; a lone surrogate as the 3 bytes some clients send. */
function encodeLoose(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const bytes =
      code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        : [...Buffer.from(char, 'utf8')];
    for (const byte of bytes) {
      const c = String.fromCharCode(byte);
      out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Either encoded text or a raw fragment (sent as it is). */
const urlPiece = fc.oneof(
  { weight: 4, arbitrary: paramText.map(encodeLoose) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_FRAGMENTS) },
);

const QUERY_KEYS = ['q', 'date', 'page', 'page_size', 'status', 'source', 'error', 'token', 'limit'];

const queryString = fc
  .array(
    fc.tuple(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: urlPiece }),
      fc.option(urlPiece, { freq: 8, nil: undefined }),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([key, value]) => (value === undefined ? key : `${key}=${value}`)).join('&'));

/** A route pattern with its parameters (`:id`, `*`) filled in. */
const filledRoute = (routes: string[]) =>
  fc
    .tuple(
      fc.constantFrom(...routes),
      fc.array(urlPiece, { minLength: 3, maxLength: 3 }),
      fc.constantFrom('', '/', '//', '/../'),
    )
    .map(([route, values, wildcardExtra]) => {
      let i = 0;
      return route
        .replace(/:[A-Za-z]+/g, () => values[i++ % values.length] ?? '')
        .replace(/\*$/, () => `${values[2] ?? ''}${wildcardExtra}`);
    });

/** What a browser, a proxy or an attacker may put in a Cookie header. */
const cookieValue = fc.oneof(
  fc.constantFrom(...RAW_FRAGMENTS, '', '=', '""', '"%E0%A4%A"', 'a'.repeat(43), '_'.repeat(43)),
  fc.string({ maxLength: 60 }).map(encodeLoose),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(1_000, 8_000, 20_000).map((n) => '%E0'.repeat(n)),
);

const cookieHeader = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.constant('dashboard_session') },
        { weight: 1, arbitrary: fc.constantFrom('a', ' dashboard_session', 'DASHBOARD_SESSION', '', '%') },
      ),
      cookieValue,
    ),
    { minLength: 1, maxLength: 4 },
  )
  .chain((pairs) =>
    fc
      .constantFrom('; ', ';', ',', ' ; ')
      .map((separator) => pairs.map(([name, value]) => `${name}=${value}`).join(separator)),
  )
  // The HTTP parser refuses CR, LF and NUL in a header; everything else reaches the app.
  .map((header) => header.replace(/[\r\n\0]/g, ''));

const STRIPE_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.refunded',
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.expired',
  'customer.created',
];

const stripeId = (prefix: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.uuid().map((id) => `${prefix}_${id.replaceAll('-', '')}`) },
    { weight: 2, arbitrary: weirdText },
    { weight: 1, arbitrary: garbage },
  );

/** The data.object of an event: the fields the webhook reads, each valid, odd or missing. */
const stripeObject = fc.record(
  {
    id: fc.oneof(stripeId('pi'), stripeId('cs')),
    object: fc.constantFrom('payment_intent', 'charge', 'checkout.session'),
    status: fc.constantFrom('succeeded', 'processing', 'requires_payment_method'),
    payment_status: fc.oneof(fc.constantFrom('paid', 'unpaid'), garbage),
    payment_intent: fc.oneof(stripeId('pi'), fc.record({ id: stripeId('pi') })),
    amount_received: fc.oneof(weirdNumber, garbage),
    refunded: fc.oneof(fc.boolean(), garbage),
    refunds: fc.oneof(
      fc.record({ data: fc.array(fc.record({ id: stripeId('re') }), { maxLength: 2 }) }),
      garbage,
    ),
    metadata: fc.oneof(fc.record({ idempotency_key: fc.oneof(fc.uuid(), weirdText) }), garbage),
    last_payment_error: fc.oneof(
      fc.record({ code: weirdText, decline_code: weirdText, message: weirdText }, { requiredKeys: [] }),
      garbage,
    ),
  },
  { requiredKeys: [] },
);

const anyStripeBody: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          id: stripeId('evt'),
          object: fc.oneof({ weight: 5, arbitrary: fc.constant('event') }, { weight: 1, arbitrary: garbage }),
          type: fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(...STRIPE_TYPES) },
            { weight: 1, arbitrary: weirdText },
          ),
          created: weirdNumber,
          data: fc.oneof(
            { weight: 5, arbitrary: fc.record({ object: stripeObject }) },
            { weight: 1, arbitrary: garbage },
          ),
        },
        { requiredKeys: ['object'] },
      )
      .map((event) => JSON.stringify(event)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? '') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

/** A body that prints cut to a readable length when a case fails (the seed and path replay it whole). */
const stripeBody = anyStripeBody.map((text) => {
  const shown = text.length > 500 ? `${text.slice(0, 500)}… (${text.length} chars)` : text;
  return { text, [fc.toStringMethod]: () => JSON.stringify(shown) };
});

// ---------------------------------------------------------------------------------------------------------
// Checks

interface Sent {
  status: number;
  type: string;
  body: string;
}

/** Any route, the event stream too: a text/event-stream never ends, so only its head is read. */
async function send(
  app: FastifyInstance,
  method: HTTPMethods,
  url: string,
  headers: Record<string, string>,
  payload?: string,
): Promise<Sent> {
  const res = await app.inject({ method, url, headers, payload, payloadAsStream: true });
  const type = String(res.headers['content-type'] ?? '');
  const stream = res.stream();
  if (type.startsWith('text/event-stream')) {
    stream.destroy();
    return { status: res.statusCode, type, body: '' };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return { status: res.statusCode, type, body: Buffer.concat(chunks).toString('utf8') };
}

const deliverStripe = (app: FastifyInstance, body: string) =>
  send(
    app,
    'POST',
    '/webhook/stripe',
    {
      'content-type': 'application/json',
      'stripe-signature': signStripePayload(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
    },
    body,
  );

/** Below 500, and a JSON error is the project's shape (src/http/error-handler.ts), without internals. */
function expectNo5xx(what: string, sent: Sent): void {
  const shown = `${what} -> ${sent.status} ${sent.body.slice(0, 300)}`;
  expect(sent.status, shown).toBeLessThan(500);
  if (sent.status >= 400 && sent.type.startsWith('application/json')) {
    const body = JSON.parse(sent.body) as Record<string, unknown>;
    expect(typeof body.error, shown).toBe('string');
    expect(typeof body.message, shown).toBe('string');
    expect(JSON.stringify(body), shown).not.toMatch(/"stack"|at .*\.ts:\d+/);
  }
}

// ---------------------------------------------------------------------------------------------------------

const FUZZ_TIMEOUT_MS = 120_000;
const COOKIE_RUNS = 80;
const QUERY_RUNS = 150;
const STRIPE_RUNS = 80;

describe.each(availableBackends())('fuzzed cookies, query parameters and Stripe events on %s', (backend) => {
  /** Development: every route open (and the development-only ones registered), Stripe events accepted. */
  let open: TestApp;
  /** Staging: the dashboard guard reads the cookies. */
  let guarded: TestApp;

  beforeAll(async () => {
    open = await createTestApp(backend, { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    guarded = await createTestApp(backend, {
      ...STAGING_ON_MOCKS,
      DASHBOARD_TOKEN: TOKEN,
      VAPI_WEBHOOK_SECRET: 'fuzz-inputs-vapi-secret-0123456789',
    });
  });
  afterAll(async () => {
    await open?.close();
    await guarded?.close();
  });

  it('reads the GET routes from the route table', () => {
    const routes = routesOf(open.app, 'GET');
    for (const route of ['/api/orders', '/api/orders/:id', '/api/reports/:date', '/api/dashboard-data'])
      expect(routes).toContain(route);
  });

  it(
    `answers any Cookie header on a protected route with no 5xx (${COOKIE_RUNS} runs)`,
    async () => {
      const protectedRoutes = (['GET', 'POST', 'PATCH'] as const).flatMap((method) =>
        routesOf(guarded.app, method)
          .filter((route) => isProtected(method, route))
          .map((route) => ({ method, route })),
      );
      expect(protectedRoutes.length).toBeGreaterThan(5);
      const request = fc.record({
        target: fc.constantFrom(...protectedRoutes),
        cookie: cookieHeader,
        // With the token, a bad cookie must not stand in its way (reads only: nothing is cancelled).
        withToken: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ target, cookie, withToken }) => {
          const url = target.route.replace(/:[A-Za-z]+/g, '1').replace(/\*$/, 'app.js');
          const token = withToken && target.method === 'GET';
          const read = target.method === 'GET';
          const headers: Record<string, string> = {
            cookie,
            ...(token ? { authorization: `Bearer ${TOKEN}` } : {}),
            ...(read ? {} : { 'content-type': 'application/json' }),
          };
          const sent = await send(guarded.app, target.method, url, headers, read ? undefined : '{}');
          expectNo5xx(`${target.method} ${url} cookie ${JSON.stringify(cookie.slice(0, 200))}`, sent);
          // No cookie of these is a session: without the token, the guard refuses (a redirect for pages).
          if (!token) expect([401, 303], `${target.method} ${url}`).toContain(sent.status);
        }),
        { numRuns: COOKIE_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `answers any query and path parameters on every GET route with no 5xx (${QUERY_RUNS} runs)`,
    async () => {
      const routes = routesOf(open.app, 'GET');
      const request = fc.record({ path: filledRoute(routes), query: queryString });
      await fc.assert(
        fc.asyncProperty(request, async ({ path, query }) => {
          const url = query === '' ? path : `${path}?${query}`;
          expectNo5xx(`GET ${url.slice(0, 300)}`, await send(open.app, 'GET', url, {}));
        }),
        { numRuns: QUERY_RUNS },
      );
      // Every route was tried with parameters too: each pattern at least once more, with the hardest values.
      for (const route of routes) {
        for (const value of ['%00', '0000-01-01', '99999-12-31', '-1', '99999999999999999999', '%ED%A0%80']) {
          const path = route.replace(/:[A-Za-z]+/g, value).replace(/\*$/, value);
          const url = `${path}?q=${value}&date=${value}&page=${value}&page_size=${value}`;
          expectNo5xx(`GET ${url}`, await send(open.app, 'GET', url, {}));
        }
      }
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `answers any correctly signed Stripe event with no 5xx (${STRIPE_RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(stripeBody, fc.boolean(), async ({ text }, again) => {
          const first = await deliverStripe(open.app, text);
          expectNo5xx(`stripe ${text.slice(0, 300)}`, first);
          // Applied or ignored (200), not an event or unusable (400), over the webhook's body limit (413).
          expect([200, 400, 413], text.slice(0, 300)).toContain(first.status);
          // A redelivery (Stripe retries) is answered the same way.
          if (again) expect((await deliverStripe(open.app, text)).status).toBe(first.status);
        }),
        { numRuns: STRIPE_RUNS },
      );
      // The app still applies a real event afterwards.
      const id = `evt_${randomUUID().replaceAll('-', '')}`;
      const event = JSON.stringify({ id, object: 'event', type: 'customer.created', data: { object: {} } });
      expect((await deliverStripe(open.app, event)).status).toBe(200);
    },
    FUZZ_TIMEOUT_MS,
  );
});
