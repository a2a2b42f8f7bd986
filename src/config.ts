// The only reader of process.env. Every value is validated once at start-up into a typed AppConfig;
// a bad or missing value stops the process with one message listing every problem.
import path from 'node:path';
import { z } from 'zod';
import {
  optionalText,
  bool,
  num,
  between,
  port,
  positiveInt,
  latency,
  dollars,
  optionalCount,
  splitList,
  isProxyAddress,
  originProblem,
  shortSecretProblems,
} from './config.fields.js';
import type { GeoConfig } from './adapters/geo/index.js';
import type { PaymentConfig } from './adapters/payment/index.js';
import type { SmsConfig } from './adapters/sms/index.js';
import { type OpeningHours, isValidTimeZone, parseOpeningHours } from './modules/hours/opening-hours.js';
import { type Cents, dollarsToCents, rateToPpm } from './shared/money.js';
import { PROJECT_ROOT } from './shared/paths.js';

export type EnvMode = 'development' | 'staging' | 'production';

export interface AppConfig {
  envMode: EnvMode;
  debug: boolean;
  logLevel: string;
  /** `pretty`: a start-up banner and readable lines (the development default); `json`: one JSON object a line. */
  logFormat: 'json' | 'pretty';
  http: { host: string; port: number; bodyLimitBytes: number };
  /** `url` set -> PostgreSQL through node-postgres; unset -> embedded PGlite in `pgliteDir` (null = in memory). */
  database: { url: string | null; poolMax: number; pgliteDir: string | null };
  redisUrl: string | null;
  /** The export queue and its worker. `inProcess`: `npm start` also runs the worker (WORKER=on). */
  exports: { inProcess: boolean; queueName: string; batchSize: number; sweepSeconds: number };
  dataDir: string;
  exportDir: string;
  timeZone: string;
  restaurant: {
    name: string;
    phone: string | null;
    location: { lat: number; lng: number };
    deliveryRadiusKm: number;
    taxRatePpm: number;
    deliveryFeeCents: Cents;
    menuFile: string;
    openingHours: OpeningHours;
  };
  payment: PaymentConfig;
  geo: GeoConfig;
  /** Texts to callers (voice orders paid by a link); provider `none` when payment links are off. */
  sms: SmsConfig;
  /**
   * PAYMENT_LINKS: the assistant may offer a payment link texted to the caller. Off, it never does, voice orders
   * are paid to the driver or at the counter, and no SMS provider is needed.
   */
  paymentLinks: boolean;
  /** Where Vapi reaches this server (https://…); tools and the assistant point at PUBLIC_URL/webhook/vapi. */
  publicUrl: string;
  vapi: {
    apiKey: string | null;
    /** Accepted secrets: VAPI_WEBHOOK_SECRET may list two, comma-separated, while rotating. */
    webhookSecrets: string[];
    /**
     * A Vapi credential (bearer or HMAC, created in the Vapi dashboard) the generated assistant and its tools
     * name as `server.credentialId`, so no secret travels inside the assistant; null = an X-Vapi-Secret header.
     */
    credentialId: string | null;
    toolTimeoutMs: number;
  };
  /** Signing secrets of the Stripe webhook endpoint (two, comma-separated, while rotating); empty = no webhook. */
  stripeWebhookSecrets: string[];
  /** Required in staging/production for the dashboard and order read APIs; null = open (development). */
  dashboardToken: string | null;
  /** How long a dashboard login lasts (server-side, from login); a logout ends it sooner. */
  dashboardSessionHours: number;
  /** Leaflet tile URL template for the dashboard map; null = no tiles (markers on a plain background). */
  mapTileUrl: string | null;
  /** Browser and abuse protections (README "Security"). */
  security: {
    /** Exact origins a browser may call the API from (CORS); empty = no cross-origin access. */
    corsOrigins: string[];
    /** Deepest nesting of objects and arrays accepted in a JSON body. */
    jsonMaxDepth: number;
    /** Fastify's trustProxy: false, true (every hop) or the addresses/CIDRs of the proxies in front. */
    trustProxy: boolean | string[];
    /** Requests per minute per client IP on the public routes (orders, quotes, login); 0 = off. */
    requestsPerMinute: number;
    /** New orders per customer phone per hour, every channel; 0 = off. */
    phoneOrdersPerHour: number;
    /** Requests per minute per client IP on each webhook (Vapi, Stripe, simulation); 0 = off. */
    webhookRequestsPerMinute: number;
    /** Prefix of the Redis keys holding the shared counts (REDIS_URL set). */
    redisKeyPrefix: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const envSchema = z.object({
  ENV_MODE: z.enum(['development', 'staging', 'production']).default('development'),
  DEBUG: bool(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  // Empty counts as unset, like every optional variable: the mode's default.
  LOG_FORMAT: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['json', 'pretty']).optional()),
  PORT: num(8001, port),
  HOST: z.string().default('0.0.0.0'),
  BODY_LIMIT_BYTES: num(64 * 1024, positiveInt),
  JSON_MAX_DEPTH: num(32, (n) =>
    Number.isInteger(n) && n >= 16 && n <= 1000 ? null : `must be 16-1000, got ${n}`,
  ),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const origins = splitList(v ?? null);
      for (const origin of origins) {
        const problem = originProblem(origin);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
      return origins;
    }),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = (v ?? '').trim().toLowerCase();
      if (['', 'false', 'off', 'no'].includes(s)) return false;
      if (['true', 'on', 'yes'].includes(s)) return true;
      const proxies = splitList(s);
      const bad = proxies.filter((p) => !isProxyAddress(p));
      if (bad.length === 0) return proxies;
      ctx.addIssue({
        code: 'custom',
        message: `expected on, off or proxy addresses such as 10.0.0.0/8,loopback, got "${bad.join(',')}"`,
      });
      return z.NEVER;
    }),
  RATE_LIMIT_PER_MINUTE: optionalCount(1_000_000),
  PHONE_ORDERS_PER_HOUR: optionalCount(10_000),
  WEBHOOK_RATE_LIMIT_PER_MINUTE: optionalCount(1_000_000),
  RATE_LIMIT_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, :, - and _ only')
    .default('phone-orders:rl:'),
  DATABASE_URL: optionalText.refine((v) => v === null || /^postgres(ql)?:\/\//.test(v), {
    message: 'must start with postgres:// or postgresql://',
  }),
  DATABASE_POOL_MAX: num(12, (n) =>
    Number.isInteger(n) && n >= 1 && n <= 64 ? null : `must be 1-64, got ${n}`,
  ),
  REDIS_URL: optionalText.refine((v) => v === null || /^rediss?:\/\//.test(v), {
    message: 'must start with redis:// or rediss://',
  }),
  WORKER: z.enum(['on', 'off']).default('on'),
  EXPORT_QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only')
    .default('order-export'),
  EXPORT_BATCH_SIZE: num(500, (n) =>
    Number.isInteger(n) && n >= 1 && n <= 5000 ? null : `must be 1-5000, got ${n}`,
  ),
  EXPORT_SWEEP_SECONDS: num(5, (n) => (n >= 0.1 && n <= 3600 ? null : `must be 0.1-3600 seconds, got ${n}`)),
  DATA_DIR: z.string().default('./data'),
  EXPORT_DIR: optionalText,
  TIMEZONE: z
    .string()
    .default('America/New_York')
    .refine(isValidTimeZone, { message: 'not an IANA time zone such as America/New_York' }),
  STRIPE_SECRET_KEY: optionalText,
  STRIPE_WEBHOOK_SECRET: optionalText,
  STRIPE_API_URL: optionalText,
  GOOGLE_MAPS_API_KEY: optionalText,
  GOOGLE_MAPS_API_URL: optionalText,
  VAPI_API_KEY: optionalText,
  VAPI_WEBHOOK_SECRET: optionalText,
  VAPI_CREDENTIAL_ID: optionalText,
  VOICE_TOOL_TIMEOUT_MS: num(8_000, (n) =>
    Number.isInteger(n) && n >= 500 && n <= 60_000 ? null : `must be 500-60000 ms, got ${n}`,
  ),
  PUBLIC_URL: optionalText.refine((v) => v === null || /^https?:\/\/[^\s/]+/.test(v), {
    message: 'must be an http(s) URL such as https://orders.example.com',
  }),
  PAYMENT_PROVIDER: z.enum(['mock', 'stripe']).optional(),
  GEO_PROVIDER: z.enum(['mock', 'google']).optional(),
  SMS_PROVIDER: z.enum(['mock', 'twilio']).optional(),
  PAYMENT_LINKS: z.enum(['on', 'off']).optional(),
  TWILIO_ACCOUNT_SID: optionalText,
  TWILIO_AUTH_TOKEN: optionalText,
  TWILIO_FROM_NUMBER: optionalText.refine((v) => v === null || /^\+[1-9]\d{6,14}$/.test(v), {
    message: 'must be an E.164 phone number such as +12125550100',
  }),
  TWILIO_API_URL: optionalText.refine((v) => v === null || /^https?:\/\/[^\s/]+/.test(v), {
    message: 'must be an http(s) URL such as https://api.twilio.com',
  }),
  SMS_TIMEOUT_MS: num(5_000, positiveInt),
  PAYMENT_TIMEOUT_MS: num(10_000, positiveInt),
  GEO_TIMEOUT_MS: num(3_000, positiveInt),
  RESTAURANT_NAME: z.string().trim().min(1).default('AI Pizza Palace'),
  RESTAURANT_PHONE: optionalText,
  RESTAURANT_LAT: num(40.7505, between(-90, 90)),
  RESTAURANT_LNG: num(-73.9934, between(-180, 180)),
  DELIVERY_RADIUS_KM: num(5, (n) => (n > 0 && n <= 100 ? null : `must be between 0 and 100 km, got ${n}`)),
  TAX_RATE: num(0.08875, between(0, 0.5)),
  DELIVERY_FEE: dollars(5.99),
  MENU_FILE: optionalText,
  OPENING_HOURS: optionalText,
  DASHBOARD_TOKEN: optionalText,
  DASHBOARD_SESSION_HOURS: num(12, (n) =>
    n > 0 && n <= 168 ? null : `must be more than 0 and at most 168 hours, got ${n}`,
  ),
  MAP_TILE_URL: z.string().default('https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
  MOCK_PAYMENT_FAILURE_RATE: num(0.1, between(0, 1)),
  MOCK_GEO_FAILURE_RATE: num(0.05, between(0, 1)),
  MOCK_PAYMENT_LATENCY_MS: latency,
  MOCK_GEO_LATENCY_MS: latency,
  // A fixed default makes mock outcomes reproducible run to run; `random` draws a fresh seed per start.
  MOCK_SEED: z.string().default('pizza'),
});

