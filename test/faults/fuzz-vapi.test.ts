// Property-based fuzzing of POST /webhook/vapi (reference/vapi.md): random message types, tool calls with
// random names and random or malformed arguments (objects, JSON strings, broken JSON, arrays, nulls), missing
// call ids, huge and control-character strings, odd dates, broken bodies and credentials. The answer is never
// a 5xx; a tool-calls message is always answered in Vapi's `results` shape, one entry per call, each with its
// toolCallId and a result or an error (never our internal-error sentence, the voice form of a 500); and
// afterwards no partial order, claim or tool answer is left in the database.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStatement } from '../../src/db/client.js';
import { PHONE_PATTERN } from '../../src/http/schemas/common.js';
import { type TestApp, createTestApp } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';
import { type Rule, expectNoBrokenRules, orderConsistencyRules } from '../helpers/order-consistency.js';
import {
  RAW,
  RAW_JSON,
  deepJson,
  hostileValues,
  menuLine,
  setOwn,
  weirdNumber,
} from '../helpers/fuzz-inputs.js';

const SECRET = 'vapi-fuzz-secret';
const CALLER = '+14155550199';
const RESTAURANT_PHONE = '+12125550100';
/** What VoiceTools answers for an unexpected exception: the caller hears it instead of a 500. */
const INTERNAL_ERROR = /something went wrong on our side/i;

// ---------------------------------------------------------------------------------------------------------
// Generators

const { weirdText, weirdKey, garbage } = hostileValues(
  ['tool-calls\u0000', CALLER, 'get_menu', 'place_order', 'ended'],
  ['message', 'type'],
);

const line = menuLine({ withIds: false, maxQuantity: 4 });

/** place_order / quote_order arguments as the model would send them. */
const voiceOrder = fc.record(
  {
    customer_name: fc.constantFrom('Vera Voice', 'Zoë 山田 🍕', '=1+1'),
    customer_phone: fc.constantFrom('555-123-4567', CALLER),
    fulfillment: fc.constantFrom('delivery', 'pickup'),
    delivery_address: fc.constantFrom('350 Fifth Avenue', '10 W 33rd St', '42'),
    city: fc.constantFrom('New York', 'NYC'),
    zip_code: fc.constantFrom('10001', '10018'),
    items: fc.array(line, { minLength: 1, maxLength: 3 }),
    notes: fc.constantFrom('ring the bell', '=cmd|calc'),
    additional_order: fc.boolean(),
    payment: fc.constantFrom('on_delivery', 'text_link'),
  },
  { requiredKeys: ['customer_name', 'fulfillment', 'delivery_address', 'city', 'zip_code', 'items'] },
);

const ARG_FIELDS = [
  'customer_name',
  'customer_phone',
  'fulfillment',
  'delivery_address',
  'city',
  'zip_code',
  'items',
  'notes',
  'additional_order',
  'payment',
  'payment_method_id',
  'order_id',
  'phone',
  'category',
];

type ArgMutation =
  | { op: 'set'; key: string; value: unknown }
  | { op: 'delete'; key: string }
  | { op: 'set-line'; key: string; value: unknown };

const argMutation: fc.Arbitrary<ArgMutation> = fc.oneof(
  fc.record({
    op: fc.constant('set' as const),
    key: fc.oneof(fc.constantFrom(...ARG_FIELDS), weirdKey),
    value: fc.oneof(garbage, fc.constant(RAW)),
  }),
  fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...ARG_FIELDS) }),
  fc.record({
    op: fc.constant('set-line' as const),
    key: fc.oneof(fc.constantFrom('name', 'item_id', 'quantity', 'unit_price', 'options'), weirdKey),
    value: fc.oneof(garbage, fc.constant(RAW), fc.constantFrom('Sushi Platter', 'Piza Margarita')),
  }),
);

function mutate(args: Record<string, unknown>, mutations: ArgMutation[]): Record<string, unknown> {
  const copy = structuredClone(args);
  for (const m of mutations) {
    const first = Array.isArray(copy.items) ? (copy.items as unknown[])[0] : undefined;
    if (m.op === 'set') setOwn(copy, m.key, m.value);
    else if (m.op === 'delete') delete copy[m.key];
    else if (typeof first === 'object' && first !== null)
      setOwn(first as Record<string, unknown>, m.key, m.value);
  }
  return copy;
}

