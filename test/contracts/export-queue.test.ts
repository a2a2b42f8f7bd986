// Runs the ExportQueue contract against the embedded queue and against BullMQ on a real Redis (each test its
// own queue name, obliterated afterwards; the shared Redis is never flushed). In CI (CI=true) an unreachable
// Redis fails the BullMQ suite instead of skipping it.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BullmqExportQueue } from '../../src/adapters/queue/bullmq-export-queue.js';
import { EmbeddedExportQueue } from '../../src/adapters/queue/embedded-export-queue.js';
import type { ExportQueue } from '../../src/adapters/queue/export-queue.js';
import { createExportQueue } from '../../src/adapters/queue/index.js';
import { SHARED_REDIS_URL, probeRedis } from '../helpers/redis-probe.js';
import { exportQueueContract } from './export-queue.contract.js';

const REDIS_URL = SHARED_REDIS_URL;
const IN_CI = process.env.CI === 'true';

const redisProblem = await probeRedis(REDIS_URL);
if (redisProblem && !IN_CI) {
  console.warn(
    `Redis at ${REDIS_URL} is unreachable (${redisProblem}); skipping the BullMQ export queue tests.`,
  );
}

exportQueueContract('EmbeddedExportQueue', (opts) => Promise.resolve(new EmbeddedExportQueue(opts)), {
  jobPerId: true,
});

describe.skipIf(redisProblem !== null && !IN_CI)('BullmqExportQueue on Redis', () => {
  const created: { queue: ExportQueue; name: string }[] = [];
  const errors: Error[] = [];

  afterEach(async () => {
    for (const { queue, name } of created.splice(0)) {
      await queue.close();
      await obliterate(name);
    }
  });

  it('has a reachable Redis (CI must test against Redis)', () => {
    expect(redisProblem, `Redis at ${REDIS_URL}`).toBeNull();
  });

  exportQueueContract(
    'BullmqExportQueue',
    (opts) => {
      const name = `test-${randomUUID()}`;
      const queue = new BullmqExportQueue({
        redisUrl: REDIS_URL,
        queueName: name,
        ...opts,
        onError: (error) => errors.push(error),
      });
      created.push({ queue, name });
      return Promise.resolve(queue);
    },
    { jobPerId: false },
  );

  afterAll(() => {
    // Nothing in the contract makes Redis fail; an error here is a bug in the adapter.
    expect(errors).toEqual([]);
  });
});

describe('createExportQueue', () => {
  it('builds the embedded queue without a Redis URL', async () => {
    const queue = createExportQueue({ redisUrl: null, queueName: 'exports', onError: () => undefined });
    expect(queue).toBeInstanceOf(EmbeddedExportQueue);
    expect(queue.kind).toBe('embedded');
    await queue.close();
  });

  it('builds the BullMQ queue with a Redis URL', async () => {
    // Nothing listens on port 1: building the queue must not need Redis, and closing it must not hang.
    const queue = createExportQueue({
      redisUrl: 'redis://127.0.0.1:1',
      queueName: `test-${randomUUID()}`,
      onError: () => undefined,
    });
    expect(queue).toBeInstanceOf(BullmqExportQueue);
    expect(queue.kind).toBe('bullmq');
    await expect(queue.add([1])).rejects.toThrow(/unavailable/i);
    await queue.close();
  });
});

async function obliterate(name: string): Promise<void> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
    await connection.quit();
  }
}
