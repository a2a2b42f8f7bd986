// Property-based fuzzing of POST /api/orders and POST /api/orders/quote (DESIGN invariant 5): whatever the
// bytes, headers and JSON shape, the answer is never a 5xx, every 4xx is the `{ error, message, details? }`
// shape, and afterwards the database holds no partial order: every order has its items, confirmed totals add
// up as the schema defines them, and every idempotency claim points at a stored order. Mock failures are off.
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStatement } from '../../src/db/client.js';
import { PHONE_PATTERN } from '../../src/http/schemas/common.js';
import { type TestApp, createTestApp } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { type Rule, expectNoBrokenRules, orderConsistencyRules } from '../helpers/order-consistency.js';
import { MENU, RAW, RAW_JSON, deepJson, hostileValues, menuLine, setOwn } from '../helpers/fuzz-inputs.js';

// ---------------------------------------------------------------------------------------------------------
// Generators

const ITEM_NAMES = MENU.items.flatMap((i) => [i.name, i.id, ...i.aliases]);
const OPTION_NAMES = MENU.items.flatMap((i) => i.option_groups.flatMap((g) => g.options.map((o) => o.name)));

const { weirdText, weirdKey, garbage } = hostileValues(
  ['10001', '10001-1234', 'Pizza Margherita', 'pickup', 'delivery'],
  ['items'],
);

const line = menuLine({ withIds: true, maxQuantity: 5 });

const validBody = fc.record(
  {
    customer_name: fc.constantFrom('John Doe', 'Zoë Ñúñez 山田 🍕', "Robert'); DROP TABLE orders;--", '=1+1'),
    customer_phone: fc.constantFrom('555-123-4567', '+1 555 123 4567', '(212) 555-0100'),
    fulfillment: fc.constantFrom('delivery', 'pickup'),
    // The last two have no street name: the geocoder refuses them, and the attempt is stored as failed.
    delivery_address: fc.constantFrom(
      '350 Fifth Avenue',
      '1 Main St',
      '10 W 33rd St',
      'Apt 4B, 221 Baker St',
      '42',
      '🍕🍕🍕',
    ),
    city: fc.constantFrom('New York', 'NYC', 'Manhattan', 'Brooklyn'),
    zip_code: fc.constantFrom('10001', '10018', '10001-1234'),
    items: fc.array(line, { minLength: 1, maxLength: 4 }),
    notes: fc.constantFrom('ring the bell', 'well done 🍕', '=cmd|calc'),
  },
  { requiredKeys: ['customer_name', 'customer_phone', 'delivery_address', 'city', 'zip_code', 'items'] },
);

const TOP_FIELDS = [
  'customer_name',
  'customer_phone',
  'fulfillment',
  'delivery_address',
  'city',
  'zip_code',
  'items',
  'notes',
  'payment_method_id',
];
const LINE_FIELDS = ['name', 'item_id', 'quantity', 'unit_price', 'options'];

/** What to do to a valid body: data, not closures, so a failing case prints readably. */
type Mutation =
  | { op: 'set'; key: string; value: unknown }
  | { op: 'delete'; key: string }
  | { op: 'set-line'; index: number; key: string; value: unknown }
  | { op: 'delete-line'; index: number; key: string }
  | { op: 'items'; value: unknown }
  | { op: 'raw'; where: RawPlace; json: string };

/** Where a raw fragment goes: a prototype key at the top or in a line, an unknown line property, the notes. */
type RawPlace = 'top' | 'line' | 'line-constructor' | 'notes';
const RAW_PLACES: RawPlace[] = ['top', 'line', 'line-constructor', 'notes'];
const rawFragment = fc.oneof(deepJson, fc.constantFrom('{"isAdmin":true}', '{"prototype":{"polluted":1}}'));

