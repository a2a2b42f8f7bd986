// Turns BullMQ's one-job-at-a-time processing into batches: each running job puts its order id into the
// current batch and waits for that batch's single handler call.
import type { BatchHandler } from './export-queue.js';
interface Batch {
  ids: number[];
  done: Promise<void>;
  settle: (error?: Error) => void;
  timer: NodeJS.Timeout | undefined;
  /** batchWaitMs has passed since its first id. */
  due: boolean;
}

/**
 * Gathers the order ids of concurrently running jobs into batches and runs the handler once per batch, one
 * batch at a time. A batch runs when it is full, or when batchWaitMs passed since its first id and no other
 * batch is running (a batch that waits for the running one keeps filling up meanwhile).
 */
export class BatchCollector {
  private current: Batch | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly handler: BatchHandler,
    private readonly batchSize: number,
    private readonly batchWaitMs: number,
  ) {}

  push(orderId: number): Promise<void> {
    const batch = (this.current ??= this.open());
    batch.ids.push(orderId);
    if (batch.ids.length >= this.batchSize) batch.due = true;
    this.runIfDue();
    return batch.done;
  }

  /** Runs what was gathered without waiting for batchWaitMs, and resolves once no batch is left. */
  async drain(): Promise<void> {
    while (this.running || this.current) {
      if (this.current) this.current.due = true;
      this.runIfDue();
      await this.running;
    }
  }

  private open(): Batch {
    let settle!: (error?: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    const batch: Batch = { ids: [], done, settle, timer: undefined, due: false };
    batch.timer = setTimeout(() => {
      batch.due = true;
      this.runIfDue();
    }, this.batchWaitMs);
    batch.timer.unref();
    return batch;
  }

  private runIfDue(): void {
    const batch = this.current;
    if (this.running || !batch?.due) return;
    this.current = null;
    clearTimeout(batch.timer);
    this.running = this.run(batch).finally(() => {
      this.running = null;
      this.runIfDue();
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