const orderArgs = fc
  .tuple(voiceOrder, fc.array(argMutation, { maxLength: 2 }))
  .map(([args, mutations]) => mutate(args, mutations));

/** A valid order with a field or two of the wrong type (a number for a name, an object for notes). */
const mistypedArgs = fc
  .tuple(
    voiceOrder,
    fc.dictionary(
      fc.constantFrom(...ARG_FIELDS),
      fc.oneof(
        weirdNumber,
        fc.boolean(),
        fc.constant(null),
        fc.array(weirdText, { maxLength: 2 }),
        fc.object(),
      ),
      { minKeys: 1, maxKeys: 2 },
    ),
  )
  .map(([order, wrong]) => ({ ...order, ...wrong }));

const placeArgs: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: voiceOrder },
  { weight: 3, arbitrary: orderArgs },
  { weight: 2, arbitrary: mistypedArgs },
  // Arguments as a JSON string (seen in captures), whole or cut short.
  { weight: 2, arbitrary: orderArgs.map((a) => JSON.stringify(a)) },
  {
    weight: 1,
    arbitrary: fc.tuple(orderArgs, fc.nat()).map(([a, cut]) => {
      const text = JSON.stringify(a);
      return text.slice(0, cut % text.length);
    }),
  },
);

const statusArgs = fc.record(
  {
    order_id: fc.oneof(fc.nat(60), fc.constantFrom('7', '9007199254740993', '-1', '1e3'), garbage),
    phone: fc.oneof(fc.constantFrom(CALLER, '555-123-4567', '555-123-4567\u0000'), weirdText, garbage),
  },
  { requiredKeys: [] },
);

const menuArgs = fc.record(
  { category: fc.oneof(fc.constantFrom('Pizza', 'Drinks', 'pizza'), garbage) },
  { requiredKeys: [] },
);

/** Anything at all as arguments, including none (the key left out). */
const anyArgs: fc.Arbitrary<unknown> = fc.oneof(
  placeArgs,
  statusArgs,
  menuArgs,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(undefined, null, '', '   ', '{', '[]', 'null', '"x"', '{"a":', '[1,2]', '{}', RAW),
);

/** Arguments meant for the named tool most of the time, as a model sends them; anything otherwise. */
function argsFor(name: string): fc.Arbitrary<unknown> {
  const meant = name === 'get_menu' ? menuArgs : name === 'check_order_status' ? statusArgs : placeArgs;
  return fc.oneof({ weight: 3, arbitrary: meant }, { weight: 1, arbitrary: anyArgs });
}

const MESSAGE_TYPES = [
  'tool-calls',
  'function-call',
  'assistant-request',
  'transfer-destination-request',
  'status-update',
  'end-of-call-report',
  'hang',
  'speech-update',
  'conversation-update',
  'model-output',
  'user-interrupted',
  'brand-new-type',
];
const TOOL_NAMES = ['get_menu', 'quote_order', 'place_order', 'check_order_status'];

/**
 * Replaced at each send by an id never used before. Stored tool answers are replayed per (call id, tool call
 * id), so ids generated by value would collide while a failure shrinks (every uuid shrinks to the same one)
 * and the counterexample would show a replayed answer instead of its cause.
 */
const FRESH = '\u0003fresh\u0003';
const FRESH_JSON = JSON.stringify(FRESH);
let freshIds = 0;
const freshen = (text: string) =>
  text.includes(FRESH_JSON) ? text.split(FRESH_JSON).reduce((a, b) => `${a}"fresh-${++freshIds}"${b}`) : text;

const callId = fc.oneof(
  // A few calls recur, so orders placed in one message are found, replayed or refused in later ones.
  { weight: 4, arbitrary: fc.constantFrom('call-a', 'call-b', 'call-c') },
  { weight: 2, arbitrary: fc.constant(FRESH) },
  { weight: 1, arbitrary: weirdText },
  { weight: 1, arbitrary: garbage },
);
const toolCallId = fc.oneof(
  { weight: 4, arbitrary: fc.constant(FRESH) },
  // Repeats: a redelivered tool call is answered from the stored first answer.
  { weight: 2, arbitrary: fc.constantFrom('call_1', 'call_2', 'toolu_1') },
  { weight: 1, arbitrary: weirdText },
  { weight: 1, arbitrary: garbage },
);

