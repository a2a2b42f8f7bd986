// Authentication of Vapi server messages (reference: shared/reference/vapi.md, section 4).
// Vapi can be configured to send a legacy `x-vapi-secret`, a bearer token or an HMAC signature; whoever
// configures the credential picks the details, so everything but the legacy header name is configurable.
// An HMAC signature needs its timestamp header, within `toleranceSeconds` of now (Vapi's includeTimestamp, on
// by default), so a captured request cannot be replayed later. Every comparison runs over all configured
// secrets and over fixed-length digests, so neither timing nor the failure reason tells a caller which secret
// (or how much of one) matched.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface VapiAuthConfig {
  /** Accepted shared secrets (two during a rotation). Empty = no check configured. */
  secrets: string[];
  hmac: {
    algorithm: 'sha256' | 'sha512' | 'sha1';
    signatureHeader: string;
    timestampHeader: string;
    prefix: string;
    encoding: 'hex' | 'base64';
    toleranceSeconds: number;
  };
  /** Header carrying `Bearer <token>` (Vapi's BearerAuthenticationPlan default: authorization). */
  bearerHeader: string;
}

export const DEFAULT_VAPI_AUTH: Omit<VapiAuthConfig, 'secrets'> = {
  hmac: {
    algorithm: 'sha256',
    signatureHeader: 'x-signature',
    timestampHeader: 'x-timestamp',
    prefix: '',
    encoding: 'hex',
    toleranceSeconds: 300,
  },
  bearerHeader: 'authorization',
};

export type VapiAuthResult =
  { ok: true; method: 'secret-header' | 'bearer' | 'hmac' } | { ok: false; reason: string };

type Headers = Record<string, string | string[] | undefined>;

const SECRET_HEADER = 'x-vapi-secret';
const BEARER_PREFIX = /^bearer\s+/i;
const NUMERIC_TIMESTAMP = /^\d{1,16}(?:\.\d+)?$/;

/**
 * Accepts the request when any one configured mechanism matches one configured secret. With no secret
 * configured it fails closed (`no secret configured`): skipping the check is the caller's explicit decision.
 */
export function verifyVapiRequest(
  headers: Headers,
  rawBody: string,
  config: VapiAuthConfig,
  nowMs: number = Date.now(),
): VapiAuthResult {
  const secrets = config.secrets.filter((secret) => secret.length > 0);
  if (secrets.length === 0) return { ok: false, reason: 'no secret configured' };

  const failures: string[] = [];

  const secretHeader = readHeader(headers, SECRET_HEADER);
  if (secretHeader !== null) {
    if (matchesAny(secrets, (secret) => secret, [secretHeader])) return { ok: true, method: 'secret-header' };
    failures.push('secret header mismatch');
  }

  const bearer = readHeader(headers, config.bearerHeader);
  if (bearer !== null) {
    // bearerPrefixEnabled can be off, so the bare token is accepted too.
    const candidates = BEARER_PREFIX.test(bearer) ? [bearer, bearer.replace(BEARER_PREFIX, '')] : [bearer];
    if (matchesAny(secrets, (secret) => secret, candidates)) return { ok: true, method: 'bearer' };
    failures.push('bearer token mismatch');
  }

  const signature = readHeader(headers, config.hmac.signatureHeader);
  if (signature !== null) {
    const outcome = checkHmac(signature, headers, rawBody, secrets, config.hmac, nowMs);
    if (outcome === null) return { ok: true, method: 'hmac' };
    failures.push(outcome);
  }

  return { ok: false, reason: failures.length === 0 ? 'missing credentials' : failures.join('; ') };
}

/**
 * The verdict from the headers alone, before the body is read: a matching secret header or bearer token
 * accepts, and a request without a usable signature is refused. null when only the HMAC over the body can
 * decide (a signature with a fresh timestamp), so the caller reads the body and calls verifyVapiRequest.
 */
export function verifyVapiHeaders(
  headers: Headers,
  config: VapiAuthConfig,
  nowMs: number = Date.now(),
): VapiAuthResult | null {
  const verdict = verifyVapiRequest(omit(headers, config.hmac.signatureHeader), '', config, nowMs);
  if (verdict.ok || readHeader(headers, config.hmac.signatureHeader) === null) return verdict;
  const stale = timestampProblem(readHeader(headers, config.hmac.timestampHeader), config.hmac, nowMs);
  if (stale === null) return null;
  return {
    ok: false,
    reason: verdict.reason === 'missing credentials' ? stale : `${verdict.reason}; ${stale}`,
  };
}

function omit(headers: Headers, name: string): Headers {
  const wanted = name.toLowerCase();
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== wanted));
}

/** null when the signature is valid, otherwise the failure reason. */
function checkHmac(
  signature: string,
  headers: Headers,
  rawBody: string,
  secrets: string[],
  hmac: VapiAuthConfig['hmac'],
  nowMs: number,
): string | null {
  const timestamp = readHeader(headers, hmac.timestampHeader);
  if (timestamp === null) return 'missing signature timestamp';
  const stale = timestampProblem(timestamp, hmac, nowMs);
  if (stale !== null) return stale;
  const payload = `${timestamp}.${rawBody}`;
  // Hex digests are case-insensitive; base64 is not.
  const normalize = (value: string): string => (hmac.encoding === 'hex' ? value.toLowerCase() : value);
  const expected = (secret: string): string =>
    normalize(hmac.prefix + createHmac(hmac.algorithm, secret).update(payload, 'utf8').digest(hmac.encoding));
  return matchesAny(secrets, expected, [normalize(signature)]) ? null : 'signature mismatch';
}

/**
 * null when the timestamp header holds a time within the tolerance. A signature without one is refused: it
 * would stay valid forever, so a captured request could be replayed at any later time.
 */
function timestampProblem(
  timestamp: string | null,
  hmac: VapiAuthConfig['hmac'],
  nowMs: number,
): string | null {
  if (timestamp === null) return 'missing signature timestamp';
  if (!NUMERIC_TIMESTAMP.test(timestamp)) return 'invalid signature timestamp';
  const value = Number(timestamp);
  // The unit is undocumented: epoch values above 10^12 can only be milliseconds.
  const timestampMs = value > 1e12 ? value : value * 1000;
  if (Math.abs(nowMs - timestampMs) > hmac.toleranceSeconds * 1000)
    return 'signature timestamp out of tolerance';
  return null;
}

/** Whether any candidate equals `expectedFor(secret)` for any secret; always compares every pair. */
function matchesAny(
  secrets: string[],
  expectedFor: (secret: string) => string,
  candidates: string[],
): boolean {
  let matched = false;
  for (const secret of secrets) {
    const expected = expectedFor(secret);
    for (const candidate of candidates) {
      const equal = constantTimeEqual(expected, candidate);
      matched = matched || equal;
    }
  }
  return matched;
}

/** Digests first: equal-length buffers for timingSafeEqual, and no early exit on a length difference. */
function constantTimeEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB);
}

/** Case-insensitive header lookup; arrays give their first value; empty or blank values count as missing. */
function readHeader(headers: Headers, name: string): string | null {
  const wanted = name.toLowerCase();
  for (const [key, raw] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}
