// ENV_MODE=production in a real process, the real Stripe and Google adapters pointed at local fakes: start-up
// refuses mocks and missing keys (naming each), customer data and money-moving routes need their credentials,
// the development-only simulation webhook does not exist, Stripe events must carry a valid signature, and no
// secret or full phone number reaches the logs.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStripePayload } from '../../src/adapters/payment/stripe-signature.js';
import {
  FAKE_GOOGLE_API_KEY,
  type FakeGoogleGeocode,
  startFakeGoogleGeocode,
} from '../helpers/fake-google-geocode.js';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.js';
import { type Running, freePort, startNode, stop, waitForHealth } from '../helpers/processes.js';
import { seedOrderBody } from '../helpers/test-app.js';
import { type TestDatabase, availableBackends, createTestDatabase } from '../helpers/test-database.js';

/** Stripe, Google, Vapi and the dashboard: what production needs whatever the optional features. */
const CORE_SECRETS = {
  STRIPE_SECRET_KEY: 'sk_live_production_test_key_4242',
  STRIPE_WEBHOOK_SECRET: 'whsec_production_test_secret',
  GOOGLE_MAPS_API_KEY: FAKE_GOOGLE_API_KEY,
  VAPI_WEBHOOK_SECRET: 'vapi-production-test-secret',
  DASHBOARD_TOKEN: 'dashboard-production-test-token',
};
const SECRETS = {
  ...CORE_SECRETS,
  // Payment links (on by default) are texted through Twilio (nothing in this file places a link order, so
  // none is sent).
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'twilio-production-test-token',
  TWILIO_FROM_NUMBER: '+12125550100',
};
const TWILIO_NAMES = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'];
/** The seed order's phone (555-123-4567), in any formatting. */
const CUSTOMER_PHONE = /555\D{0,2}123\D{0,2}4567/;

/** Starts the server with exactly `env` (no inherited configuration) and waits for it to exit. */
async function refusedStart(env: Record<string, string>): Promise<string> {
  const running = startNode('src/server.ts', { PORT: String(await freePort()), ...env });
  const code = await Promise.race([
    running.exited,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000)),
  ]);
  if (code === 'timeout') await stop(running, 'SIGKILL');
  expect(code, running.output()).toBe(1);
  return running.output();
}

