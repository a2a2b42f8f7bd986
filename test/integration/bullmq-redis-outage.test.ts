// A Redis outage under the BullMQ export queue: producers fail fast (never hang) while Redis is down, recover
// on their own after it restarts, the worker resumes delivering, and nothing crashes the process meanwhile.
// Uses a PRIVATE redis-server on a free port (started and killed here by its PID), never the shared one.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BullmqExportQueue } from '../../src/adapters/queue/bullmq-export-queue.js';
import { sleep, waitFor } from '../contracts/export-queue.contract.js';
import { type Running, freePort, startRedis, stop } from '../helpers/processes.js';

const IN_CI = process.env.CI === 'true';

/** Kills exactly this redis-server (SIGKILL: an outage, not a clean shutdown) and waits for it to exit. */
const stopRedis = (redis: Running) => stop(redis, 'SIGKILL');

async function redisServerAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    probe.once('error', () => resolve(false));
    probe.once('exit', (code) => resolve(code === 0));
  });
}

const hasRedisServer = await redisServerAvailable();
if (!hasRedisServer && !IN_CI) console.warn('redis-server is not installed; skipping the Redis outage test.');

describe.skipIf(!hasRedisServer && !IN_CI)('BullmqExportQueue through a Redis outage', () => {
  let port: number;
  let redis: Running | null = null;
  const processErrors: unknown[] = [];
  const onProcessError = (error: unknown) => processErrors.push(error);

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    if (redis) await stopRedis(redis);
  });
  beforeEach(() => {
    process.on('unhandledRejection', onProcessError);
    process.on('uncaughtException', onProcessError);
  });
  afterEach(() => {
    process.off('unhandledRejection', onProcessError);
    process.off('uncaughtException', onProcessError);
  });

  it('fails adds fast while Redis is down, recovers after a restart, and never crashes', async () => {
    redis = await startRedis(port);
    const errors: Error[] = [];
    const queue = new BullmqExportQueue({
      redisUrl: `redis://127.0.0.1:${port}`,
      queueName: `outage-${randomUUID()}`,
      attempts: 3,
      backoffMs: 50,
      closeTimeoutMs: 1_000,
      onError: (error) => errors.push(error),
    });
    const delivered = new Set<number>();
    queue.consume(
      async (ids) => {
        for (const id of ids) delivered.add(id);
      },
      { batchSize: 10, batchWaitMs: 10 },
    );

    await queue.add([1, 2, 3]);
    await waitFor(() => delivered.size === 3, 'delivery before the outage');

    // (1) Redis down: every add rejects within 2 s, right after the kill and while reconnecting.
    await stopRedis(redis);
    for (const pause of [0, 500, 1_500]) {
      await sleep(pause);
      const started = Date.now();
      await expect(queue.add([100 + pause])).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    expect(errors.length).toBeGreaterThan(0); // reported through onError, not thrown

    // (2) Redis back on the same port (empty: no persistence): adds work again within a few seconds,
    // and the worker picks them up.
    redis = await startRedis(port);
    const restarted = Date.now();
    await waitFor(
      () =>
        queue.add([4, 5]).then(
          () => true,
          () => false,
        ),
      'an add that succeeds after the restart',
      10_000,
    );
    expect(Date.now() - restarted).toBeLessThan(5_000);
    await waitFor(() => delivered.has(4) && delivered.has(5), 'delivery after the restart', 15_000);

    // close() does not hang when Redis is down again.
    await stopRedis(redis);
    const closing = Date.now();
    await queue.close();
    expect(Date.now() - closing).toBeLessThan(5_000);
    expect(errors.filter((error) => /took over/.test(error.message))).toEqual([]); // no step timed out

    // (3) Nothing escaped as an unhandled error.
    expect(processErrors).toEqual([]);
  });
});
