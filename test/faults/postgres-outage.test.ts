// PostgreSQL stopped (immediate shutdown, as a crash) in the middle of a burst of orders, against the real API
// process on a private cluster: orders and /health answer 503 at once with the documented error, never hang
// or 500; the process stays up and recovers by itself when the database is back; nothing is half-written,
// no charge is lost or doubled (a local fake Stripe counts them), and `npm run verify` passes.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.js';
import {
  type TimedAnswer,
  expectVerified,
  health,
  placeTimedOrders,
  postOrder,
  retryUntilPlaced,
} from '../helpers/fault-kit.js';
import {
  type PrivatePostgres,
  privatePostgresAvailable,
  startPrivatePostgres,
} from '../helpers/private-postgres.js';
import { type Running, freePort, startNode, stop, waitForHealth } from '../helpers/processes.js';
import { seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

const TIMEZONE = 'America/New_York';
/** An answer slower than this during the outage counts as hanging. */
const ANSWER_WITHIN_MS = 3_000;
const BURST = 300;
const STOP_AFTER = 100;

const body = (tag: string) => (i: number) => seedOrderBody({ customer_name: `${tag} ${i}` });

describe.runIf(availableBackends().includes('postgres') && privatePostgresAvailable())(
  'PostgreSQL outage under load (real processes, private cluster)',
  () => {
    let postgres: PrivatePostgres;
    let stripe: FakeStripe;
    let exportDir: string;
    let env: Record<string, string> & { EXPORT_DIR: string; TIMEZONE: string };
    let api: Running | undefined;

    beforeEach(async () => {
      postgres = await startPrivatePostgres();
      stripe = await startFakeStripe();
      exportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-pg-outage-'));
      env = {
        DATABASE_URL: postgres.url,
        EXPORT_DIR: exportDir,
        TIMEZONE,
        PAYMENT_PROVIDER: 'stripe',
        STRIPE_SECRET_KEY: 'sk_test_pg_outage',
        STRIPE_API_URL: stripe.url,
        MOCK_GEO_FAILURE_RATE: '0',
        EXPORT_SWEEP_SECONDS: '1',
      };
    });
    afterEach(async () => {
      if (api) await stop(api, 'SIGKILL');
      api = undefined;
      await stripe.close();
      await postgres.destroy();
      await fs.rm(exportDir, { recursive: true, force: true });
    });

    it('answers 503 fast while PostgreSQL is down, recovers by itself, and loses or doubles nothing', async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      // One process: the API and the export worker (embedded queue), as `npm start` runs with DATABASE_URL.
      const running = startNode('src/server.ts', { ...env, PORT: String(port), WORKER: 'on' });
      api = running;
      await waitForHealth(base, running);

      // 1. The burst; PostgreSQL is shut down (immediate: no checkpoint, sessions killed) after 100 answers.
      const outage: { stopping?: Promise<void>; downAt?: number } = {};
      const burst = await placeTimedOrders(base, {
        count: BURST,
        concurrency: 16,
        keyPrefix: 'pg-burst',
        body: body('Burst'),
        onAnswer: (done) => {
          if (done === STOP_AFTER && !outage.stopping) {
            outage.stopping = postgres.stop('immediate').then(() => {
              outage.downAt = Date.now();
            });
          }
        },
      });
      await outage.stopping;
      const downAt = outage.downAt ?? 0;
      expect(downAt).toBeGreaterThan(0);

      const describeAnswers = (answers: TimedAnswer[]) =>
        answers.map((a) => `${a.key}: ${a.status} in ${a.ms} ms ${JSON.stringify(a.body)}`).join('\n');
      // Only 201 and 503, each within the bound; every request sent after the shutdown is a 503.
      expect(describeAnswers(burst.filter((a) => a.status !== 201 && a.status !== 503))).toBe('');
      expect(describeAnswers(burst.filter((a) => a.ms > ANSWER_WITHIN_MS))).toBe('');
      const unavailable = burst.filter((a) => a.status === 503);
      expect(burst.filter((a) => a.startedAt > downAt && a.status !== 503)).toEqual([]);
      expect(unavailable.length).toBeGreaterThanOrEqual(100);
      expect(burst.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(STOP_AFTER - 16);
      for (const answer of unavailable) {
        expect(answer.body).toEqual({
          error: 'database_unavailable',
          message: expect.stringMatching(/database/i) as unknown,
        });
        expect(answer.retryAfter).toMatch(/^\d+$/);
      }

      // 2. Still down: /health, reads and new orders all answer 503 at once; the process stays up.
      for (let i = 0; i < 3; i++) {
        const report = await health(base);
        expect(report.status).toBe(503);
        expect(report.ms).toBeLessThan(ANSWER_WITHIN_MS);
        expect(report.body).toMatchObject({ status: 'unavailable', database: { ok: false } });
      }
      const confirmedId = burst.find((a) => a.status === 201)?.id;
      for (const url of ['/api/orders', `/api/orders/${confirmedId}`, '/api/dashboard-data']) {
        const started = Date.now();
        const res = await fetch(`${base}${url}`, { signal: AbortSignal.timeout(10_000) });
        expect({ url, status: res.status }).toEqual({ url, status: 503 });
        expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
        expect(((await res.json()) as { error: string }).error).toBe('database_unavailable');
      }
      const during = await placeTimedOrders(base, {
        count: 20,
        concurrency: 4,
        keyPrefix: 'pg-down',
        body: body('Down'),
      });
      expect(describeAnswers(during.filter((a) => a.status !== 503 || a.ms > ANSWER_WITHIN_MS))).toBe('');
      expect(running.child.exitCode).toBeNull();

      // 3. PostgreSQL is back: the same process takes orders again within a bounded time, unaided.
      await postgres.start();
      const backAt = Date.now();
      const probes: TimedAnswer[] = [];
      for (let i = 0; ; i++) {
        const probe = await postOrder(base, body('Probe')(i), `pg-probe-${i}`, 10_000);
        probes.push(probe);
        if (probe.status === 201) break;
        expect([503]).toContain(probe.status);
        expect(Date.now() - backAt).toBeLessThan(20_000);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const recoveryMs = Date.now() - backAt;
      const after = await placeTimedOrders(base, {
        count: 50,
        concurrency: 16,
        keyPrefix: 'pg-after',
        body: body('After'),
      });
      expect(describeAnswers(after.filter((a) => a.status !== 201))).toBe('');
      expect((await health(base)).status).toBe(200);

      // 4. Every request that got a 503 is retried with its key, as a client does: each ends in exactly one
      // order. A claim left without an order by the shutdown answers 409 until it is presumed abandoned.
      const bodies = new Map<string, object>();
      const remember = (tag: string, answers: TimedAnswer[]) =>
        answers.forEach((a, i) => bodies.set(a.key, body(tag)(i)));
      remember('Burst', burst);
      remember('Down', during);
      remember('Probe', probes);
      const failed = [...burst, ...during, ...probes].filter((a) => a.status !== 201);
      const retried = await retryUntilPlaced(
        base,
        failed.map((a) => ({ key: a.key, body: bodies.get(a.key) ?? {} })),
        { concurrency: 8, deadlineMs: 75_000 },
      );
      expect(retried.seen.filter((a) => ![201, 409, 503].includes(a.status))).toEqual([]);
      expect(running.child.exitCode).toBeNull();

      // 5. Nothing half-written: each key has one confirmed order with its two items and one charge.
      const placed = new Map<string, number>();
      for (const a of [...burst, ...during, ...probes, ...after]) if (a.id !== null) placed.set(a.key, a.id);
      for (const [key, answer] of retried.final) {
        const first = placed.get(key);
        if (first !== undefined) expect(answer.id).toBe(first);
        placed.set(key, answer.id ?? -1);
      }
      const allKeys = new Set([...burst, ...during, ...probes, ...after].map((a) => a.key));
      expect(placed.size).toBe(allKeys.size);

      const db = new pg.Client({ connectionString: postgres.url });
      await db.connect();
      try {
        const orders = (
          await db.query<{ id: number; status: string; payment_status: string; payment_id: string | null }>(
            'SELECT id::int AS id, status, payment_status, payment_id FROM orders ORDER BY id',
          )
        ).rows;
        const itemCounts = new Map(
          (
            await db.query<{ order_id: number; n: number }>(
              'SELECT order_id::int AS order_id, count(*)::int AS n FROM order_items GROUP BY order_id',
            )
          ).rows.map((r) => [r.order_id, r.n]),
        );
        const claims = (
          await db.query<{ key: string; order_id: number | null }>(
            'SELECT key, order_id::int AS order_id FROM idempotency_keys',
          )
        ).rows;
        expect(orders.filter((o) => itemCounts.get(o.id) !== 2)).toEqual([]);
        const confirmed = orders.filter((o) => o.status === 'confirmed');
        expect(confirmed.map((o) => o.id).sort((a, b) => a - b)).toEqual(
          [...placed.values()].sort((a, b) => a - b),
        );
        expect(confirmed.filter((o) => o.payment_status !== 'succeeded' || !o.payment_id)).toEqual([]);
        expect(new Set(confirmed.map((o) => o.payment_id)).size).toBe(confirmed.length);
        expect(claims.filter((c) => c.order_id === null)).toEqual([]);
        expect(new Map(claims.map((c) => [c.key, c.order_id]))).toEqual(placed);
        // One PaymentIntent per order; retries reached Stripe under the order's own key and were replayed.
        expect(stripe.paymentIntentsCreated).toBe(confirmed.length);
        const stripeKeys = new Set(stripe.requests.map((r) => r.idempotencyKey));
        expect([...stripeKeys].sort()).toEqual([...placed.keys()].sort());
      } finally {
        await db.end();
      }

      // 6. The day's workbook holds every confirmed order exactly once.
      const workbook = await expectVerified(base, env);
      expect(new Set(workbook.rows.map((r) => r.orderId))).toEqual(new Set(placed.values()));
      expect(workbook.rows).toHaveLength(placed.size);
      expect(running.child.exitCode).toBeNull();
      // No request fell through to the 500 handler ("unhandled error" in the log).
      expect(running.output()).not.toMatch(/unhandled error/);
      console.info(
        `postgres outage: ${unavailable.length + during.length} answers of 503 (slowest ${Math.max(...[...unavailable, ...during].map((a) => a.ms))} ms), ` +
          `recovered ${recoveryMs} ms after restart, ${retried.seen.length} retries ` +
          `(${new Set(retried.seen.filter((a) => a.status === 409).map((a) => a.key)).size} keys held by an orphaned claim), ${placed.size} orders`,
      );
    }, 240_000);
  },
);
