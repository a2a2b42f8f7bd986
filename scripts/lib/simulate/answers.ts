// Reading the service's answers into outcomes. A direct order answers 201 with the order or an error body; a
// voice order always answers 200 with a sentence for the caller, so its outcome is read from that sentence.
// Mock declines, address problems, a closed restaurant and dependency timeouts are expected outcomes of a
// lunch rush; anything else (a 500, a schema complaint about our own payload, no answer) is a finding.
import { dollarsToCents } from '../../../src/shared/money.js';
import { type HttpAnswer, errorOf, isRecord } from './http.js';
import type { Answer, Failure } from './types.js';

const EXPECTED_DIRECT_CODES = new Set([
  'address_not_found',
  'outside_delivery_zone',
  'restaurant_closed',
  'geo_timeout',
  'geo_unavailable',
  'payment_unavailable',
]);

/** What the voice tools say (src/modules/voice/voice-tools.service.ts), mapped to the API's codes. */
const SPOKEN_OUTCOMES: ReadonlyArray<{ pattern: RegExp; reason: string; expected: boolean }> = [
  { pattern: /payment was declined/i, reason: 'payment_declined', expected: true },
  { pattern: /not answering right now/i, reason: 'service_unavailable', expected: true },
  { pattern: /can't check delivery addresses right now/i, reason: 'service_unavailable', expected: true },
  { pattern: /couldn't create the payment link/i, reason: 'service_unavailable', expected: true },
  { pattern: /couldn't find/i, reason: 'address_not_found', expected: true },
  { pattern: /km away and we deliver within/i, reason: 'outside_delivery_zone', expected: true },
  { pattern: /is closed right now/i, reason: 'restaurant_closed', expected: true },
  { pattern: /still working on that/i, reason: 'still_working', expected: false },
  { pattern: /still being placed/i, reason: 'request_in_progress', expected: false },
  { pattern: /already placed (an order|order number)/i, reason: 'idempotency_key_reused', expected: false },
  { pattern: /something went wrong on our side/i, reason: 'internal_error', expected: false },
];
const CONFIRMED = /Your order is confirmed: number (\d+), total \$([\d,]+\.\d{2})/;

export function readDirectAnswer(http: HttpAnswer, attempts: number): Answer {
  const base = { status: http.status, ms: http.ms, attempts, replayed: replayedHeader(http) };
  if (http.status === 201 && isRecord(http.body) && typeof http.body.id === 'number') {
    const total = typeof http.body.total === 'number' ? dollarsToCents(http.body.total) : null;
    return { ...base, orderId: http.body.id, totalCents: total, failure: null };
  }
  const { code, message } = errorOf(http);
  const expected = http.status === 402 || EXPECTED_DIRECT_CODES.has(code);
  return { ...base, orderId: null, totalCents: null, failure: { reason: code, message, expected } };
}

/** The sentence (or tool error) answering our one tool call, by its id. */
export function readVoiceAnswer(http: HttpAnswer, toolCallId: string, attempts: number): Answer {
  const base = { status: http.status, ms: http.ms, attempts, replayed: false };
  if (http.status !== 200) {
    const { code, message } = errorOf(http);
    return { ...base, orderId: null, totalCents: null, failure: { reason: code, message, expected: false } };
  }
  const result = toolResult(http.body, toolCallId);
  if (result === null) {
    const failure = { reason: 'no_tool_result', message: 'no result for our toolCallId', expected: false };
    return { ...base, orderId: null, totalCents: null, failure };
  }
  const confirmed = result.error === null ? CONFIRMED.exec(result.text) : null;
  if (confirmed) {
    const total = dollarsToCents(Number((confirmed[2] ?? '').replaceAll(',', '')));
    return { ...base, orderId: Number(confirmed[1]), totalCents: total, failure: null };
  }
  return { ...base, orderId: null, totalCents: null, failure: spokenFailure(result.text, result.error) };
}

/** A voice answer to ask again for (same call, same tool call id): the server is still placing the order. */
export const isStillWorking = (answer: Answer) => answer.failure?.reason === 'still_working';

/** An outage is a tool `error` (Vapi speaks its request-failed line); the rest are spoken results. */
function spokenFailure(text: string, error: string | null): Failure {
  const known = SPOKEN_OUTCOMES.find((o) => o.pattern.test(text));
  if (known) return { reason: known.reason, message: text, expected: known.expected };
  return { reason: error !== null ? 'tool_error' : 'unrecognised_answer', message: text, expected: false };
}

function toolResult(body: unknown, toolCallId: string): { text: string; error: string | null } | null {
  if (!isRecord(body) || !Array.isArray(body.results)) return null;
  const entry: unknown = body.results.find((r) => isRecord(r) && r.toolCallId === toolCallId);
  if (!isRecord(entry)) return null;
  if (typeof entry.error === 'string') return { text: entry.error, error: entry.error };
  return typeof entry.result === 'string' ? { text: entry.result, error: null } : null;
}

function replayedHeader(http: HttpAnswer): boolean {
  return http.headers.get('idempotent-replayed') === 'true';
}
