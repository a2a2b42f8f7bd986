// The export promise (DESIGN invariants 2, 3, 6): every confirmed order of a burst lands in its day's
// workbook exactly once, failed attempts never do, lost enqueues are recovered by the sweep, caller text
// never becomes a formula. On PGlite with the embedded queue, on PostgreSQL with BullMQ on Redis.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import JSZip from 'jszip';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportQueue } from '../../src/adapters/queue/export-queue.js';
import { createExportQueue } from '../../src/adapters/queue/index.js';
import { readWorkbook } from '../../src/modules/exports/workbook.reader.js';
import { verifyWorkbook } from '../../src/modules/exports/workbook-verification.js';
import { businessDateOf } from '../../src/shared/zoned-time.js';
import { type TestApp, createSiblingApp, createTestApp, seedOrderBody } from '../helpers/test-app.js';
import { availableBackends } from '../helpers/test-database.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Loses the first enqueue of every order, as a crash between the commit and the enqueue would. */
class LosingFirstEnqueue implements ExportQueue {
  private readonly seen = new Set<number>();
  lost = 0;
  constructor(private readonly inner: ExportQueue) {}
  get kind() {
    return this.inner.kind;
  }
  add(orderIds: readonly number[]) {
    const fresh = orderIds.filter((id) => !this.seen.has(id));
    for (const id of fresh) this.seen.add(id);
    this.lost += fresh.length;
    return this.inner.add(orderIds.filter((id) => !fresh.includes(id)));
  }
  consume(...args: Parameters<ExportQueue['consume']>) {
    this.inner.consume(...args);
  }
  counts() {
    return this.inner.counts();
  }
  close() {
    return this.inner.close();
  }
}

