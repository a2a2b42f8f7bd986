// The behaviour every ExportQueue must show, embedded or on Redis. Run by export-queue.test.ts against
// EmbeddedExportQueue and against BullmqExportQueue on a real Redis. `make` gives each test its own queue
// (its own queue name on Redis); the suite closes it after the test.
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchHandler, ExportQueue, ExportQueueCounts } from '../../src/adapters/queue/export-queue.js';

export interface ExportQueueTestOptions {
  attempts: number;
  backoffMs: number;
}

const ATTEMPTS = 3;
const BACKOFF_MS = 50;
const idle: ExportQueueCounts = { waiting: 0, active: 0, delayed: 0, failed: 0 };

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** Records every handler call; `behaviour` decides, per call, whether it throws. */
function recorder(behaviour: (ids: number[], call: number) => void | Promise<void> = () => undefined) {
  const calls: { ids: number[]; at: number; ok: boolean }[] = [];
  const handler: BatchHandler = async (ids) => {
    const call = { ids, at: Date.now(), ok: false };
    calls.push(call);
    await behaviour(ids, calls.length);
    call.ok = true;
  };
  const delivered = () => calls.flatMap((c) => c.ids);
  const succeeded = () => calls.filter((c) => c.ok).flatMap((c) => c.ids);
  const timesSeen = (id: number) => delivered().filter((x) => x === id).length;
  return { calls, handler, delivered, succeeded, timesSeen };
}

/**
 * `jobPerId`: the queue tracks each id as its own job (embedded) rather than one job per add call's batch
 * (BullMQ); only the counts differ.
 */
