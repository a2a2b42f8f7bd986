// Turns BullMQ's one-job-at-a-time processing into handler batches: each running job puts its order ids
// into the filling batch (spilling into the next one when it is full) and waits for the handler calls of
// every batch it joined. An id already in the batch it joins is not added twice.
import type { BatchHandler } from './export-queue.js';

interface Batch {
  ids: Set<number>;
  done: Promise<void>;
  settle: (error?: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Runs the handler once per batch, one batch at a time. A batch is ready when it is full, or when
 * batchWaitMs passed since its first id; a ready batch that waits for the running one no longer fills up
 * (full ones spill over), but a partial one keeps filling while it waits.
 */
export class BatchCollector {
  /** The batch new ids join. */
  private filling: Batch | null = null;
  /** Full batches waiting for their turn, oldest first. */
  private readonly full: Batch[] = [];
  private fillingDue = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly handler: BatchHandler,
    private readonly batchSize: number,
    private readonly batchWaitMs: number,
  ) {}

  /** Resolves when every batch holding one of `orderIds` has run; rejects if one of them failed. */
  async push(orderIds: readonly number[]): Promise<void> {
    const joined = new Set<Promise<void>>();
    for (const id of orderIds) {
      const batch = (this.filling ??= this.open());
      batch.ids.add(id);
      joined.add(batch.done);
      if (batch.ids.size >= this.batchSize) {
        clearTimeout(batch.timer);
        this.full.push(batch);
        this.filling = null;
        this.fillingDue = false;
      }
    }
    this.runNext();
    await Promise.all(joined);
  }

  /** Runs what was gathered without waiting for batchWaitMs, and resolves once no batch is left. */
  async drain(): Promise<void> {
    while (this.running || this.filling || this.full.length > 0) {
      if (this.filling) this.fillingDue = true;
      this.runNext();
      await this.running;
    }
  }

  private open(): Batch {
    let settle!: (error?: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    // Callers may join a batch and leave before it runs (a job lock lost); never an unhandled rejection.
    done.catch(() => undefined);
    const batch: Batch = { ids: new Set(), done, settle, timer: undefined };
    batch.timer = setTimeout(() => {
      if (this.filling !== batch) return;
      this.fillingDue = true;
      this.runNext();
    }, this.batchWaitMs);
    batch.timer.unref();
    return batch;
  }

  private take(): Batch | null {
    const next = this.full.shift();
    if (next) return next;
    if (!this.fillingDue || !this.filling) return null;
    const batch = this.filling;
    clearTimeout(batch.timer);
    this.filling = null;
    this.fillingDue = false;
    return batch;
  }

  private runNext(): void {
    if (this.running) return;
    const batch = this.take();
    if (!batch) return;
    this.running = this.run(batch).finally(() => {
      this.running = null;
      this.runNext();
    });
  }

  private async run(batch: Batch): Promise<void> {
    try {
      await this.handler([...batch.ids]);
      batch.settle();
    } catch (error) {
      batch.settle(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
