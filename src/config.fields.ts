// The building blocks of config.ts's environment schema: each turns one variable's text into a typed value
// or a problem naming what was expected (the operator sees every problem at once).
import { isIP } from 'node:net';
import { z } from 'zod';
import { dollarsToCents } from './shared/money.js';
import { parseLatency } from './shared/seeded-random.js';

export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()));

export const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const s = v.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${v}"` });
      return z.NEVER;
    });

export const num = (fallback: number, check: (n: number) => string | null) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const n = v === undefined || v.trim() === '' ? fallback : Number(v);
      const problem = Number.isFinite(n) ? check(n) : `expected a number, got "${v}"`;
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return n;
    });

export const between = (min: number, max: number) => (n: number) =>
  n >= min && n <= max ? null : `must be between ${min} and ${max}, got ${n}`;
export const port = (n: number) =>
  Number.isInteger(n) && n >= 0 && n <= 65535 ? null : `not a TCP port: ${n}`;
export const positiveInt = (n: number) =>
  Number.isInteger(n) && n > 0 ? null : `must be a positive whole number, got ${n}`;

export const latency = z
  .string()
  .optional()
  .transform((v, ctx) => {
    try {
      return parseLatency(v === undefined || v.trim() === '' ? '0' : v);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const dollars = (fallback: number) =>
  num(fallback, (n) =>
    n >= 0 && dollarsToCents(n) !== null ? null : `must be a dollar amount like 5.99, got ${n}`,
  );

/** A whole number from 0 to `max`, or null when unset (the mode then picks the default). */
export const optionalCount = (max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return null;
      const n = Number(v);
      if (Number.isInteger(n) && n >= 0 && n <= max) return n;
      ctx.addIssue({ code: 'custom', message: `must be a whole number from 0 (off) to ${max}, got "${v}"` });
      return z.NEVER;
    });

export function splitList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** An IP address, a CIDR range or one of proxy-addr's names, as Fastify's trustProxy takes them. */
export function isProxyAddress(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [address = '', bits, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

/** Browsers send an Origin as scheme://host[:port], lower case, nothing after: only that can ever match. */
export function originProblem(value: string): string | null {
  const expected = 'an exact origin such as https://shop.example.com (scheme, host, optional port; no path)';
  if (value === '*') return `must list each origin, not *: expected ${expected}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected ${expected}, got "${value}"`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `expected ${expected}, got "${value}"`;
  if (url.origin !== value) return `expected ${expected}, got "${value}" (did you mean ${url.origin}?)`;
  return null;
}

/** Shortest secret accepted outside development: 24 characters of `openssl rand -hex 32` cannot be guessed. */
export const MIN_SECRET_LENGTH = 24;

/** One problem per secret of `name` shorter than MIN_SECRET_LENGTH (its length only: never the secret). */
export function shortSecretProblems(name: string, secrets: string[], mode: string): string[] {
  return secrets.flatMap((secret, i) => {
    if (secret.length >= MIN_SECRET_LENGTH) return [];
    const which = secrets.length > 1 ? `secret ${i + 1} of ${secrets.length}` : 'it';
    return [
      `${name}: must be at least ${MIN_SECRET_LENGTH} characters in ${mode} (${which} has ${secret.length}); ` +
        'generate one with: openssl rand -hex 32',
    ];
  });
}
