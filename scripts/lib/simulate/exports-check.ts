// Did every confirmed order reach its day's workbook exactly once? First wait (bounded) for the export
// backlog in /health to drain; then, per business day, ask the server for the day's ledger (GET
// /api/reports/:date: every confirmed order of the day and the workbook's path) and read the workbook, from
// --export-dir or the path the server gives when this machine can open it. A remote server's workbook cannot
// be read over HTTP, so there each order's exported_at (set only after the workbook holding it was
// written) stands in for the file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { workbookFileName } from '../../../src/modules/exports/workbook.columns.js';
import { readWorkbook } from '../../../src/modules/exports/workbook.reader.js';
import type { OrderView } from '../../../src/modules/orders/orders.schemas.js';
import { type CheckResult, checkResult, listIds } from './check.js';
import { type ServiceClient, errorOf, isRecord, sleep } from './http.js';

const POLL_MS = 250;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export async function waitForExports(client: ServiceClient, timeoutSeconds: number): Promise<CheckResult> {
  const label = 'Exports caught up (/health exports.backlog = 0)';
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  for (;;) {
    const answer = await client.get('/health');
    const exports = isRecord(answer.body) && isRecord(answer.body.exports) ? answer.body.exports : null;
    const backlog = typeof exports?.backlog === 'number' ? exports.backlog : null;
    const worker =
      exports && isRecord(exports.worker) ? (exports.worker.alive === true ? 'alive' : 'not alive') : 'none';
    if (backlog === 0) {
      return checkResult(label, `in ${((Date.now() - started) / 1000).toFixed(1)} s`, []);
    }
    if (Date.now() >= deadline) {
      const why = worker === 'alive' ? '' : '; is the export worker down, or WORKER=off?';
      const problem =
        `exports did not catch up within ${timeoutSeconds} s: ${backlog ?? 'unknown'} confirmed order(s) ` +
        `still waiting for their workbook (export worker: ${worker}${why})`;
      return checkResult(label, `backlog ${backlog ?? 'unknown'}`, [problem]);
    }
    await sleep(POLL_MS);
  }
}

/** Each followed order exactly once in its day's ledger and workbook (or, remotely, marked exported). */
export async function checkWorkbooks(
  client: ServiceClient,
  orders: Map<number, OrderView>,
  exportDir: string | null,
): Promise<CheckResult[]> {
  const byDate = new Map<string, OrderView[]>();
  for (const order of orders.values())
    byDate.set(order.business_date, [...(byDate.get(order.business_date) ?? []), order]);
  const checks: CheckResult[] = [];
  for (const [date, ofDay] of [...byDate].sort(([a], [b]) => a.localeCompare(b))) {
    checks.push(await checkDay(client, date, ofDay, exportDir));
  }
  return checks;
}

async function checkDay(
  client: ServiceClient,
  date: string,
  orders: OrderView[],
  exportDir: string | null,
): Promise<CheckResult> {
  const label = `Workbook of ${date}: each order exactly once`;
  const answer = await client.get(`/api/reports/${date}`);
  if (answer.status !== 200 || !isRecord(answer.body) || !Array.isArray(answer.body.orders)) {
    return checkResult(label, 'no ledger', [
      `GET /api/reports/${date} answered ${answer.status}: ${errorOf(answer).message}`,
    ]);
  }
  const ledger = answer.body as { file: string; orders: Array<{ id: number }> };
  const problems = onceEach(
    "the day's ledger (GET /api/reports)",
    orders,
    countIds(ledger.orders.map((o) => o.id)),
  );
  const file = exportDir ? path.join(exportDir, workbookFileName(date)) : ledger.file;
  if (existsSync(file)) {
    try {
      const workbook = await readWorkbook(file);
      const counts = countIds(workbook.rows.map((r) => r.orderId));
      problems.push(...onceEach(path.basename(file), orders, counts));
      const doubled = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      if (doubled.length > 0)
        problems.push(`${path.basename(file)} lists these ids more than once: ${listIds(doubled)}`);
      return checkResult(
        label,
        `${file}: ${workbook.rows.length} rows, ${orders.length} of them ours`,
        problems,
      );
    } catch (error) {
      return checkResult(label, file, [...problems, `cannot read ${file}: ${(error as Error).message}`]);
    }
  }
  if (exportDir !== null || LOCAL_HOSTS.has(new URL(client.baseUrl).hostname)) {
    problems.push(
      `the workbook ${file} does not exist, but ${orders.length} confirmed order(s) of the run belong in it`,
    );
    return checkResult(label, file, problems);
  }
  const unexported = orders.filter((o) => o.exported_at === null).map((o) => o.id);
  if (unexported.length > 0)
    problems.push(`not yet in a workbook (exported_at unset): ${listIds(unexported)}`);
  const detail = `${file} is on the server; checked each order's exported_at instead (pass --export-dir to read the file)`;
  return checkResult(label, detail, problems);
}

function countIds(ids: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

function onceEach(where: string, orders: OrderView[], counts: Map<number, number>): string[] {
  const missing = orders.filter((o) => !counts.has(o.id)).map((o) => o.id);
  const repeated = orders.filter((o) => (counts.get(o.id) ?? 0) > 1).map((o) => o.id);
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing from ${where}: ${listIds(missing)}`);
  if (repeated.length > 0) problems.push(`more than once in ${where}: ${listIds(repeated)}`);
  return problems;
}