export function exportQueueContract(
  name: string,
  make: (opts: ExportQueueTestOptions) => Promise<ExportQueue>,
  { jobPerId }: { jobPerId: boolean },
): void {
  /** Jobs expected for these add calls. */
  const jobsFor = (...adds: number[][]) =>
    jobPerId ? new Set(adds.flat()).size : adds.filter((ids) => ids.length > 0).length;

  describe(`ExportQueue contract: ${name}`, () => {
    const open: ExportQueue[] = [];
    const create = async (opts: Partial<ExportQueueTestOptions> = {}) => {
      const queue = await make({ attempts: ATTEMPTS, backoffMs: BACKOFF_MS, ...opts });
      open.push(queue);
      return queue;
    };
    const settled = (queue: ExportQueue) => async () => {
      const c = await queue.counts();
      return c.waiting + c.active + c.delayed === 0;
    };

    afterEach(async () => {
      await Promise.all(open.splice(0).map((queue) => queue.close()));
    });

    it('shows ids added before consume starts as waiting', async () => {
      const queue = await create();
      await queue.add([1, 2, 3]);
      expect(await queue.counts()).toEqual({ ...idle, waiting: jobsFor([1, 2, 3]) });
    });

    it('delivers every added id to the handler exactly once, in batches no larger than batchSize', async () => {
      const queue = await create();
      const rec = recorder();
      const ids = range(1, 25);
      await queue.add(ids);
      queue.consume(rec.handler, { batchSize: 10, batchWaitMs: 20 });
      await waitFor(() => rec.succeeded().length >= ids.length, 'all ids delivered');
      await waitFor(settled(queue), 'an idle queue');
      expect([...rec.delivered()].sort((a, b) => a - b)).toEqual(ids);
      for (const call of rec.calls) expect(call.ids.length).toBeLessThanOrEqual(10);
      expect(await queue.counts()).toEqual(idle);
    });

    it('delivers an id added twice while it waits only once', async () => {
      const queue = await create();
      const rec = recorder();
      await queue.add([1, 2, 3]);
      await queue.add([2, 3, 4, 4]);
      await queue.add([1]);
      expect((await queue.counts()).waiting).toBe(jobsFor([1, 2, 3], [2, 3, 4, 4], [1]));
      queue.consume(rec.handler, { batchSize: 10, batchWaitMs: 20 });
      await waitFor(() => rec.succeeded().length >= 4, 'four ids delivered');
      await waitFor(settled(queue), 'an idle queue');
      await sleep(100);
      expect([...rec.delivered()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    });

    it('delivers 1,000 ids added concurrently in 20 calls, each once, in batches', async () => {
      const queue = await create();
      const rec = recorder();
      queue.consume(rec.handler, { batchSize: 100, batchWaitMs: 20 });
      const ids = range(1, 1000);
      await Promise.all(range(0, 20).map((chunk) => queue.add(ids.slice(chunk * 50, chunk * 50 + 50))));
      await waitFor(() => rec.succeeded().length >= ids.length, '1,000 ids delivered', 20_000);
      await waitFor(settled(queue), 'an idle queue');
      expect([...rec.delivered()].sort((a, b) => a - b)).toEqual(ids);
      expect(rec.calls.length).toBeLessThan(ids.length / 2);
      for (const call of rec.calls) expect(call.ids.length).toBeLessThanOrEqual(100);
    });

    it('hands the ids of a failed batch to the handler again after the backoff', async () => {
      const queue = await create();
      const rec = recorder((_ids, call) => {
        if (call === 1) throw new Error('disk full');
      });
      await queue.add([1, 2, 3]);
      queue.consume(rec.handler, { batchSize: 10, batchWaitMs: 20 });
      await waitFor(() => rec.succeeded().length >= 3, 'the retried ids delivered');
      await waitFor(settled(queue), 'an idle queue');
      const [first, ...retries] = rec.calls;
      expect(first).toMatchObject({ ok: false });
      expect([...(first?.ids ?? [])].sort()).toEqual([1, 2, 3]);
      for (const id of [1, 2, 3]) expect(rec.timesSeen(id)).toBe(2);
      for (const retry of retries) expect(retry.at - (first?.at ?? 0)).toBeGreaterThanOrEqual(BACKOFF_MS - 5);
      expect(await queue.counts()).toEqual(idle);
    });

    it('parks ids as failed after `attempts` tries of a handler that always fails', async () => {
      const queue = await create();
      const rec = recorder(() => {
        throw new Error('always broken');
      });
      await queue.add([7, 8]);
      queue.consume(rec.handler, { batchSize: 10, batchWaitMs: 20 });
      await waitFor(async () => (await queue.counts()).failed === jobsFor([7, 8]), 'parked ids');
      await sleep(BACKOFF_MS * 2 ** ATTEMPTS);
      expect(rec.timesSeen(7)).toBe(ATTEMPTS);
      expect(rec.timesSeen(8)).toBe(ATTEMPTS);
      expect(await queue.counts()).toEqual({ ...idle, failed: jobsFor([7, 8]) });
    });

    it('queues a parked id added again as a new job (the recovery sweep re-queues unexported orders)', async () => {
      const queue = await create({ attempts: 1 });
      let broken = true;
      const rec = recorder(() => {
        if (broken) throw new Error('broken until fixed');
      });
      await queue.add([5]);
      queue.consume(rec.handler, { batchSize: 10, batchWaitMs: 10 });
      await waitFor(async () => (await queue.counts()).failed === 1, 'a parked id');
      broken = false;
      await queue.add([5]);
      await waitFor(() => rec.succeeded().includes(5), 'the parked id delivered again');
      await waitFor(settled(queue), 'an idle queue');
      expect(await queue.counts()).toEqual(idle);
      expect(rec.timesSeen(5)).toBe(2);
    });

    it('close() waits for the running batch, then resolves', async () => {
      const queue = await create();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let finished = false;
      const rec = recorder(async () => {
        await gate;
        finished = true;
      });
      await queue.add([1, 2]);
      queue.consume(rec.handler, { batchSize: 10, batchWaitMs: 10 });
      await waitFor(() => rec.calls.length === 1, 'the batch to start');
      let closed = false;
      const closing = queue.close().then(() => {
        closed = true;
      });
      await sleep(150);
      expect(closed).toBe(false);
      release();
      await closing;
      expect(finished).toBe(true);
      expect(rec.calls).toHaveLength(1);
    });
  });
}
