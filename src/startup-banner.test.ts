import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { type StartupFacts, localBaseUrl, startupBanner } from './startup-banner.js';

function facts(env: Record<string, string>, overrides: Partial<StartupFacts> = {}): StartupFacts {
  return {
    config: loadConfig({ DATA_DIR: '/srv/orders/data', ...env }),
    version: '1.2.3',
    database: env.DATABASE_URL ? 'postgres' : 'pglite',
    queue: env.REDIS_URL ? 'bullmq' : 'embedded',
    payment: 'mock',
    geo: 'mock',
    sms: 'mock',
    ...overrides,
  };
}

describe('LOG_FORMAT', () => {
  it('is pretty in development and json in staging and production unless set; empty means unset', () => {
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: '' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    const staging = {
      ENV_MODE: 'staging',
      PAYMENT_PROVIDER: 'mock',
      GEO_PROVIDER: 'mock',
      SMS_PROVIDER: 'mock',
      VAPI_WEBHOOK_SECRET: 'vapi-secret-0123456789abcdef',
      DASHBOARD_TOKEN: 'dash-token-0123456789abcdef',
    };
    expect(loadConfig(staging).logFormat).toBe('json');
    expect(loadConfig({ ...staging, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});

describe('localBaseUrl', () => {
  it('shows a wildcard bind address as localhost and any other host as itself', () => {
    expect(localBaseUrl('0.0.0.0', 8001)).toBe('http://localhost:8001');
    expect(localBaseUrl('::', 8001)).toBe('http://localhost:8001');
    expect(localBaseUrl('127.0.0.1', 9000)).toBe('http://127.0.0.1:9000');
    expect(localBaseUrl('::1', 9000)).toBe('http://[::1]:9000');
  });
});

describe('startupBanner', () => {
  it('names the URLs, the embedded database and queue, the workbooks and a one-line first order', () => {
    const banner = startupBanner(facts({}));
    expect(banner).toContain('AI Pizza Palace is taking orders (development, v1.2.3)');
    expect(banner).toMatch(/Dashboard +http:\/\/localhost:8001\/dashboard\n/);
    expect(banner).toMatch(/API docs +http:\/\/localhost:8001\/docs\n/);
    expect(banner).toMatch(/Health +http:\/\/localhost:8001\/health\n/);
    expect(banner).toContain('embedded PGlite in /srv/orders/data/pglite');
    expect(banner).toContain('embedded (in this process), export worker in this process');
    expect(banner).toContain('/srv/orders/data/orders-YYYY-MM-DD.xlsx');
    const curl = banner.split('\n').find((line) => line.includes('curl'));
    expect(curl).toMatch(/^ {2}curl -X POST http:\/\/localhost:8001\/api\/orders .* -d '\{.*\}'$/);
    expect(JSON.parse(/-d '(.*)'$/.exec(curl ?? '')?.[1] ?? '')).toMatchObject({ zip_code: '10001' });
  });

  it('names PostgreSQL and Redis by host and database, never their passwords', () => {
    const banner = startupBanner(
      facts({
        DATABASE_URL: 'postgres://orders:db-pass-123@db.internal:5433/phone_orders',
        REDIS_URL: 'redis://:redis-pass-456@redis.internal:6380',
        WORKER: 'off',
        EXPORT_DIR: '/srv/exports',
      }),
    );
    expect(banner).toContain('PostgreSQL at db.internal:5433/phone_orders\n');
    expect(banner).toContain('Redis at redis.internal:6380, no export worker here: run npm run worker');
    expect(banner).toContain('/srv/exports/orders-YYYY-MM-DD.xlsx');
    expect(banner).not.toMatch(/db-pass-123|redis-pass-456|orders:/);
  });
});
