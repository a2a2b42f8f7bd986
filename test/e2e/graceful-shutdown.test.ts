// Each entry point's graceful stop (SIGTERM), as real processes on PostgreSQL and the shared Redis: an API
// finishes the requests in flight, however long the slowest order may take, and the voice orders it already
// answered "still working" for, then queues the ids of the orders it finished before its queue and pool
// close; a worker finishes, removes its heartbeat and frees the export lock. (Refusing new requests while
// stopping, and the embedded defaults: server-process.test.ts; under load with several processes:
// multi-process.test.ts.)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { startFakeStripe } from '../helpers/fake-stripe.js';
import { postOrder } from '../helpers/fault-kit.js';
import { stop } from '../helpers/processes.js';
import { SHARED_REDIS_URL, clusterAvailable, query, useCluster } from '../helpers/real-cluster.js';
import { seedOrderBody } from '../helpers/test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sorted = (ids: Iterable<number>) => [...ids].sort((x, y) => x - y);

describe.runIf(clusterAvailable)('graceful shutdown of the API and the worker (real processes)', () => {
  const cluster = useCluster('shutdown');

  it('a stopping API queues the ids of the orders it finished while stopping; a stopping worker leaves no heartbeat or lock', async () => {
    // No worker runs, so the queue holds exactly what the API's notifier sent (the sweep would hide a loss).
    const api = await cluster.startApi({
      MOCK_PAYMENT_LATENCY_MS: '1000',
      MOCK_PAYMENT_FAILURE_RATE: '0',
      MOCK_GEO_FAILURE_RATE: '0',
    });
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      postOrder(api.base, seedOrderBody({ customer_name: `Stopping ${i}` }), `stopping-${i}`),
    );
    await sleep(300);
    api.running.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    expect(answers.map((x) => x.status)).toEqual(Array(20).fill(201));
    expect(await api.running.exited, api.running.output()).toBe(0);

    const queue = new Queue<{ orderIds: number[] }>(cluster.env.EXPORT_QUEUE_NAME, {
      connection: { url: SHARED_REDIS_URL },
    });
    try {
      const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
      const queued = jobs.flatMap((job) => job.data.orderIds);
      expect(sorted(queued)).toEqual(sorted(answers.map((x) => x.id ?? -1)));
    } finally {
      await queue.close();
    }

    // A worker exports them, then stops on SIGTERM: exit 0, its heartbeat removed, the lock free.
    const worker = cluster.startWorker();
    await cluster.waitForHeartbeats([worker]);
    const backlog = () =>
      query<{ n: number }>(
        cluster.env.DATABASE_URL,
        "SELECT count(*)::int AS n FROM orders WHERE status = 'confirmed' AND exported_at IS NULL",
      ).then((rows) => rows[0]?.n);
    await expect.poll(backlog, { timeout: 60_000, interval: 200 }).toBe(0);
    expect(await stop(worker, 'SIGTERM', 15_000), worker.output()).toBe(0);
    expect(await cluster.heartbeatPids()).toEqual([]);
    expect(existsSync(path.join(cluster.exportDir, 'workbooks.lock'))).toBe(false);
  }, 120_000);

  it('a stopping API waits for an order whose payment provider hangs: the order gets its 503, the key is freed, exit 0', async () => {
    // The slowest order: the charge times out, the Stripe SDK retries once under the same key (2 x 6 s +
    // 0.5 s), longer than a fixed 10 s grace.
    const stripe = await startFakeStripe();
    try {
      stripe.setMode('hang');
      const api = await cluster.startApi({
        PAYMENT_PROVIDER: 'stripe',
        STRIPE_SECRET_KEY: 'sk_test_shutdown',
        STRIPE_API_URL: stripe.url,
        PAYMENT_TIMEOUT_MS: '6000',
        MOCK_GEO_FAILURE_RATE: '0',
      });
      const pending = postOrder(api.base, seedOrderBody({ customer_name: 'Hung' }), 'hung-1', 60_000);
      await expect.poll(() => stripe.requests.length, { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);
      const stoppedAt = Date.now();
      api.running.child.kill('SIGTERM');
      const answer = await pending;
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(answer.body.error).toBe('payment_unavailable');
      expect(await api.running.exited, api.running.output()).toBe(0);
      const claims = await query(
        cluster.env.DATABASE_URL,
        "SELECT key FROM idempotency_keys WHERE key = 'hung-1'",
      );
      expect(claims).toEqual([]);
      const stored = await query<{ status: string; failure_code: string }>(
        cluster.env.DATABASE_URL,
        "SELECT status, failure_code FROM orders WHERE customer_name = 'Hung'",
      );
      expect(stored).toEqual([{ status: 'failed', failure_code: 'payment_unavailable' }]);
      console.info(
        `payment hang: answered 503 ${answer.ms} ms after it was sent, exit 0 ${Date.now() - stoppedAt} ms after SIGTERM`,
      );
    } finally {
      await stripe.close();
    }
  }, 90_000);

  it('a stopping API finishes a voice order it answered "still working" for before its database closes', async () => {
    const api = await cluster.startApi({
      VOICE_TOOL_TIMEOUT_MS: '500',
      MOCK_GEO_LATENCY_MS: '3000',
      MOCK_GEO_FAILURE_RATE: '0',
    });
    const res = await fetch(`${api.base}/webhook/simulation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: {
          type: 'tool-calls',
          call: { id: 'call-stopping', customer: { number: '+14155550123' } },
          customer: { number: '+14155550123' },
          toolCallList: [
            {
              id: 'tool-stopping',
              type: 'function',
              function: {
                name: 'place_order',
                arguments: {
                  customer_name: 'Late Caller',
                  fulfillment: 'delivery',
                  delivery_address: '350 Fifth Avenue',
                  city: 'New York',
                  zip_code: '10001',
                  items: [{ name: 'Pizza Margherita', quantity: 1 }],
                },
              },
            },
          ],
        },
      }),
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('still working');
    api.running.child.kill('SIGTERM');
    expect(await api.running.exited, api.running.output()).toBe(0);
    const stored = await query<{ status: string }>(
      cluster.env.DATABASE_URL,
      "SELECT status FROM orders WHERE customer_name = 'Late Caller'",
    );
    expect(stored, api.running.output()).toEqual([{ status: 'confirmed' }]);
  }, 60_000);
});
