// The export queue port: carries only order ids (never customer data) from the API to the export worker.
// It may lose them (Redis restarted without persistence): PostgreSQL is the source of truth, and the
// worker's recovery sweep re-queues every confirmed order not yet exported.

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
   * Queues order ids, each at most once while its job is still known (jobId `order-<id>`). Resolves when the
   * queue holds them; rejects quickly (never hangs) when the broker is unreachable.
   */
  add(orderIds: readonly number[]): Promise<void>;
  /**
   * Starts consuming (once per queue object). A handler that throws fails every job of its batch; each is
   * retried with exponential backoff and, after its last attempt, parked as failed.
   */
  consume(handler: BatchHandler, options: ConsumeOptions): void;
  counts(): Promise<ExportQueueCounts>;
  /** Stops consuming (waiting for the running batch) and releases connections. */
  close(): Promise<void>;
}

/** Retry policy shared by every implementation. */
export const EXPORT_JOB_ATTEMPTS = 8;
export const EXPORT_JOB_BACKOFF_MS = 1_000;
export const exportJobId = (orderId: number) => `order-${orderId}`;
