// Writes one day's workbook so that the file on disk is always a complete .xlsx (DESIGN invariant 3): a temp
// file in the same folder, fsynced, renamed over the target (workbook.files.ts). Two ways to get there:
//   - writeWorkbookAtomically rebuilds the whole day from its orders (verify, report, anything unusual);
//   - updateWorkbook copies the current file and rewrites only the end of its sheet: a new batch, or the
//     last chunks when a late or cancelled order sits among them. It encodes and writes that tail, the
//     sheet's footer and the zip directory, whatever the size of the day.
// Both give the same package, part for part: the sheet XML is head + rows + footer either way.
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { wallClockSerial, type WorkbookOrder } from './workbook.cells.js';
import {
  commitWorkbook,
  readSheetState,
  tempPathFor,
  writeSheetState,
  type ChunkBoundary,
  type SheetState,
} from './workbook.files.js';
import { SHEET_PART, sheetHead } from './workbook.parts.js';
import { NotAppendable, packagePrefix, SheetStream, type State } from './workbook.sheet-stream.js';
import { LOCAL_HEADER_SIZES_AT, localHeader, sizesField, type ZipEntry } from './workbook.zip.js';

export { neutralizeFormula, workbookText, type WorkbookOrder } from './workbook.cells.js';
export { removeStaleTempFiles } from './workbook.files.js';

export interface WriteWorkbookOptions {
  /** IANA zone whose wall-clock time the Created At column shows (the restaurant's TIMEZONE). */
  timeZone: string;
  /** Last check before the rename, e.g. "do I still hold the lock?": throwing here leaves the old file. */
  beforeCommit?: () => void;
}

export interface WriteWorkbookResult {
  /** Orders in the workbook now. */
  rows: number;
  /** Rows this write encoded: the whole day for a rebuild, the batch (and any rewritten tail) otherwise. */
  rowsWritten: number;
  /** Size of the workbook. */
  bytes: number;
  /** Bytes this write encoded and wrote itself; an append's copy of the previous file is not counted. */
  bytesWritten: number;
  /** False for a rebuild of the whole day. */
  appended: boolean;
  ms: number;
}

/** Runs `work` on a temp file beside `filePath`, fsyncs it and commits it; on any failure removes it. */
async function writeThroughTemp(
  filePath: string,
  create: (tempPath: string) => Promise<void>,
  work: (handle: FileHandle) => Promise<State>,
  options: WriteWorkbookOptions,
): Promise<State> {
  const tempPath = tempPathFor(filePath);
  let handle: FileHandle | undefined;
  try {
    await create(tempPath);
    handle = await open(tempPath, 'r+');
    const state = await work(handle);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await commitWorkbook(tempPath, filePath, options.beforeCommit);
    await writeSheetState(filePath, state);
    return state;
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(tempPath, { force: true });
    throw err;
  }
}

/**
 * Writes the whole day: the workbook holds exactly `orders`, in the order given. The target is never seen
 * half-written: it is either the previous complete file or the new one.
 */
export async function writeWorkbookAtomically(
  filePath: string,
  orders: Iterable<WorkbookOrder> | AsyncIterable<WorkbookOrder>,
  options: WriteWorkbookOptions,
): Promise<WriteWorkbookResult> {
  const started = performance.now();
  const toSerial = wallClockSerial(options.timeZone);
  await mkdir(path.dirname(filePath), { recursive: true });
  const layout = packagePrefix();
  let stream: SheetStream | undefined;
  const state = await writeThroughTemp(
    filePath,
    async (tempPath) => (await open(tempPath, 'wx')).close(),
    async (handle) => {
      stream = new SheetStream(handle, toSerial, false, layout.sheetDataAt);
      const placeholder: ZipEntry = { name: SHEET_PART, crc: 0, compressedSize: 0, size: 0, offset: 0 };
      await stream.write(Buffer.concat([layout.bytes, localHeader(placeholder)]), 0);
      await stream.addText(sheetHead());
      for await (const order of orders) await stream.addOrder(order);
      return stream.finish(layout);
    },
    options,
  );
  return {
    rows: state.rows,
    rowsWritten: state.rows,
    bytes: state.fileSize,
    bytesWritten: stream?.bytesWritten ?? 0,
    appended: false,
    ms: Math.round(performance.now() - started),
  };
}

