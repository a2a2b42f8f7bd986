// The one place that picks the export queue: BullMQ on Redis when REDIS_URL is set, the in-process queue
// otherwise. Chosen from config alone (never from NODE_ENV).
import { BullmqExportQueue } from './bullmq-export-queue.js';
import { EmbeddedExportQueue } from './embedded-export-queue.js';
import type { ExportQueue } from './export-queue.js';

export interface ExportQueueConfig {
  redisUrl: string | null;
  queueName: string;
  /** Redis connection and worker errors; the queue never throws them (a Redis restart must not crash). */
  onError(error: Error): void;
}

export function createExportQueue(config: ExportQueueConfig): ExportQueue {
  if (config.redisUrl) {
    return new BullmqExportQueue({
      redisUrl: config.redisUrl,
      queueName: config.queueName,
      onError: (error) => config.onError(error),
    });
  }
  return new EmbeddedExportQueue();
}
