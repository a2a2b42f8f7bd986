// The eval run as text: one table row per scenario, the failures in full, and the webhook's latency.
import type { ScenarioResult } from './replay.js';

const REASON_WIDTH = 90;

/** Nearest-rank percentile (p in 0-100) of `values`; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

export function formatReport(results: readonly ScenarioResult[], backend: string, totalMs: number): string {
  const rows = results.map((r) => [
    r.name,
    r.passed ? 'pass' : 'FAIL',
    String(r.toolCalls),
    String(r.ms),
    r.passed
      ? ''
      : shorten(r.failures[0] ?? '', REASON_WIDTH) +
        (r.failures.length > 1 ? ` (+${r.failures.length - 1})` : ''),
  ]);
  const table = formatTable(['scenario', 'result', 'tool calls', 'ms', 'failure'], rows);
  const failed = results.filter((r) => !r.passed);
  const details = failed.map((r) =>
    [`${r.name} (${r.file}):`, ...r.failures.map((f) => `  - ${f}`)].join('\n'),
  );
  const trips = results.flatMap((r) => r.roundTrips.map((t) => t.ms));
  const toolCalls = results.reduce((n, r) => n + r.toolCalls, 0);
  const summary =
    `${results.length - failed.length}/${results.length} scenarios passed on ${backend} in ${(totalMs / 1000).toFixed(1)} s; ` +
    `${toolCalls} tool calls in ${trips.length} webhook round trips: ` +
    `p50 ${percentile(trips, 50).toFixed(1)} ms, p99 ${percentile(trips, 99).toFixed(1)} ms, max ${percentile(trips, 100).toFixed(1)} ms`;
  return [table, ...(details.length > 0 ? ['', 'Failures:', ...details] : []), '', summary].join('\n');
}

/** Every answer of every scenario, for reading what the assistant would hear. */
export function formatTranscripts(results: readonly ScenarioResult[]): string {
  return results
    .map((r) => [`${r.name}:`, ...r.transcript.map((t) => `  ${t.at} ${t.tool}: ${t.answer}`)].join('\n'))
    .join('\n\n');
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function shorten(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}
