// The export worker: consumes order ids in batches and brings the workbooks up to date; re-queues
// confirmed orders whose job was lost (the recovery sweep); reports a heartbeat for /health. It runs inside
// `npm start` (WORKER=on) or alone (`npm run worker`), over the same modules.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { ExportQueue } from '../../adapters/queue/export-queue.js';
import type { ExportsRepository } from './exports.repository.js';
import type { WorkbookExporter } from './workbook-exporter.js';

export interface ExportWorkerOptions {
  batchSize: number;
  sweepSeconds: number;
}

const HEARTBEAT_MS = 5_000;
/** An order this old without export is presumed to have lost its job (the producer waits 5 ms). */
const SWEEP_GRACE_SECONDS = 2;
/** An order this old without export was not delivered by the queue at all (broker down): export directly. */
const STUCK_SECONDS = 30;
const SWEEP_LIMIT = 10_000;
/**
 * Rebuilding a day costs time in proportion to its size, so writes after a rebuild are paced: after a write
 * of D ms the next waits until PACE x D ms have passed, and orders arriving meanwhile join one later write.
 * Appending costs the batch, not the day, so an append is not paced: the next batch goes out at once.
 */
const PACE = 2;
const MAX_PAUSE_MS = 5_000;

export class ExportWorker {
  readonly workerId = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly startedAt = new Date();
  private timers: NodeJS.Timeout[] = [];
  private lastWriteEnd = 0;
  private lastWriteMs = 0;
  private lastExportAt: Date | null = null;
  private lastExportOrders: number | null = null;
  private lastError: string | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly queue: ExportQueue,
    private readonly exporter: WorkbookExporter,
    private readonly repository: ExportsRepository,
    private readonly options: ExportWorkerOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.queue.consume((ids) => this.handle(ids), { batchSize: this.options.batchSize, batchWaitMs: 20 });
    void this.sweep(0);
    void this.beat();
    this.timers.push(
      setInterval(() => void this.sweep(SWEEP_GRACE_SECONDS), this.options.sweepSeconds * 1000),
      setInterval(() => void this.beat(), HEARTBEAT_MS),
    );
    for (const timer of this.timers) timer.unref();
    this.logger.info({ workerId: this.workerId, queue: this.queue.kind }, 'export worker started');
  }

  /** Stops the timers and the heartbeat; the queue (closed by its owner) finishes the running batch. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.sweeping;
    await this.repository.removeHeartbeat(this.workerId).catch(() => undefined);
  }

  private async handle(orderIds: number[]): Promise<void> {
    const pause = Math.min(this.lastWriteEnd + PACE * this.lastWriteMs - Date.now(), MAX_PAUSE_MS);
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    const started = Date.now();
    try {
      const days = await this.exporter.exportBacklog();
      if (days.length > 0) {
        this.lastWriteEnd = Date.now();
        this.lastWriteMs = days.every((day) => day.appended) ? 0 : this.lastWriteEnd - started;
        this.lastExportAt = new Date();
        this.lastExportOrders = days.reduce((n, d) => n + d.newlyExported, 0);
      }
      this.lastError = null;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.error({ err: error, orders: orderIds.length }, 'export failed; the batch will be retried');
      throw error;
    }
  }

  private sweep(graceSeconds: number): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const ids = await this.repository.staleBacklogIds(graceSeconds, SWEEP_LIMIT);
        if (ids.length > 0) {
          await this.queue.add(ids).then(
            () => this.logger.info({ orders: ids.length }, 'recovery sweep re-queued unexported orders'),
            (error: unknown) => this.logger.warn({ err: error }, 'recovery sweep could not reach the queue'),
          );
        }
        const stuck = await this.repository.staleBacklogIds(STUCK_SECONDS, SWEEP_LIMIT);
        if (stuck.length > 0) await this.handle(stuck);
      } catch (error) {
        this.logger.warn({ err: error }, 'recovery sweep failed; retrying at the next interval');
      } finally {
        this.sweeping = null;
      }
    })();
    return this.sweeping;
  }

  private async beat(): Promise<void> {
    try {
      await this.repository.beat({
        workerId: this.workerId,
        hostname: os.hostname(),
        pid: process.pid,
        startedAt: this.startedAt,
        lastExportAt: this.lastExportAt,
        lastExportOrders: this.lastExportOrders,
        lastError: this.lastError,
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not record the worker heartbeat');
    }
  }
}
