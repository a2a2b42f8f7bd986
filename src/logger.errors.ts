// How an error appears in the log: pino's standard serializer (message and stack with their causes, the
// error's own fields), less the customer data a failed query carries. Drizzle's DrizzleQueryError holds the
// query's parameters (a searched name or phone, an address) in `params` and in its message and stack
// ("Failed query: …\nparams: %Zelda%"); PostgreSQL's error holds row values in `detail` ("Failing row
// contains (…)", "Key (…)=(…)") and, for data it could not take (SQLSTATE class 22), the value itself at the
// end of its message ('invalid input syntax for type integer: "…"'). The SQL text stays: it has placeholders.
import pino from 'pino';

/** Fields of an error (or of a serialized one) that hold the values a query was sent or a row held. */
const VALUE_FIELDS = new Set(['params', 'parameters', 'detail']);
const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

/** The error for the log: customer data redacted from its message, stack and fields, and its causes'. */
export function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return pino.stdSerializers.err(value as Error);
  const serialized = pino.stdSerializers.err(value) as unknown as Record<string, unknown>;
  // pino joins the causes' messages and stacks into the outer ones: each raw message is replaced where it is.
  for (const error of errorChain(value)) {
    const clean = cleanMessage(error);
    if (clean === error.message || error.message === '') continue;
    for (const key of ['message', 'stack'] as const) {
      const text = serialized[key];
      if (typeof text === 'string') serialized[key] = text.split(error.message).join(clean);
    }
  }
  return scrubFields(serialized, 0);
}

/** `error`, its causes and the errors it aggregates, each once. */
function errorChain(error: Error): Error[] {
  const found: Error[] = [];
  const visit = (current: unknown, depth: number) => {
    if (!(current instanceof Error) || depth > MAX_DEPTH || found.includes(current)) return;
    found.push(current);
    visit(current.cause, depth + 1);
    if (current instanceof AggregateError) for (const inner of current.errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return found;
}

function cleanMessage(error: Error): string {
  let message = error.message;
  const { params, code } = error as { params?: unknown; code?: unknown };
  // Drizzle writes `params: ${params}`, which is the array's join(',').
  if (Array.isArray(params))
    message = message.split(`\nparams: ${String(params)}`).join(`\nparams: [${params.length} redacted]`);
  if (typeof code === 'string' && code.startsWith('22'))
    message = message.replace(/: ".*"$/s, `: "${REDACTED}"`);
  // A message that quoted a failed query's without being its cause: nothing after "params:" is kept.
  return message.replace(/\nparams: (?!\[\d+ redacted\])[^\n]*/g, `\nparams: ${REDACTED}`);
}

/**
 * A copy of a serialized error with its value fields redacted, in the errors nested in it too. A copy: pino
 * keeps the error's own objects by reference, and the log must not change what the app still holds.
 */
function scrubFields(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubFields(item, depth + 1));
  if (ArrayBuffer.isView(value) || 'toJSON' in value) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    copy[key] = VALUE_FIELDS.has(key) && item !== undefined ? REDACTED : scrubFields(item, depth + 1);
  return copy;
}
