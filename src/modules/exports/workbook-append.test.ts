// The appendable workbook: updating a day's file from its tail gives exactly the file a rebuild gives (part
// for part, row for row), costs the batch and not the day, refuses (so the caller rebuilds) whenever it
// cannot be exact, survives a writer killed mid-update, and opens in LibreOffice.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workbookFileName } from './workbook.columns.js';
import { statePathFor } from './workbook.files.js';
import { readWorkbook } from './workbook.reader.js';
import {
  removeStaleTempFiles,
  updateWorkbook,
  workbookText,
  writeWorkbookAtomically,
  type WorkbookOrder,
} from './workbook.writer.js';

const NY = 'America/New_York';
const SOFFICE = '/usr/bin/soffice';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'workbook-append-'));
  file = join(dir, workbookFileName('2026-07-01'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ATTACKS = ['=HYPERLINK("http://x","y")', '+1 212 555 0100', '@SUM(1)', '-2+3'];

function order(id: number): WorkbookOrder {
  const attack = ATTACKS[id % ATTACKS.length]!;
  return {
    id,
    createdAt: new Date(Date.parse('2026-07-01T14:00:00Z') + id * 1_500),
    customerName: id % 7 === 0 ? attack : `Customer ${id} <&> "quoted"`,
    customerPhone: '212-555-0100',
    deliveryAddress: id % 5 === 0 ? null : `${id} Fifth Avenue`,
    city: id % 5 === 0 ? null : 'New York',
    zipCode: id % 5 === 0 ? null : '10001',
    items: [{ name: 'Pizza Margherita', quantity: 1 + (id % 3), options: id % 2 ? ['Large'] : [] }],
    subtotalCents: 1000 + id,
    taxCents: 89,
    deliveryFeeCents: id % 5 === 0 ? 0 : 599,
    totalCents: 1000 + id + 89 + (id % 5 === 0 ? 0 : 599),
    paymentStatus: 'succeeded',
    paymentId: `pi_${id}`,
    latitude: id % 5 === 0 ? null : 40.748817,
    longitude: id % 5 === 0 ? null : -73.985428,
    source: id % 2 ? 'voice' : 'api',
  };
}

/** The confirmed orders of a pretend day, by id: what the database would stream. */
class Day {
  readonly orders = new Map<number, WorkbookOrder>();
  add(ids: Iterable<number>): void {
    for (const id of ids) this.orders.set(id, order(id));
  }
  sorted(): WorkbookOrder[] {
    return [...this.orders.values()].sort((a, b) => a.id - b.id);
  }
  from = (firstId: number): AsyncIterable<WorkbookOrder> => {
    const rows = this.sorted().filter((o) => o.id >= firstId);
    return (async function* () {
      yield* rows;
    })();
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Every part's uncompressed content, by name. */
async function parts(path: string): Promise<Map<string, string>> {
  const zip = await JSZip.loadAsync(await readFile(path), { checkCRC32: true });
  const out = new Map<string, string>();
  for (const name of Object.keys(zip.files).sort()) out.set(name, await zip.file(name)!.async('string'));
  return out;
}

/** The same day rebuilt from scratch into a file of its own. */
async function rebuilt(day: Day): Promise<string> {
  const other = join(dir, 'rebuilt', workbookFileName('2026-07-01'));
  await writeWorkbookAtomically(other, day.sorted(), { timeZone: NY });
  return other;
}

async function expectSameAsRebuild(day: Day): Promise<void> {
  const other = await rebuilt(day);
  expect(await parts(file)).toEqual(await parts(other));
  const [mine, theirs] = [await readWorkbook(file), await readWorkbook(other)];
  expect(mine.rows).toEqual(theirs.rows);
  expect(mine.rows.map((r) => r.orderId)).toEqual(day.sorted().map((o) => o.id));
}

describe('updateWorkbook', () => {
  it('appends batches to exactly the file a rebuild of the day writes', async () => {
    const day = new Day();
    day.add(range(1, 30));
    await writeWorkbookAtomically(file, day.sorted(), { timeZone: NY });
    for (const batch of [range(31, 60), [61], range(62, 1_400)]) {
      day.add(batch);
      const result = await updateWorkbook(file, batch[0]!, day.from, { timeZone: NY });
      expect(result).toMatchObject({ appended: true, rowsWritten: batch.length, rows: day.orders.size });
    }
    await expectSameAsRebuild(day);

    // Formula-looking caller text stays text in appended rows too.
    const { rows } = await readWorkbook(file);
    const attacked = rows.find((r) => r.orderId === 1_400 - (1_400 % 7))!;
    expect(attacked.customerName.startsWith("'")).toBe(true);
    expect(attacked.customerName).toBe(workbookText(order(attacked.orderId).customerName));
    const sheet = (await parts(file)).get('xl/worksheets/sheet1.xml')!;
    expect(sheet).not.toMatch(/<f[\s>/]/);
    expect(sheet).toContain('<autoFilter ref="A1:R1401"/>');
  });

  it('slots a late order in and takes a cancelled one out by rewriting only the tail', async () => {
    const day = new Day();
    day.add(range(1, 3_000)); // three 1,000-row chunks
    day.orders.delete(2_500); // still awaiting payment
    await writeWorkbookAtomically(file, day.sorted(), { timeZone: NY });

    day.add([2_500]); // paid at last: confirmed after orders with higher ids were exported
    const late = await updateWorkbook(file, 2_500, day.from, { timeZone: NY });
    expect(late).toMatchObject({ appended: true, rows: 3_000 });
    expect(late!.rowsWritten).toBeLessThanOrEqual(1_000); // the last chunk, not the day
    await expectSameAsRebuild(day);

    day.orders.delete(2_999); // cancelled
    const cancelled = await updateWorkbook(file, 2_999, day.from, { timeZone: NY });
    expect(cancelled).toMatchObject({ appended: true, rows: 2_999 });
    await expectSameAsRebuild(day);
  });

  it('costs the batch, not the day: the same bytes written for a day of 1,000 and of 9,000', async () => {
    const written: number[] = [];
    // Day sizes whose row numbers have as many digits, so the two batches' rows are as long.
    for (const size of [1_000, 9_000]) {
      const path = join(dir, `${size}`, workbookFileName('2026-07-01'));
      const day = new Day();
      day.add(range(1, size));
      await writeWorkbookAtomically(path, day.sorted(), { timeZone: NY });
      // Ids of the same digit count, so the rows of the two batches are byte for byte as long.
      const batch = range(100_001, 100_100);
      day.add(batch);
      const result = await updateWorkbook(path, batch[0]!, day.from, { timeZone: NY });
      expect(result).toMatchObject({ appended: true, rowsWritten: 100 });
      written.push(result!.bytesWritten);
      if (size === 9_000) expect(result!.bytesWritten).toBeLessThan(result!.bytes / 20);
    }
    // Compression of slightly different digits may differ by a few bytes; nine times the day costs nothing.
    expect(Math.abs(written[1]! - written[0]!)).toBeLessThan(written[0]! * 0.02);
  });

  it('refuses, touching nothing, when it cannot give what a rebuild would', async () => {
    const day = new Day();
    day.add(range(1, 1_500));
    const next = () => updateWorkbook(file, 1_501, day.from, { timeZone: NY });
    expect(await next()).toBeNull(); // no workbook yet

    await writeWorkbookAtomically(file, day.sorted(), { timeZone: NY });
    const before = await readFile(file);
    const state = await readFile(statePathFor(file));

    // A change older than every chunk start kept in the state.
    day.orders.delete(1);
    expect(await updateWorkbook(file, 0, day.from, { timeZone: NY })).toBeNull();

    // The workbook was replaced behind the state's back (someone saved it from Excel).
    await writeFile(file, Buffer.concat([before, Buffer.from('x')]));
    expect(await next()).toBeNull();
    await writeFile(file, before);

    // A state file that is not one.
    await writeFile(statePathFor(file), '{"version":1,"rows":"many"}');
    expect(await next()).toBeNull();
    await rm(statePathFor(file));
    expect(await next()).toBeNull();

    expect(await readFile(file)).toEqual(before);
    await writeFile(statePathFor(file), state);
    day.orders.set(1, order(1));
    day.add([1_501]);
    expect(await next()).toMatchObject({ appended: true, rowsWritten: 1 });
    expect((await readdir(dir)).sort()).toEqual([
      `.${workbookFileName('2026-07-01')}.state`,
      file.split('/').pop(),
    ]);
  });

  it('leaves the previous file, its state and no temp file when the commit is refused', async () => {
    const day = new Day();
    day.add(range(1, 10));
    await writeWorkbookAtomically(file, day.sorted(), { timeZone: NY });
    const before = await readFile(file);
    day.add(range(11, 20));
    const lost = new Error('lock lost');
    await expect(
      updateWorkbook(file, 11, day.from, {
        timeZone: NY,
        beforeCommit: () => {
          throw lost;
        },
      }),
    ).rejects.toBe(lost);
    expect(await readFile(file)).toEqual(before);
    expect((await readdir(dir)).length).toBe(2);
    // The state still describes the file: the next run appends.
    expect(await updateWorkbook(file, 11, day.from, { timeZone: NY })).toMatchObject({ rows: 20 });
    await expectSameAsRebuild(day);
  });

  it('survives a writer killed between writing the update and the rename', async () => {
    const day = new Day();
    day.add(range(1, 2_000));
    await writeWorkbookAtomically(file, day.sorted(), { timeZone: NY });
    const before = await readFile(file);

    // A real process, SIGKILLed by its own hook after the temp file is complete and fsynced.
    const script = join(dir, 'killed-writer.mts');
    await writeFile(
      script,
      `import { updateWorkbook } from ${JSON.stringify(fileURLToPath(new URL('workbook.writer.ts', import.meta.url)))};
       import { readFileSync } from 'node:fs';
       const orders = JSON.parse(readFileSync(process.argv[3], 'utf8')).map((o) => ({ ...o, createdAt: new Date(o.createdAt) }));
       async function* from() { yield* orders; }
       await updateWorkbook(process.argv[2], 2001, from, {
         timeZone: 'America/New_York',
         beforeCommit: () => process.kill(process.pid, 'SIGKILL'),
       });`,
    );
    const batch = join(dir, 'batch.json');
    await writeFile(batch, JSON.stringify(range(2_001, 2_100).map(order)));
    const child = spawn(process.execPath, ['--import', 'tsx', script, file, batch], {
      stdio: 'ignore',
      cwd: process.cwd(),
    });
    const signal = await new Promise((resolve) => child.on('exit', (_, s) => resolve(s)));
    expect(signal).toBe('SIGKILL');

    // The previous good file is in place and reads; the killed writer's temp file is left behind.
    expect(await readFile(file)).toEqual(before);
    expect((await readWorkbook(file)).rows).toHaveLength(2_000);
    const leftovers = (await readdir(dir)).filter((n) => n.endsWith('.tmp'));
    expect(leftovers).toHaveLength(1);

    // The next run appends as if nothing happened, and the leftover is swept once stale.
    day.add(range(2_001, 2_100));
    expect(await updateWorkbook(file, 2_001, day.from, { timeZone: NY })).toMatchObject({ rows: 2_100 });
    await expectSameAsRebuild(day);
    expect(await removeStaleTempFiles(dir, 0)).toEqual([join(dir, leftovers[0]!)]);
  }, 60_000);

  it('a crash between the rename and the new state only costs a rebuild', async () => {
    const day = new Day();
    day.add(range(1, 50));
    await writeWorkbookAtomically(file, day.sorted(), { timeZone: NY });
    const oldState = await readFile(statePathFor(file));
    day.add(range(51, 60));
    await updateWorkbook(file, 51, day.from, { timeZone: NY });
    // As if the new state had never been written: the old one describes a file that is gone.
    await writeFile(statePathFor(file), oldState);
    day.add(range(61, 70));
    expect(await updateWorkbook(file, 61, day.from, { timeZone: NY })).toBeNull();
    await writeWorkbookAtomically(file, day.sorted(), { timeZone: NY });
    await expectSameAsRebuild(day);
  });

  // CI installs LibreOffice (.ci/run) and never skips this; elsewhere it runs when soffice is there.
  it.skipIf(!existsSync(SOFFICE) && process.env.CI !== 'true')(
    'opens in LibreOffice (headless) with every order once',
    async () => {
      const day = new Day();
      day.add(range(1, 500));
      await writeWorkbookAtomically(file, day.sorted(), { timeZone: NY });
      for (const batch of [range(501, 600), range(601, 601)]) {
        day.add(batch);
        await updateWorkbook(file, batch[0]!, day.from, { timeZone: NY });
      }
      const copy = join(dir, 'office.xlsx');
      await copyFile(file, copy);
      await promisify(execFile)(
        SOFFICE,
        [
          `-env:UserInstallation=file://${dir}/profile`,
          '--headless',
          '--convert-to',
          'csv',
          '--outdir',
          dir,
          copy,
        ],
        { timeout: 120_000 },
      );
      const lines = (await readFile(join(dir, 'office.csv'), 'utf8')).trim().split('\n');
      expect(lines[0]).toMatch(/^Order ID,Created At,Customer Name,/);
      const ids = lines.slice(1).map((line) => Number(line.split(',')[0]));
      expect(ids).toEqual(range(1, 601));
      // A formula-looking name is shown as text with its apostrophe, never evaluated.
      expect(lines[7]).toContain(`'${ATTACKS[7 % ATTACKS.length]!.slice(0, 10)}`);
    },
    180_000,
  );
});
