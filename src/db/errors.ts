// Which database failures mean "PostgreSQL is unreachable or overloaded" (503, retry) rather than a bug.
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P (operator intervention:
// admin shutdown, crash shutdown, cannot connect now).
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;

/** Drizzle wraps the driver's error (DrizzleQueryError "Failed query: …", the original as `cause`). */
const MAX_CAUSE_DEPTH = 4;

export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    if (isUnavailableItself(current)) return true;
    current = current.cause;
  }
  return false;
}

function isUnavailableItself(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
    return true;
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error/i.test(
    error.message,
  );
}