/** A tool name with arguments: mostly a real tool with its kind of arguments. */
const namedCall: fc.Arbitrary<[unknown, unknown]> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .constantFrom(...TOOL_NAMES)
      .chain((name) => fc.tuple(fc.constant<unknown>(name), argsFor(name))),
  },
  { weight: 2, arbitrary: fc.tuple(fc.oneof(weirdText, garbage), anyArgs) },
);

/** Every item shape reference/vapi.md section 3.2 has seen (an undefined id or name is left out), and garbage. */
const toolCallItem: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(
        fc.option(toolCallId, { nil: undefined, freq: 6 }),
        namedCall,
        fc.constantFrom('openai', 'flat', 'flat-parameters', 'wrapper', 'wrapper-parameters'),
      )
      .map(([id, [name, args], shape]) => {
        switch (shape) {
          case 'openai':
            return { id, type: 'function', function: { name, arguments: args } };
          case 'flat':
            return { id, name, arguments: args };
          case 'flat-parameters':
            return { id, name, parameters: args };
          case 'wrapper':
            return { name, toolCall: { id, type: 'function', function: { name, arguments: args } } };
          default:
            return { name, toolCall: { id, parameters: args } };
        }
      }),
  },
  { weight: 1, arbitrary: garbage },
);

const toolCallList = fc.oneof(
  { weight: 5, arbitrary: fc.array(toolCallItem, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: garbage },
);

const dateValue = fc.oneof(
  fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -1,
    1e12,
    1.7e12,
    253402300800,
    -3e11,
    8.64e15,
    '2026-01-31T18:53:49.010Z',
    '-100000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '0001-01-01',
    'yesterday',
    '',
  ),
  garbage,
);

const call = fc.record(
  {
    id: callId,
    orgId: fc.constant('org-1'),
    type: fc.constant('inboundPhoneCall'),
    customer: fc.oneof(fc.record({ number: fc.oneof(fc.constant(CALLER), weirdText, garbage) }), garbage),
    startedAt: dateValue,
    endedAt: dateValue,
    endedReason: weirdText,
    cost: fc.oneof(weirdNumber, garbage),
  },
  { requiredKeys: ['id'] },
);

const message = fc.record(
  {
    type: fc.oneof(
      { weight: 8, arbitrary: fc.constant('tool-calls') },
      { weight: 6, arbitrary: fc.constantFrom(...MESSAGE_TYPES) },
      { weight: 1, arbitrary: weirdText },
      { weight: 1, arbitrary: garbage },
    ),
    timestamp: fc.oneof(fc.constant(1_767_201_029_010), garbage),
    call: fc.oneof({ weight: 6, arbitrary: call }, { weight: 1, arbitrary: garbage }),
    customer: fc.record({ number: fc.oneof(fc.constant(CALLER), weirdText) }),
    phoneNumber: fc.record({
      id: fc.constant('pn-1'),
      number: fc.oneof(fc.constant('+14155550100'), weirdText),
    }),
    toolCallList,
    toolCalls: toolCallList,
    toolWithToolCallList: toolCallList,
    functionCall: fc.oneof(
      namedCall.map(([name, args]) => ({ name, parameters: args })),
      garbage,
    ),
    status: fc.oneof(fc.constantFrom('ringing', 'in-progress', 'forwarding', 'ended'), weirdText, garbage),
    endedReason: fc.oneof(weirdText, garbage),
    startedAt: dateValue,
    endedAt: dateValue,
    cost: fc.oneof(weirdNumber, garbage),
    artifact: fc.oneof(
      fc.record(
        {
          transcript: fc.oneof(weirdText, garbage),
          recordingUrl: weirdText,
          recording: fc.record({ mono: fc.record({ combinedUrl: weirdText }) }),
          messages: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
      garbage,
    ),
    analysis: fc.oneof(fc.record({ summary: fc.oneof(weirdText, garbage) }), garbage),
    summary: weirdText,
    transcript: weirdText,
    extra: fc.oneof(garbage, fc.constant(RAW)),
  },
  { requiredKeys: ['type', 'toolCallList'] },
);

type Auth = 'secret' | 'bearer' | 'hmac' | { garbage: Record<string, string> };

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 14, arbitrary: fc.constant('secret' as const) },
  { weight: 1, arbitrary: fc.constant('bearer' as const) },
  { weight: 1, arbitrary: fc.constant('hmac' as const) },
  {
    weight: 2,
    arbitrary: fc
      .record(
        {
          'x-vapi-secret': fc.oneof(weirdText, fc.constantFrom(`${SECRET}x`, `x${SECRET}`)),
          authorization: fc.oneof(weirdText, fc.constant('Bearer nope'), fc.constant(`Bearer ${SECRET}x`)),
          'x-signature': fc.oneof(
            fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 64 }),
            weirdText,
          ),
          'x-timestamp': fc.oneof(fc.constantFrom('1e400', '-1', '99999999999999999', ''), weirdText),
        },
        { requiredKeys: [] },
      )
      .map((headers) => ({ garbage: headers })),
  },
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  '',
  ';;;',
];

