// Keeps each business day's workbook equal to the database. New confirmed orders are appended to the day's
// file (the cost grows with the batch, not the day); whenever appending cannot give exactly the file a
// rebuild would (cancelled orders to take out, an older order confirmed late, no usable append state), the
// whole day is rebuilt from its confirmed orders (id order, each exactly once). Rebuilding from the database
// makes a repeated or concurrent run harmless (DESIGN invariant 2); the lock and the atomic write keep the
// file complete and single-writer (invariant 3).
import path from 'node:path';
import type { Logger } from 'pino';
import type { ExportLock, HeldLock } from './export-lock.js';
import type { ExportsRepository } from './exports.repository.js';
import { workbookFileName } from './workbook.columns.js';
import {
  removeStaleTempFiles,
  updateWorkbook,
  writeWorkbookAtomically,
  type WriteWorkbookResult,
} from './workbook.writer.js';

export interface DayExport {
  date: string;
  file: string;
  rows: number;
  newlyExported: number;
  /** True when the file was updated from its tail, false when the whole day was rebuilt. */
  appended: boolean;
  /** Rows and bytes the write encoded itself (an update's copy of the previous file is not counted). */
  rowsWritten: number;
  bytesWritten: number;
  ms: number;
}

export class WorkbookExporter {
  constructor(
    private readonly repository: ExportsRepository,
    private readonly lock: ExportLock,
    private readonly options: { exportDir: string; timeZone: string; onExported?: (ids: number[]) => void },
    private readonly logger: Logger,
  ) {}

  /** Rewrites the workbook of every day that has confirmed orders not yet exported. */
  async exportBacklog(): Promise<DayExport[]> {
    if ((await this.repository.backlogDays()).length === 0) return [];
    return this.lock.withLock(async (held) => {
      // Read again under the lock: another writer may have exported them while we waited.
      const days = await this.repository.backlogDays();
      const results: DayExport[] = [];
      for (const date of days) results.push(await this.writeDay(date, held, false));
      return results;
    });
  }

  /** Rebuilds one day's workbook from the database, whatever its export state. */
  async rebuildDay(date: string): Promise<DayExport> {
    return this.lock.withLock((held) => this.writeDay(date, held, true));
  }

  filePath(date: string): string {
    return path.join(this.options.exportDir, workbookFileName(date));
  }

  private async writeDay(date: string, held: HeldLock, rebuild: boolean): Promise<DayExport> {
    const file = this.filePath(date);
    const options = { timeZone: this.options.timeZone, beforeCommit: () => held.assertHeld() };
    // Read before the rows: an order cancelled after this read is still in the file and stays pending.
    const cancelled = await this.repository.cancelledPendingIds(date);
    await removeStaleTempFiles(this.options.exportDir);
    const repository = this.repository;
    let fresh: number[] = [];
    async function* rows(fromId = 1) {
      for await (const order of repository.confirmedOrdersOfDay(date, { fromId })) {
        if (!order.exported) fresh.push(order.id);
        yield order;
      }
    }
    let written: WriteWorkbookResult | null = null;
    if (!rebuild) {
      // Everything from the oldest change on is rewritten: usually just the new batch at the end.
      const oldestChange = cancelled.reduce(
        (oldest, id) => Math.min(oldest, id),
        (await this.repository.oldestUnexportedId(date)) ?? Number.POSITIVE_INFINITY,
      );
      written = await updateWorkbook(file, oldestChange, rows, options);
    }
    if (!written) {
      fresh = [];
      written = await writeWorkbookAtomically(file, rows(), options);
    }
    // Only after the file holding them is safely in place: a crash before this line re-exports, never loses.
    const newlyExported = await this.repository.markExported(fresh);
    await this.repository.markExported(cancelled, 'cancelled');
    if (fresh.length > 0) this.options.onExported?.(fresh);
    const result = {
      date,
      file,
      rows: written.rows,
      newlyExported,
      appended: written.appended,
      rowsWritten: written.rowsWritten,
      bytesWritten: written.bytesWritten,
      ms: written.ms,
    };
    this.logger.info(result, 'workbook written');
    return result;
  }
}
