// The numbers of the report: outcomes per channel, response times of the original sends (re-sends are
// idempotency probes, not customers), revenue of the confirmed orders, failures by reason, and how the
// re-sends were answered.
import { type Answer, type Channel, type OrderResult, confirmedAnswer } from './types.js';

export interface ChannelStats {
  channel: Channel;
  orders: number;
  confirmed: number;
  failed: number;
}

export interface LatencyStats {
  averageMs: number;
  fastestMs: number;
  slowestMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface FailureCount {
  channel: Channel;
  reason: string;
  expected: boolean;
  count: number;
}

export interface FailureDetail {
  number: number;
  channel: Channel;
  status: number;
  reason: string;
  message: string;
}

export interface DuplicateStats {
  resent: number;
  concurrent: number;
  after: number;
  /** Re-sends answered with the original's order (or the original's refusal). */
  sameAnswer: number;
  /** Re-sends the server marked as replays (Idempotent-Replayed: true; direct only). */
  replayed: number;
  /** Confirmed by the re-send after the original failed on a dependency timeout (its key was freed). */
  recovered: number;
  /** Re-sends answered otherwise than their original, e.g. "402 card_declined, then 503 geo_timeout". */
  differing: Array<{ number: number; channel: Channel; answers: string }>;
}

export interface Summary {
  orders: number;
  confirmed: number;
  failed: number;
  totalMs: number;
  channels: ChannelStats[];
  latency: LatencyStats | null;
  revenueCents: number;
  failures: FailureCount[];
  firstFailures: FailureDetail[];
  duplicates: DuplicateStats;
}

const FIRST_FAILURES = 5;

export function summarise(results: OrderResult[], totalMs: number): Summary {
  const confirmed = results.filter((r) => confirmedAnswer(r) !== null);
  const channels = (['direct', 'vapi'] as const)
    .map((channel) => {
      const of = results.filter((r) => r.planned.channel === channel);
      const ok = of.filter((r) => confirmedAnswer(r) !== null).length;
      return { channel, orders: of.length, confirmed: ok, failed: of.length - ok };
    })
    .filter((c) => c.orders > 0);
  const revenue = new Map<number, number>();
  for (const r of confirmed) {
    const answer = confirmedAnswer(r) as Answer;
    revenue.set(answer.orderId as number, answer.totalCents ?? 0);
  }
  const failed = results.filter((r) => confirmedAnswer(r) === null);
  return {
    orders: results.length,
    confirmed: confirmed.length,
    failed: failed.length,
    totalMs,
    channels,
    latency: latencyOf(results.map((r) => r.original.ms)),
    revenueCents: [...revenue.values()].reduce((a, b) => a + b, 0),
    failures: countFailures(failed),
    firstFailures: failed.slice(0, FIRST_FAILURES).map((r) => ({
      number: r.planned.number,
      channel: r.planned.channel,
      status: r.original.status,
      reason: r.original.failure?.reason ?? 'unknown',
      message: r.original.failure?.message ?? '',
    })),
    duplicates: duplicateStats(results),
  };
}

export function latencyOf(samples: number[]): LatencyStats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest rank: the smallest sample with at least p% of the samples at or below it.
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return {
    averageMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    fastestMs: sorted[0] ?? 0,
    slowestMs: sorted[sorted.length - 1] ?? 0,
    p50Ms: rank(50),
    p95Ms: rank(95),
    p99Ms: rank(99),
  };
}

function countFailures(failed: OrderResult[]): FailureCount[] {
  const counts = new Map<string, FailureCount>();
  for (const r of failed) {
    const failure = r.original.failure;
    const reason = failure?.reason ?? 'unknown';
    const key = `${r.planned.channel}|${reason}`;
    const entry = counts.get(key) ?? {
      channel: r.planned.channel,
      reason,
      expected: failure?.expected ?? false,
      count: 0,
    };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

function duplicateStats(results: OrderResult[]): DuplicateStats {
  const resent = results.filter((r) => r.duplicate !== null);
  const same = (r: OrderResult) => {
    const [a, b] = [r.original, r.duplicate as Answer];
    return a.orderId !== null || b.orderId !== null
      ? a.orderId === b.orderId
      : a.status === b.status && a.failure?.reason === b.failure?.reason;
  };
  const recovered = (r: OrderResult) => r.original.orderId === null && r.duplicate?.orderId != null;
  return {
    resent: resent.length,
    concurrent: resent.filter((r) => r.planned.resend === 'concurrent').length,
    after: resent.filter((r) => r.planned.resend === 'after').length,
    sameAnswer: resent.filter(same).length,
    replayed: resent.filter((r) => r.duplicate?.replayed || r.original.replayed).length,
    recovered: resent.filter(recovered).length,
    differing: resent
      .filter((r) => !same(r) && !recovered(r))
      .map((r) => ({
        number: r.planned.number,
        channel: r.planned.channel,
        answers: `${describe(r.original)}, then ${describe(r.duplicate as Answer)}`,
      })),
  };
}

function describe(answer: Answer): string {
  if (answer.orderId !== null) return `order #${answer.orderId}`;
  return `${answer.status || 'no answer'} ${answer.failure?.reason ?? 'unknown'}`;
}
