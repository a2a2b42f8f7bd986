// Optional features need their providers only when they are on (PAYMENT_LINKS and Twilio), and staging and
// production refuse secrets short enough to guess (DASHBOARD_TOKEN, each VAPI_WEBHOOK_SECRET).
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { problemsOf } from '../test/helpers/config-problems.js';

/** Production with Stripe, Google, Vapi and the dashboard, and no Twilio. */
const PRODUCTION_WITHOUT_TWILIO = {
  ENV_MODE: 'production',
  STRIPE_SECRET_KEY: 'sk_live_features_test_key',
  STRIPE_WEBHOOK_SECRET: 'whsec_features_test_secret',
  GOOGLE_MAPS_API_KEY: 'google-features-key',
  VAPI_WEBHOOK_SECRET: 'vapi-features-secret-0123456789',
  DASHBOARD_TOKEN: 'dashboard-features-token-0123456789',
};
const TWILIO = {
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'twilio-features-token',
  TWILIO_FROM_NUMBER: '+12125550100',
};
const TWILIO_NAMES = Object.keys(TWILIO);

describe('PAYMENT_LINKS', () => {
  it('is on by default in development, texting through the mock', () => {
    const config = loadConfig({});
    expect(config.paymentLinks).toBe(true);
    expect(config.sms.provider).toBe('mock');
  });

  it('off in production needs no Twilio and configures no SMS provider', () => {
    const config = loadConfig({ ...PRODUCTION_WITHOUT_TWILIO, PAYMENT_LINKS: 'off' });
    expect(config.paymentLinks).toBe(false);
    expect(config.sms.provider).toBe('none');
    expect(loadConfig({ PAYMENT_LINKS: 'off' }).sms.provider).toBe('none');
  });

  it('left unset in production without Twilio refuses, naming TWILIO_* and PAYMENT_LINKS=off', () => {
    const problems = problemsOf(PRODUCTION_WITHOUT_TWILIO);
    expect(problems.map((p) => p.split(':')[0])).toEqual([...TWILIO_NAMES, 'PAYMENT_LINKS']);
    const choice = problems.find((p) => p.startsWith('PAYMENT_LINKS:')) ?? '';
    expect(choice).toMatch(/on \(the default\)/);
    for (const name of TWILIO_NAMES) expect(choice).toContain(name);
    expect(choice).toContain('PAYMENT_LINKS=off');
  });

  it('on in production without Twilio refuses the same way, and names only what is missing', () => {
    expect(problemsOf({ ...PRODUCTION_WITHOUT_TWILIO, PAYMENT_LINKS: 'on' })).toEqual([
      ...TWILIO_NAMES.map((name) => expect.stringMatching(new RegExp(`^${name}: required`))),
      expect.stringMatching(/^PAYMENT_LINKS: on texts voice callers a payment link.*PAYMENT_LINKS=off/),
    ]);
    const { TWILIO_FROM_NUMBER: _, ...twoOfThree } = TWILIO;
    expect(problemsOf({ ...PRODUCTION_WITHOUT_TWILIO, ...twoOfThree }).map((p) => p.split(':')[0])).toEqual([
      'TWILIO_FROM_NUMBER',
      'PAYMENT_LINKS',
    ]);
  });

  it('on in production with Twilio starts texting through Twilio', () => {
    const config = loadConfig({ ...PRODUCTION_WITHOUT_TWILIO, ...TWILIO });
    expect(config.paymentLinks).toBe(true);
    expect(config.sms.provider).toBe('twilio');
  });

  it('refuses a value other than on or off', () => {
    expect(problemsOf({ PAYMENT_LINKS: 'maybe' })).toEqual([expect.stringMatching(/^PAYMENT_LINKS: /)]);
  });
});

describe('secret lengths outside development', () => {
  it('refuse a DASHBOARD_TOKEN and a VAPI_WEBHOOK_SECRET under 24 characters, never echoing them', () => {
    for (const mode of ['staging', 'production']) {
      const problems = problemsOf({
        ...PRODUCTION_WITHOUT_TWILIO,
        PAYMENT_LINKS: 'off',
        ENV_MODE: mode,
        DASHBOARD_TOKEN: 'abc',
        VAPI_WEBHOOK_SECRET: 'x',
      });
      expect(problems, mode).toEqual([
        `DASHBOARD_TOKEN: must be at least 24 characters in ${mode} (it has 3); generate one with: openssl rand -hex 32`,
        `VAPI_WEBHOOK_SECRET: must be at least 24 characters in ${mode} (it has 1); generate one with: openssl rand -hex 32`,
      ]);
    }
  });

  it('checks each secret of a VAPI_WEBHOOK_SECRET list', () => {
    const problems = problemsOf({
      ...PRODUCTION_WITHOUT_TWILIO,
      PAYMENT_LINKS: 'off',
      VAPI_WEBHOOK_SECRET: 'vapi-current-secret-0123456789, old-one',
    });
    expect(problems).toEqual([expect.stringMatching(/^VAPI_WEBHOOK_SECRET: .*\(secret 2 of 2 has 7\)/)]);
  });

  it('accept 24 characters, and anything in development', () => {
    const exactly24 = 'a'.repeat(24);
    expect(
      loadConfig({
        ...PRODUCTION_WITHOUT_TWILIO,
        PAYMENT_LINKS: 'off',
        DASHBOARD_TOKEN: exactly24,
        VAPI_WEBHOOK_SECRET: `${exactly24},${exactly24}b`,
      }).vapi.webhookSecrets,
    ).toHaveLength(2);
    expect(loadConfig({ DASHBOARD_TOKEN: 'abc', VAPI_WEBHOOK_SECRET: 'x' }).vapi.webhookSecrets).toEqual([
      'x',
    ]);
  });
});

describe('DASHBOARD_SESSION_HOURS', () => {
  it('defaults to 12 hours and takes a fraction', () => {
    expect(loadConfig({}).dashboardSessionHours).toBe(12);
    expect(loadConfig({ DASHBOARD_SESSION_HOURS: '0.5' }).dashboardSessionHours).toBe(0.5);
  });

  it('refuses 0 and more than a week', () => {
    expect(problemsOf({ DASHBOARD_SESSION_HOURS: '0' })).toEqual([
      expect.stringMatching(/^DASHBOARD_SESSION_HOURS: must be more than 0/),
    ]);
    expect(problemsOf({ DASHBOARD_SESSION_HOURS: '200' })).toHaveLength(1);
  });
});

describe('WEBHOOK_RATE_LIMIT_PER_MINUTE', () => {
  it('limits each webhook per source outside development by default, and not in development', () => {
    const production = { ...PRODUCTION_WITHOUT_TWILIO, PAYMENT_LINKS: 'off' };
    expect(loadConfig(production).security.webhookRequestsPerMinute).toBe(600);
    expect(
      loadConfig({ ...production, WEBHOOK_RATE_LIMIT_PER_MINUTE: '50' }).security.webhookRequestsPerMinute,
    ).toBe(50);
    expect(loadConfig({}).security.webhookRequestsPerMinute).toBe(0);
  });
});
