// Providers that accept the connection and never answer, against the real API process with the real Stripe
// and Google adapters pointed at local fakes (PAYMENT_PROVIDER=stripe, GEO_PROVIDER=google in development
// mode): every order answers a clear 503 within the configured timeout plus a margin, the failed attempt is
// stored, nothing is confirmed without a charge, and the client's retry with the same Idempotency-Key after
// the provider recovers is charged exactly once under that key. A voice order during the payment hang (paid
// on delivery) is confirmed in time without touching Stripe. Each test ends with `npm run verify` passing.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FAKE_GOOGLE_API_KEY,
  type FakeGoogleGeocode,
  startFakeGoogleGeocode,
} from '../helpers/fake-google-geocode.js';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.js';
import { type TimedAnswer, expectVerified, postOrder } from '../helpers/fault-kit.js';
import { type Running, freePort, startNode, stop, waitForHealth } from '../helpers/processes.js';
import { seedOrderBody } from '../helpers/test-app.js';
import { type TestDatabase, availableBackends, createTestDatabase } from '../helpers/test-database.js';

const TIMEZONE = 'America/New_York';
const PAYMENT_TIMEOUT_MS = 500;
const GEO_TIMEOUT_MS = 500;
const VOICE_TOOL_TIMEOUT_MS = 3_000;
/** Scheduling, process start of the fetch, a loaded CI machine. */
const MARGIN_MS = 2_500;
/** The Stripe SDK retries a timed-out request once (same key) after its minimum backoff of 500 ms. */
const PAYMENT_BOUND_MS = 2 * PAYMENT_TIMEOUT_MS + 500 + MARGIN_MS;
const GEO_BOUND_MS = GEO_TIMEOUT_MS + MARGIN_MS;
const ORDERS = 8;

interface OrderRow {
  id: number;
  customer_name: string;
  status: string;
  payment_status: string;
  payment_provider: string | null;
  payment_id: string | null;
  failure_code: string | null;
}