const fieldValue = fc.oneof(garbage, fc.constantFrom('delivery', 'pickup', 'drone', 'PICKUP', ' pickup', ''));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant('set' as const),
    key: fc.oneof(fc.constantFrom(...TOP_FIELDS), weirdKey),
    value: fieldValue,
  }),
  fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...TOP_FIELDS) }),
  fc.record({
    op: fc.constant('set-line' as const),
    index: fc.nat(3),
    key: fc.oneof(fc.constantFrom(...LINE_FIELDS), weirdKey),
    value: fc.oneof(
      garbage,
      fc.constantFrom(...ITEM_NAMES, 'Sushi Platter', 'Piza Margarita', 'pizza-margherita', 'coke'),
      fc.array(fc.oneof(fc.constantFrom(...OPTION_NAMES), weirdText), { maxLength: 25 }),
    ),
  }),
  fc.record({
    op: fc.constant('delete-line' as const),
    index: fc.nat(3),
    key: fc.constantFrom(...LINE_FIELDS),
  }),
  fc.record({
    op: fc.constant('items' as const),
    value: fc.oneof(
      fc.constant([]),
      fc.constant(Array.from({ length: 51 }, () => ({ name: 'Coke', quantity: 1 }))),
      fc.constant(Array.from({ length: 50 }, () => ({ name: 'Coke', quantity: 99 }))),
      fc.array(garbage, { maxLength: 4 }),
      garbage,
    ),
  }),
  fc.record({ op: fc.constant('raw' as const), where: fc.constantFrom(...RAW_PLACES), json: rawFragment }),
);

function applyMutations(body: Record<string, unknown>, mutations: Mutation[]): string {
  const copy = structuredClone(body);
  let raw: string | null = null;
  for (const m of mutations) {
    const items = Array.isArray(copy.items) ? (copy.items as unknown[]) : [];
    const lineAt = (i: number) => {
      const found = items[i % Math.max(items.length, 1)];
      return typeof found === 'object' && found !== null && !Array.isArray(found)
        ? (found as Record<string, unknown>)
        : null;
    };
    switch (m.op) {
      case 'set':
        setOwn(copy, m.key, m.value);
        break;
      case 'delete':
        delete copy[m.key];
        break;
      case 'set-line':
        if (lineAt(m.index)) setOwn(lineAt(m.index) as Record<string, unknown>, m.key, m.value);
        break;
      case 'delete-line':
        delete lineAt(m.index)?.[m.key];
        break;
      case 'items':
        copy.items = m.value;
        break;
      case 'raw':
        // One raw fragment per body (the sentinel is replaced once): a prototype key or a deeply nested value.
        if (m.where === 'top') setOwn(copy, '__proto__', RAW);
        else if (m.where === 'notes') copy.notes = RAW;
        else if (lineAt(0))
          setOwn(lineAt(0) as Record<string, unknown>, m.where === 'line' ? 'extra' : 'constructor', RAW);
        raw = m.json;
        break;
    }
  }
  const text = JSON.stringify(copy);
  const fragment = raw;
  return fragment === null ? text : text.replace(RAW_JSON, () => fragment);
}

const idempotencyKey = fc.oneof(
  { weight: 5, arbitrary: fc.constant(undefined) },
  // A small pool, so keys repeat: replays (same body) and reused keys (other body) both happen.
  { weight: 4, arbitrary: fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3') },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 140 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'k'.repeat(128),
      'k'.repeat(129),
      'k'.repeat(10_000),
      'ключ-🍕',
      'a b',
      'é',
      'a\tb',
    ),
  },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('fuzz-key-1', 'other'), { minLength: 2, maxLength: 2 }) },
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/JSON',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/octet-stream',
  '*/*',
  '',
  ';;;',
  'application/json\u00e9',
];

interface FuzzRequest {
  kind: string;
  /** A string or bytes sent as they are. */
  payload: string | Buffer;
  headers: Record<string, string | string[]>;
  /** Sent again right after: a client retry, which must get the same answer. */
  retry?: boolean;
}

const withKey = (headers: Record<string, string | string[]>, key: string | string[] | undefined) =>
  key === undefined ? headers : { ...headers, 'idempotency-key': key };

const JSON_TYPE = { 'content-type': 'application/json' };

