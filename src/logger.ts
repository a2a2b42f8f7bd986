// pino, shared by Fastify and the rest of the process. Secrets never reach a log line, phone numbers appear
// only as their last four digits, and errors without the customer data of a failed query.
import pino, { type DestinationStream, type Logger, type LoggerOptions as LoggerSettings } from 'pino';
import { serializeError } from './logger.errors.js';

export function maskPhone(value: unknown): string {
  if (typeof value !== 'string') return '[redacted]';
  const digits = value.replace(/\D/g, '');
  return digits.length <= 4 ? '***' : `***${digits.slice(-4)}`;
}

const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-vapi-secret"]',
  'req.headers["x-signature"]',
  'req.headers["stripe-signature"]',
  '*.secret',
  '*.apiKey',
  '*.password',
];

/**
 * Configuration holds keys, tokens and URLs with passwords at any depth (config.payment.stripe.secretKey).
 * pino's redact has no recursive wildcard, and wildcard paths three levels deep would cost every log line
 * tens of microseconds, so objects logged under these keys (the whole AppConfig or a part of it, spread or
 * not) are scrubbed by key name instead, only when a line has them.
 */
const SECRET_KEYS = new Set([
  'secret',
  'secretKey',
  'apiKey',
  'authToken',
  'password',
  'token',
  'webhookSecrets',
  'stripeWebhookSecrets',
  'dashboardToken',
]);
const CONFIG_KEYS = [
  'config',
  'options',
  'payment',
  'geo',
  'sms',
  'vapi',
  'stripe',
  'google',
  'twilio',
  'database',
];
const MAX_SCRUB_DEPTH = 8;

/** A URL's password replaced (postgres://app:***@db/orders); any other value as it is. */
function maskUrlPassword(value: unknown): unknown {
  return typeof value === 'string'
    ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')
    : value;
}

/** A copy of `value` with every secret key redacted and URL passwords masked, at any depth. */
export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_SCRUB_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => scrubSecrets(item, depth + 1));
  // Values that serialize themselves (dates, errors, buffers, URLs) are no configuration: left as they are.
  if (value instanceof Error || ArrayBuffer.isView(value) || 'toJSON' in value) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_KEYS.has(key)) copy[key] = '[redacted]';
    else if (/url$/i.test(key)) copy[key] = maskUrlPassword(item);
    else copy[key] = scrubSecrets(item, depth + 1);
  }
  return copy;
}

const SERIALIZERS: Record<string, (value: unknown) => unknown> = {
  redisUrl: maskUrlPassword,
  databaseUrl: maskUrlPassword,
};
for (const key of CONFIG_KEYS) SERIALIZERS[key] = (value) => scrubSecrets(value);
for (const key of SECRET_KEYS) SERIALIZERS[key] = () => '[redacted]';
// Errors without the query parameters and row values they carry (logger.errors.ts).
SERIALIZERS.err = serializeError;
SERIALIZERS.error = serializeError;

const PHONE_PATHS = [
  '*.customerPhone',
  '*.customer_phone',
  '*.phone',
  'customerPhone',
  'customer_phone',
  'phone',
];

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  /** Where lines go instead of stdout (tests capture them); ignored when `pretty`. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const settings: LoggerSettings = {
    level: options.level,
    serializers: SERIALIZERS,
    redact: {
      paths: [...SECRET_PATHS, ...PHONE_PATHS],
      // For wildcard paths pino passes a Symbol as the first path element: only the last one is a name.
      censor: (value: unknown, path: unknown[]) => {
        const last = path.at(-1);
        return typeof last === 'string' && last.toLowerCase().includes('phone')
          ? maskPhone(value)
          : '[redacted]';
      },
    },
    ...(options.pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  };
  return options.destination && !options.pretty ? pino(settings, options.destination) : pino(settings);
}
