// What a call must have left behind: its orders in the database and their rows in the day's workbook, written
// by the app's own exporter and read back with its workbook reader.
import { asc, desc, eq } from 'drizzle-orm';
import type { Container } from '../src/container.js';
import { orders } from '../src/db/schema/index.js';
import { readWorkbook } from '../src/modules/exports/workbook.reader.js';
import type { AfterSpec } from './scenario.schema.js';

export interface CallOrder {
  id: number;
  status: string;
  totalCents: number;
  businessDate: string;
  paymentId: string | null;
}

/** The call's orders, oldest first. */
export async function ordersOfCall(container: Container, callId: string): Promise<CallOrder[]> {
  return container.db.orm
    .select({
      id: orders.id,
      status: orders.status,
      totalCents: orders.totalCents,
      businessDate: orders.businessDate,
      paymentId: orders.paymentId,
    })
    .from(orders)
    .where(eq(orders.vapiCallId, callId))
    .orderBy(asc(orders.id));
}

/** The id of the call's latest order, or null. */
export async function latestOrderId(container: Container, callId: string): Promise<number | null> {
  const [row] = await container.db.orm
    .select({ id: orders.id })
    .from(orders)
    .where(eq(orders.vapiCallId, callId))
    .orderBy(desc(orders.id))
    .limit(1);
  return row?.id ?? null;
}

export async function checkAfter(container: Container, callId: string, after: AfterSpec): Promise<string[]> {
  const placed = await ordersOfCall(container, callId);
  const problems: string[] = [];
  const seen =
    placed.map((o) => `${o.id} ${o.status} $${(o.totalCents / 100).toFixed(2)}`).join(', ') || 'none';
  if (after.orders !== undefined && placed.length !== after.orders)
    problems.push(`orders: expected ${after.orders}, found ${placed.length} (${seen})`);
  if (after.statuses !== undefined) {
    const statuses = placed.map((o) => o.status);
    if (JSON.stringify(statuses) !== JSON.stringify(after.statuses))
      problems.push(
        `statuses: expected ${JSON.stringify(after.statuses)}, found ${JSON.stringify(statuses)}`,
      );
  }
  if (after.total !== undefined) {
    const last = placed.at(-1);
    if (!last) problems.push(`total: expected ${after.total.toFixed(2)}, but the call has no order`);
    else if (last.totalCents !== Math.round(after.total * 100))
      problems.push(
        `total: expected ${after.total.toFixed(2)}, the latest order (${last.id}) has ${(last.totalCents / 100).toFixed(2)}`,
      );
  }
  if (after.workbookRows !== undefined) {
    const rows = await workbookRows(container, placed);
    if (rows !== after.workbookRows)
      problems.push(`workbookRows: expected ${after.workbookRows}, found ${rows} (orders: ${seen})`);
  }
  return problems;
}

/**
 * Rows of these orders in their days' workbooks. Each day is rebuilt from the database (the export the worker
 * and POST /api/reports/{date}/rebuild run): on a shared database another scenario's export may already have
 * marked these orders exported into its own folder.
 */
async function workbookRows(container: Container, placed: readonly CallOrder[]): Promise<number> {
  const ids = new Set(placed.map((o) => o.id));
  let count = 0;
  for (const date of new Set(placed.map((o) => o.businessDate))) {
    const { file } = await container.exporter.rebuildDay(date);
    count += (await readWorkbook(file)).rows.filter((r) => ids.has(r.orderId)).length;
  }
  return count;
}