interface FuzzRequest {
  kind: string;
  payload: string | Buffer;
  contentType: string | null;
  auth: Auth;
}

const JSON_TYPE = 'application/json';

const payload: fc.Arbitrary<Omit<FuzzRequest, 'auth'>> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.tuple(message, fc.oneof(deepJson, fc.constantFrom('{"x":1}', '[]'))).map(([m, raw]) => ({
      kind: 'message',
      payload: JSON.stringify({ message: m }).split(RAW_JSON).join(raw),
      contentType: JSON_TYPE,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.jsonValue().map((value) => ({
      kind: 'arbitrary JSON',
      payload: JSON.stringify(value),
      contentType: JSON_TYPE,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.anything().map((value) => ({
      kind: 'anything serialised',
      payload: JSON.stringify({ message: value }) ?? '',
      contentType: JSON_TYPE,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(message, fc.nat()).map(([m, cut]) => {
      const text = JSON.stringify({ message: m });
      return { kind: 'truncated JSON', payload: text.slice(0, cut % text.length), contentType: JSON_TYPE };
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.uint8Array({ maxLength: 300 }), fc.option(fc.constantFrom(...CONTENT_TYPES)))
      .map(([bytes, type]) => ({ kind: 'raw bytes', payload: Buffer.from(bytes), contentType: type })),
  },
  {
    weight: 1,
    arbitrary: deepJson.map((text) => ({
      kind: 'deeply nested JSON',
      payload: text,
      contentType: JSON_TYPE,
    })),
  },
);

/** Prints a failing case with its payload cut to a readable length (the seed and path replay it whole). */
function printable(request: FuzzRequest): FuzzRequest {
  const text = typeof request.payload === 'string' ? request.payload : request.payload.toString('base64');
  const shown = text.length > 2_000 ? `${text.slice(0, 2_000)}… (${text.length} chars)` : text;
  const description = JSON.stringify({ ...request, payload: shown });
  return Object.assign(request, { [fc.toStringMethod]: () => description });
}

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(payload, auth)
  .map(([body, credentials]) => printable({ ...body, auth: credentials }));

function headersFor(request: FuzzRequest): Record<string, string> {
  const headers: Record<string, string> =
    request.contentType === null ? {} : { 'content-type': request.contentType };
  const raw = typeof request.payload === 'string' ? request.payload : request.payload.toString('utf8');
  if (request.auth === 'secret') return { ...headers, 'x-vapi-secret': SECRET };
  if (request.auth === 'bearer') return { ...headers, authorization: `Bearer ${SECRET}` };
  if (request.auth === 'hmac') {
    const timestamp = String(Date.now());
    const signature = createHmac('sha256', SECRET).update(`${timestamp}.${raw}`).digest('hex');
    return { ...headers, 'x-signature': signature, 'x-timestamp': timestamp };
  }
  return { ...headers, ...request.auth.garbage };
}

// ---------------------------------------------------------------------------------------------------------
// Checks

interface ErrorBody {
  error: string;
  message: string;
  details?: Array<{ field?: string; message: string }>;
}

interface ToolResult {
  toolCallId: string;
  name: string;
  result?: string;
  error?: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const own = (value: unknown, key: string): unknown =>
  isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;

function expectErrorShape(res: LightMyRequestResponse): ErrorBody {
  expect(res.headers['content-type'], res.body).toMatch(/^application\/json/);
  const body = res.json<ErrorBody>();
  expect(Object.keys(body).sort()).toEqual(
    body.details === undefined ? ['error', 'message'] : ['details', 'error', 'message'],
  );
  expect(body.error).toMatch(/^[a-z][a-z_]*$/);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  for (const detail of body.details ?? []) {
    expect(typeof detail.message).toBe('string');
    if (detail.field !== undefined) expect(typeof detail.field).toBe('string');
    expect(detail).not.toHaveProperty('stack');
  }
  return body;
}

/**
 * The calls of a tool-calls message as vapi.messages.ts documents reading them: the first non-empty list of
 * `toolCallList`, `toolCalls`, `toolWithToolCallList`; items that are not objects are skipped.
 */
function toolCallsOf(message: Json): Json[] {
  for (const key of ['toolCallList', 'toolCalls', 'toolWithToolCallList']) {
    const list = own(message, key);
    if (Array.isArray(list) && list.length > 0) return list.filter(isObject);
  }
  return [];
}

/** The id Vapi sent for an item (a wrapper's inner call first), when it is plain printable text. */
function sentId(item: Json): string | null | undefined {
  const candidates = isObject(own(item, 'toolCall'))
    ? [own(own(item, 'toolCall'), 'id'), own(item, 'id')]
    : [own(item, 'id')];
  const id = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  if (id === undefined) return null;
  // Ids with control characters are not Vapi's; the property only pins down ids that look like them.
  return /^[\x20-\x7E]+$/.test(id) ? id : undefined;
}

function expectToolResults(answer: Json, message: Json): void {
  const calls = toolCallsOf(message);
  expect(Object.keys(answer)).toEqual(['results']);
  const results = answer.results as ToolResult[];
  expect(Array.isArray(results)).toBe(true);
  expect(results).toHaveLength(calls.length);
  results.forEach((result, i) => {
    expect(typeof result.toolCallId).toBe('string');
    expect(typeof result.name).toBe('string');
    const texts = [result.result, result.error].filter((v) => v !== undefined);
    expect(texts, JSON.stringify(result)).toHaveLength(1);
    expect(typeof texts[0]).toBe('string');
    expect((texts[0] as string).length).toBeGreaterThan(0);
    expect(texts[0], JSON.stringify(result).slice(0, 500)).not.toMatch(INTERNAL_ERROR);
    const id = sentId(calls[i] as Json);
    if (id === null) expect(result.toolCallId).toBe('');
    else if (id !== undefined) expect(result.toolCallId).toBe(id);
  });
}

/** What Vapi reads for each message type (reference/vapi.md section 3). */
function expectAnswerFor(answer: Json, message: Json): void {
  switch (own(message, 'type')) {
    case 'tool-calls':
      return expectToolResults(answer, message);
    case 'function-call':
      expect(Object.keys(answer)).toEqual(['result']);
      expect(typeof answer.result).toBe('string');
      expect(answer.result).not.toMatch(INTERNAL_ERROR);
      return;
    case 'assistant-request':
      expect(isObject(answer.assistant)).toBe(true);
      return;
    case 'transfer-destination-request':
      expect(answer.destination).toMatchObject({ type: 'number', number: RESTAURANT_PHONE });
      return;
    default:
      // Notifications get {}; so does an odd type string, unless it reads as one of the types above.
      if ('results' in answer) expectToolResults(answer, message);
  }
}

const sql = (name: string, text: string): SqlStatement => ({ name: `fuzz_vapi_${name}`, text });

/** The shared rules, and those of orders placed by phone. */
const consistencyRules = (t: TestApp): Record<string, Rule> => ({
  ...orderConsistencyRules(t),
  'orders not from the phone': sql('sources', `SELECT id FROM orders WHERE source <> 'voice'`),
  'stored phone numbers that are not phone numbers': [
    sql('phones', `SELECT id FROM orders WHERE customer_phone !~ $1`),
    [PHONE_PATTERN],
  ],
  // A call's orders share its key `vapi-<call id>-…`; an order without a call id has a key of its own.
  'confirmed voice orders not under their call key': sql(
    'call_keys',
    `SELECT o.id FROM orders o WHERE o.status = 'confirmed' AND NOT EXISTS (
        SELECT 1 FROM idempotency_keys k WHERE k.order_id = o.id
          AND (o.vapi_call_id IS NULL OR starts_with(k.key, 'vapi-' || o.vapi_call_id || '-')))`,
  ),
  'tool answers never completed': sql(
    'open_tools',
    `SELECT key FROM voice_tool_results WHERE result IS NULL OR completed_at IS NULL`,
  ),
  'tool answers stored under another call': sql(
    'tool_keys',
    `SELECT key FROM voice_tool_results WHERE NOT starts_with(key, COALESCE(call_id, 'no-call') || ':')`,
  ),
  // "Your order is confirmed: number N" is a promise: order N exists, is confirmed, and is that call's.
  'confirmations without their order': sql(
    'confirmations',
    `SELECT r.key FROM voice_tool_results r
      LEFT JOIN orders o ON o.id = substring(r.result FROM '^Your order is confirmed: number ([0-9]+)')::bigint
      WHERE r.result LIKE 'Your order is confirmed: number %'
        AND (o.id IS NULL OR o.status <> 'confirmed' OR o.source <> 'voice'
          OR o.vapi_call_id IS DISTINCT FROM r.call_id)`,
  ),
});

// ---------------------------------------------------------------------------------------------------------

/** Hundreds of requests per property: well past the default test timeout on a loaded 2-core machine. */
const FUZZ_TIMEOUT_MS = 180_000;
const RUNS = 250;
const VAPI_ERRORS = new Set([400, 401, 413, 415, 422]);

describe.each(availableBackends())('fuzzed Vapi webhook on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { VAPI_WEBHOOK_SECRET: SECRET, RESTAURANT_PHONE });
  });
  afterAll(async () => t?.close());

  it(
    `POST /webhook/vapi never answers 5xx and answers tool calls in Vapi's shape (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fuzzRequest, async (generated) => {
          const request =
            typeof generated.payload === 'string'
              ? { ...generated, payload: freshen(generated.payload) }
              : generated;
          const res = await t.app.inject({
            method: 'POST',
            url: '/webhook/vapi',
            payload: request.payload,
            headers: headersFor(request),
          });
          const what = `${request.kind}: ${res.statusCode} ${res.body.slice(0, 500)}`;
          expect(res.statusCode, what).toBeLessThan(500);
          const authentic = typeof request.auth === 'string';
          if (res.statusCode !== 200) {
            expect(VAPI_ERRORS, what).toContain(res.statusCode);
            if (authentic) expect(res.statusCode, what).not.toBe(401);
            expectErrorShape(res);
            return;
          }
          expect(authentic, `accepted forged credentials: ${what}`).toBe(true);
          const answer = res.json<unknown>();
          expect(isObject(answer), what).toBe(true);
          // The webhook answered 200, so the body was a JSON object with a `message` object.
          const sent = JSON.parse(request.payload.toString()) as Json;
          expectAnswerFor(answer as Json, own(sent, 'message') as Json);
        }),
        { numRuns: RUNS },
      );

      // A tool call still running past VOICE_TOOL_TIMEOUT_MS finishes in the background: wait for it.
      const open = sql(
        'open_count',
        `SELECT count(*)::int AS n FROM voice_tool_results WHERE result IS NULL`,
      );
      await expect
        .poll(async () => (await t.container.db.query<{ n: number }>(open, []))[0]?.n, { timeout: 20_000 })
        .toBe(0);

      // Nothing is in flight once the tool answers are all stored, and payments never fail here.
      await expectNoBrokenRules(t, consistencyRules(t));
    },
    FUZZ_TIMEOUT_MS,
  );
});
