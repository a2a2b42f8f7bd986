import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

/** loadConfig(env) must throw a ConfigError; returns it for inspection. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected loadConfig to refuse ${JSON.stringify(env)}`);
}

/** The variable names a ConfigError's problems are about ("PORT: not a TCP port" -> "PORT"). */
const namesOf = (error: ConfigError) => error.problems.map((p) => p.split(':')[0]);

const STAGING_KEYS = {
  STRIPE_SECRET_KEY: 'sk_test_123',
  GOOGLE_MAPS_API_KEY: 'maps-key',
  VAPI_WEBHOOK_SECRET: 'vapi-secret-0123456789abcdef',
  DASHBOARD_TOKEN: 'dash-token-0123456789abcdef',
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_AUTH_TOKEN: 'twilio-token',
  TWILIO_FROM_NUMBER: '+12125550100',
};
/** Production also needs the Stripe webhook's signing secret (payment updates and refunds come from it). */
const PRODUCTION_KEYS = { ...STAGING_KEYS, STRIPE_WEBHOOK_SECRET: 'whsec_test' };

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('serves on port 8001 in development with a 64 KiB body limit', () => {
    expect(config.envMode).toBe('development');
    expect(config.http.port).toBe(8001);
    expect(config.http.bodyLimitBytes).toBe(64 * 1024);
    expect(config.logLevel).toBe('info');
    expect(config.timeZone).toBe('America/New_York');
  });

  it('prices with an 8.875% tax as 88750 ppm and a $5.99 delivery fee as 599 cents', () => {
    expect(config.restaurant.taxRatePpm).toBe(88_750);
    expect(config.restaurant.deliveryFeeCents).toBe(599);
  });

  it('uses the mock payment, geo and SMS services and the embedded database', () => {
    expect(config.payment.provider).toBe('mock');
    expect(config.geo.provider).toBe('mock');
    expect(config.sms.provider).toBe('mock');
    expect(config.payment.publicUrl).toBe('http://localhost:8001');
    expect(config.database.url).toBeNull();
    expect(config.restaurant.openingHours.alwaysOpen).toBe(true);
  });

  it('reads the default menu from the repository', () => {
    expect(path.isAbsolute(config.restaurant.menuFile)).toBe(true);
    expect(config.restaurant.menuFile.endsWith(path.join('menu', 'default-menu.json'))).toBe(true);
  });

  it('reads only the object it is given', () => {
    const custom = loadConfig({ PORT: '9123', TAX_RATE: '0.1', DELIVERY_FEE: '0' });
    expect(custom.http.port).toBe(9123);
    expect(custom.restaurant.taxRatePpm).toBe(100_000);
    expect(custom.restaurant.deliveryFeeCents).toBe(0);
    expect(loadConfig({}).http.port).toBe(8001);
  });
});

