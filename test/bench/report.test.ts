// The bench's verdicts: each issue-15 target judged against the yardstick run paired with the service's.
import { describe, expect, it } from 'vitest';
import { type BenchResults, renderMarkdown, targetRows } from '../../scripts/bench/report.js';
import type { LoadResult } from '../../scripts/bench/load-generator.js';
import type { MeasuredRun } from '../../scripts/bench/scenarios.js';

const load = (ordersPerSecond: number, p50: number, p99: number): LoadResult => ({
  spec: { url: 'http://x', orders: 1000, mode: 'closed', concurrency: 64, tag: 't' },
  ok: 1000,
  byStatus: { 201: 1000 },
  wallMs: 1000,
  ordersPerSecond,
  latencyMs: { min: 1, p50, p90: p99, p99, p999: p99, max: p99, mean: p50 },
  lastOkAt: 0,
  firstError: null,
  cpuUs: 0,
  maxRssMb: 0,
});

const run = (service: number, yardstick: number, p99 = 40): MeasuredRun => ({
  load: load(service, 20, p99),
  yardstick: load(yardstick, 2, 10),
  sharePercent: Math.round((service / yardstick) * 1000) / 10,
  cpuPerOrderUs: {},
  busyPercent: 90,
  exportLagMs: 100,
});

function results(worker: string, database: string, median: MeasuredRun, rss = { apiMb: 200, workerMb: 150 }) {
  const r: BenchResults = {
    startedAt: '2026-12-07T00:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'test', memoryGb: 1, node: 'v20', platform: 'linux' },
    setup: { database, queue: 'bullmq (redis)', worker, orders: 1000, runs: 1 },
    calibration: null,
    throughput: [{ concurrency: 64, runs: [median], median }],
    openLoop: null,
    rush: null,
    exportCost: null,
    ceiling: [],
    accounting: [
      { scenario: 'throughput', accepted: 21_000, stored: 21_000, verifyExitCode: 0, verifyOutput: '' },
    ],
    peakRss: [{ scenario: 'throughput', ...rss }],
    profiles: [],
  };
  return r;
}

const verdicts = (r: BenchResults) => Object.fromEntries(targetRows(r).map((t) => [t.target, t.met]));

describe('bench targets', () => {
  it('judges the standalone setup by 30 % of the paired empty server and p99 against its p50', () => {
    const met = verdicts(results('standalone process', 'postgres', run(1_800, 6_000, 50)));
    expect(met['≥ 30 % of the empty server at concurrency 64 (same run)']).toBe(true);
    // 25 × the yardstick's p50 of 2 ms is 50 ms: 50 is within it.
    expect(met["p99 ≤ 25 × the empty server's p50 at concurrency 64"]).toBe(true);
    expect(met['API peak RSS < 250 MB (throughput runs)']).toBe(true);
    expect(met['worker peak RSS < 200 MB']).toBe(true);

    const missed = verdicts(
      results('standalone process', 'postgres', run(1_700, 6_000, 51), { apiMb: 250, workerMb: 200 }),
    );
    expect(missed['≥ 30 % of the empty server at concurrency 64 (same run)']).toBe(false);
    expect(missed["p99 ≤ 25 × the empty server's p50 at concurrency 64"]).toBe(false);
    expect(missed['API peak RSS < 250 MB (throughput runs)']).toBe(false);
    expect(missed['worker peak RSS < 200 MB']).toBe(false);
  });

  it('asks 20 % with the worker in the API process and 10 % embedded, with the embedded RSS bound', () => {
    expect(verdicts(results('in the API process', 'postgres', run(1_200, 6_000)))).toMatchObject({
      '≥ 20 % of the empty server at concurrency 64 (same run)': true,
    });
    const embedded = verdicts(
      results('in the API process', 'pglite (embedded)', run(590, 6_000), { apiMb: 399, workerMb: 0 }),
    );
    expect(embedded['≥ 10 % of the empty server at concurrency 64 (same run)']).toBe(false);
    expect(embedded['peak RSS < 400 MB after 20,000 orders']).toBe(true);
  });

  it('fails the exactly-once target when an accepted order is missing, and prints the table', () => {
    const r = results('standalone process', 'postgres', run(1_800, 6_000));
    r.accounting[0] = { ...r.accounting[0]!, stored: 20_999 };
    expect(verdicts(r)['exactly once: every 2xx stored once, npm run verify passes']).toBe(false);
    const markdown = renderMarkdown(r);
    expect(markdown).toContain('| target | measured | verdict |');
    expect(markdown).toContain(
      '| exactly once: every 2xx stored once, npm run verify passes | 21,000 accepted, 20,999 stored | **missed** |',
    );
  });
});
