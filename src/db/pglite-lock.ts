// PGlite has no cross-process lock: two processes on one data directory silently lose committed rows.
// This guard lets exactly one process open it and tells a second one, clearly, what to do instead.
import fs from 'node:fs/promises';
import lockfile from 'proper-lockfile';

export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number | null) {
    super(
      `The embedded database in ${dir} is already open in another process${pid ? ` (pid ${pid})` : ''}. ` +
        'Only one process may open it: stop that process, use the running service over HTTP, ' +
        'or set DATABASE_URL to share a PostgreSQL server between processes.',
    );
    this.name = 'DataDirInUseError';
  }
}

export type Release = () => Promise<void>;

/**
 * Locks `dir` for this process. A lock left by a killed process is taken over at once when its recorded
 * pid is gone (otherwise after proper-lockfile's stale time). `onCompromised` fires if the lock is lost.
 */
export async function lockDataDir(dir: string, onCompromised: (error: Error) => void): Promise<Release> {
  await fs.mkdir(dir, { recursive: true });
  const lockPath = `${dir}.lock`;
  const pidPath = `${dir}.lock.pid`;
  const options = { lockfilePath: lockPath, realpath: false, stale: 15_000, update: 5_000, onCompromised };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readPid(pidPath);
    if (owner === null || isAlive(owner)) throw new DataDirInUseError(dir, owner);
    await fs.rm(lockPath, { recursive: true, force: true });
    try {
      release = await lockfile.lock(dir, options);
    } catch (retryError) {
      if ((retryError as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirInUseError(dir, null);
      throw retryError;
    }
  }
  await fs.writeFile(pidPath, String(process.pid));
  return async () => {
    await fs.rm(pidPath, { force: true });
    await release();
  };
}

async function readPid(pidPath: string): Promise<number | null> {
  try {
    const pid = Number((await fs.readFile(pidPath, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