describe.runIf(availableBackends().includes('postgres'))('hanging providers (real processes)', () => {
  let database: TestDatabase;
  let stripe: FakeStripe;
  let google: FakeGoogleGeocode;
  let exportDir: string;
  let env: Record<string, string> & { EXPORT_DIR: string; TIMEZONE: string };
  let api: Running | undefined;
  let base: string;

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    stripe = await startFakeStripe();
    google = await startFakeGoogleGeocode();
    exportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-hang-'));
    env = {
      DATABASE_URL: database.url ?? '',
      EXPORT_DIR: exportDir,
      TIMEZONE,
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_provider_hang',
      STRIPE_API_URL: stripe.url,
      PAYMENT_TIMEOUT_MS: String(PAYMENT_TIMEOUT_MS),
      GEO_PROVIDER: 'google',
      GOOGLE_MAPS_API_KEY: FAKE_GOOGLE_API_KEY,
      GOOGLE_MAPS_API_URL: google.url,
      GEO_TIMEOUT_MS: String(GEO_TIMEOUT_MS),
      VOICE_TOOL_TIMEOUT_MS: String(VOICE_TOOL_TIMEOUT_MS),
      EXPORT_SWEEP_SECONDS: '1',
    };
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const running = startNode('src/server.ts', { ...env, PORT: String(port), WORKER: 'on' });
    api = running;
    await waitForHealth(base, running);
  });
  afterEach(async () => {
    if (api) await stop(api, 'SIGKILL');
    api = undefined;
    await stripe.close();
    await google.close();
    await database.db.close();
    await database.drop();
    await fs.rm(exportDir, { recursive: true, force: true });
  });

  const body = (tag: string, i: number) => seedOrderBody({ customer_name: `${tag} ${i}` });
  const sendAll = (tag: string) =>
    Promise.all(
      Array.from({ length: ORDERS }, (_, i) => postOrder(base, body(tag, i), `${tag}-${i}`, 20_000)),
    );
  const retryAll = async (tag: string) => {
    const answers: TimedAnswer[] = [];
    for (let i = 0; i < ORDERS; i++) answers.push(await postOrder(base, body(tag, i), `${tag}-${i}`));
    return answers;
  };
  /** Orders whose customer name starts with `tag` and a space (every order: '%'). */
  const ordersOf = async (tag: string): Promise<OrderRow[]> => {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<OrderRow>(
        `SELECT id::int AS id, customer_name, status, payment_status, payment_provider, payment_id, failure_code
         FROM orders WHERE customer_name LIKE $1 ORDER BY id`,
        [`${tag} %`],
      );
      return rows;
    } finally {
      await client.end();
    }
  };
  const claimsOf = async (tag: string) => {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query('SELECT key FROM idempotency_keys WHERE key LIKE $1', [`${tag}-%`])).rows;
    } finally {
      await client.end();
    }
  };
  const stripeRequestsFor = (key: string) => stripe.requests.filter((r) => r.idempotencyKey === key);
  const expectNoConfirmedWithoutCharge = async () => {
    const all = await ordersOf('%');
    // Voice orders are paid on delivery or at pickup: only API orders must carry a charge.
    const confirmed = all.filter((o) => o.status === 'confirmed' && o.payment_status === 'succeeded');
    expect(all.filter((o) => o.status === 'confirmed' && o.payment_provider !== null).length).toBe(
      confirmed.length,
    );
    expect(
      confirmed.filter((o) => o.payment_status !== 'succeeded' || !o.payment_id?.startsWith('pi_')),
    ).toEqual([]);
    expect(new Set(confirmed.map((o) => o.payment_id)).size).toBe(confirmed.length);
    expect(stripe.paymentIntentsCreated).toBe(confirmed.length);
  };

  it('a geocoder that never answers: 503 geo_timeout in time, stored, nothing charged; the retry is charged once', async () => {
    google.setMode('hang');
    const hung = await sendAll('GeoHang');
    for (const answer of hung) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(answer.ms).toBeLessThan(GEO_BOUND_MS);
      expect(answer.body).toEqual({
        error: 'geo_timeout',
        message: 'Address lookup timed out. Please retry.',
      });
      expect(answer.retryAfter).toBe('2');
    }
    const failed = await ordersOf('GeoHang');
    expect(failed).toHaveLength(ORDERS);
    expect(failed.every((o) => o.status === 'failed' && o.failure_code === 'geo_timeout')).toBe(true);
    expect(failed.every((o) => o.payment_status === 'not_attempted' && o.payment_id === null)).toBe(true);
    expect(stripe.requests).toHaveLength(0);
    expect(await claimsOf('GeoHang')).toHaveLength(0);

    google.setMode('ok');
    const retried = await retryAll('GeoHang');
    expect(retried.map((a) => a.status)).toEqual(Array(ORDERS).fill(201));
    for (let i = 0; i < ORDERS; i++) expect(stripeRequestsFor(`GeoHang-${i}`)).toHaveLength(1);
    expect(stripe.paymentIntentsCreated).toBe(ORDERS);
    await expectNoConfirmedWithoutCharge();

    expect(api?.output()).not.toMatch(/unhandled error/);
    const workbook = await expectVerified(base, env);
    expect(workbook.rows.map((r) => r.orderId).sort((a, b) => a - b)).toEqual(
      retried.map((a) => a.id).sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
  }, 120_000);

  it('a payment provider that never answers: 503 in time, failed attempt stored, key freed; the retry is charged once under the same key', async () => {
    stripe.setMode('hang');
    const hung = await sendAll('PayHang');
    for (const answer of hung) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(answer.ms).toBeLessThan(PAYMENT_BOUND_MS);
      expect(answer.body).toEqual({
        error: 'payment_unavailable',
        message: 'The payment service is not responding. Please retry in a moment.',
      });
      expect(answer.retryAfter).toBe('2');
    }
    const failed = await ordersOf('PayHang');
    expect(failed).toHaveLength(ORDERS);
    for (const order of failed) {
      expect(order).toMatchObject({
        status: 'failed',
        payment_status: 'error',
        payment_provider: 'stripe',
        payment_id: null,
        failure_code: 'payment_unavailable',
      });
    }
    // The charge's outcome is unknown, so the claim is freed for the client's retry; Stripe saw each order
    // under the client's key only (the SDK's own retry reuses it).
    expect(await claimsOf('PayHang')).toHaveLength(0);
    for (let i = 0; i < ORDERS; i++) expect(stripeRequestsFor(`PayHang-${i}`)).toHaveLength(2);
    expect(stripe.paymentIntentsCreated).toBe(0);

    // A voice order during the hang is paid on delivery, so it never waits for Stripe: confirmed in time.
    const callId = `hang-call-${Date.now()}`;
    const started = Date.now();
    const spoken = await placeOrderTool(base, callId, 'tool-1');
    expect(Date.now() - started).toBeLessThan(VOICE_TOOL_TIMEOUT_MS + MARGIN_MS);
    expect(spoken.isError ?? false).toBe(false);
    expect(spoken.result).toMatch(/^Your order is confirmed.*Please pay the driver/);
    expect(stripeRequestsFor(`vapi-${callId}-order`)).toHaveLength(0);

    stripe.setMode('succeed');
    const retried = await retryAll('PayHang');
    expect(retried.map((a) => a.status)).toEqual(Array(ORDERS).fill(201));
    expect(retried.every((a) => a.body.status === 'confirmed' && a.body.payment_status === 'succeeded')).toBe(
      true,
    );
    for (let i = 0; i < ORDERS; i++) {
      const key = `PayHang-${i}`;
      // Still only the client's key at Stripe, and exactly one PaymentIntent behind each confirmed order.
      const requests = stripeRequestsFor(key);
      expect(requests).toHaveLength(3);
      expect(
        requests.every((r) => (r.params.metadata as { idempotency_key?: string }).idempotency_key === key),
      ).toBe(true);
    }
    expect(stripe.paymentIntentsCreated).toBe(ORDERS);
    const confirmed = (await ordersOf('PayHang')).filter((o) => o.status === 'confirmed');
    const byId = (a: number | null, b: number | null) => (a ?? 0) - (b ?? 0);
    expect(confirmed.map((o) => o.id).sort(byId)).toEqual(retried.map((a) => a.id).sort(byId));

    await expectNoConfirmedWithoutCharge();

    const workbook = await expectVerified(base, env);
    expect(workbook.rows).toHaveLength(ORDERS + 1);
    expect(api?.output()).not.toMatch(/unhandled error/);
  }, 120_000);
});

const CALLER = '+14155550199';

/** One Vapi `tool-calls` message with a place_order call, through the development simulation route. */
async function placeOrderTool(base: string, callId: string, toolCallId: string) {
  const res = await fetch(`${base}/webhook/simulation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(20_000),
    body: JSON.stringify({
      message: {
        type: 'tool-calls',
        timestamp: Date.now(),
        call: { id: callId, orgId: 'org-1', type: 'inboundPhoneCall', customer: { number: CALLER } },
        customer: { number: CALLER },
        toolCallList: [
          {
            id: toolCallId,
            type: 'function',
            function: {
              name: 'place_order',
              arguments: {
                customer_name: 'Hank Hang',
                fulfillment: 'delivery',
                delivery_address: '350 Fifth Avenue',
                city: 'New York',
                zip_code: '10001',
                items: [
                  { name: 'Pizza Margherita', quantity: 2 },
                  { name: 'Coke', quantity: 2 },
                ],
              },
            },
          },
        ],
      },
    }),
  });
  expect(res.status).toBe(200);
  const json = (await res.json()) as {
    results: Array<{ result?: string; error?: string; isError?: boolean }>;
  };
  const [first] = json.results;
  return { result: first?.result ?? first?.error ?? '', isError: first?.isError };
}
