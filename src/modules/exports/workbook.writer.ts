// Writes one day's workbook so that the file on disk is always a complete .xlsx (DESIGN invariant 3): stream
// into a temp file in the same folder, fsync it, rename it over the target, fsync the folder. Caller text is
// data (invariant 6): every text cell is neutralised so no spreadsheet or CSV re-import can evaluate it.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { centsToDollars } from '../../shared/money.js';
import { NUMBER_FORMATS, WORKBOOK_COLUMNS, type WorkbookColumnKey } from './workbook.columns.js';
import { offsetMs, zoneOf } from '../../shared/zoned-time.js';

export interface WorkbookOrder {
  id: number;
  createdAt: Date;
  customerName: string;
  customerPhone: string;
  deliveryAddress: string | null;
  city: string | null;
  zipCode: string | null;
  items: Array<{ name: string; quantity: number; options: string[] }>;
  subtotalCents: number;
  taxCents: number;
  deliveryFeeCents: number;
  totalCents: number;
  paymentStatus: string;
  paymentId: string | null;
  latitude: number | null;
  longitude: number | null;
  source: string;
}

export interface WriteWorkbookOptions {
  /** IANA zone whose wall-clock time the Created At column shows (the restaurant's TIMEZONE). */
  timeZone: string;
  sheetName?: string;
  /** Last check before the rename, e.g. "do I still hold the lock?": throwing here leaves the old file. */
  beforeCommit?: () => void;
}

export interface WriteWorkbookResult {
  rows: number;
  bytes: number;
  ms: number;
}

const FORMULA_START = /^[=+\-@\t\r]/;
// XML 1.0 cannot carry these; exceljs would silently drop them, so drop them here where it is visible.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]/g;
const CARRIAGE_RETURN = /\r\n?/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Rows written between yields to the event loop, so lock refreshes and file I/O keep running. */
const YIELD_EVERY = 500;
const STALE_TEMP_FILE = /^\..+\.xlsx\.\d+\.[0-9a-f]+\.tmp$/;
/** Folder fsync is refused on some platforms (Windows, some network file systems); nothing to do there. */
const UNSUPPORTED_DIR_SYNC = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF', 'ENOTSUP', 'ENOSYS']);

/** Text starting with = + - @ tab or CR gets a leading apostrophe, so nothing can ever evaluate it. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * Exactly the text a cell holds and the reader returns for `text`: neutralised, then as XML can carry it
 * (CR and CRLF read back as LF; characters XML forbids are dropped; a lone surrogate becomes U+FFFD).
 * Whoever compares the workbook with the database compares against this.
 */
export function workbookText(text: string): string {
  return neutralizeFormula(text)
    .replace(CARRIAGE_RETURN, '\n')
    .replace(XML_INVALID, '')
    .replace(LONE_SURROGATE, '\uFFFD');
}

/** `2 x Pizza Margherita (Large, Extra Cheese); 2 x Coke` (before neutralising). */
function describeItems(items: WorkbookOrder['items']): string {
  return items
    .map((item) => {
      const options = item.options.length > 0 ? ` (${item.options.join(', ')})` : '';
      return `${item.quantity} x ${item.name}${options}`;
    })
    .join('; ');
}

/**
 * Instant -> the wall-clock time in `timeZone`, as a Date whose UTC fields carry it: exceljs writes a Date
 * as a UTC serial and Excel shows a serial as it is. Whole seconds, because Excel would display 23:59:59.7
 * as the next day.
 */
function wallClockConverter(timeZone: string): (instant: Date) => Date {
  // Throws a RangeError for an unknown zone, before any file is touched.
  const zone = zoneOf(timeZone);
  return (instant) => {
    const epochMs = instant.getTime();
    // An invalid Date makes formatToParts throw a RangeError: the write fails instead of showing garbage.
    if (Number.isNaN(epochMs)) throw new RangeError('Invalid time value');
    const local = epochMs + offsetMs(zone, epochMs);
    return new Date(local - (((local % 1000) + 1000) % 1000));
  };
}

// One style object per column kind, shared by every cell: exceljs caches a style id per style object, so
// 180,000 cells cost a handful of style lookups instead of one each (a streaming write ran twice as fast).
const PLAIN_STYLE: Partial<ExcelJS.Style> = {};
const HEADER_STYLE: Partial<ExcelJS.Style> = { font: { bold: true } };
const COLUMN_STYLES: Array<Partial<ExcelJS.Style>> = WORKBOOK_COLUMNS.map((column) => {
  const numFmt = NUMBER_FORMATS[column.kind];
  return numFmt ? { numFmt } : PLAIN_STYLE;
});

