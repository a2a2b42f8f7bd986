// Tolerant reading of Vapi server messages (reference: shared/reference/vapi.md, sections 2, 3 and 7).
// Vapi's payloads have shifted between 2024 captures, the docs and the OpenAPI schema, so every field is read
// from each place it has been seen, wrong types are ignored, and nothing here throws on any input shape.

export interface ParsedToolCall {
  id: string;
  name: string;
  args: Record<string, unknown> | null;
  /** why args could not be read (bad JSON string, not an object) */
  argsError: string | null;
}

export interface VapiEnvelope {
  type: string;
  callId: string | null;
  callerNumber: string | null;
  /** the dialed number */
  phoneNumber: string | null;
  message: Record<string, unknown>;
}

export interface CallReport {
  callId: string | null;
  callerNumber: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  endedReason: string | null;
  summary: string | null;
  transcript: string | null;
  recordingUrl: string | null;
  cost: number | null;
}

export interface StatusUpdate {
  callId: string | null;
  status: string | null;
  endedReason: string | null;
  callerNumber: string | null;
}

type JsonObject = Record<string, unknown>;

/** null when the body has no `message.type` (a 400). */
export function parseEnvelope(body: unknown): VapiEnvelope | null {
  const message = at(body, 'message');
  if (!isObject(message)) return null;
  const type = text(at(message, 'type'));
  if (type === null) return null;
  return {
    type,
    callId: callIdOf(message),
    callerNumber: callerNumberOf(message),
    phoneNumber: text(at(message, 'phoneNumber', 'number')),
    message,
  };
}

/** Ids become database keys (a btree entry holds at most ~2,700 bytes); real ones are UUID-sized. */
const MAX_ID_LENGTH = 200;
/** E.164 numbers have at most 15 digits; room for formatting. */
const MAX_NUMBER_LENGTH = 64;

/** A UTF-16 half of a character without its other half: no UTF-8 text, so no stable database key. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const unusable = (value: string | null | undefined, maxLength: number): boolean =>
  value != null && (value.length > maxLength || LONE_SURROGATE.test(value));

/**
 * The first identifier that cannot be a real one (named as in the message), or null: too long, or not
 * well-formed Unicode (drivers would store such a key as U+FFFD replacements, so two statements could
 * disagree about which key they wrote).
 */
export function unusableIdentifier(envelope: VapiEnvelope): string | null {
  if (unusable(envelope.callId, MAX_ID_LENGTH)) return 'message.call.id';
  if (unusable(envelope.callerNumber, MAX_NUMBER_LENGTH)) return 'message.call.customer.number';
  if (unusable(envelope.phoneNumber, MAX_NUMBER_LENGTH)) return 'message.phoneNumber.number';
  if (extractToolCalls(envelope.message).some((call) => unusable(call.id, MAX_ID_LENGTH))) {
    return 'message.toolCallList[].id';
  }
  return null;
}

/**
 * Every tool call in a `tool-calls` message, in order. Reads `toolCallList`, else the legacy `toolCalls`
 * duplicate, else `toolWithToolCallList`; items may be OpenAI-shaped, flat or `{name, toolCall}` wrappers.
 * Items without an id are kept (id '') so the caller can still answer them; non-object items are skipped.
 */
export function extractToolCalls(message: Record<string, unknown>): ParsedToolCall[] {
  const items =
    nonEmptyArray(at(message, 'toolCallList')) ??
    nonEmptyArray(at(message, 'toolCalls')) ??
    nonEmptyArray(at(message, 'toolWithToolCallList')) ??
    [];
  const calls: ParsedToolCall[] = [];
  for (const item of items) {
    if (isObject(item)) calls.push(readToolCall(item));
  }
  return calls;
}

/** Legacy `function-call` message: `functionCall { name, parameters }`, parameters an object or a JSON string. */
export function extractFunctionCall(message: Record<string, unknown>): ParsedToolCall | null {
  const call = at(message, 'functionCall');
  if (!isObject(call)) return null;
  return {
    id: '',
    name: text(at(call, 'name')) ?? '',
    ...readArgs(firstDefined(at(call, 'parameters'), at(call, 'arguments'))),
  };
}

export function parseEndOfCallReport(message: Record<string, unknown>): CallReport {
  const artifact = at(message, 'artifact');
  return {
    callId: callIdOf(message),
    callerNumber: callerNumberOf(message),
    startedAt: date(at(message, 'startedAt')) ?? date(at(message, 'call', 'startedAt')),
    endedAt: date(at(message, 'endedAt')) ?? date(at(message, 'call', 'endedAt')),
    endedReason: text(at(message, 'endedReason')) ?? text(at(message, 'call', 'endedReason')),
    // Current schema nests these under artifact/analysis; 2024 captures put them at the top level.
    summary: text(at(message, 'analysis', 'summary')) ?? text(at(message, 'summary')),
    transcript: text(at(artifact, 'transcript')) ?? text(at(message, 'transcript')),
    recordingUrl:
      text(at(artifact, 'recordingUrl')) ??
      text(at(artifact, 'recording', 'mono', 'combinedUrl')) ??
      text(at(message, 'recordingUrl')),
    cost: finite(at(message, 'cost')) ?? finite(at(message, 'call', 'cost')),
  };
}

