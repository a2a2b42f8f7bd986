// The checks `npm run verify` makes: the original system's (columns present, no duplicate ids, totals,
// revenue) plus a cross-check against the database (every confirmed order of the day exactly once, no
// unknown ids, revenue equal to the cent). Pure: it gets what was read, not where from.
import { formatDollars } from '../../shared/money.js';
import type { DayLedgerEntry } from './exports.repository.js';
import { WORKBOOK_COLUMNS } from './workbook.columns.js';
import type { WorkbookRow } from './workbook.reader.js';

export interface Verification {
  ok: boolean;
  problems: string[];
  orders: number;
  columns: number;
  revenueCents: number;
  averageCents: number;
  /** False when no database ledger was available to compare with. */
  crossChecked: boolean;
}

const LIST_LIMIT = 20;

export function verifyWorkbook(
  workbook: { headers: string[]; rows: WorkbookRow[] },
  ledger: DayLedgerEntry[] | null,
): Verification {
  const problems: string[] = [];
  const missingColumns = WORKBOOK_COLUMNS.map((c) => c.header).filter((h) => !workbook.headers.includes(h));
  if (missingColumns.length > 0) problems.push(`missing columns: ${missingColumns.join(', ')}`);

  const seen = new Map<number, number>();
  let revenueCents = 0;
  const badTotals: number[] = [];
  for (const row of workbook.rows) {
    seen.set(row.orderId, (seen.get(row.orderId) ?? 0) + 1);
    revenueCents += row.totalCents;
    if (row.subtotalCents + row.taxCents + row.deliveryFeeCents !== row.totalCents)
      badTotals.push(row.orderId);
  }
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  if (duplicates.length > 0) problems.push(`duplicate order ids: ${list(duplicates)}`);
  if (badTotals.length > 0)
    problems.push(`rows whose subtotal + tax + delivery fee != total: ${list(badTotals)}`);

  if (ledger) {
    const expected = new Map(ledger.map((e) => [e.id, e.totalCents]));
    const missing = ledger.filter((e) => !seen.has(e.id)).map((e) => e.id);
    const unknown = [...seen.keys()].filter((id) => !expected.has(id));
    const wrongTotal = workbook.rows
      .filter((r) => expected.has(r.orderId) && expected.get(r.orderId) !== r.totalCents)
      .map((r) => r.orderId);
    const ledgerRevenue = ledger.reduce((sum, e) => sum + e.totalCents, 0);
    if (missing.length > 0) problems.push(`confirmed orders missing from the workbook: ${list(missing)}`);
    if (unknown.length > 0)
      problems.push(`ids in the workbook that are not confirmed orders of the day: ${list(unknown)}`);
    if (wrongTotal.length > 0) problems.push(`totals that differ from the database: ${list(wrongTotal)}`);
    if (ledgerRevenue !== revenueCents) {
      problems.push(
        `revenue ${formatDollars(revenueCents)} in the workbook, ${formatDollars(ledgerRevenue)} in the database`,
      );
    }
  }
  const orders = workbook.rows.length;
  return {
    ok: problems.length === 0,
    problems,
    orders,
    columns: workbook.headers.length,
    revenueCents,
    averageCents: orders > 0 ? Math.round(revenueCents / orders) : 0,
    crossChecked: ledger !== null,
  };
}

function list(ids: number[]): string {
  const shown = ids.slice(0, LIST_LIMIT).join(', ');
  return ids.length > LIST_LIMIT ? `${shown} and ${ids.length - LIST_LIMIT} more` : shown;
}
