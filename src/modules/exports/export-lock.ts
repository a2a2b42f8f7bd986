// One workbook writer at a time across processes (API with in-process worker, standalone workers, the
// report CLI): a lock directory next to the workbooks, via proper-lockfile. A lock left by a killed writer
// goes stale and is taken over after STALE_MS. The lock's mtime is refreshed every UPDATE_MS from a timer,
// so the streaming writer yields often enough that a large write cannot let it go stale.
import fs from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';

const STALE_MS = 15_000;
const UPDATE_MS = 3_000;

export class LockLostError extends Error {
  constructor() {
    super('lost the export lock while writing; the workbook was left untouched');
    this.name = 'LockLostError';
  }
}

export interface HeldLock {
  /** Throws LockLostError if another process may have taken the lock since: never commit a file then. */
  assertHeld(): void;
}

export class ExportLock {
  private readonly target: string;

  constructor(private readonly exportDir: string) {
    this.target = path.join(exportDir, 'workbooks');
  }

  /** Runs `work` holding the lock, waiting up to `waitMs` for another writer to finish. */
  async withLock<T>(work: (lock: HeldLock) => Promise<T>, waitMs = 60_000): Promise<T> {
    await fs.mkdir(this.exportDir, { recursive: true });
    let lost = false;
    const release = await lockfile.lock(this.target, {
      lockfilePath: `${this.target}.lock`,
      realpath: false,
      stale: STALE_MS,
      update: UPDATE_MS,
      retries: { retries: Math.ceil(waitMs / 250), factor: 1, minTimeout: 250, maxTimeout: 250 },
      onCompromised: () => {
        lost = true;
      },
    });
    try {
      return await work({
        assertHeld: () => {
          if (lost) throw new LockLostError();
        },
      });
    } finally {
      if (!lost) await release().catch(() => undefined);
    }
  }
}