describe('loadConfig refusals', () => {
  it('lists every bad value in one ConfigError', () => {
    const env = {
      PORT: 'abc',
      TAX_RATE: '2',
      TIMEZONE: 'Mars/Base',
      OPENING_HOURS: 'funday 10:00-12:00',
      DATABASE_URL: 'mysql://x',
      MOCK_PAYMENT_LATENCY_MS: '800-200',
    };
    const error = configError(env);
    expect(error.name).toBe('ConfigError');
    const names = namesOf(error);
    for (const variable of Object.keys(env)) {
      expect(names, `problems: ${error.problems.join(' | ')}`).toContain(variable);
      expect(error.message).toContain(variable);
    }
    expect(error.message).toMatch(/Invalid configuration \(\d+ problems\)/);
  });

  it('lists a bad OPENING_HOURS on its own', () => {
    const error = configError({ OPENING_HOURS: 'funday 10:00-12:00' });
    expect(namesOf(error)).toEqual(['OPENING_HOURS']);
  });

  it('requires the real service keys in staging, naming each', () => {
    const error = configError({ ENV_MODE: 'staging' });
    expect(namesOf(error)).toEqual(
      expect.arrayContaining([
        'STRIPE_SECRET_KEY',
        'GOOGLE_MAPS_API_KEY',
        'VAPI_WEBHOOK_SECRET',
        'DASHBOARD_TOKEN',
        'TWILIO_ACCOUNT_SID',
        'TWILIO_AUTH_TOKEN',
        'TWILIO_FROM_NUMBER',
      ]),
    );
    for (const name of [
      'STRIPE_SECRET_KEY',
      'GOOGLE_MAPS_API_KEY',
      'VAPI_WEBHOOK_SECRET',
      'DASHBOARD_TOKEN',
      'TWILIO_ACCOUNT_SID',
      'TWILIO_AUTH_TOKEN',
      'TWILIO_FROM_NUMBER',
    ]) {
      expect(error.message).toContain(name);
    }
  });

  it('uses Stripe and Google in staging when the keys are given', () => {
    const config = loadConfig({ ENV_MODE: 'staging', ...STAGING_KEYS });
    expect(config.envMode).toBe('staging');
    expect(config.payment.provider).toBe('stripe');
    expect(config.payment.stripe.secretKey).toBe('sk_test_123');
    expect(config.geo.provider).toBe('google');
    expect(config.geo.google.apiKey).toBe('maps-key');
    expect(config.dashboardToken).toBe('dash-token-0123456789abcdef');
    expect(config.sms).toEqual({
      provider: 'twilio',
      twilio: {
        accountSid: STAGING_KEYS.TWILIO_ACCOUNT_SID,
        authToken: 'twilio-token',
        fromNumber: '+12125550100',
        apiUrl: undefined,
        timeoutMs: 5000,
      },
    });
  });

  it('names each missing Twilio key when texts go through Twilio', () => {
    const error = configError({ SMS_PROVIDER: 'twilio', TWILIO_AUTH_TOKEN: 'twilio-token' });
    expect(namesOf(error)).toEqual(['TWILIO_ACCOUNT_SID', 'TWILIO_FROM_NUMBER']);
    expect(error.message).toMatch(/SMS_PROVIDER=twilio/);
  });

  it('refuses a Twilio sending number that is not E.164, and a bad TWILIO_API_URL', () => {
    const error = configError({ ...STAGING_KEYS, TWILIO_FROM_NUMBER: '212-555-0100', TWILIO_API_URL: 'x' });
    expect(namesOf(error)).toEqual(['TWILIO_FROM_NUMBER', 'TWILIO_API_URL']);
  });

  it('refuses the mock SMS service in production', () => {
    const error = configError({ ENV_MODE: 'production', ...PRODUCTION_KEYS, SMS_PROVIDER: 'mock' });
    expect(namesOf(error)).toEqual(['SMS_PROVIDER']);
    expect(error.message).toMatch(/production refuses the mock SMS service/);
  });

  it('refuses the mock payment service in production', () => {
    const error = configError({ ENV_MODE: 'production', ...PRODUCTION_KEYS, PAYMENT_PROVIDER: 'mock' });
    expect(namesOf(error)).toEqual(['PAYMENT_PROVIDER']);
    expect(error.message).toMatch(/production/);
  });

  it('refuses the mock geocoder in production', () => {
    const error = configError({ ENV_MODE: 'production', ...PRODUCTION_KEYS, GEO_PROVIDER: 'mock' });
    expect(namesOf(error)).toEqual(['GEO_PROVIDER']);
  });

  it('refuses production without the Stripe webhook secret, and starts with it', () => {
    const error = configError({ ENV_MODE: 'production', ...STAGING_KEYS });
    expect(namesOf(error)).toEqual(['STRIPE_WEBHOOK_SECRET']);
    expect(loadConfig({ ENV_MODE: 'production', ...PRODUCTION_KEYS }).stripeWebhookSecrets).toEqual([
      'whsec_test',
    ]);
  });

  it('never echoes a value that may hold a secret', () => {
    const error = configError({
      DATABASE_URL: 'mysql://user:hunter2@x',
      STRIPE_SECRET_KEY: ' ',
      PORT: '99999',
    });
    expect(namesOf(error)).toEqual(expect.arrayContaining(['DATABASE_URL', 'PORT']));
    expect(error.message).not.toContain('hunter2');
    expect(error.problems.join('\n')).not.toContain('hunter2');
    // Harmless values are echoed so the operator sees what was wrong.
    expect(error.message).toContain('99999');
  });

  it('does not echo a bad secret key value either', () => {
    const error = configError({
      ENV_MODE: 'production',
      ...STAGING_KEYS,
      REDIS_URL: 'http://:s3cr3t-pass@redis',
      PAYMENT_PROVIDER: 'paypal',
    });
    expect(namesOf(error)).toEqual(expect.arrayContaining(['REDIS_URL', 'PAYMENT_PROVIDER']));
    expect(error.message).not.toContain('s3cr3t-pass');
  });
});
