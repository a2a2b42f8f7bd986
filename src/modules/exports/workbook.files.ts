// The files beside a day's workbook and how they change durably: temp file -> fsync -> rename -> fsync of
// the folder, so a reader (or a crash) only ever sees the previous complete file or the new one. Also the
// small state file that lets the next batch be appended instead of rewriting the day.
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Matches `.orders-2026-11-24.xlsx.<pid>.<random>.tmp` and the state's `.orders-….xlsx.state.<pid>.…`. */
const STALE_TEMP_FILE = /^\..+\.xlsx(?:\.state)?\.\d+\.[0-9a-f]+\.tmp$/;
/** Folder fsync is refused on some platforms (Windows, some network file systems); nothing to do there. */
const UNSUPPORTED_DIR_SYNC = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF', 'ENOTSUP', 'ENOSYS']);
const STATE_VERSION = 1;
const BOUNDARY_FIELDS: Array<keyof ChunkBoundary> = [
  'firstOrderId',
  'rowsBefore',
  'at',
  'crcBefore',
  'sizeBefore',
];

/**
 * Where the workbook's sheet stream stands, so a batch can be appended: written after each commit, and
 * trusted only while the workbook still matches it (see appendToWorkbook).
 */
export interface SheetState {
  version: typeof STATE_VERSION;
  /** Size of the workbook this state describes: every append grows the file, so a stale state shows. */
  fileSize: number;
  rows: number;
  /** The last row's order id: a batch may only add higher ids, or the file would not be in id order. */
  lastOrderId: number;
  /** Offset of the sheet stream's final block (the footer), where the next batch goes. */
  footerAt: number;
  /** CRC-32 and length of the sheet XML before its footer, to extend them over the new rows. */
  crcBeforeFooter: number;
  sizeBeforeFooter: number;
  /** The sheet entry's CRC-32 and sizes as its local header carries them. */
  crc: number;
  compressedSize: number;
  size: number;
  /** The most recent places the sheet can be rewritten from (the starts of its last deflate chunks). */
  boundaries: ChunkBoundary[];
}

/** The start of a deflate chunk: the first order id in it, and the sheet stream's position before it. */
export interface ChunkBoundary {
  firstOrderId: number;
  rowsBefore: number;
  at: number;
  crcBefore: number;
  sizeBefore: number;
}

export function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
}

/** `.orders-2026-11-24.xlsx.state` beside `orders-2026-11-24.xlsx`. */
export function statePathFor(workbook: string): string {
  return path.join(path.dirname(workbook), `.${path.basename(workbook)}.state`);
}

/** fsync of the folder makes a rename itself durable; platforms that refuse it are skipped. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!UNSUPPORTED_DIR_SYNC.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * Puts the finished, fsynced temp file in place of `target`. The state is removed first: if the process dies
 * between the rename and the new state, no state describes the new file and the next batch rebuilds the day.
 */
export async function commitWorkbook(
  tempPath: string,
  target: string,
  beforeCommit?: () => void,
): Promise<void> {
  beforeCommit?.();
  await rm(statePathFor(target), { force: true });
  await rename(tempPath, target);
  await syncDirectory(path.dirname(target));
}

/** The state of `workbook`, or null when there is none or it cannot be read (the caller then rebuilds). */
export async function readSheetState(workbook: string): Promise<SheetState | null> {
  let text: string;
  try {
    text = await readFile(statePathFor(workbook), 'utf8');
  } catch {
    return null;
  }
  try {
    const state = JSON.parse(text) as Partial<SheetState>;
    const numbers: Array<keyof SheetState> = [
      'fileSize',
      'rows',
      'lastOrderId',
      'footerAt',
      'crcBeforeFooter',
      'sizeBeforeFooter',
      'crc',
      'compressedSize',
      'size',
    ];
    const count = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
    if (state.version !== STATE_VERSION || !numbers.every((key) => count(state[key]))) return null;
    if (!Array.isArray(state.boundaries)) return null;
    for (const b of state.boundaries as unknown[]) {
      const fields = b as Partial<ChunkBoundary> | null;
      if (!fields || !BOUNDARY_FIELDS.every((key) => count(fields[key]))) return null;
    }
    return state as SheetState;
  } catch {
    return null;
  }
}

/** Written whole to a temp file, fsynced, renamed: a reader never sees half of it. */
export async function writeSheetState(workbook: string, state: Omit<SheetState, 'version'>): Promise<void> {
  const target = statePathFor(workbook);
  const temp = tempPathFor(target);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(JSON.stringify({ version: STATE_VERSION, ...state }));
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, target);
}

/**
 * Deletes temp files a killed writer left in `dir` (`.orders-2026-11-24.xlsx.<pid>.<random>.tmp`) once they
 * are older than `olderThanMs`, so a writer still busy on its file is never disturbed. Returns the paths.
 */
export async function removeStaleTempFiles(dir: string, olderThanMs = 60_000): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const cutoff = Date.now() - olderThanMs;
  const removed: string[] = [];
  for (const name of names) {
    if (!STALE_TEMP_FILE.test(name)) continue;
    const file = path.join(dir, name);
    try {
      if ((await stat(file)).mtimeMs >= cutoff) continue;
      await rm(file, { force: true });
      removed.push(file);
    } catch (err) {
      // Gone meanwhile (another cleaner got there first): nothing left to do.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return removed;
}
