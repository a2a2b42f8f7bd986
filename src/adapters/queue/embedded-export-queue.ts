// The in-process export queue for the single-process default (no REDIS_URL). Each id is its own job: an id
// is deduplicated while its job is waiting, active or delayed, and forgotten once it completed. Nothing
// survives a restart; the worker's recovery sweep re-queues every confirmed order not yet exported, so that
// is safe.
import {
  EXPORT_JOB_ATTEMPTS,
  EXPORT_JOB_BACKOFF_MS,
  type BatchHandler,
  type ConsumeOptions,
  type ExportQueue,
  type ExportQueueCounts,
} from './export-queue.js';

export interface EmbeddedExportQueueOptions {
  /** Attempts per job before it is parked as failed (EXPORT_JOB_ATTEMPTS). */
  attempts?: number;
  /** Delay before the first retry; doubled for each further one (EXPORT_JOB_BACKOFF_MS). */
  backoffMs?: number;
}

type JobState = 'waiting' | 'active' | 'delayed' | 'failed';

interface Job {
  state: JobState;
  attemptsMade: number;
  timer?: NodeJS.Timeout;
}

export class EmbeddedExportQueue implements ExportQueue {
  readonly kind = 'embedded' as const;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly jobs = new Map<number, Job>();
  /** Waiting ids in arrival order (a Set keeps insertion order and removes in O(1)). */
  private readonly waiting = new Set<number>();
  private closed = false;
  private consuming: Promise<void> | null = null;
  /** The consumer loop while it waits, woken by signal() when ids arrive, a batch fills up or on close. */
  private sleeper: { forFirst: boolean; wake: () => void } | null = null;
  private batchSize = Infinity;

  constructor(options: EmbeddedExportQueueOptions = {}) {
    this.attempts = options.attempts ?? EXPORT_JOB_ATTEMPTS;
    this.backoffMs = options.backoffMs ?? EXPORT_JOB_BACKOFF_MS;
    if (!Number.isInteger(this.attempts) || this.attempts < 1) throw new RangeError('attempts must be >= 1');
    if (!(this.backoffMs >= 0)) throw new RangeError('backoffMs must be >= 0');
  }

  add(orderIds: readonly number[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The export queue is closed'));
    for (const id of orderIds) {
      if (!Number.isSafeInteger(id) || id < 0) {
        return Promise.reject(new TypeError(`Order ids must be non-negative integers, got ${String(id)}`));
      }
    }
    for (const id of orderIds) {
      const job = this.jobs.get(id);
      // A parked (failed) id comes back as a new job: the sweep re-queues orders still not exported.
      if (job && job.state !== 'failed') continue;
      this.jobs.set(id, { state: 'waiting', attemptsMade: 0 });
      this.waiting.add(id);
    }
    if (this.waiting.size > 0) this.signal();
    return Promise.resolve();
  }

  consume(handler: BatchHandler, options: ConsumeOptions): void {
    if (this.consuming) throw new Error('consume() was already called on this export queue');
    if (this.closed) throw new Error('The export queue is closed');
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError('batchSize must be >= 1');
    }
    this.batchSize = options.batchSize;
    this.consuming = this.loop(handler, Math.max(0, options.batchWaitMs));
  }

  counts(): Promise<ExportQueueCounts> {
    const counts: ExportQueueCounts = { waiting: 0, active: 0, delayed: 0, failed: 0 };
    for (const job of this.jobs.values()) counts[job.state] += 1;
    return Promise.resolve(counts);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signal();
    for (const job of this.jobs.values()) clearTimeout(job.timer);
    await this.consuming;
  }

  private async loop(handler: BatchHandler, batchWaitMs: number): Promise<void> {
    while (!this.closed) {
      if (this.waiting.size === 0) await this.sleep(Infinity, true);
      // Give a partial batch up to batchWaitMs after its first id to fill up.
      if (!this.closed && this.waiting.size > 0 && this.waiting.size < this.batchSize && batchWaitMs > 0) {
        await this.sleep(batchWaitMs, false);
      }
      if (this.closed) break;
      const batch = this.take();
      if (batch.length > 0) await this.run(handler, batch);
    }
  }

  private take(): number[] {
    const batch: number[] = [];
    for (const id of this.waiting) {
      if (batch.length >= this.batchSize) break;
      batch.push(id);
    }
    for (const id of batch) {
      this.waiting.delete(id);
      const job = this.jobs.get(id);
      if (job) job.state = 'active';
    }
    return batch;
  }

  private async run(handler: BatchHandler, batch: number[]): Promise<void> {
    try {
      await handler([...batch]);
    } catch {
      // The caller's handler logs its own failure; here it only decides the retry.
      for (const id of batch) this.fail(id);
      return;
    }
    for (const id of batch) this.jobs.delete(id);
  }

  private fail(id: number): void {
    const job = this.jobs.get(id);
    if (!job) return;
    job.attemptsMade += 1;
    if (job.attemptsMade >= this.attempts) {
      job.state = 'failed';
      return;
    }
    job.state = 'delayed';
    if (this.closed) return;
    job.timer = setTimeout(
      () => {
        job.timer = undefined;
        if (job.state !== 'delayed' || this.closed) return;
        job.state = 'waiting';
        this.waiting.add(id);
        this.signal();
      },
      this.backoffMs * 2 ** (job.attemptsMade - 1),
    );
    job.timer.unref();
  }

  /**
   * Resolves after `ms` (never, if Infinity), or earlier when signal() finds what it waits for: a first id
   * (`forFirst`), a full batch, or close(). Its timer never keeps the process alive.
   */
  private sleep(ms: number, forFirst: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
      timer?.unref();
      this.sleeper = {
        forFirst,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    }).finally(() => {
      this.sleeper = null;
    });
  }

  private signal(): void {
    const sleeper = this.sleeper;
    if (!sleeper) return;
    const ready = sleeper.forFirst ? this.waiting.size > 0 : this.waiting.size >= this.batchSize;
    if (this.closed || ready) sleeper.wake();
  }
}
