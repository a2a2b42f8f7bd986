// The export queue on Redis through BullMQ: the way to run several API processes and workers. One job per
// batch of order ids (data `{ orderIds }` only, up to ADD_CHUNK ids): one Redis round trip queues the
// producer's whole micro-batch, and the worker fetches, locks and completes one job for up to 100 orders
// instead of one each (per-order jobs cost the worker more CPU than the orders themselves). The worker merges
// the ids of concurrently running jobs into handler batches. Delivery is at least once, and an id queued
// twice may be delivered twice: the export is idempotent (it rebuilds from the database).
import { Redis, type RedisOptions } from 'ioredis';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import {
  EXPORT_JOB_ATTEMPTS,
  EXPORT_JOB_BACKOFF_MS,
  type BatchHandler,
  type ConsumeOptions,
  type ExportQueue,
  type ExportQueueCounts,
} from './export-queue.js';
import { BatchCollector } from './batch-collector.js';

export interface BullmqExportQueueOptions {
  redisUrl: string;
  queueName: string;
  /** Redis key prefix (BullMQ's default is `bull`). */
  prefix?: string;
  attempts?: number;
  backoffMs?: number;
  /** Connection and worker errors (Redis down, a job that could not be moved); never thrown. */
  onError: (error: Error) => void;
  /** Bound on each step of close() that talks to Redis. */
  closeTimeoutMs?: number;
}

interface ExportJobData {
  orderIds: number[];
}

/** The job's order ids, or null when it carries none; `{ orderId }` is a job queued by an older release. */
function idsOf(data: unknown): number[] | null {
  const { orderIds, orderId } = (data ?? {}) as { orderIds?: unknown; orderId?: unknown };
  const ids = Array.isArray(orderIds) ? (orderIds as unknown[]) : [orderId];
  return ids.every((id): id is number => Number.isSafeInteger(id) && (id as number) >= 0) ? ids : null;
}

const JOB_NAME = 'export-orders';
/** Most ids per job: a 10,000-id sweep is 20 jobs in one addBulk call. */
const ADD_CHUNK = 500;
/** Dead letters inspected per add when some exist. */
const MAX_REVIVED = 1000;
/** Jobs a worker runs at once: enough jobs of up to 100 ids to fill a handler batch of hundreds. */
const WORKER_CONCURRENCY = 64;
/** Completed jobs are only kept for inspection: an hour, at most 1,000 of them. */
const KEEP_COMPLETED = { age: 3600, count: 1000 };
/** Dead letters are kept a week for inspection. */
const KEEP_FAILED_SECONDS = 7 * 24 * 3600;

/** How long add waits for a producer that is not connected before it rejects. */
const READY_WAIT_MS = 1_000;

const reconnect = (attempt: number) => Math.min(attempt * 200, 2000);

/**
 * Producer connection: fails fast instead of queueing commands while Redis is down (the API answers without
 * waiting for the queue, and the recovery sweep re-queues whatever an outage dropped).
 */
const PRODUCER_REDIS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  commandTimeout: 1_500,
  retryStrategy: reconnect,
};
/** Worker connection: blocking commands, so no command timeout and no retry limit (BullMQ requires null). */
const WORKER_REDIS: RedisOptions = {
  maxRetriesPerRequest: null,
  connectTimeout: 2_000,
  retryStrategy: reconnect,
};

export class BullmqExportQueue implements ExportQueue {
  readonly kind = 'bullmq' as const;
  private readonly producer: Redis;
  private readonly queue: Queue<ExportJobData>;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly closeTimeoutMs: number;
  private consumer: { worker: Worker<ExportJobData>; connection: Redis; batches: BatchCollector } | null =
    null;
  private closing: Promise<void> | null = null;
  /** Shared by the add calls that arrive while the producer is not connected. */
  private readyWait: Promise<void> | null = null;
  /** The Queue re-emits its connection's errors: report each error object once. */
  private readonly reported = new WeakSet<Error>();

  constructor(private readonly options: BullmqExportQueueOptions) {
    this.attempts = options.attempts ?? EXPORT_JOB_ATTEMPTS;
    this.backoffMs = options.backoffMs ?? EXPORT_JOB_BACKOFF_MS;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.producer = new Redis(options.redisUrl, { ...PRODUCER_REDIS, connectionName: 'export-producer' });
    this.producer.on('error', (error: Error) => this.report(error));
    // skipVersionCheck: BullMQ sends INFO once at start-up and, should that one command fail, the queue
    // object stays broken for good; the worker still checks the version on its own connection.
    this.queue = new Queue<ExportJobData>(options.queueName, {
      connection: this.producer,
      skipVersionCheck: true,
      ...(options.prefix ? { prefix: options.prefix } : {}),
    });
    this.queue.on('error', (error: Error) => this.report(error));
  }

  async add(orderIds: readonly number[]): Promise<void> {
    if (this.closing) throw new Error('The export queue is closed');
    for (const id of orderIds) {
      if (!Number.isSafeInteger(id) || id < 0) {
        throw new TypeError(`Order ids must be non-negative integers, got ${String(id)}`);
      }
    }
    if (orderIds.length === 0) return;
    await this.connected();
    const parked = await this.parkedSharing(orderIds);
    const ids = [...new Set([...orderIds, ...parked.flatMap((job) => idsOf(job.data) ?? [])])];
    const chunks: number[][] = [];
    for (let start = 0; start < ids.length; start += ADD_CHUNK) {
      chunks.push(ids.slice(start, start + ADD_CHUNK));
    }
    await this.queue.addBulk(
      chunks.map((chunk) => ({
        name: JOB_NAME,
        data: { orderIds: chunk },
        opts: {
          attempts: this.attempts,
          backoff: { type: 'exponential', delay: this.backoffMs },
          removeOnComplete: KEEP_COMPLETED,
          removeOnFail: { age: KEEP_FAILED_SECONDS },
        },
      })),
    );
    // Their ids are queued again (above): retire the dead letters. Another producer may have done it first.
    await Promise.all(parked.map((job) => job.remove().catch(() => undefined)));
  }

