// The sheet part as a stream that can be resumed: rows go in as deflate chunks (workbook.zip.ts explains why
// chunks can be appended), then the footer, the zip's central directory and the sheet entry's sizes. The
// package's fixed parts always come first, so the sheet entry sits at the same offset in every file.
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { orderRowXml, type WorkbookOrder } from './workbook.cells.js';
import type { ChunkBoundary, SheetState } from './workbook.files.js';
import { fixedParts, SHEET_PART, sheetFooter } from './workbook.parts.js';
import {
  centralDirectory,
  deflateChunk,
  deflatedPart,
  finalStoredBlock,
  LOCAL_HEADER_SIZES_AT,
  localHeaderSize,
  sizesField,
  type ZipEntry,
} from './workbook.zip.js';

/** Rows compressed together: big enough to compress well, small enough to keep the event loop moving. */
const ROWS_PER_CHUNK = 1_000;

/** The package's fixed parts, compressed once: the same bytes open every workbook file. */
export interface PackagePrefix {
  bytes: Buffer;
  entries: ZipEntry[];
  /** Offsets of the sheet entry's local header and of its data, right after all fixed parts. */
  sheetHeaderAt: number;
  sheetDataAt: number;
}

let prefix: PackagePrefix | null = null;
export function packagePrefix(): PackagePrefix {
  if (prefix) return prefix;
  const parts: Buffer[] = [];
  const entries: ZipEntry[] = [];
  let offset = 0;
  for (const part of fixedParts()) {
    const { bytes, entry } = deflatedPart(part.name, part.text, offset);
    parts.push(bytes);
    entries.push(entry);
    offset += bytes.length;
  }
  prefix = {
    bytes: Buffer.concat(parts),
    entries,
    sheetHeaderAt: offset,
    sheetDataAt: offset + localHeaderSize(SHEET_PART),
  };
  return prefix;
}

/** Raised inside an update when the rows would not keep the sheet in id order; the caller rebuilds. */
export class NotAppendable extends Error {}

/** Deflate chunk starts kept in the state: how far back a late order can be slotted in without a rebuild. */
const MAX_BOUNDARIES = 512;

export type State = Omit<SheetState, 'version'>;

/**
 * Writes the sheet stream from a position on: rows as deflate chunks, then the footer, the central directory
 * and the sheet entry's sizes. Counts what it writes.
 */
export class SheetStream {
  bytesWritten = 0;
  rowsWritten = 0;
  private pending: string[] = [];
  private pendingFirstId = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly toSerial: (instant: Date) => number,
    /** An update must keep the sheet in id order; a rebuild writes the rows as given. */
    private readonly ascendingOnly: boolean,
    private position: number,
    private crc = 0,
    private size = 0,
    private rows = 0,
    private lastOrderId = 0,
    private readonly boundaries: ChunkBoundary[] = [],
  ) {}

  async write(bytes: Buffer, at: number): Promise<void> {
    await this.handle.write(bytes, 0, bytes.length, at);
    this.bytesWritten += bytes.length;
  }

  async addText(text: string): Promise<void> {
    const data = Buffer.from(text, 'utf8');
    const chunk = await deflateChunk(data);
    await this.write(chunk, this.position);
    this.position += chunk.length;
    this.crc = crc32(data, this.crc);
    this.size += data.length;
  }

  async addOrder(order: WorkbookOrder): Promise<void> {
    if (this.ascendingOnly && order.id <= this.lastOrderId) throw new NotAppendable();
    if (this.pending.length === 0) this.pendingFirstId = order.id;
    this.pending.push(orderRowXml(order, this.rows + this.pending.length + 2, this.toSerial));
    this.lastOrderId = Math.max(this.lastOrderId, order.id);
    this.rowsWritten += 1;
    if (this.pending.length >= ROWS_PER_CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    this.boundaries.push({
      firstOrderId: this.pendingFirstId,
      rowsBefore: this.rows,
      at: this.position,
      crcBefore: this.crc,
      sizeBefore: this.size,
    });
    this.rows += this.pending.length;
    const text = this.pending.join('');
    this.pending = [];
    await this.addText(text);
  }

  /** Closes the stream and the zip; returns the state the next update starts from. */
  async finish(layout: PackagePrefix): Promise<State> {
    await this.flush();
    const footerAt = this.position;
    const footer = Buffer.from(sheetFooter(this.rows), 'utf8');
    const block = finalStoredBlock(footer);
    const directoryAt = footerAt + block.length;
    const sheet: ZipEntry = {
      name: SHEET_PART,
      crc: crc32(footer, this.crc),
      compressedSize: directoryAt - layout.sheetDataAt,
      size: this.size + footer.length,
      offset: layout.sheetHeaderAt,
    };
    const directory = centralDirectory([...layout.entries, sheet], directoryAt);
    await this.write(Buffer.concat([block, directory]), footerAt);
    await this.write(sizesField(sheet), layout.sheetHeaderAt + LOCAL_HEADER_SIZES_AT);
    const fileSize = directoryAt + directory.length;
    await this.handle.truncate(fileSize);
    return {
      fileSize,
      rows: this.rows,
      lastOrderId: this.lastOrderId,
      footerAt,
      crcBeforeFooter: this.crc,
      sizeBeforeFooter: this.size,
      crc: sheet.crc,
      compressedSize: sheet.compressedSize,
      size: sheet.size,
      boundaries: this.boundaries.slice(-MAX_BOUNDARIES),
    };
  }
}
