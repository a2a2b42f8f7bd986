// After the rush: is every order the simulation was told about there, once? The checks, in order: every
// failure was an expected one; no key got two different orders; (after the exports drain) each confirmed
// order reads back as confirmed with the right total; no order of ours exists twice on the server; and each
// is exactly once in its day's workbook. Any problem fails the run (exit 1).
import { type CheckResult, checkResult, listIds } from './check.js';
import { checkWorkbooks, waitForExports } from './exports-check.js';
import type { ServiceClient } from './http.js';
import { type FollowedOrder, readBack, scanForDuplicates } from './server-orders.js';
import { type OrderResult, confirmedAnswer } from './types.js';

export interface VerificationInput {
  results: OrderResult[];
  /** The pre-flight test order, followed like the others. */
  testOrderId: number | null;
  /** Highest order id before the run (null: could not be read). */
  baseline: number | null;
  concurrency: number;
  verifyTimeoutSeconds: number;
  exportDir: string | null;
}

export interface VerificationReport {
  ok: boolean;
  checks: CheckResult[];
}

export async function verify(
  client: ServiceClient,
  input: VerificationInput,
  onCheck: (check: CheckResult) => void,
): Promise<VerificationReport> {
  const checks: CheckResult[] = [];
  const record = (check: CheckResult) => {
    checks.push(check);
    onCheck(check);
  };
  record(expectedFailuresOnly(input.results));
  record(onePerKey(input.results));
  record(await waitForExports(client, input.verifyTimeoutSeconds));

  const followed: FollowedOrder[] = input.results.flatMap((result) => {
    const id = confirmedAnswer(result)?.orderId;
    return id === null || id === undefined ? [] : [{ id, result }];
  });
  if (input.testOrderId !== null) followed.push({ id: input.testOrderId, result: null });
  const { check, orders } = await readBack(client, followed, input.concurrency);
  record(check);
  record(await scanForDuplicates(client, input.results, input.baseline));
  for (const day of await checkWorkbooks(client, orders, input.exportDir)) record(day);
  return { ok: checks.every((c) => c.ok), checks };
}

/** Mock declines, address problems and dependency timeouts are the lunch rush; anything else is a finding. */
function expectedFailuresOnly(results: OrderResult[]): CheckResult {
  const unexpected = results.filter((r) => {
    const answers = [r.original, r.duplicate].filter((a) => a !== null);
    return answers.some((a) => a.failure !== null && !a.failure.expected);
  });
  const problems = unexpected.slice(0, 10).map((r) => {
    const answer = [r.original, r.duplicate].find((a) => a?.failure && !a.failure.expected);
    const failure = answer?.failure;
    return `order ${r.planned.number} [${r.planned.channel}]: ${answer?.status || 'no answer'} ${failure?.reason}: ${failure?.message}`;
  });
  if (unexpected.length > 10) problems.push(`… and ${unexpected.length - 10} more`);
  const detail =
    unexpected.length === 0
      ? 'declines, address problems and dependency timeouts only'
      : `${unexpected.length} unexpected`;
  return checkResult('Every failure is an expected one', detail, problems);
}

/** The idempotency promise from the client's side: all answers for one key name the same order. */
function onePerKey(results: OrderResult[]): CheckResult {
  const problems: string[] = [];
  for (const r of results) {
    const ids = [r.original.orderId, r.duplicate?.orderId].filter(
      (id): id is number => typeof id === 'number',
    );
    const distinct = [...new Set(ids)];
    if (distinct.length > 1) {
      problems.push(
        `order ${r.planned.number} [${r.planned.channel}] key ${r.planned.key} got different orders: ${listIds(distinct)}`,
      );
    }
  }
  const resent = results.filter((r) => r.duplicate !== null).length;
  return checkResult(
    'One order per idempotency key / Vapi tool call',
    `${resent} re-sent requests compared with their originals`,
    problems,
  );
}