type Env = Record<string, string | undefined>;

/** Validates `env` (process.env by default) and returns the typed configuration, or throws ConfigError. */
export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      problems.push(`${name}: ${issue.message}${describeValue(name, env[name], issue.message)}`);
    }
    // Opening hours are checked after the schema; check them here too so the list is complete.
    const zone = env.TIMEZONE && isValidTimeZone(env.TIMEZONE) ? env.TIMEZONE : 'America/New_York';
    const hoursProblem = openingHoursProblem(env.OPENING_HOURS, zone);
    if (hoursProblem) problems.push(hoursProblem);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const real = e.ENV_MODE !== 'development';

  const hoursProblem = openingHoursProblem(e.OPENING_HOURS ?? undefined, e.TIMEZONE);
  if (hoursProblem) problems.push(hoursProblem);

  const paymentProvider = e.PAYMENT_PROVIDER ?? (real ? 'stripe' : 'mock');
  const geoProvider = e.GEO_PROVIDER ?? (real ? 'google' : 'mock');
  // Texting payment links is the only use of SMS: with links off no provider is needed (or built).
  const paymentLinks = e.PAYMENT_LINKS !== 'off';
  const smsProvider = e.SMS_PROVIDER ?? (!paymentLinks ? 'none' : real ? 'twilio' : 'mock');
  if (paymentProvider === 'stripe' && !e.STRIPE_SECRET_KEY) {
    problems.push(
      'STRIPE_SECRET_KEY: required when payments go through Stripe (staging/production or PAYMENT_PROVIDER=stripe)',
    );
  }
  if (geoProvider === 'google' && !e.GOOGLE_MAPS_API_KEY) {
    problems.push(
      'GOOGLE_MAPS_API_KEY: required when addresses go through Google (staging/production or GEO_PROVIDER=google)',
    );
  }
  if (smsProvider === 'twilio') {
    const names = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'] as const;
    const missing = names.filter((name) => !e[name]);
    for (const name of missing)
      problems.push(
        `${name}: required when texts go through Twilio (staging/production with payment links on, or SMS_PROVIDER=twilio)`,
      );
    // Twilio chosen only because links are on (by default or PAYMENT_LINKS=on): name the other way out too.
    if (missing.length > 0 && e.SMS_PROVIDER === undefined)
      problems.push(
        `PAYMENT_LINKS: ${e.PAYMENT_LINKS === 'on' ? 'on' : 'on (the default)'} texts voice callers a payment link, ` +
          `which in ${e.ENV_MODE} needs Twilio: set ${names.join(', ')}, or set PAYMENT_LINKS=off to take ` +
          'payment on delivery and at the counter only',
      );
  }
  if (e.ENV_MODE === 'production') {
    if (paymentProvider === 'mock')
      problems.push('PAYMENT_PROVIDER: production refuses the mock payment service');
    if (geoProvider === 'mock') problems.push('GEO_PROVIDER: production refuses the mock geocoder');
    if (smsProvider === 'mock') problems.push('SMS_PROVIDER: production refuses the mock SMS service');
  }
  if (paymentProvider === 'stripe' && e.ENV_MODE === 'production' && !e.STRIPE_WEBHOOK_SECRET) {
    problems.push(
      'STRIPE_WEBHOOK_SECRET: required in production so that payment updates and refunds come only from Stripe',
    );
  }
  if (real && !e.VAPI_WEBHOOK_SECRET) {
    problems.push(`VAPI_WEBHOOK_SECRET: required in ${e.ENV_MODE} so that only Vapi can place voice orders`);
  }
  if (real && !e.DASHBOARD_TOKEN) {
    problems.push(`DASHBOARD_TOKEN: required in ${e.ENV_MODE} to protect the dashboard and order data`);
  }
  if (real) {
    problems.push(
      ...shortSecretProblems('DASHBOARD_TOKEN', e.DASHBOARD_TOKEN ? [e.DASHBOARD_TOKEN] : [], e.ENV_MODE),
      ...shortSecretProblems('VAPI_WEBHOOK_SECRET', splitList(e.VAPI_WEBHOOK_SECRET), e.ENV_MODE),
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const openingHours = parseOpeningHours(e.OPENING_HOURS ?? undefined, e.TIMEZONE);

  const dataDir = path.resolve(e.DATA_DIR);
  const seed = e.MOCK_SEED === 'random' ? Math.random().toString(36).slice(2) : e.MOCK_SEED;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    envMode: e.ENV_MODE,
    debug: e.DEBUG,
    logLevel: e.LOG_LEVEL ?? (e.DEBUG ? 'debug' : 'info'),
    logFormat: e.LOG_FORMAT ?? (e.ENV_MODE === 'development' ? 'pretty' : 'json'),
    http: { host: e.HOST, port: e.PORT, bodyLimitBytes: e.BODY_LIMIT_BYTES },
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, pgliteDir: path.join(dataDir, 'pglite') },
    redisUrl: e.REDIS_URL,
    exports: {
      inProcess: e.WORKER === 'on',
      queueName: e.EXPORT_QUEUE_NAME,
      batchSize: e.EXPORT_BATCH_SIZE,
      sweepSeconds: e.EXPORT_SWEEP_SECONDS,
    },
    dataDir,
    exportDir: e.EXPORT_DIR ? path.resolve(e.EXPORT_DIR) : dataDir,
    timeZone: e.TIMEZONE,
    restaurant: {
      name: e.RESTAURANT_NAME,
      phone: e.RESTAURANT_PHONE,
      location: { lat: e.RESTAURANT_LAT, lng: e.RESTAURANT_LNG },
      deliveryRadiusKm: e.DELIVERY_RADIUS_KM,
      taxRatePpm: rateToPpm(e.TAX_RATE),
      deliveryFeeCents: dollarsToCents(e.DELIVERY_FEE) as Cents,
      menuFile: e.MENU_FILE
        ? path.resolve(e.MENU_FILE)
        : path.join(PROJECT_ROOT, 'menu', 'default-menu.json'),
      openingHours,
    },
    payment: {
      provider: paymentProvider,
      mock: {
        failureRate: e.MOCK_PAYMENT_FAILURE_RATE,
        latency: e.MOCK_PAYMENT_LATENCY_MS,
        seed: `${seed}:payment`,
      },
      stripe: {
        secretKey: e.STRIPE_SECRET_KEY ?? undefined,
        apiUrl: e.STRIPE_API_URL ?? undefined,
        timeoutMs: e.PAYMENT_TIMEOUT_MS,
      },
      publicUrl,
    },
    geo: {
      provider: geoProvider,
      mock: { failureRate: e.MOCK_GEO_FAILURE_RATE, latency: e.MOCK_GEO_LATENCY_MS, seed: `${seed}:geo` },
      google: {
        apiKey: e.GOOGLE_MAPS_API_KEY ?? undefined,
        baseUrl: e.GOOGLE_MAPS_API_URL ?? undefined,
        timeoutMs: e.GEO_TIMEOUT_MS,
      },
    },
    sms: {
      provider: smsProvider,
      twilio: {
        accountSid: e.TWILIO_ACCOUNT_SID ?? undefined,
        authToken: e.TWILIO_AUTH_TOKEN ?? undefined,
        fromNumber: e.TWILIO_FROM_NUMBER ?? undefined,
        apiUrl: e.TWILIO_API_URL ?? undefined,
        timeoutMs: e.SMS_TIMEOUT_MS,
      },
    },
    paymentLinks,
    publicUrl,
    vapi: {
      apiKey: e.VAPI_API_KEY,
      webhookSecrets: splitList(e.VAPI_WEBHOOK_SECRET),
      credentialId: e.VAPI_CREDENTIAL_ID,
      toolTimeoutMs: e.VOICE_TOOL_TIMEOUT_MS,
    },
    stripeWebhookSecrets: splitList(e.STRIPE_WEBHOOK_SECRET),
    dashboardToken: e.ENV_MODE === 'development' ? null : e.DASHBOARD_TOKEN,
    dashboardSessionHours: e.DASHBOARD_SESSION_HOURS,
    mapTileUrl: e.MAP_TILE_URL.trim() || null,
    security: {
      corsOrigins: e.CORS_ORIGINS,
      jsonMaxDepth: e.JSON_MAX_DEPTH,
      trustProxy: e.TRUST_PROXY,
      requestsPerMinute: e.RATE_LIMIT_PER_MINUTE ?? (real ? 120 : 0),
      phoneOrdersPerHour: e.PHONE_ORDERS_PER_HOUR ?? (real ? 10 : 0),
      webhookRequestsPerMinute: e.WEBHOOK_RATE_LIMIT_PER_MINUTE ?? (real ? 600 : 0),
      redisKeyPrefix: e.RATE_LIMIT_KEY_PREFIX,
    },
  };
}

function openingHoursProblem(spec: string | undefined, timeZone: string): string | null {
  try {
    parseOpeningHours(spec?.trim() || undefined, timeZone);
    return null;
  } catch (error) {
    return `OPENING_HOURS: ${(error as Error).message}`;
  }
}

/** Echoes a bad value so the operator sees it, except values that may hold secrets (keys, URLs with passwords). */
function describeValue(name: string, value: string | undefined, message: string): string {
  if (value === undefined || message.includes('got ') || /KEY|SECRET|TOKEN|URL/.test(name)) return '';
  return ` (got "${value.length > 60 ? `${value.slice(0, 60)}…` : value}")`;
}