describe('production start-up', () => {
  it('refuses to start without its keys, naming each, without a stack trace or a secret', async () => {
    const output = await refusedStart({ ENV_MODE: 'production' });
    for (const name of [
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'GOOGLE_MAPS_API_KEY',
      'VAPI_WEBHOOK_SECRET',
      'DASHBOARD_TOKEN',
      'TWILIO_ACCOUNT_SID',
      'TWILIO_AUTH_TOKEN',
      'TWILIO_FROM_NUMBER',
    ]) {
      expect(output).toContain(name);
    }
    expect(output).toMatch(/Invalid configuration \(\d+ problems\)/);
    expect(output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it('refuses the mock services even with every key present, and never echoes a key', async () => {
    const output = await refusedStart({
      ENV_MODE: 'production',
      ...SECRETS,
      PAYMENT_PROVIDER: 'mock',
      GEO_PROVIDER: 'mock',
      SMS_PROVIDER: 'mock',
    });
    expect(output).toMatch(/PAYMENT_PROVIDER: production refuses the mock payment service/);
    expect(output).toMatch(/GEO_PROVIDER: production refuses the mock geocoder/);
    expect(output).toMatch(/SMS_PROVIDER: production refuses the mock SMS service/);
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
  });

  it('refuses without Twilio while payment links are on, naming TWILIO_* and PAYMENT_LINKS=off', async () => {
    for (const links of [{}, { PAYMENT_LINKS: 'on' }] as Array<Record<string, string>>) {
      const output = await refusedStart({ ENV_MODE: 'production', ...CORE_SECRETS, ...links });
      expect(output).toMatch(/Invalid configuration \(4 problems\)/);
      for (const name of TWILIO_NAMES) expect(output).toMatch(new RegExp(`- ${name}: required`));
      expect(output).toMatch(
        /- PAYMENT_LINKS: on.* needs Twilio: set TWILIO_ACCOUNT_SID, .*PAYMENT_LINKS=off/,
      );
      for (const secret of Object.values(CORE_SECRETS)) expect(output).not.toContain(secret);
    }
  });

  it('refuses a DASHBOARD_TOKEN or VAPI_WEBHOOK_SECRET under 24 characters, naming each', async () => {
    const output = await refusedStart({
      ENV_MODE: 'production',
      ...SECRETS,
      DASHBOARD_TOKEN: 'abc',
      VAPI_WEBHOOK_SECRET: 'vapi-production-test-secret,x',
    });
    expect(output).toMatch(/- DASHBOARD_TOKEN: must be at least 24 characters in production \(it has 3\)/);
    expect(output).toMatch(/- VAPI_WEBHOOK_SECRET: must be at least 24 characters .*\(secret 2 of 2 has 1\)/);
  });
});

describe('a production process without Twilio, payment links off', () => {
  let dataDir: string;
  let server: Running;
  let base: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-production-no-sms-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Nothing here reaches Stripe or Google: their URLs point at a closed port.
    server = startNode('src/server.ts', {
      ENV_MODE: 'production',
      ...CORE_SECRETS,
      PAYMENT_LINKS: 'off',
      STRIPE_API_URL: 'http://127.0.0.1:9',
      GOOGLE_MAPS_API_URL: 'http://127.0.0.1:9',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    await waitForHealth(base, server, 60_000);
  }, 90_000);

  afterAll(async () => {
    if (server) await stop(server);
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('starts, with no SMS provider, and hands Vapi an assistant that never offers a link', async () => {
    const health = (await (await fetch(`${base}/health`)).json()) as { mode: string; services: object };
    expect(health).toMatchObject({
      mode: 'production',
      services: { payment: 'stripe', geo: 'google', sms: 'none' },
    });
    const res = await fetch(`${base}/webhook/vapi`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vapi-secret': CORE_SECRETS.VAPI_WEBHOOK_SECRET },
      body: JSON.stringify({ message: { type: 'assistant-request', call: { id: 'call-prod-no-sms' } } }),
    });
    expect(res.status).toBe(200);
    const assistant = await res.text();
    expect(assistant).toContain('place_order');
    expect(assistant).not.toContain('text_link');
  });
});

describe.runIf(availableBackends().includes('postgres'))('a production process', () => {
  let database: TestDatabase;
  let stripe: FakeStripe;
  let google: FakeGoogleGeocode;
  let exportDir: string;
  let server: Running;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    stripe = await startFakeStripe();
    google = await startFakeGoogleGeocode();
    exportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-production-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = startNode('src/server.ts', {
      ENV_MODE: 'production',
      ...SECRETS,
      STRIPE_API_URL: stripe.url,
      GOOGLE_MAPS_API_URL: google.url,
      DATABASE_URL: database.url ?? '',
      EXPORT_DIR: exportDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      // Request logs on: the test reads them for secrets and phone numbers.
      LOG_LEVEL: 'info',
    });
    await waitForHealth(base, server);
  }, 60_000);

  afterAll(async () => {
    if (server) await stop(server);
    await stripe?.close();
    await google?.close();
    await database?.drop();
    if (exportDir) await fs.rm(exportDir, { recursive: true, force: true });
  });

  const bearer = { authorization: `Bearer ${SECRETS.DASHBOARD_TOKEN}` };

  const placeOrder = async () => {
    const res = await fetch(`${base}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      // A live key never charges Stripe's test card by default: the client names its payment method.
      body: JSON.stringify(seedOrderBody({ payment_method_id: 'pm_card_visa' })),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: number; payment_id: string; payment_status: string };
  };

  it('takes an order from the public API through the real adapters', async () => {
    const order = await placeOrder();
    expect(order.payment_status).toBe('succeeded');
    expect(order.payment_id).toMatch(/^pi_/);
    expect(stripe.paymentIntentsCreated).toBeGreaterThanOrEqual(1);
    expect(google.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('sends security headers, keeps its probes open and its metrics behind the token', async () => {
    const root = await fetch(`${base}/`);
    expect(root.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(root.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${base}/metrics`, { headers: bearer });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^orders_total\{source="api",outcome="confirmed"\} [1-9]/m);
  });

  it('answers 401 on customer data and operator actions without the dashboard token, 200 with it', async () => {
    const { id } = await placeOrder();
    const protectedReads = ['/api/orders', `/api/orders/${id}`, '/api/dashboard-data'];
    for (const url of protectedReads) {
      const res = await fetch(`${base}${url}`);
      expect(res.status, url).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('unauthorized');
      const allowed = await fetch(`${base}${url}`, { headers: bearer });
      expect(allowed.status, url).toBe(200);
    }
    const wrongToken = await fetch(`${base}/api/orders`, { headers: { authorization: 'Bearer guess' } });
    expect(wrongToken.status).toBe(401);
    // Fastify answers HEAD with the GET handler: its headers must not leak the order either.
    const head = await fetch(`${base}/api/orders/${id}`, { method: 'HEAD' });
    expect(head.status).toBe(401);
    const cancel = await fetch(`${base}/api/orders/${id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(401);
    const events = await fetch(`${base}/api/events`);
    expect(events.status).toBe(401);
    const dashboard = await fetch(`${base}/dashboard`, { redirect: 'manual' });
    expect(dashboard.status).toBe(303);
    expect(dashboard.headers.get('location')).toBe('/dashboard/login');
  });

  it('has no simulation webhook, and the Vapi webhook needs its secret', async () => {
    const message = {
      message: { type: 'status-update', status: 'in-progress', call: { id: 'call-prod-1' } },
    };
    const simulation = await fetch(`${base}/webhook/simulation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    expect(simulation.status).toBe(404);
    const unsigned = await fetch(`${base}/webhook/vapi`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    expect(unsigned.status).toBe(401);
    const signed = await fetch(`${base}/webhook/vapi`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vapi-secret': SECRETS.VAPI_WEBHOOK_SECRET },
      body: JSON.stringify(message),
    });
    expect(signed.status).toBe(200);
  });

  it('applies a Stripe event only with a valid, fresh signature', async () => {
    const order = await placeOrder();
    const body = JSON.stringify({
      id: `evt_${randomUUID()}`,
      object: 'event',
      type: 'charge.refunded',
      created: Math.floor(Date.now() / 1000),
      data: { object: { object: 'charge', payment_intent: order.payment_id, refunded: true } },
    });
    const deliver = (payload: string, signature?: string) =>
      fetch(`${base}/webhook/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'stripe-signature': signature } : {}),
        },
        body: payload,
      });
    const now = Math.floor(Date.now() / 1000);
    const refusals = [
      await deliver(body),
      await deliver(body, signStripePayload(body, 'whsec_someone_else', now)),
      await deliver(
        body.replace('"refunded":true', '"refunded":true '),
        signStripePayload(body, SECRETS.STRIPE_WEBHOOK_SECRET, now),
      ),
      await deliver(body, signStripePayload(body, SECRETS.STRIPE_WEBHOOK_SECRET, now - 3600)),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toBe('invalid_signature');
    }
    const view = async () =>
      (await (await fetch(`${base}/api/orders/${order.id}`, { headers: bearer })).json()) as {
        payment_status: string;
      };
    expect((await view()).payment_status).toBe('succeeded');

    const accepted = await deliver(body, signStripePayload(body, SECRETS.STRIPE_WEBHOOK_SECRET, now));
    expect(accepted.status).toBe(200);
    expect((await view()).payment_status).toBe('refunded');
  });

  it('never writes a secret or a full phone number to its logs', async () => {
    await placeOrder();
    const logs = server.output();
    expect(logs).toMatch(/"msg":"request"/);
    for (const secret of Object.values(SECRETS)) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(CUSTOMER_PHONE);
  });
});