function rowValues(order: WorkbookOrder, toWallClock: (instant: Date) => Date): ExcelJS.CellValue[] {
  const values: Record<WorkbookColumnKey, ExcelJS.CellValue> = {
    orderId: order.id,
    createdAt: toWallClock(order.createdAt),
    customerName: workbookText(order.customerName),
    phone: workbookText(order.customerPhone),
    address: workbookText(order.deliveryAddress ?? ''),
    city: workbookText(order.city ?? ''),
    zip: workbookText(order.zipCode ?? ''),
    items: workbookText(describeItems(order.items)),
    itemCount: order.items.reduce((sum, item) => sum + item.quantity, 0),
    subtotalCents: centsToDollars(order.subtotalCents),
    taxCents: centsToDollars(order.taxCents),
    deliveryFeeCents: centsToDollars(order.deliveryFeeCents),
    totalCents: centsToDollars(order.totalCents),
    paymentStatus: workbookText(order.paymentStatus),
    paymentId: workbookText(order.paymentId ?? ''),
    latitude: order.latitude,
    longitude: order.longitude,
    source: workbookText(order.source),
  };
  return WORKBOOK_COLUMNS.map((column) => values[column.key]);
}

function addStyledRow(
  sheet: ExcelJS.Worksheet,
  values: ExcelJS.CellValue[],
  styles: ReadonlyArray<Partial<ExcelJS.Style>>,
): void {
  const row = sheet.addRow(values);
  for (let i = 0; i < values.length; i++) row.getCell(i + 1).style = styles[i] ?? PLAIN_STYLE;
  row.commit();
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Loads exceljs (seconds on a busy machine) ahead of the first write, so that no writer loads it while it
 * holds the cross-process export lock: a writer killed mid-load would stall every export for the lock's
 * takeover time.
 */
export async function loadWorkbookLibrary(): Promise<void> {
  await import('exceljs');
}

/** Streams the orders into `out` as one worksheet; resolves once the zip is completely written. */
async function streamWorkbook(
  out: Writable,
  orders: Iterable<WorkbookOrder> | AsyncIterable<WorkbookOrder>,
  options: WriteWorkbookOptions,
  toWallClock: (instant: Date) => Date,
  aborted: () => boolean,
): Promise<number> {
  // Loaded on first use: an API process whose worker runs elsewhere never pays for it.
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
    // The fastest deflate level: a day's rewrite takes about a third less time for a slightly larger file.
    zip: { zlib: { level: 1 } },
  });
  const sheet = workbook.addWorksheet(options.sheetName ?? 'Orders', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = WORKBOOK_COLUMNS.map((column) => ({ key: column.key, width: column.width }));
  addStyledRow(
    sheet,
    WORKBOOK_COLUMNS.map((column) => column.header),
    WORKBOOK_COLUMNS.map(() => HEADER_STYLE),
  );

  let rows = 0;
  for await (const order of orders) {
    if (aborted()) break;
    addStyledRow(sheet, rowValues(order, toWallClock), COLUMN_STYLES);
    rows += 1;
    // Yield now and then: lets the zip drain to disk (flat memory) and lock refresh timers fire.
    if (rows % YIELD_EVERY === 0) await yieldToEventLoop();
  }
  if (aborted()) throw new Error('the workbook file stream failed');
  // The streaming writer renders the filter at commit, so it can span the data rows, not just the header.
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: rows + 1, column: WORKBOOK_COLUMNS.length } };
  sheet.commit();
  await workbook.commit();
  return rows;
}

/** fsync of the folder makes the rename itself durable; platforms that refuse it are skipped. */
async function syncDirectory(dir: string): Promise<void> {
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
 * Writes the workbook to a temp file beside `filePath`, makes it durable and renames it over `filePath`.
 * The target is never seen half-written: it is either the previous complete file or the new one.
 */
export async function writeWorkbookAtomically(
  filePath: string,
  orders: Iterable<WorkbookOrder> | AsyncIterable<WorkbookOrder>,
  options: WriteWorkbookOptions,
): Promise<WriteWorkbookResult> {
  const started = performance.now();
  const toWallClock = wallClockConverter(options.timeZone);
  const dir = path.dirname(filePath);
  await mkdir(dir, { recursive: true });
  const tempPath = path.join(
    dir,
    `.${path.basename(filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );

  // Our own stream with an error listener from the start: exceljs listens for errors only while finishing,
  // and an unhandled 'error' (disk full, folder gone) would kill the process or leave commit() hanging.
  const out = createWriteStream(tempPath, { flags: 'wx' });
  let failed = false;
  const streamFailed = new Promise<never>((_, reject) => {
    out.on('error', (err) => {
      failed = true;
      reject(err);
    });
  });
  streamFailed.catch(() => undefined);

  try {
    const rows = await Promise.race([
      streamWorkbook(out, orders, options, toWallClock, () => failed),
      streamFailed,
    ]);
    if (!out.closed) await Promise.race([once(out, 'close'), streamFailed]);

    const handle = await open(tempPath, 'r+');
    let bytes: number;
    try {
      await handle.sync();
      bytes = (await handle.stat()).size;
    } finally {
      await handle.close();
    }

    options.beforeCommit?.();
    await rename(tempPath, filePath);
    await syncDirectory(dir);
    return { rows, bytes, ms: Math.round(performance.now() - started) };
  } catch (err) {
    out.destroy();
    await rm(tempPath, { force: true });
    throw err;
  }
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
