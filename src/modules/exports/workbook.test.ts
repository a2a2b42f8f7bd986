import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WORKBOOK_COLUMNS, workbookFileName } from './workbook.columns.js';
import { readWorkbook } from './workbook.reader.js';
import {
  neutralizeFormula,
  removeStaleTempFiles,
  workbookText,
  writeWorkbookAtomically,
  type WorkbookOrder,
} from './workbook.writer.js';

const NY = 'America/New_York';
const HEADERS = [
  'Order ID',
  'Created At',
  'Customer Name',
  'Phone',
  'Address',
  'City',
  'ZIP',
  'Items',
  'Item Count',
  'Subtotal',
  'Tax',
  'Delivery Fee',
  'Total',
  'Payment Status',
  'Payment ID',
  'Latitude',
  'Longitude',
  'Source',
];
const MONEY_FORMAT = '"$"#,##0.00';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'workbook-'));
  file = join(dir, workbookFileName('2026-07-01'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function order(overrides: Partial<WorkbookOrder> = {}): WorkbookOrder {
  return {
    id: 1,
    createdAt: new Date('2026-07-01T16:30:00Z'),
    customerName: 'John Doe',
    customerPhone: '212-555-0100',
    deliveryAddress: '350 Fifth Avenue',
    city: 'New York',
    zipCode: '10001',
    items: [
      { name: 'Pizza Margherita', quantity: 2, options: ['Large', 'Extra Cheese'] },
      { name: 'Coke', quantity: 2, options: [] },
    ],
    subtotalCents: 3596,
    taxCents: 319,
    deliveryFeeCents: 599,
    totalCents: 4514,
    paymentStatus: 'succeeded',
    paymentId: 'pi_123',
    latitude: 40.748817,
    longitude: -73.985428,
    source: 'voice',
    ...overrides,
  };
}

const pickup = order({
  id: 2,
  createdAt: new Date('2026-01-15T17:05:09Z'),
  customerName: 'Ana',
  deliveryAddress: null,
  city: null,
  zipCode: null,
  items: [{ name: 'Garlic Knots', quantity: 1, options: [] }],
  subtotalCents: 599,
  taxCents: 53,
  deliveryFeeCents: 0,
  totalCents: 652,
  paymentId: null,
  latitude: null,
  longitude: null,
  source: 'api',
});

async function sheetXml(path: string): Promise<string> {
  const zip = await JSZip.loadAsync(await readFile(path));
  const sheets = zip.file(/^xl\/worksheets\/sheet\d+\.xml$/);
  expect(sheets.length).toBe(1);
  return sheets[0]!.async('string');
}

async function* generate(count: number): AsyncGenerator<WorkbookOrder> {
  const start = Date.parse('2026-07-01T14:00:00Z');
  for (let i = 1; i <= count; i++) {
    yield order({
      id: i,
      createdAt: new Date(start + i * 3_000),
      customerName: `Customer ${i}`,
      paymentId: `pi_${i}`,
    });
  }
}

describe('workbookFileName', () => {
  it('names the file after the business day', () => {
    expect(workbookFileName('2026-11-24')).toBe('orders-2026-11-24.xlsx');
    expect(workbookFileName('2028-02-29')).toBe('orders-2028-02-29.xlsx');
  });

  it.each(['2026-02-30', '2026-13-01', '20261124', '2026-11-24.xlsx', '../etc/passwd', ' 2026-11-24', ''])(
    'refuses %j',
    (date) => {
      expect(() => workbookFileName(date)).toThrow(/YYYY-MM-DD/);
    },
  );

  it('lists the original 17 columns plus Source, each with a width', () => {
    expect(WORKBOOK_COLUMNS.map((c) => c.header)).toEqual(HEADERS);
    for (const column of WORKBOOK_COLUMNS) expect(column.width).toBeGreaterThan(0);
  });
});

describe('neutralizeFormula', () => {
  it.each(['=1+2', '+1 212', '-2+3', '@SUM(1)', '\tTAB', '\rCR'])(
    'prefixes %j with an apostrophe',
    (text) => {
      expect(neutralizeFormula(text)).toBe(`'${text}`);
    },
  );

  it.each(['John Doe', '', 'a=b', "'=already", ' =spaced', '212-555-0100'])('leaves %j alone', (text) => {
    expect(neutralizeFormula(text)).toBe(text);
  });
});

describe('writeWorkbookAtomically + readWorkbook', () => {
  it('round-trips every column with exact headers, numbers and local wall time', async () => {
    const late = order({ id: 3, createdAt: new Date('2026-07-02T03:59:59.900Z'), customerName: 'Late Owl' });
    const result = await writeWorkbookAtomically(file, [order(), pickup, late], { timeZone: NY });
    expect(result.rows).toBe(3);
    expect(result.bytes).toBeGreaterThan(0);

    const { headers, rows, cellTypes } = await readWorkbook(file);
    expect(headers).toEqual(HEADERS);
    expect(rows).toEqual([
      {
        orderId: 1,
        // 16:30 UTC is 12:30 in New York (EDT): the cell shows the restaurant's wall clock.
        createdAt: new Date('2026-07-01T12:30:00Z'),
        customerName: 'John Doe',
        phone: '212-555-0100',
        address: '350 Fifth Avenue',
        city: 'New York',
        zip: '10001',
        items: '2 x Pizza Margherita (Large, Extra Cheese); 2 x Coke',
        itemCount: 4,
        subtotalCents: 3596,
        taxCents: 319,
        deliveryFeeCents: 599,
        totalCents: 4514,
        paymentStatus: 'succeeded',
        paymentId: 'pi_123',
        latitude: 40.748817,
        longitude: -73.985428,
        source: 'voice',
      },
      {
        orderId: 2,
        createdAt: new Date('2026-01-15T12:05:09Z'), // EST, UTC-5
        customerName: 'Ana',
        phone: '212-555-0100',
        address: '',
        city: '',
        zip: '',
        items: '1 x Garlic Knots',
        itemCount: 1,
        subtotalCents: 599,
        taxCents: 53,
        deliveryFeeCents: 0,
        totalCents: 652,
        paymentStatus: 'succeeded',
        paymentId: '',
        latitude: null,
        longitude: null,
        source: 'api',
      },
      expect.objectContaining({
        orderId: 3,
        // Whole seconds: Excel would round 23:59:59.9 up into the next day.
        createdAt: new Date('2026-07-01T23:59:59Z'),
      }),
    ]);
    expect(cellTypes.get('Created At')).toEqual(new Set(['Date']));
    expect(cellTypes.get('Total')).toEqual(new Set(['Number']));
    expect(cellTypes.get('Latitude')).toEqual(new Set(['Number', 'Null']));

    // What Excel sees: number cells with the currency format, a date format, a bold frozen filtered header.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('Orders');
    const row = sheet.getRow(2);
    for (const header of ['Subtotal', 'Tax', 'Delivery Fee', 'Total']) {
      const cell = row.getCell(HEADERS.indexOf(header) + 1);
      expect(cell.type).toBe(ExcelJS.ValueType.Number);
      expect(cell.numFmt).toBe(MONEY_FORMAT);
    }
    expect(row.getCell(13).value).toBe(45.14);
    expect(row.getCell(1).type).toBe(ExcelJS.ValueType.Number);
    expect(row.getCell(2).type).toBe(ExcelJS.ValueType.Date);
    expect(row.getCell(2).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe('A1:R4');
    expect(sheet.getColumn(8).width).toBe(WORKBOOK_COLUMNS[7]!.width);
  });

  it('stores caller text that looks like a formula as plain text with an apostrophe', async () => {
    const attacks = ['=HYPERLINK("http://x","y")', '+1 212 555 0100', '-2+3', '@SUM(1)', '\tTAB', '\rCR'];
    const orders = attacks.map((text, i) =>
      order({
        id: i + 1,
        customerName: text,
        customerPhone: text,
        deliveryAddress: text,
        city: text,
        zipCode: text,
        paymentId: text,
        paymentStatus: text,
        source: text,
        items: [{ name: text, quantity: 1, options: [text] }],
      }),
    );
    await writeWorkbookAtomically(file, orders, { timeZone: NY });

    const { rows, cellTypes } = await readWorkbook(file);
    for (const [i, text] of attacks.entries()) {
      const row = rows[i]!;
      for (const value of [
        row.customerName,
        row.phone,
        row.address,
        row.city,
        row.zip,
        row.paymentId,
        row.source,
      ]) {
        expect(value).toBe(workbookText(text));
        expect(value.startsWith("'")).toBe(true);
      }
    }
    expect(rows[5]!.customerName).toBe("'\nCR"); // XML reads a CR back as LF
    for (const header of [
      'Customer Name',
      'Phone',
      'Address',
      'City',
      'ZIP',
      'Payment ID',
      'Source',
      'Items',
    ]) {
      expect(cellTypes.get(header)).toEqual(new Set(['String']));
    }

    const xml = await sheetXml(file);
    expect(xml).not.toMatch(/<f[\s>/]/);
    expect(xml).toContain('&apos;=HYPERLINK');
  });

  it('drops characters XML cannot carry, exactly as workbookText predicts', async () => {
    const name = 'Bell\u0007 Null\u0000 CRLF\r\n half\uD800 ok';
    await writeWorkbookAtomically(file, [order({ customerName: name })], { timeZone: NY });
    const { rows } = await readWorkbook(file);
    expect(rows[0]!.customerName).toBe(workbookText(name));
    expect(workbookText(name)).toBe('Bell Null CRLF\n half\uFFFD ok');
  });

  it('leaves the previous complete file and no temp file when beforeCommit throws', async () => {
    await writeWorkbookAtomically(file, [order(), pickup], { timeZone: NY });
    const before = await readFile(file);

    const lost = new Error('lock lost');
    await expect(
      writeWorkbookAtomically(file, generate(50), {
        timeZone: NY,
        beforeCommit: () => {
          throw lost;
        },
      }),
    ).rejects.toBe(lost);

    expect((await readdir(dir)).sort()).toEqual(['.orders-2026-07-01.xlsx.state', 'orders-2026-07-01.xlsx']);
    expect(await readFile(file)).toEqual(before);
    expect((await readWorkbook(file)).rows.map((r) => r.orderId)).toEqual([1, 2]);
  });

  it('leaves the previous file and no temp file when the orders source fails midway', async () => {
    await writeWorkbookAtomically(file, [order()], { timeZone: NY });
    async function* failing(): AsyncGenerator<WorkbookOrder> {
      yield* generate(700);
      throw new Error('connection terminated');
    }
    await expect(writeWorkbookAtomically(file, failing(), { timeZone: NY })).rejects.toThrow(
      'connection terminated',
    );
    expect((await readdir(dir)).sort()).toEqual(['.orders-2026-07-01.xlsx.state', 'orders-2026-07-01.xlsx']);
    expect((await readWorkbook(file)).rows).toHaveLength(1);
  });

  it('refuses an unknown time zone before touching the folder', async () => {
    await expect(writeWorkbookAtomically(file, [order()], { timeZone: 'Mars/Olympus_Mons' })).rejects.toThrow(
      RangeError,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes an empty day as a header-only workbook', async () => {
    expect((await writeWorkbookAtomically(file, [], { timeZone: NY })).rows).toBe(0);
    const { headers, rows } = await readWorkbook(file);
    expect(headers).toEqual(HEADERS);
    expect(rows).toEqual([]);
  });

  it('writes and reads back 10,000 orders, each id once', async () => {
    // The writer yields to the event loop as it goes (lock refreshes must keep running): count timer ticks.
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    const written = await writeWorkbookAtomically(file, generate(10_000), { timeZone: NY });
    clearInterval(timer);
    expect(written.rows).toBe(10_000);
    expect(ticks).toBeGreaterThan(0);

    const readStart = performance.now();
    const { rows } = await readWorkbook(file);
    const readMs = Math.round(performance.now() - readStart);
    console.log(
      `workbook 10,000 orders: write ${written.ms} ms (${(written.bytes / 1e6).toFixed(2)} MB), read ${readMs} ms`,
    );

    expect(rows).toHaveLength(10_000);
    const ids = new Set(rows.map((r) => r.orderId));
    expect(ids.size).toBe(10_000);
    expect(Math.min(...ids)).toBe(1);
    expect(Math.max(...ids)).toBe(10_000);
    expect(rows.every((r) => r.totalCents === 4514)).toBe(true);
  });
});

describe('readWorkbook errors', () => {
  it('says when the file is missing', async () => {
    await expect(readWorkbook(join(dir, 'orders-2026-01-01.xlsx'))).rejects.toThrow(/no such file/);
  });

  it('refuses a file that is not an xlsx, empty or cut short', async () => {
    await writeWorkbookAtomically(file, generate(200), { timeZone: NY });
    const whole = await readFile(file);
    const cases: Array<[string, Buffer]> = [
      ['text.xlsx', Buffer.from('Order ID,Total\n1,45.14\n')],
      ['empty.xlsx', Buffer.alloc(0)],
      ['truncated.xlsx', whole.subarray(0, Math.floor(whole.length / 2))],
    ];
    for (const [name, content] of cases) {
      const path = join(dir, name);
      await writeFile(path, content);
      await expect(readWorkbook(path)).rejects.toThrow(/not a valid \.xlsx/);
    }
  });

  it('names the row and column of a cell with the wrong type', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Orders');
    sheet.addRow(HEADERS);
    sheet.addRow([
      7,
      new Date(),
      'A',
      '',
      '',
      '',
      '',
      '',
      1,
      1,
      0,
      0,
      'lots',
      'succeeded',
      '',
      null,
      null,
      'api',
    ]);
    await workbook.xlsx.writeFile(file);
    await expect(readWorkbook(file)).rejects.toThrow(/row 2, column 'Total': expected an amount in dollars/);
  });

  it('reads a workbook missing a column as empty values, leaving the verdict to the caller', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Orders');
    sheet.addRow(HEADERS.slice(0, -1));
    sheet.addRow([
      7,
      new Date('2026-07-01T12:30:00Z'),
      'A',
      '',
      '',
      '',
      '',
      '1 x Coke',
      1,
      2.99,
      0.27,
      0,
      3.26,
    ]);
    await workbook.xlsx.writeFile(file);
    const { headers, rows } = await readWorkbook(file);
    expect(headers).toEqual(HEADERS.slice(0, -1));
    expect(rows[0]).toMatchObject({ orderId: 7, totalCents: 326, source: '', latitude: null });
  });
});

describe('removeStaleTempFiles', () => {
  it('removes a killed writer’s temp file only once it is over a minute old', async () => {
    const temp = join(dir, '.orders-2026-07-01.xlsx.4242.a1b2c3d4e5f6.tmp');
    const unrelated = join(dir, '.orders-notes.txt');
    await writeFile(temp, 'half a zip');
    await writeFile(unrelated, 'keep');
    await writeFile(file, 'the real workbook');

    expect(await removeStaleTempFiles(dir)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(
      ['.orders-2026-07-01.xlsx.4242.a1b2c3d4e5f6.tmp', '.orders-notes.txt', 'orders-2026-07-01.xlsx'].sort(),
    );

    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(temp, twoMinutesAgo, twoMinutesAgo);
    await utimes(unrelated, twoMinutesAgo, twoMinutesAgo);
    await utimes(file, twoMinutesAgo, twoMinutesAgo);
    expect(await removeStaleTempFiles(dir)).toEqual([temp]);
    expect((await readdir(dir)).sort()).toEqual(['.orders-notes.txt', 'orders-2026-07-01.xlsx']);
  });

  it('treats a folder that does not exist yet as clean', async () => {
    expect(await removeStaleTempFiles(join(dir, 'not-yet'))).toEqual([]);
  });
});
