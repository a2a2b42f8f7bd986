// Several API processes and export workers on one PostgreSQL and one Redis, as they run in production: two
// APIs (WORKER=off) and two standalone workers, all real processes. A bounded order load with the mock
// failures on, a share of its keys sent to both APIs at the same moment; meanwhile one API is stopped
// gracefully (SIGTERM) and one worker killed (SIGKILL) and replaced. Afterwards every key has one outcome, one
// order and at most one charge; every 201's order is confirmed; nothing the stopping API accepted is lost;
// each confirmed order is once in the day's workbook; the real `npm run verify` passes.
// (Each entry point's graceful stop on its own: graceful-shutdown.test.ts.)
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TimedAnswer, expectVerified, health, postOrder } from '../helpers/fault-kit.js';
import { type Running, stop } from '../helpers/processes.js';
import { clusterAvailable, query, useCluster } from '../helpers/real-cluster.js';
import { seedOrderBody } from '../helpers/test-app.js';

const ORDERS = 300;
const CONCURRENCY = 20;
/** Every TWIN_EVERY-th key is sent to both APIs at the same moment. */
const TWIN_EVERY = 10;
/** Keys settled before the faults: one API SIGTERMed, one worker SIGKILLed and replaced. */
const FAULT_AT = 100;
const MAX_TRIES = 40;
/** The load, retries included, fails instead of hanging. */
const LOAD_DEADLINE_MS = 90_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sorted = (ids: Iterable<number>) => [...ids].sort((x, y) => x - y);
/** The answer of a process that is closing (Fastify's bare 503, or the app's `shutting_down`), not a domain 503. */
const closing503 = (a: TimedAnswer) =>
  a.status === 503 && ['shutting_down', 'Service Unavailable'].includes(a.body.error ?? '');
/** An outcome the client keeps: the order placed, declined or refused for its content. */
const settled = (a: TimedAnswer) => a.status === 201 || a.status === 402 || a.status === 422;

/** The worker's "workbook written" log lines: when each write ended and how long it took. */
function workbookWrites(output: string): Array<{ end: number; ms: number; rows: number }> {
  return output
    .split('\n')
    .filter((line) => line.includes('"msg":"workbook written"') && line.endsWith('}'))
    .map((line) => JSON.parse(line) as { time: number; ms: number; rows: number })
    .map(({ time, ms, rows }) => ({ end: time, ms, rows }));
}

