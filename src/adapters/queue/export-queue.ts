// The export queue port: carries only order ids (never customer data) from the API to the export worker.
// It may lose them (Redis restarted without persistence): PostgreSQL is the source of truth, and the
// worker's recovery sweep re-queues every confirmed order not yet exported.

/**
 * Jobs by state. A job carries one order id in the embedded queue and a batch of ids on BullMQ, so these
 * are queue health signals; the export backlog (orders not yet in a workbook) comes from the database.
 */
export interface ExportQueueCounts {
  waiting: number;
  active: number;
  /** Waiting for a retry after a failed attempt. */
  delayed: number;
  /** Parked after exhausting their attempts (dead letters). */
  failed: number;
}

export type BatchHandler = (orderIds: number[]) => Promise<void>;

export interface ConsumeOptions {
  /** Most order ids handed to one handler call. */
  batchSize: number;
  /** How long a batch waits for more ids after its first one, in ms. */
  batchWaitMs: number;
}

export interface ExportQueue {
  readonly kind: 'embedded' | 'bullmq';
  /**
   * Queues order ids. Resolves when the queue holds them; rejects quickly (never hangs) when the broker is
   * unreachable. An id queued again may be delivered again (the embedded queue merges it while it waits):
   * handlers must be idempotent.
   */
  add(orderIds: readonly number[]): Promise<void>;
  /**
   * Starts consuming (once per queue object). Each handler call gets at most batchSize distinct ids. A
   * handler that throws fails every job of its batch; each is retried with exponential backoff and, after
   * its last attempt, parked as failed; an id added again later is queued as a new job.
   */
  consume(handler: BatchHandler, options: ConsumeOptions): void;
  counts(): Promise<ExportQueueCounts>;
  /** Stops consuming (waiting for the running batch) and releases connections. */
  close(): Promise<void>;
}

/** Retry policy shared by every implementation. */
export const EXPORT_JOB_ATTEMPTS = 8;
export const EXPORT_JOB_BACKOFF_MS = 1_000;
