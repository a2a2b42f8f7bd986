// What the server holds for the orders of this run: each order the simulation was told is confirmed, read
// back by id; and a scan of every confirmed order created since the run began, grouped by what identifies
// one of ours (a direct order's name and phone, unique in a run; a voice order's Vapi call id), to find a
// duplicate the client never saw, or an order charged while the simulation was told it failed.
import { dollarsToCents, formatDollars } from '../../../src/shared/money.js';
import type { OrderView } from '../../../src/modules/orders/orders.schemas.js';
import { type CheckResult, checkResult, mapLimited } from './check.js';
import { type ServiceClient, errorOf, isRecord } from './http.js';
import { directFingerprint } from './plan.js';
import { type OrderResult, confirmedAnswer } from './types.js';

export interface FollowedOrder {
  id: number;
  /** null for the pre-flight test order, which is not part of the plan. */
  result: OrderResult | null;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 10_000;

/** The highest order id before the run: the scan looks at orders above it. null when orders are unreadable. */
export async function newestOrderId(client: ServiceClient): Promise<number | null> {
  const answer = await client.get('/api/orders?page_size=1');
  if (answer.status !== 200 || !isRecord(answer.body) || !Array.isArray(answer.body.orders)) return null;
  const first: unknown = answer.body.orders[0];
  return isRecord(first) && typeof first.id === 'number' ? first.id : 0;
}

/** GET /api/orders/:id for each; checks status, channel, the call, and the total against the menu's price. */
export async function readBack(
  client: ServiceClient,
  followed: FollowedOrder[],
  concurrency: number,
): Promise<{ check: CheckResult; orders: Map<number, OrderView> }> {
  const orders = new Map<number, OrderView>();
  const problems: string[] = [];
  await mapLimited(followed, concurrency, async ({ id, result }) => {
    const answer = await client.get(`/api/orders/${id}`);
    if (answer.status !== 200 || !isRecord(answer.body)) {
      problems.push(
        `order #${id}: GET /api/orders/${id} answered ${answer.status || 'nothing'} (${errorOf(answer).message})`,
      );
      return;
    }
    const order = answer.body as unknown as OrderView;
    orders.set(id, order);
    problems.push(...orderProblems(order, result));
  });
  const detail = `${orders.size} of ${followed.length} orders read back by id: confirmed, right channel, right total`;
  return { check: checkResult('Confirmed orders on the server', detail, problems), orders };
}

function orderProblems(order: OrderView, result: OrderResult | null): string[] {
  const problems: string[] = [];
  const id = `order #${order.id}`;
  if (order.status !== 'confirmed') problems.push(`${id} was answered as confirmed but is ${order.status}`);
  if (!result) return problems;
  const planned = result.planned;
  const source = planned.channel === 'direct' ? 'api' : 'voice';
  if (order.source !== source) problems.push(`${id} has source ${order.source}, expected ${source}`);
  if (planned.callId !== null && order.vapi_call_id !== planned.callId) {
    problems.push(`${id} belongs to call ${order.vapi_call_id ?? 'none'}, expected ${planned.callId}`);
  }
  const total = dollarsToCents(order.total);
  const answered = confirmedAnswer(result)?.totalCents ?? null;
  if (answered !== null && total !== answered) {
    problems.push(
      `${id} totals ${formatDollars(total ?? 0)} on the server, ${formatDollars(answered)} in its answer`,
    );
  }
  if (total !== planned.expectedTotalCents) {
    problems.push(
      `${id} totals ${formatDollars(total ?? 0)}; the menu prices it at ${formatDollars(planned.expectedTotalCents)}`,
    );
  }
  return problems;
}

/** Every confirmed order above `baseline`, grouped by our fingerprints: one per key, and only answered ones. */
export async function scanForDuplicates(
  client: ServiceClient,
  results: OrderResult[],
  baseline: number | null,
): Promise<CheckResult> {
  const label = 'No duplicate orders on the server';
  if (baseline === null) {
    return checkResult(label, 'skipped', [
      'could not list orders before the run (GET /api/orders): pass --token?',
    ]);
  }
  const ours = new Map(results.map((r) => [r.planned.fingerprint, r]));
  const found = new Map<string, Set<number>>();
  const seen = new Set<number>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await client.get(`/api/orders?status=confirmed&page_size=${PAGE_SIZE}&page=${page}`);
    if (answer.status !== 200 || !isRecord(answer.body) || !Array.isArray(answer.body.orders)) {
      return checkResult(label, 'scan failed', [
        `GET /api/orders answered ${answer.status}: ${errorOf(answer).message}`,
      ]);
    }
    const orders = answer.body.orders as OrderView[];
    for (const order of orders) {
      if (order.id <= baseline || seen.has(order.id)) continue;
      seen.add(order.id);
      const fingerprint = order.vapi_call_id ?? directFingerprint(order.customer_name, order.customer_phone);
      if (!ours.has(fingerprint)) continue;
      const ids = found.get(fingerprint) ?? new Set<number>();
      found.set(fingerprint, ids.add(order.id));
    }
    // Newest first: once a page reaches the baseline, everything after it is older than the run.
    if (orders.length < PAGE_SIZE || orders.some((o) => o.id <= baseline)) break;
  }
  const problems: string[] = [];
  for (const [fingerprint, ids] of found) {
    const result = ours.get(fingerprint) as OrderResult;
    const label = `order ${result.planned.number} [${result.planned.channel}]`;
    const list = [...ids].map((id) => `#${id}`).join(', ');
    if (ids.size > 1) problems.push(`${label} was created ${ids.size} times: ${list}`);
    else if (!confirmedAnswer(result))
      problems.push(`${label} is confirmed on the server (${list}) but the simulation was told it failed`);
  }
  const detail = `${seen.size} confirmed orders created since the start scanned, ${found.size} of them ours`;
  return checkResult(label, detail, problems);
}