describe.runIf(clusterAvailable)(
  'several API processes and workers on one PostgreSQL and Redis (real processes)',
  () => {
    const cluster = useCluster('multi');

    it('two APIs and two workers under load, one API stopped and one worker killed: one order and one charge per key, every 201 confirmed and once in the workbook, verify passes', async () => {
      const began = Date.now();
      // Each API draws its own mock outcomes: 10% of charges declined, 5% of address lookups time out.
      const mock = { MOCK_PAYMENT_LATENCY_MS: '50-250', MOCK_GEO_LATENCY_MS: '10-60' };
      const [a, b] = await Promise.all([
        cluster.startApi({ ...mock, MOCK_SEED: 'multi-a' }),
        cluster.startApi({ ...mock, MOCK_SEED: 'multi-b' }),
      ]);
      const firstWorker = cluster.startWorker();
      const secondWorker = cluster.startWorker();
      await cluster.waitForHeartbeats([firstWorker, secondWorker]);
      const startedMs = Date.now() - began;

      const run = randomUUID().slice(0, 8);
      const key = (i: number) => `multi-${run}-${i}`;
      const body = (i: number) => seedOrderBody({ customer_name: `Multi ${run} ${i}` });
      const attempts: Array<{ i: number; api: 'a' | 'b'; answer: TimedAnswer }> = [];
      const send = async (api: 'a' | 'b', i: number) => {
        const answer = await postOrder(api === 'a' ? a.base : b.base, body(i), key(i), 20_000);
        attempts.push({ i, api, answer });
        return answer;
      };

      const fault: {
        at: number;
        bExit: { code: number | null; ms: number } | null;
        replacement: Running | null;
        done: Promise<void> | null;
        lockHeld: boolean;
      } = { at: Number.POSITIVE_INFINITY, bExit: null, replacement: null, done: null, lockHeld: false };
      const injectFaults = async () => {
        fault.at = Date.now();
        b.running.child.kill('SIGTERM');
        firstWorker.child.kill('SIGKILL');
        // Whether a writer held the export lock at that moment (a killed holder's lock goes stale after 15 s).
        fault.lockHeld = existsSync(path.join(cluster.exportDir, 'workbooks.lock'));
        void b.running.exited.then((code) => (fault.bExit = { code, ms: Date.now() - fault.at }));
        await firstWorker.exited;
        fault.replacement = cluster.startWorker();
      };

      // A client with the load balancer's manners: each key to its API (twins to both at once); an answer
      // that is not an outcome (refused, closing 503, 409, a dependency's 503) is retried with the same key
      // and body on API a, which stays up, until the key has an outcome.
      let settledKeys = 0;
      const place = async (i: number) => {
        const legs: Array<'a' | 'b'> = i % TWIN_EVERY === 0 ? ['a', 'b'] : [i % 2 === 0 ? 'a' : 'b'];
        let answers = await Promise.all(legs.map((api) => send(api, i)));
        for (let tries = legs.length; !answers.some(settled); tries++) {
          if (tries >= MAX_TRIES || Date.now() > loadDeadline)
            throw new Error(`key ${key(i)} got no outcome: ${JSON.stringify(answers)}`);
          const wait = Math.max(...answers.map((x) => Number(x.retryAfter ?? '0.1')));
          await sleep(Math.min(wait, 2) * 1000);
          answers = [await send('a', i)];
        }
        if (++settledKeys === FAULT_AT) fault.done = injectFaults();
      };
      let next = 0;
      const loadStarted = Date.now();
      const loadDeadline = loadStarted + LOAD_DEADLINE_MS;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < ORDERS) await place(next++);
        }),
      );
      const loadMs = Date.now() - loadStarted;
      await fault.done;
      const stoppedAt = fault.at;
      expect(await b.running.exited, b.running.output()).toBe(0);
      expect(await firstWorker.exited).toBeNull(); // killed by the signal
      if (!fault.replacement) throw new Error('the replacement worker was not started');
      const workers = [secondWorker, fault.replacement];

      // Statuses: outcomes, 409 and dependency 503s anywhere; refusals only from b once it was stopping.
      const byStatus = (status: number) => attempts.filter((x) => x.answer.status === status).length;
      const unexpected = attempts.filter(({ api, answer }) => {
        if ([201, 402, 409].includes(answer.status)) return false;
        if (answer.status === 503 && !closing503(answer))
          return !['geo_timeout', 'geo_unavailable'].includes(answer.body.error ?? '');
        return !(api === 'b' && answer.startedAt + answer.ms >= stoppedAt);
      });
      expect(unexpected.map((x) => ({ i: x.i, api: x.api, ...x.answer }))).toEqual([]);
      // b's refusals are clean: connection refused or reset before a request was read, or Fastify's closing 503.
      const refused = attempts.filter((x) => x.answer.status === 0 || closing503(x.answer));
      for (const { answer } of refused) {
        if (answer.status === 0)
          expect(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(answer.body.code);
      }
      // Nothing b accepted is lost: a non-twin key b refused was never started there (the retry on a is not
      // a replay and never meets b's claim), and b answered every request it had read before it exited.
      const refusedSolo = new Set(refused.filter((x) => x.i % TWIN_EVERY !== 0).map((x) => x.i));
      const retriesOfRefused = attempts.filter((x) => x.api === 'a' && refusedSolo.has(x.i));
      expect(retriesOfRefused.filter((x) => x.answer.replayed || x.answer.status === 409)).toEqual([]);
      const finishedWhileStopping = attempts.filter(
        (x) =>
          x.api === 'b' &&
          x.answer.startedAt < stoppedAt &&
          x.answer.startedAt + x.answer.ms >= stoppedAt &&
          x.answer.status !== 0 &&
          !closing503(x.answer),
      );

      // One outcome per key: a single order id for every 201, a 201 and a 402 never for the same key.
      const outcomes = new Map<number, { placed: Set<number>; declined: Set<number> }>();
      for (const { i, answer } of attempts) {
        const outcome = outcomes.get(i) ?? { placed: new Set<number>(), declined: new Set<number>() };
        outcomes.set(i, outcome);
        if (answer.status === 201 && answer.id !== null) outcome.placed.add(answer.id);
        const details = answer.body.details as Array<{ order_id?: number }> | undefined;
        if (answer.status === 402 && details?.[0]?.order_id) outcome.declined.add(details[0].order_id);
      }
      expect(outcomes.size).toBe(ORDERS);
      const conflicting = [...outcomes].filter(([, o]) => o.placed.size + o.declined.size !== 1);
      expect(conflicting).toEqual([]);
      const placedIds = sorted([...outcomes.values()].flatMap((o) => [...o.placed]));

      // PostgreSQL: every 201's order confirmed under its key, nothing confirmed that no client was told
      // about, one charge at most per key, no payment id twice.
      const orders = await query<{ id: number; status: string; name: string; payment_id: string | null }>(
        cluster.env.DATABASE_URL,
        'SELECT id::int AS id, status, customer_name AS name, payment_id FROM orders ORDER BY id',
      );
      const claims = new Map(
        (
          await query<{ key: string; order_id: number | null }>(
            cluster.env.DATABASE_URL,
            'SELECT key, order_id::int AS order_id FROM idempotency_keys',
          )
        ).map((r) => [r.key, r.order_id]),
      );
      const confirmed = orders.filter((o) => o.status === 'confirmed');
      expect(sorted(confirmed.map((o) => o.id))).toEqual(placedIds);
      for (const [i, outcome] of outcomes) {
        const [id] = [...outcome.placed, ...outcome.declined];
        expect(claims.get(key(i)), key(i)).toBe(id);
        const mine = orders.filter((o) => o.name === `Multi ${run} ${i}`);
        expect(mine.filter((o) => o.status === 'confirmed').map((o) => o.id)).toEqual([...outcome.placed]);
        expect(mine.filter((o) => o.payment_id !== null).map((o) => o.id)).toEqual([id]);
      }
      const paymentIds = orders.flatMap((o) => (o.payment_id ? [o.payment_id] : []));
      expect(new Set(paymentIds).size).toBe(paymentIds.length);

      // The day's workbook: each confirmed order exactly once, no failed one; the real verify CLI agrees.
      const drainStarted = Date.now();
      const workbook = await expectVerified(a.base, cluster.env, { timeoutMs: 90_000 });
      const drainMs = Date.now() - drainStarted;
      expect(sorted(workbook.rows.map((r) => r.orderId))).toEqual(placedIds);
      expect((await health(a.base)).body.queue).toMatchObject({ failed: 0 });

      // One writer at a time across the workers: no two workbook writes overlap.
      const writes = [firstWorker, ...workers].map((w) => workbookWrites(w.output()));
      const spans = writes.flatMap((list, w) => list.map((x) => ({ w, start: x.end - x.ms, end: x.end })));
      for (const x of spans) {
        for (const y of spans) {
          if (x.w < y.w)
            expect(x.end <= y.start + 1 || y.end <= x.start + 1, JSON.stringify([x, y])).toBe(true);
        }
      }
      // The workers that outlived the kill exported the rest of the day.
      const writesAfterKill = spans.filter((x) => x.w > 0 && x.end > stoppedAt);
      expect(writesAfterKill.length).toBeGreaterThan(0);
      const firstWriteAfterKill = Math.min(...writesAfterKill.map((x) => x.end)) - stoppedAt;

      // Graceful stops: each worker exits 0 and removes its heartbeat (the killed one's stays), the lock is
      // free; the API that stayed up finishes and exits 0 as well.
      expect(await cluster.heartbeatPids()).toEqual(
        expect.arrayContaining([firstWorker, ...workers].map((w) => w.child.pid)),
      );
      for (const worker of workers) expect(await stop(worker, 'SIGTERM', 15_000), worker.output()).toBe(0);
      expect(await cluster.heartbeatPids()).toEqual([firstWorker.child.pid]);
      expect(existsSync(path.join(cluster.exportDir, 'workbooks.lock'))).toBe(false);
      expect(await stop(a.running, 'SIGTERM', 15_000), a.running.output()).toBe(0);

      const twins = [...outcomes.keys()].filter((i) => i % TWIN_EVERY === 0).length;
      console.info(
        [
          `multi-process: ${ORDERS} keys (${twins} sent to both APIs at once), ${CONCURRENCY} concurrent, ` +
            `${attempts.length} requests in ${loadMs} ms (processes up in ${startedMs} ms)`,
          `  answers: ${byStatus(201)} x 201 (${attempts.filter((x) => x.answer.replayed).length} replayed), ` +
            `${byStatus(402)} x 402, ${byStatus(409)} x 409, ${byStatus(503)} x 503 ` +
            `(${attempts.filter((x) => closing503(x.answer)).length} from the closing API), ${byStatus(0)} without ` +
            `an answer (${[...new Set(refused.map((x) => x.answer.body.code))].filter(Boolean).join(', ')})`,
          `  outcomes: ${placedIds.length} orders confirmed, ${[...outcomes.values()].filter((o) => o.declined.size).length} declined; ` +
            `${orders.length - placedIds.length} failed attempts stored; duplicates: 0 orders, 0 charges`,
          `  API b SIGTERMed after ${FAULT_AT} keys: ${finishedWhileStopping.length} in-flight requests answered ` +
            `while it stopped, ${refused.length} refused (${refusedSolo.size} solo keys, none started there), ` +
            `exit ${fault.bExit?.code ?? '?'} after ${fault.bExit?.ms ?? '?'} ms`,
          `  worker killed while the export lock was ${fault.lockHeld ? 'held' : 'free'}; first write after ` +
            `the kill ${firstWriteAfterKill} ms later; writes per worker (killed, second, replacement): ` +
            `${writes.map((w) => w.length).join(', ')}, none overlapping`,
          `  backlog drained and verified ${drainMs} ms after the load; ${workbook.rows.length} rows`,
        ].join('\n'),
      );
    }, 180_000);
  },
);
