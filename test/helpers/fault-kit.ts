// Shared steps of the fault tests: orders POSTed with their answer time and error body, a bounded wait for
// the export backlog to drain, and the real `npm run verify` CLI checking the day's workbook against the
// database. Every wait has a deadline: a fault test fails, it never hangs.
import path from 'node:path';
import { expect } from 'vitest';
import { readWorkbook } from '../../src/modules/exports/workbook.reader.js';
import { workbookFileName } from '../../src/modules/exports/workbook.columns.js';
import { businessDateOf } from '../../src/shared/zoned-time.js';
import { runNode } from './processes.js';

export interface TimedAnswer {
  key: string;
  /** HTTP status, or 0 when no answer came (connection refused, or no answer within the client timeout). */
  status: number;
  /** When the request was sent (Date.now()) and how long its answer took. */
  startedAt: number;
  ms: number;
  /** 201: the order id; otherwise null. */
  id: number | null;
  body: { id?: number; error?: string; message?: string; [field: string]: unknown };
  retryAfter: string | null;
  replayed: boolean;
}

/** One POST /api/orders with an Idempotency-Key, abandoned (status 0) after `timeoutMs`. */
export async function postOrder(
  base: string,
  body: object,
  key: string,
  timeoutMs = 15_000,
): Promise<TimedAnswer> {
  const startedAt = Date.now();
  try {
    const res = await fetch(`${base}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = (await res.json()) as TimedAnswer['body'];
    return {
      key,
      status: res.status,
      startedAt,
      ms: Date.now() - startedAt,
      id: res.status === 201 && typeof json.id === 'number' ? json.id : null,
      body: json,
      retryAfter: res.headers.get('retry-after'),
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  } catch (error) {
    // fetch rejects with "fetch failed"; what happened (ECONNREFUSED, UND_ERR_SOCKET...) is in its cause.
    const cause = (error as Error).cause as { code?: unknown } | undefined;
    return {
      key,
      status: 0,
      startedAt,
      ms: Date.now() - startedAt,
      id: null,
      body: {
        error: (error as Error).name,
        message: (error as Error).message,
        code: typeof cause?.code === 'string' ? cause.code : null,
      },
      retryAfter: null,
      replayed: false,
    };
  }
}

/** POSTs `count` orders (keys `<prefix>-<i>`), at most `concurrency` in flight, each answer timed. */
export async function placeTimedOrders(
  base: string,
  options: {
    count: number;
    concurrency: number;
    keyPrefix: string;
    body: (i: number) => object;
    onAnswer?: (done: number, answer: TimedAnswer) => void;
    timeoutMs?: number;
  },
): Promise<TimedAnswer[]> {
  const answers: TimedAnswer[] = new Array<TimedAnswer>(options.count);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < options.count) {
      const i = next++;
      const answer = await postOrder(base, options.body(i), `${options.keyPrefix}-${i}`, options.timeoutMs);
      answers[i] = answer;
      options.onAnswer?.(++done, answer);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return answers;
}

/**
 * Retries each request with its own key and body until it is answered 201 (honouring Retry-After on 409 and
 * 503), as a client would after an outage. Returns every answer seen; rejects when `deadlineMs` passes.
 */
export async function retryUntilPlaced(
  base: string,
  requests: Array<{ key: string; body: object }>,
  options: { concurrency: number; deadlineMs: number },
): Promise<{ final: Map<string, TimedAnswer>; seen: TimedAnswer[] }> {
  const deadline = Date.now() + options.deadlineMs;
  const final = new Map<string, TimedAnswer>();
  const seen: TimedAnswer[] = [];
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      const request = requests[next++];
      if (!request) break;
      for (;;) {
        const answer = await postOrder(base, request.body, request.key);
        seen.push(answer);
        if (answer.status === 201) {
          final.set(request.key, answer);
          break;
        }
        if (![0, 409, 503].includes(answer.status) || Date.now() > deadline) {
          throw new Error(`${request.key} was not placed: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
        const waitSeconds = Number(answer.retryAfter ?? '1');
        await new Promise((resolve) => setTimeout(resolve, Math.min(waitSeconds, 2) * 1000));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return { final, seen };
}

interface HealthBody {
  status: string;
  database: { ok: boolean };
  queue: { waiting: number | null; active: number | null; delayed: number | null };
  exports: { backlog: number | null; worker: unknown };
}

export async function health(base: string, timeoutMs = 5_000) {
  const startedAt = Date.now();
  const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, ms: Date.now() - startedAt, body: (await res.json()) as HealthBody };
}

export const todayIn = (timeZone: string) => businessDateOf(new Date(), timeZone);

/**
 * Waits until no confirmed order is left unexported (and, with `queueIdle`, no export job is waiting, running
 * or delayed), then runs the real verify CLI (exit 0, "VERIFICATION COMPLETE") and returns the day's workbook.
 */
export async function expectVerified(
  base: string,
  env: Record<string, string> & { EXPORT_DIR: string; TIMEZONE: string },
  options: { queueIdle?: boolean; timeoutMs?: number } = {},
) {
  await expect
    .poll(
      async () => {
        const { body } = await health(base);
        const { waiting, active, delayed } = body.queue;
        const idle = !options.queueIdle || (waiting === 0 && active === 0 && delayed === 0);
        return body.exports.backlog === 0 && idle;
      },
      { timeout: options.timeoutMs ?? 90_000, interval: 250 },
    )
    .toBe(true);
  const date = todayIn(env.TIMEZONE);
  const verify = await runNode('scripts/verify.ts', env, ['--date', date]);
  expect(verify.code, verify.output).toBe(0);
  expect(verify.output).toContain('VERIFICATION COMPLETE');
  return readWorkbook(path.join(env.EXPORT_DIR, workbookFileName(date)));
}