/** True when `file` is still exactly the workbook `state` describes (nobody replaced or edited it). */
async function matchesState(file: string, state: SheetState): Promise<boolean> {
  const layout = packagePrefix();
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch {
    return false;
  }
  try {
    if ((await handle.stat()).size !== state.fileSize) return false;
    const sizes = Buffer.alloc(12);
    await handle.read(sizes, 0, 12, layout.sheetHeaderAt + LOCAL_HEADER_SIZES_AT);
    return sizes.equals(sizesField(state));
  } finally {
    await handle.close();
  }
}

/** Where to resume writing so every order from `oldestChangedId` on is rewritten; null: only a rebuild can. */
function resumePoint(state: SheetState, oldestChangedId: number): ChunkBoundary | null {
  if (oldestChangedId > state.lastOrderId) {
    return {
      firstOrderId: state.lastOrderId + 1,
      rowsBefore: state.rows,
      at: state.footerAt,
      crcBefore: state.crcBeforeFooter,
      sizeBefore: state.sizeBeforeFooter,
    };
  }
  return state.boundaries.findLast((b) => b.firstOrderId <= oldestChangedId) ?? null;
}

/**
 * Brings the workbook up to date when only orders from `oldestChangedId` on have changed (new ones, a late
 * one, a cancelled one): keeps the sheet up to the chunk holding that id, and rewrites from there with
 * `ordersFrom(firstId)` (the day's confirmed orders with id >= firstId, ascending). For new orders that is
 * just the batch. Returns null, touching nothing, when it cannot give exactly what a rebuild would: no
 * state or one that no longer matches the file, or a change older than the kept chunk starts.
 */
export async function updateWorkbook(
  filePath: string,
  oldestChangedId: number,
  ordersFrom: (firstId: number) => AsyncIterable<WorkbookOrder>,
  options: WriteWorkbookOptions,
): Promise<WriteWorkbookResult | null> {
  const started = performance.now();
  const toSerial = wallClockSerial(options.timeZone);
  const previous = await readSheetState(filePath);
  if (!previous || !(await matchesState(filePath, previous))) return null;
  const resume = resumePoint(previous, oldestChangedId);
  if (!resume) return null;
  const iterator = ordersFrom(resume.firstOrderId)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done && resume.at === previous.footerAt) {
    const ms = Math.round(performance.now() - started);
    return {
      rows: previous.rows,
      rowsWritten: 0,
      bytes: previous.fileSize,
      bytesWritten: 0,
      appended: true,
      ms,
    };
  }

  const layout = packagePrefix();
  let stream: SheetStream | undefined;
  try {
    const state = await writeThroughTemp(
      filePath,
      // A reflink where the file system has them (btrfs, XFS), else an in-kernel copy of the compressed file.
      (tempPath) => copyFile(filePath, tempPath, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE),
      async (handle) => {
        stream = new SheetStream(
          handle,
          toSerial,
          true,
          resume.at,
          resume.crcBefore,
          resume.sizeBefore,
          resume.rowsBefore,
          resume.firstOrderId - 1,
          previous.boundaries.filter((b) => b.at < resume.at),
        );
        for (let next = first; !next.done; next = await iterator.next()) await stream.addOrder(next.value);
        return stream.finish(layout);
      },
      options,
    );
    return {
      rows: state.rows,
      rowsWritten: stream?.rowsWritten ?? 0,
      bytes: state.fileSize,
      bytesWritten: stream?.bytesWritten ?? 0,
      appended: true,
      ms: Math.round(performance.now() - started),
    };
  } catch (err) {
    if (!(err instanceof NotAppendable)) throw err;
    await iterator.return?.();
    return null;
  }
}