describe.each(availableBackends())('daily workbook export on %s', (backend) => {
  const apps: TestApp[] = [];
  const queueNames: string[] = [];
  afterEach(async () => {
    for (const t of apps.splice(0).reverse()) await t.close();
    for (const name of queueNames.splice(0)) {
      const queue = new Queue(name, { connection: { url: REDIS_URL } });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  /** PostgreSQL runs with BullMQ on Redis (a queue of its own), PGlite with the embedded queue. */
  const queueEnv = (): Record<string, string> => {
    if (backend !== 'postgres') return {};
    const name = `test-export-${randomUUID()}`;
    queueNames.push(name);
    return { REDIS_URL, EXPORT_QUEUE_NAME: name };
  };
  const start = async (
    env: Record<string, string> = {},
    options: Parameters<typeof createTestApp>[2] = {},
  ) => {
    const t = await createTestApp(backend, { ...queueEnv(), EXPORT_SWEEP_SECONDS: '0.5', ...env }, options);
    apps.push(t);
    return t;
  };
  const place = (t: TestApp, body: object) =>
    t.app.inject({ method: 'POST', url: '/api/orders', payload: body });

  const verifyDay = async (t: TestApp, date: string) => {
    const workbook = await readWorkbook(t.container.exporter.filePath(date));
    const ledger = await t.container.exportsRepository.dayLedger(date);
    return { workbook, ledger, verification: verifyWorkbook(workbook, ledger) };
  };
  const waitForExport = (t: TestApp) =>
    expect
      .poll(() => t.container.exportsRepository.backlogCount(), { timeout: 30_000, interval: 100 })
      .toBe(0);

  it('1,000 concurrent orders: each confirmed one exactly once in the workbook, verify passes', async () => {
    const t = await start(
      { MOCK_PAYMENT_FAILURE_RATE: '0.1', MOCK_GEO_FAILURE_RATE: '0.05' },
      { startWorker: true },
    );
    const responses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => place(t, seedOrderBody({ customer_name: `Rush ${i}` }))),
    );
    const confirmed = responses.filter((r) => r.statusCode === 201).map((r) => r.json<{ id: number }>().id);
    const failed = responses.filter((r) => r.statusCode !== 201);
    expect(confirmed.length).toBeGreaterThan(700);
    expect(failed.length).toBeGreaterThan(0); // the mocks' simulated declines and timeouts
    expect(failed.every((r) => [402, 503].includes(r.statusCode))).toBe(true);

    await waitForExport(t);
    const date = businessDateOf(new Date(), t.config.timeZone);
    const { workbook, ledger, verification } = await verifyDay(t, date);
    expect(verification.problems).toEqual([]);
    expect(ledger.map((e) => e.id).sort((a, b) => a - b)).toEqual([...confirmed].sort((a, b) => a - b));
    expect(workbook.rows.map((r) => r.orderId)).toEqual(ledger.map((e) => e.id));
    expect(verification.revenueCents).toBe(confirmed.length * 4514);
    expect(workbook.headers).toHaveLength(18);

    const health = (await t.app.inject({ method: 'GET', url: '/health' })).json();
    expect(health.status).toBe('ok');
    expect(health.exports.backlog).toBe(0);
    expect(health.exports.worker).toMatchObject({ alive: true, pid: process.pid });
    expect(health.queue).toMatchObject({
      kind: backend === 'postgres' ? 'bullmq' : 'embedded',
      ok: true,
      failed: 0,
    });
  }, 120_000);

  it('recovers orders whose enqueue was lost between commit and queue (the sweep)', async () => {
    const probe = await start();
    const losing = new LosingFirstEnqueue(
      createExportQueue({
        redisUrl: probe.config.redisUrl,
        queueName: probe.config.exports.queueName,
        onError: () => undefined,
      }),
    );
    const t = await start({}, { queue: losing, startWorker: true });
    const ids: number[] = [];
    for (let i = 0; i < 30; i++)
      ids.push((await place(t, seedOrderBody({ customer_name: `Lost ${i}` }))).json().id);
    await waitForExport(t);
    expect(losing.lost).toBe(30);
    const { workbook, verification } = await verifyDay(t, businessDateOf(new Date(), t.config.timeZone));
    expect(verification.problems).toEqual([]);
    expect(workbook.rows.map((r) => r.orderId)).toEqual(ids);
  }, 60_000);

  it('two workers at once write each order once and leave a complete workbook', async () => {
    const t = await start({}, { startWorker: true });
    const other = await createSiblingApp(t);
    apps.push(other);
    other.container.exportWorker.start();
    const placed = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        place(i % 2 ? t : other, seedOrderBody({ customer_name: `Twin ${i}` })),
      ),
    );
    expect(placed.every((r) => r.statusCode === 201)).toBe(true);
    await waitForExport(t);
    const { workbook, verification } = await verifyDay(t, businessDateOf(new Date(), t.config.timeZone));
    expect(verification.problems).toEqual([]);
    expect(new Set(workbook.rows.map((r) => r.orderId)).size).toBe(300);
  }, 60_000);

  it('keeps caller text as plain text: no cell can become a formula, failed orders stay out', async () => {
    const t = await start({}, { startWorker: true });
    const names = ['=HYPERLINK("http://evil.example","click")', '+1+1', '-2+3', '@SUM(A1:A9)'];
    for (const name of names)
      expect((await place(t, seedOrderBody({ customer_name: name }))).statusCode).toBe(201);
    const tabbed = await place(
      t,
      seedOrderBody({ customer_name: 'Tab', delivery_address: '=1+2 Main Street' }),
    );
    expect(tabbed.statusCode).toBe(201);
    const failed = await place(t, seedOrderBody({ customer_name: 'Never Exported', delivery_address: '99' }));
    expect(failed.statusCode).toBe(422);

    await waitForExport(t);
    const { workbook, verification } = await verifyDay(t, businessDateOf(new Date(), t.config.timeZone));
    expect(verification.problems).toEqual([]);
    expect(workbook.rows.map((r) => r.customerName)).toEqual([...names.map((n) => `'${n}`), 'Tab']);
    expect(workbook.rows.at(-1)?.address).toBe("'=1+2 Main Street");
    for (const [header, types] of workbook.cellTypes) {
      expect(types.has('Formula'), `formula in column ${header}`).toBe(false);
    }
  });

  it('appends each batch to the day, takes a cancelled order out, and a rebuild gives the same file', async () => {
    const t = await start();
    const exporter = t.container.exporter;
    const placeMany = async (n: number, tag: string) => {
      const placed = await Promise.all(
        Array.from({ length: n }, (_, i) => place(t, seedOrderBody({ customer_name: `${tag} ${i}` }))),
      );
      expect(placed.every((r) => r.statusCode === 201)).toBe(true);
      return placed.map((r) => r.json<{ id: number; business_date: string }>());
    };
    const first = await placeMany(20, 'First');
    const date = first[0]!.business_date;
    const [initial] = await exporter.exportBacklog();
    expect(initial).toMatchObject({ date, rows: 20, newlyExported: 20, appended: false });

    const second = await placeMany(15, 'Second');
    const [batch] = await exporter.exportBacklog();
    // Only the batch was encoded: the day's first 20 rows were left as they were.
    expect(batch).toMatchObject({ rows: 35, newlyExported: 15, appended: true, rowsWritten: 15 });

    // The batch is a chunk of its own in the file: taking one of its orders out rewrites just that chunk.
    const cancelled = second[10]!.id;
    const answer = await t.app.inject({ method: 'POST', url: `/api/orders/${cancelled}/cancel` });
    expect(answer.statusCode).toBe(200);
    const [removal] = await exporter.exportBacklog();
    expect(removal).toMatchObject({ rows: 34, appended: true });
    expect(removal!.rowsWritten).toBe(14);

    const file = exporter.filePath(date);
    const updated = await readFile(file);
    const rebuilt = await exporter.rebuildDay(date);
    expect(rebuilt).toMatchObject({ rows: 34, appended: false });
    const zipParts = async (bytes: Buffer) => {
      const zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
      const names = Object.keys(zip.files).sort();
      return Promise.all(names.map(async (name) => [name, await zip.file(name)!.async('string')]));
    };
    expect(await zipParts(updated)).toEqual(await zipParts(await readFile(file)));
    const { workbook, ledger, verification } = await verifyDay(t, date);
    expect(verification.problems).toEqual([]);
    expect(workbook.rows.map((r) => r.orderId)).toEqual(ledger.map((e) => e.id));
    expect(workbook.rows.map((r) => r.orderId)).not.toContain(cancelled);
  }, 60_000);

  it("files each order under its restaurant's business day (TIMEZONE), not the server's", async () => {
    for (const timeZone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      const t = await start({ TIMEZONE: timeZone }, { startWorker: true });
      const order = (await place(t, seedOrderBody())).json();
      const expected = businessDateOf(new Date(), timeZone);
      expect(order.business_date).toBe(expected);
      await waitForExport(t);
      expect(existsSync(t.container.exporter.filePath(expected))).toBe(true);
      const { verification } = await verifyDay(t, expected);
      expect(verification).toMatchObject({ ok: true, orders: 1 });
    }
  });
});