/** Prints a failing case with its payload cut to a readable length (the seed and path replay it whole). */
function printable(request: FuzzRequest): FuzzRequest {
  const text = typeof request.payload === 'string' ? request.payload : request.payload.toString('base64');
  const shown = text.length > 1_500 ? `${text.slice(0, 1_500)}… (${text.length} chars)` : text;
  const description = JSON.stringify({ ...request, payload: shown });
  return Object.assign(request, { [fc.toStringMethod]: () => description });
}

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(validBody, fc.array(mutation, { maxLength: 3 }), idempotencyKey, fc.boolean())
        .map(([body, mutations, key, retry]) => ({
          kind: mutations.length === 0 ? 'valid body' : 'mutated body',
          payload: applyMutations(body, mutations),
          headers: withKey(JSON_TYPE, key),
          retry,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          validBody,
          fc.oneof({ weight: 3, arbitrary: fc.constant('line' as const) }, fc.constantFrom(...RAW_PLACES)),
          rawFragment,
          // Mostly a valid key: the request is otherwise accepted, so every step (the request hash too) runs.
          fc.option(fc.oneof(fc.constantFrom('fuzz-key-1', 'fuzz-key-4'), fc.uuid()), {
            freq: 4,
            nil: undefined,
          }),
        )
        .map(([body, where, json, key]) => ({
          kind: 'valid body + raw fragment',
          payload: applyMutations(body, [{ op: 'raw', where, json }]),
          headers: withKey(JSON_TYPE, key),
        })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.jsonValue(), idempotencyKey).map(([value, key]) => ({
        kind: 'arbitrary JSON',
        payload: JSON.stringify(value) ?? '',
        headers: withKey(JSON_TYPE, key),
      })),
    },
    {
      weight: 1,
      arbitrary: fc.anything().map((value) => ({
        kind: 'anything serialised',
        payload: JSON.stringify(value) ?? '',
        headers: JSON_TYPE,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.uint8Array({ maxLength: 300 }), fc.option(fc.constantFrom(...CONTENT_TYPES)))
        .map(([bytes, type]): FuzzRequest => ({
          kind: 'raw bytes',
          payload: Buffer.from(bytes),
          headers: type === null ? {} : { 'content-type': type },
        })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(validBody, fc.nat(), idempotencyKey).map(([body, cut, key]) => {
        const text = JSON.stringify(body);
        return {
          kind: 'truncated JSON',
          payload: text.slice(0, cut % text.length),
          headers: withKey(JSON_TYPE, key),
        };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(validBody, fc.constantFrom(...CONTENT_TYPES)).map(([body, type]) => ({
        kind: 'valid body, any content-type',
        payload: JSON.stringify(body),
        headers: { 'content-type': type },
      })),
    },
    {
      weight: 1,
      arbitrary: deepJson.map((text) => ({ kind: 'deeply nested JSON', payload: text, headers: JSON_TYPE })),
    },
  )
  .map(printable);

// ---------------------------------------------------------------------------------------------------------
// Checks

interface ErrorBody {
  error: string;
  message: string;
  details?: Array<{ field?: string; message: string }>;
}

interface MoneyView {
  items: Array<{ quantity: number; unit_price: number; line_total: number }>;
  subtotal: number;
  tax: number;
  delivery_fee: number;
  total: number;
}

const toCents = (dollars: number) => Math.round(dollars * 100);

/** The project's error shape (src/http/error-handler.ts), as JSON, with no internals. */
function expectErrorShape(res: LightMyRequestResponse): ErrorBody {
  expect(res.headers['content-type'], res.body).toMatch(/^application\/json/);
  const body = res.json<ErrorBody>();
  expect(Object.keys(body).sort()).toEqual(
    body.details === undefined ? ['error', 'message'] : ['details', 'error', 'message'],
  );
  expect(body.error).toMatch(/^[a-z][a-z_]*$/);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  if (body.details !== undefined) {
    expect(Array.isArray(body.details)).toBe(true);
    for (const detail of body.details) {
      expect(typeof detail.message).toBe('string');
      if (detail.field !== undefined) expect(typeof detail.field).toBe('string');
      expect(detail).not.toHaveProperty('stack');
    }
  }
  return body;
}

/** The money of an order or a quote adds up: lines, subtotal, and total = subtotal + tax + delivery fee. */
function expectMoneyAddsUp(view: MoneyView): void {
  expect(view.items.length).toBeGreaterThan(0);
  let subtotal = 0;
  for (const item of view.items) {
    expect(toCents(item.line_total)).toBe(toCents(item.unit_price) * item.quantity);
    subtotal += toCents(item.line_total);
  }
  expect(toCents(view.subtotal)).toBe(subtotal);
  expect(toCents(view.total)).toBe(subtotal + toCents(view.tax) + toCents(view.delivery_fee));
}

const sql = (name: string, text: string): SqlStatement => ({ name: `fuzz_orders_${name}`, text });

/** The shared rules, and those of orders placed over HTTP. */
const consistencyRules = (t: TestApp): Record<string, Rule> => ({
  ...orderConsistencyRules(t),
  'line numbers not 1..n': sql(
    'line_numbers',
    `SELECT order_id FROM order_items GROUP BY order_id
      HAVING min(line_no) <> 1 OR max(line_no) <> count(*) OR count(DISTINCT line_no) <> count(*)`,
  ),
  'lines not priced from the menu': sql(
    'menu_prices',
    `SELECT i.id FROM order_items i LEFT JOIN menu_items m ON m.id = i.menu_item_id
      WHERE m.id IS NULL OR i.quantity < 1 OR i.line_total_cents <> i.unit_price_cents * i.quantity
         OR i.unit_price_cents <> m.price_cents + COALESCE(
              (SELECT sum((opt->>'priceDeltaCents')::int) FROM jsonb_array_elements(i.options) opt), 0)`,
  ),
  'confirmed orders without a successful payment': sql(
    'payments',
    `SELECT id FROM orders WHERE status = 'confirmed'
      AND (payment_status <> 'succeeded' OR payment_id IS NULL OR failure_code IS NOT NULL)`,
  ),
  'failed orders without a reason': sql(
    'failures',
    `SELECT id FROM orders WHERE status = 'failed' AND (failure_code IS NULL OR failure_reason IS NULL)`,
  ),
  // Every charge is made under a claimed key, so every confirmed order has one.
  'confirmed orders without their claim': sql(
    'unclaimed',
    `SELECT o.id FROM orders o WHERE o.status = 'confirmed'
      AND NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.order_id = o.id)`,
  ),
  // What the schema refuses never reaches a row, whatever path a request took.
  'stored text that validation refuses': [
    sql(
      'stored_text',
      `SELECT id FROM orders WHERE customer_phone !~ $1
        OR customer_name ~ '[[:cntrl:]]' OR btrim(customer_name) = '' OR length(customer_name) > 100
        OR delivery_address ~ '[[:cntrl:]]' OR city ~ '[[:cntrl:]]' OR length(notes) > 500`,
    ),
    [PHONE_PATTERN],
  ],
  'orders claimed twice': sql(
    'double_claims',
    `SELECT order_id FROM idempotency_keys WHERE order_id IS NOT NULL GROUP BY order_id HAVING count(*) > 1`,
  ),
});

const expectConsistentDatabase = (t: TestApp) => expectNoBrokenRules(t, consistencyRules(t));

// ---------------------------------------------------------------------------------------------------------

/** Hundreds of requests per property: well past the default test timeout on a loaded 2-core machine. */
const FUZZ_TIMEOUT_MS = 180_000;
const QUOTE_RUNS = 200;
const ORDER_RUNS = 300;
const ORDER_ERRORS = new Set([400, 402, 409, 413, 415, 422]);
const QUOTE_ERRORS = new Set([400, 413, 415, 422]);
/** What IdempotencyHeaders accepts: with such a key a retry replays the first order. */
const VALID_KEY = /^[\x21-\x7E]{1,128}$/;

describe.each(availableBackends())('fuzzed order input on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  const countRows = async () => {
    const [row] = await t.container.db.query<{ orders: number; items: number; claims: number }>(
      sql(
        'counts',
        `SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_items) AS items,
          (SELECT count(*)::int FROM idempotency_keys) AS claims`,
      ),
      [],
    );
    return row;
  };

  /** Sends the request and checks the property every answer has: below 500, and an error shape for 4xx. */
  async function send(url: string, request: FuzzRequest, errors: Set<number>, success: number) {
    const res = await t.app.inject({
      method: 'POST',
      url,
      payload: request.payload,
      headers: request.headers,
    });
    const what = `${request.kind}: ${res.statusCode} ${res.body.slice(0, 500)}`;
    expect(res.statusCode, what).toBeLessThan(500);
    if (res.statusCode === success) {
      expectMoneyAddsUp(res.json<MoneyView>());
      return { res, error: null };
    }
    expect(errors, what).toContain(res.statusCode);
    return { res, error: expectErrorShape(res).error };
  }

  it(
    `POST /api/orders/quote never answers 5xx and stores nothing (${QUOTE_RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fuzzRequest, async (request) => {
          const first = await send('/api/orders/quote', request, QUOTE_ERRORS, 200);
          if (!request.retry) return;
          // A quote is a pure function of the body: asking again gives the same answer.
          const again = await send('/api/orders/quote', request, QUOTE_ERRORS, 200);
          expect(again.res.statusCode).toBe(first.res.statusCode);
          expect(again.res.json()).toEqual(first.res.json());
        }),
        { numRuns: QUOTE_RUNS },
      );
      expect(await countRows()).toEqual({ orders: 0, items: 0, claims: 0 });
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `POST /api/orders never answers 5xx or leaves a partial order (${ORDER_RUNS} runs)`,
    async () => {
      const confirmed = new Map<number, number>();
      const errorCodes = new Set<string>();
      const place = async (request: FuzzRequest) => {
        const { res, error } = await send('/api/orders', request, ORDER_ERRORS, 201);
        if (error !== null) {
          errorCodes.add(error);
          return { status: res.statusCode, error, id: null };
        }
        const order = res.json<MoneyView & { id: number; status: string }>();
        expect(order.status).toBe('confirmed');
        const earlier = confirmed.get(order.id);
        // A replay answers with the first order, never with different money.
        if (earlier !== undefined) expect(toCents(order.total)).toBe(earlier);
        confirmed.set(order.id, toCents(order.total));
        return { status: res.statusCode, error, id: order.id, replayed: res.headers['idempotent-replayed'] };
      };
      await fc.assert(
        fc.asyncProperty(fuzzRequest, async (request) => {
          const first = await place(request);
          if (!request.retry) return;
          const again = await place(request);
          const key = request.headers['idempotency-key'];
          if (first.id !== null && typeof key === 'string' && VALID_KEY.test(key)) {
            // A retry with the same key is the same order, marked as a replay, and charged once.
            expect(again).toEqual({ ...first, replayed: 'true' });
          } else if (first.id === null) {
            // A refused request is refused again the same way (nothing it half-wrote changes the answer).
            expect(again).toEqual(first);
          }
        }),
        { numRuns: ORDER_RUNS },
      );

      await expectConsistentDatabase(t);
      // Every confirmed row is an order some request was told about (201), with the money it was told.
      const rows = await t.container.db.query<{ id: number; total_cents: number }>(
        sql('confirmed', `SELECT id, total_cents FROM orders WHERE status = 'confirmed' ORDER BY id`),
        [],
      );
      expect(new Map(rows.map((r) => [r.id, r.total_cents]))).toEqual(confirmed);
      // Failed attempts are kept only for reasons a request was answered with (address problems here).
      const failed = await t.container.db.query<{ failure_code: string; payment_status: string }>(
        sql('failed', `SELECT DISTINCT failure_code, payment_status FROM orders WHERE status = 'failed'`),
        [],
      );
      for (const row of failed) {
        expect(errorCodes).toContain(row.failure_code);
        expect(row.payment_status).toBe('not_attempted');
      }
    },
    FUZZ_TIMEOUT_MS,
  );
});