export function parseStatusUpdate(message: Record<string, unknown>): StatusUpdate {
  return {
    callId: callIdOf(message),
    status: text(at(message, 'status')),
    endedReason: text(at(message, 'endedReason')),
    callerNumber: callerNumberOf(message),
  };
}

/** A string Vapi reads reliably: single line (newlines/tabs to spaces, runs collapsed), trimmed, at most `max` chars (default 1000) ending with … when cut. */
export function toSpokenLine(text: string, max = 1000): string {
  const line = text.replace(/[\s\p{Cc}]+/gu, ' ').trim();
  const limit = Number.isFinite(max) ? Math.max(0, Math.floor(max)) : 1000;
  if (line.length <= limit) return line;
  if (limit === 0) return '';
  let end = limit - 1;
  // Do not split a surrogate pair (an emoji would turn into a replacement character).
  if (end > 0 && isHighSurrogate(line.charCodeAt(end - 1))) end -= 1;
  return `${line.slice(0, end).trimEnd()}…`;
}

function readToolCall(item: JsonObject): ParsedToolCall {
  const inner = at(item, 'toolCall');
  if (isObject(inner)) {
    // Wrapper (`toolWithToolCallList` entry or the docs' `{name, toolCall}`): the outer `function.parameters`
    // is the tool's JSON Schema, not the arguments, so arguments come from the inner call only.
    return {
      id: text(at(inner, 'id')) ?? text(at(item, 'id')) ?? '',
      name:
        text(at(inner, 'function', 'name')) ??
        text(at(inner, 'name')) ??
        text(at(item, 'name')) ??
        text(at(item, 'function', 'name')) ??
        '',
      ...readArgs(argsOf(inner)),
    };
  }
  return {
    id: text(at(item, 'id')) ?? '',
    name: text(at(item, 'function', 'name')) ?? text(at(item, 'name')) ?? '',
    ...readArgs(argsOf(item)),
  };
}

function argsOf(call: JsonObject): unknown {
  return firstDefined(
    at(call, 'function', 'arguments'),
    at(call, 'function', 'parameters'),
    at(call, 'arguments'),
    at(call, 'parameters'),
  );
}

function readArgs(raw: unknown): Pick<ParsedToolCall, 'args' | 'argsError'> {
  if (raw === undefined) return { args: {}, argsError: null };
  let value: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return { args: {}, argsError: null };
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return { args: null, argsError: 'arguments are not valid JSON' };
    }
  }
  if (!isObject(value)) return { args: null, argsError: 'arguments are not a JSON object' };
  return { args: value, argsError: null };
}

function callIdOf(message: JsonObject): string | null {
  return text(at(message, 'call', 'id'));
}

function callerNumberOf(message: JsonObject): string | null {
  return text(at(message, 'call', 'customer', 'number')) ?? text(at(message, 'customer', 'number'));
}

/** Walks own properties only, so keys like `constructor` never reach Object.prototype. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Non-blank strings only: an empty id or number is as useless as a missing one. NUL characters are dropped:
 * PostgreSQL text cannot hold them, and ids and transcripts are stored.
 */
function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const clean = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  return clean.trim() !== '' ? clean : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The dates a timestamptz column takes as ISO-8601 (4-digit years); JS dates reach year ±275760. */
const MIN_DATE_MS = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_DATE_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * ISO-8601 strings or epoch numbers (values up to 10^12 are taken as seconds, above as milliseconds), within
 * years 1 to 9999: a date outside them cannot be stored and is no real call's.
 */
function date(value: unknown): Date | null {
  let ms: number;
  if (typeof value === 'number' && Number.isFinite(value)) ms = value > 1e12 ? value : value * 1000;
  else if (typeof value === 'string' && value.trim() !== '') ms = Date.parse(value);
  else return null;
  return ms >= MIN_DATE_MS && ms <= MAX_DATE_MS ? new Date(ms) : null;
}

function nonEmptyArray(value: unknown): unknown[] | null {
  return Array.isArray(value) && value.length > 0 ? value : null;
}

/** `??` over unknowns: the first value that is neither undefined nor null. */
function firstDefined(...values: unknown[]): unknown {
  return values.find((value) => value !== undefined && value !== null);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