  consume(handler: BatchHandler, options: ConsumeOptions): void {
    if (this.consumer) throw new Error('consume() was already called on this export queue');
    if (this.closing) throw new Error('The export queue is closed');
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError('batchSize must be >= 1');
    }
    const { prefix, queueName, redisUrl } = this.options;
    const connection = new Redis(redisUrl, { ...WORKER_REDIS, connectionName: 'export-worker' });
    connection.on('error', (error: Error) => this.report(error));
    const batches = new BatchCollector(handler, options.batchSize, Math.max(0, options.batchWaitMs));
    const worker = new Worker<ExportJobData>(
      queueName,
      async (job) => {
        const orderIds = idsOf(job.data);
        if (!orderIds) throw new UnrecoverableError(`Job ${String(job.id)} carries no order ids`);
        // A job shares the outcome of the batches its ids joined: a handler failure fails (and retries) it.
        await batches.push(orderIds);
      },
      { connection, concurrency: WORKER_CONCURRENCY, ...(prefix ? { prefix } : {}) },
    );
    worker.on('error', (error: Error) => this.report(error));
    this.consumer = { worker, connection, batches };
  }

  async counts(): Promise<ExportQueueCounts> {
    const c = await this.queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'failed',
      'prioritized',
      'waiting-children',
    );
    const n = (type: string) => c[type] ?? 0;
    return {
      waiting: n('waiting') + n('prioritized') + n('waiting-children'),
      active: n('active'),
      delayed: n('delayed'),
      failed: n('failed'),
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Resolves once the producer is connected, waiting at most READY_WAIT_MS: long enough for the first
   * connection at start-up or a Redis restart of a moment, short enough that callers fail fast in an outage.
   * (BullMQ itself would wait for Redis without limit before sending anything.)
   */
  private connected(): Promise<void> {
    if (this.producer.status === 'ready') return Promise.resolve();
    this.readyWait ??= new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.producer.off('ready', onReady);
        reject(new Error(`Redis is unavailable (export queue connection ${this.producer.status})`));
      }, READY_WAIT_MS);
      timer.unref();
      this.producer.once('ready', onReady);
    }).finally(() => {
      this.readyWait = null;
    });
    return this.readyWait;
  }

  /**
   * Dead letters holding one of these ids. The recovery sweep re-queues every unexported order, so a parked
   * job is revived (its ids join this add, the job is removed) as soon as the sweep names one of its ids.
   * Costs one ZCARD when nothing is parked.
   */
  private async parkedSharing(orderIds: readonly number[]): Promise<Job<ExportJobData>[]> {
    const failedKey = this.queue.keys.failed ?? `${this.queue.qualifiedName}:failed`;
    if ((await this.producer.zcard(failedKey)) === 0) return [];
    const wanted = new Set(orderIds);
    const parked = await this.queue.getFailed(0, MAX_REVIVED - 1);
    return parked.filter((job) => idsOf(job.data)?.some((id) => wanted.has(id)));
  }

  private async shutdown(): Promise<void> {
    const consumer = this.consumer;
    if (consumer) {
      // BullMQ's graceful close waits for its blocking connection to emit 'end', which ioredis never does for
      // a connection disconnected while it waits to reconnect: with Redis down it would hang for good and
      // keep BullMQ's lock-renewal timer (and so the process) alive. Redis down: force-close instead (the
      // jobs' completion cannot be recorded anyway; they come back when their lock expires).
      const closingWorker = consumer.worker.close(consumer.connection.status !== 'ready');
      // Stop fetching, then let the running batch finish (the handler is not bounded: it owns its time).
      await consumer.batches.drain();
      await this.bounded(closingWorker, 'worker.close()', () => consumer.worker.disconnect());
    }
    await this.bounded(this.queue.close(), 'queue.close()');
    await this.release(this.producer);
    if (consumer) await this.release(consumer.connection);
  }

  private report(error: Error): void {
    if (this.reported.has(error)) return;
    this.reported.add(error);
    this.options.onError(error);
  }

  /** Quits a connection that is up; drops one that is down (quit would wait for Redis to come back). */
  private async release(connection: Redis): Promise<void> {
    if (connection.status === 'ready') {
      await this.bounded(connection.quit(), 'quit', () => connection.disconnect());
    }
    connection.disconnect();
  }

  private async bounded(step: Promise<unknown>, label: string, onTimeout?: () => unknown): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.closeTimeoutMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([step, timedOut]);
      if (outcome === 'timeout') {
        this.report(new Error(`export queue ${label} took over ${this.closeTimeoutMs} ms; dropped`));
        step.catch(() => undefined);
        // Fire and forget: a disconnect may itself wait for an 'end' event that a dead socket never emits.
        void Promise.resolve()
          .then(onTimeout)
          .catch(() => undefined);
      }
    } catch (error) {
      this.report(error instanceof Error ? error : new Error(String(error)));
    } finally {
      clearTimeout(timer);
    }
  }
}
