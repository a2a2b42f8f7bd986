// Small statistics for the benchmark: percentiles of one run, medians across runs.

export interface Percentiles {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Nearest-rank percentiles, in the values' unit, to 0.1. */
export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return {
    min: round1(sorted[0] ?? 0),
    p50: round1(at(50)),
    p90: round1(at(90)),
    p99: round1(at(99)),
    p999: round1(at(99.9)),
    max: round1(sorted[sorted.length - 1] ?? 0),
    mean: round1(sorted.reduce((sum, v) => sum + v, 0) / sorted.length),
  };
}

/** The median of the runs (the lower middle one for an even count: a real run, never an average). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/** The run whose `key` is the median: its other figures belong to the same run. */
export function medianRun<T>(runs: T[], key: (run: T) => number): T {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  const run = sorted[Math.floor((sorted.length - 1) / 2)];
  if (run === undefined) throw new Error('no runs');
  return run;
}
