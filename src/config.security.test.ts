// The security variables of loadConfig: CORS_ORIGINS, JSON_MAX_DEPTH, TRUST_PROXY and the rate limits, whose
// defaults follow ENV_MODE while an explicit value always wins.
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { problemsOf } from '../test/helpers/config-problems.js';
import { STAGING_ON_MOCKS } from '../test/helpers/staging-env.js';

const STAGING = STAGING_ON_MOCKS;

describe('security configuration', () => {
  it('in development: no CORS, depth 32, no proxy trusted, every rate limit off', () => {
    expect(loadConfig({}).security).toEqual({
      corsOrigins: [],
      jsonMaxDepth: 32,
      trustProxy: false,
      requestsPerMinute: 0,
      phoneOrdersPerHour: 0,
      webhookRequestsPerMinute: 0,
      redisKeyPrefix: 'phone-orders:rl:',
    });
  });

  it('in staging and production: 120 requests a minute per address, 10 orders an hour per phone, 600 webhook requests a minute per address', () => {
    expect(loadConfig(STAGING).security).toMatchObject({
      requestsPerMinute: 120,
      phoneOrdersPerHour: 10,
      webhookRequestsPerMinute: 600,
    });
  });

  it('takes an explicit value over the mode default, 0 included', () => {
    expect(
      loadConfig({ ...STAGING, RATE_LIMIT_PER_MINUTE: '0', PHONE_ORDERS_PER_HOUR: '0' }).security,
    ).toMatchObject({ requestsPerMinute: 0, phoneOrdersPerHour: 0 });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '30', PHONE_ORDERS_PER_HOUR: '3' }).security).toMatchObject({
      requestsPerMinute: 30,
      phoneOrdersPerHour: 3,
    });
  });

  it('refuses limits that are not whole numbers from 0, naming each', () => {
    const problems = problemsOf({ RATE_LIMIT_PER_MINUTE: '-1', PHONE_ORDERS_PER_HOUR: 'ten' });
    expect(problems).toEqual([
      expect.stringMatching(/^RATE_LIMIT_PER_MINUTE: must be a whole number from 0 \(off\).*got "-1"/),
      expect.stringMatching(/^PHONE_ORDERS_PER_HOUR: must be a whole number from 0 \(off\).*got "ten"/),
    ]);
  });

  it('reads CORS_ORIGINS as a comma-separated list of exact origins', () => {
    const { corsOrigins } = loadConfig({
      CORS_ORIGINS: ' https://shop.example.com , http://localhost:5173,https://[::1]:8443 ',
    }).security;
    expect(corsOrigins).toEqual(['https://shop.example.com', 'http://localhost:5173', 'https://[::1]:8443']);
    expect(loadConfig({ CORS_ORIGINS: '' }).security.corsOrigins).toEqual([]);
  });

  it('refuses a malformed origin with a message saying what an origin is', () => {
    const cases: Array<[string, RegExp]> = [
      [
        'https://shop.example.com/',
        /got "https:\/\/shop\.example\.com\/" \(did you mean https:\/\/shop\.example\.com\?\)/,
      ],
      ['https://shop.example.com/orders', /did you mean https:\/\/shop\.example\.com\?/],
      ['https://Shop.Example.com', /did you mean https:\/\/shop\.example\.com\?/],
      ['shop.example.com', /got "shop\.example\.com"/],
      ['ftp://files.example.com', /got "ftp:\/\/files\.example\.com"/],
      ['*', /must list each origin, not \*/],
    ];
    for (const [value, message] of cases) {
      const problems = problemsOf({ CORS_ORIGINS: `https://ok.example.com,${value}` });
      expect(problems, value).toHaveLength(1);
      expect(problems[0], value).toMatch(
        /^CORS_ORIGINS: .*exact origin such as https:\/\/shop\.example\.com/,
      );
      expect(problems[0], value).toMatch(message);
    }
  });

  it('reads TRUST_PROXY as off, on, or the proxies to trust', () => {
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).security.trustProxy;
    expect(trust('off')).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('')).toBe(false);
    expect(trust('on')).toBe(true);
    expect(trust('TRUE')).toBe(true);
    expect(trust('10.0.0.0/8, loopback,2001:db8::/32,192.168.1.7')).toEqual([
      '10.0.0.0/8',
      'loopback',
      '2001:db8::/32',
      '192.168.1.7',
    ]);
  });

  it('refuses a TRUST_PROXY it cannot hand to Fastify, naming the bad entries', () => {
    for (const value of ['2', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1', '::1/129']) {
      const problems = problemsOf({ TRUST_PROXY: value });
      expect(problems, value).toEqual([
        expect.stringMatching(/^TRUST_PROXY: expected on, off or proxy addresses/),
      ]);
      expect(problems[0], value).toContain(value.toLowerCase());
    }
  });

  it('keeps JSON_MAX_DEPTH deep enough for Vapi messages and refuses the rest', () => {
    expect(loadConfig({ JSON_MAX_DEPTH: '64' }).security.jsonMaxDepth).toBe(64);
    expect(problemsOf({ JSON_MAX_DEPTH: '8' })).toEqual([
      expect.stringMatching(/^JSON_MAX_DEPTH: must be 16-1000, got 8/),
    ]);
    expect(problemsOf({ JSON_MAX_DEPTH: '32.5' })).toHaveLength(1);
  });

  it('refuses a Redis key prefix with spaces or other characters', () => {
    expect(loadConfig({ RATE_LIMIT_KEY_PREFIX: 'shop-2:rl:' }).security.redisKeyPrefix).toBe('shop-2:rl:');
    expect(problemsOf({ RATE_LIMIT_KEY_PREFIX: 'a b' })).toEqual([
      expect.stringMatching(/^RATE_LIMIT_KEY_PREFIX: letters, digits, :, - and _ only/),
    ]);
  });
});
