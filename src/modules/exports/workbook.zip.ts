// The few zip records an .xlsx needs (APPNOTE.TXT 4.3), and a deflate stream that can grow at its end.
//
// Why a deflate stream can be appended to: a raw deflate stream is a sequence of blocks, only the last one
// flagged final. Each batch of rows is compressed on its own and ended with a sync flush (no final flag, byte
// aligned), so batches concatenate into one valid stream; the sheet's footer closes it as a final *stored*
// block. Appending a batch rewrites only that footer, the central directory and the entry's sizes and CRC.
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const END_OF_DIRECTORY_SIGNATURE = 0x06054b50;
const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const END_OF_DIRECTORY_SIZE = 22;
const VERSION_NEEDED = 20;
const DEFLATE = 8;
/** 1980-01-01 00:00: a fixed stamp, so an appended file and a rebuild of it carry the same bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** Zip without the zip64 extension caps entries and offsets at 4 GiB; a day of orders is far below. */
const ZIP32_LIMIT = 0xffffffff;
const MAX_STORED_BLOCK = 0xffff;
/** Level 6 (zlib's default): per-batch chunks are small, and the smaller file is cheaper to copy per batch. */
const LEVEL = 6;

/** Where, inside a local header, the CRC-32 and the two sizes sit (12 bytes, rewritten by an append). */
export const LOCAL_HEADER_SIZES_AT = 14;

export interface ZipEntry {
  name: string;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local header in the file. */
  offset: number;
}

const deflateRawAsync = promisify(deflateRaw);

function checkZip32(value: number, what: string): number {
  if (value > ZIP32_LIMIT) throw new RangeError(`${what} exceeds the 4 GiB a workbook can hold`);
  return value;
}

/** CRC-32, size and compressed size, in local-header order. */
export function sizesField(entry: Pick<ZipEntry, 'crc' | 'compressedSize' | 'size'>): Buffer {
  const field = Buffer.alloc(12);
  field.writeUInt32LE(entry.crc >>> 0, 0);
  field.writeUInt32LE(checkZip32(entry.compressedSize, 'the compressed sheet'), 4);
  field.writeUInt32LE(checkZip32(entry.size, 'the sheet'), 8);
  return field;
}

export function localHeader(entry: ZipEntry): Buffer {
  const name = Buffer.from(entry.name, 'ascii');
  const header = Buffer.alloc(LOCAL_HEADER_SIZE + name.length);
  header.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(0, 6); // flags: sizes are in this header, no data descriptor
  header.writeUInt16LE(DEFLATE, 8);
  header.writeUInt16LE(DOS_TIME, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  sizesField(entry).copy(header, LOCAL_HEADER_SIZES_AT);
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(0, 28);
  name.copy(header, LOCAL_HEADER_SIZE);
  return header;
}

export function localHeaderSize(name: string): number {
  return LOCAL_HEADER_SIZE + Buffer.byteLength(name, 'ascii');
}

/** The central directory for `entries`, starting at `offset`, followed by the end-of-directory record. */
export function centralDirectory(entries: readonly ZipEntry[], offset: number): Buffer {
  const records = entries.map((entry) => {
    const name = Buffer.from(entry.name, 'ascii');
    const record = Buffer.alloc(CENTRAL_HEADER_SIZE + name.length);
    record.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, 0);
    record.writeUInt16LE(VERSION_NEEDED, 4); // made by: MS-DOS attributes, spec 2.0
    record.writeUInt16LE(VERSION_NEEDED, 6);
    record.writeUInt16LE(0, 8);
    record.writeUInt16LE(DEFLATE, 10);
    record.writeUInt16LE(DOS_TIME, 12);
    record.writeUInt16LE(DOS_DATE, 14);
    sizesField(entry).copy(record, 16);
    record.writeUInt16LE(name.length, 28);
    // extra, comment, disk number, internal and external attributes: all zero
    record.writeUInt32LE(checkZip32(entry.offset, 'the workbook'), 42);
    name.copy(record, CENTRAL_HEADER_SIZE);
    return record;
  });
  const directorySize = records.reduce((sum, r) => sum + r.length, 0);
  const end = Buffer.alloc(END_OF_DIRECTORY_SIZE);
  end.writeUInt32LE(END_OF_DIRECTORY_SIGNATURE, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(checkZip32(offset, 'the workbook'), 16);
  return Buffer.concat([...records, end]);
}

/** A whole small part, deflated in one go, as [local header + data] and its entry. */
export function deflatedPart(name: string, text: string, offset: number): { bytes: Buffer; entry: ZipEntry } {
  const data = Buffer.from(text, 'utf8');
  const compressed = deflateRawSync(data, { level: LEVEL });
  const entry = { name, crc: crc32(data), compressedSize: compressed.length, size: data.length, offset };
  return { bytes: Buffer.concat([localHeader(entry), compressed]), entry };
}

/** `data` as non-final deflate blocks ending byte-aligned: one link in an appendable stream. */
export function deflateChunk(data: Buffer): Promise<Buffer> {
  // The libuv thread pool does the compressing, so the event loop stays free for orders.
  return deflateRawAsync(data, { level: LEVEL, finishFlush: constants.Z_SYNC_FLUSH });
}

/** `data` (under 64 KiB) as the stream's last block, stored as it is: it is rewritten on every append. */
export function finalStoredBlock(data: Buffer): Buffer {
  if (data.length > MAX_STORED_BLOCK) throw new RangeError('a stored deflate block holds at most 64 KiB');
  const header = Buffer.alloc(5);
  header.writeUInt8(1, 0); // BFINAL = 1, BTYPE = 00 (stored); the rest of the byte is padding
  header.writeUInt16LE(data.length, 1);
  header.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([header, data]);
}
