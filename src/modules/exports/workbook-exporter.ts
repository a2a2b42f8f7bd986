// Keeps each business day's workbook equal to the database: rebuilds the whole day from its confirmed
// orders (id order, each exactly once) and marks the newly written ones exported. Rebuilding from the
// database makes a repeated or concurrent run harmless (DESIGN invariant 2); the lock and the atomic write
// keep the file complete and single-writer (invariant 3).
import path from 'node:path';
import type { Logger } from 'pino';
import type { ExportLock, HeldLock } from './export-lock.js';
import type { ExportsRepository } from './exports.repository.js';
import { workbookFileName } from './workbook.columns.js';
import { loadWorkbookLibrary, removeStaleTempFiles, writeWorkbookAtomically } from './workbook.writer.js';

export interface DayExport {
  date: string;
  file: string;
  rows: number;
  newlyExported: number;
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
    await loadWorkbookLibrary();
    return this.lock.withLock(async (held) => {
      // Read again under the lock: another writer may have exported them while we waited.
      const days = await this.repository.backlogDays();
      const results: DayExport[] = [];
      for (const date of days) results.push(await this.writeDay(date, held));
      return results;
    });
  }

  /** Rebuilds one day's workbook from the database, whatever its export state. */
  async rebuildDay(date: string): Promise<DayExport> {
    await loadWorkbookLibrary();
    return this.lock.withLock((held) => this.writeDay(date, held));
  }

  filePath(date: string): string {
    return path.join(this.options.exportDir, workbookFileName(date));
  }

  private async writeDay(date: string, held: HeldLock): Promise<DayExport> {
    const file = this.filePath(date);
    // Read before the rows: an order cancelled after this read is still in the file and stays pending.
    const cancelled = await this.repository.cancelledPendingIds(date);
    const fresh: number[] = [];
    const repository = this.repository;
    async function* rows() {
      for await (const order of repository.confirmedOrdersOfDay(date)) {
        if (!order.exported) fresh.push(order.id);
        yield order;
      }
    }
    await removeStaleTempFiles(this.options.exportDir);
    const written = await writeWorkbookAtomically(file, rows(), {
      timeZone: this.options.timeZone,
      beforeCommit: () => held.assertHeld(),
    });
    // Only after the file holding them is safely in place: a crash before this line re-exports, never loses.
    const newlyExported = await this.repository.markExported(fresh);
    await this.repository.markExported(cancelled, 'cancelled');
    if (fresh.length > 0) this.options.onExported?.(fresh);
    const result = { date, file, rows: written.rows, newlyExported, ms: Math.round(written.ms) };
    this.logger.info(result, 'workbook written');
    return result;
  }
}
