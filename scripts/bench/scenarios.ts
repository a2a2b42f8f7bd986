// The benchmark's four measurements, each against a running SystemUnderTest; bench.ts strings them together.
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/shared/paths.js';
import { businessDateOf } from '../../src/shared/zoned-time.js';
import { type CeilingResult, measureCeiling, openBenchDatabase } from './ceiling.js';
import type { LoadResult, LoadSpec } from './load-generator.js';
import { CpuMeter, peakRssMb, pidsNamed } from './proc-stats.js';
import { median, medianRun } from './stats.js';
import type { SystemUnderTest } from './system.js';

const TIMEZONE = 'America/New_York';

export interface MeasuredRun {
  load: LoadResult;
  /** The yardstick's run just before this one, same orders and concurrency (throughput runs only). */
  yardstick?: LoadResult;
  /** load / yardstick orders per second, in % (with a yardstick run). */
  sharePercent?: number;
  /** µs of CPU per order: api, worker, postgres, redis, load generator. */
  cpuPerOrderUs: Record<string, number>;
  busyPercent: number;
  /** From the last 2xx until no confirmed order is left unexported. */
  exportLagMs: number;
}

export interface ThroughputResult {
  concurrency: number;
  runs: MeasuredRun[];
  /** The median run by orders/s; with yardstick runs, by share of the yardstick. */
  median: MeasuredRun;
}

export interface OpenLoopResult {
  rate: number;
  runs: MeasuredRun[];
  median: MeasuredRun;
}

export interface RushResult {
  callers: number;
  slowestMockMs: number;
  runs: MeasuredRun[];
  median: MeasuredRun;
}

export interface ExportCostResult {
  orders: number;
  exportLagMs: number;
  rebuilds: { rows: number; ms: number }[];
  medianRebuildMs: number;
  usPerOrder: number;
}

export interface CalibrationResult {
  /** The reference machine's rate for the same server (../shared/reference/hot-path.md, "Empty"). */
  referenceOrdersPerSecond: number;
  runs: number[];
  medianOrdersPerSecond: number;
  /** How much slower this machine is today than the reference's (reference / here). */
  slowdown: number;
}

export interface Accounting {
  accepted: number;
  stored: number;
  verifyExitCode: number | null;
  verifyOutput: string;
}

export interface PeakRss {
  apiMb: number;
  workerMb: number | null;
}

/** Runs the load generator in its own process and returns its result. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench/load-process.ts', JSON.stringify(spec)],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${String(code)}`));
      else resolve(JSON.parse(out) as LoadResult);
    });
  });
}

/** The CPU meter's groups for a system: only local PostgreSQL and Redis are visible. */
export function meterFor(system: SystemUnderTest): CpuMeter {
  const local = (url: string | undefined) => (url ? /@?(127\.0\.0\.1|localhost)[:/]/.test(url) : false);
  return new CpuMeter(() => ({
    api: [system.apiPid],
    worker: system.workerPid ? [system.workerPid] : [],
    postgres: local(system.env.DATABASE_URL) ? pidsNamed('postgres') : [],
    redis: local(system.env.REDIS_URL) ? pidsNamed('redis-server') : [],
  }));
}

interface Health {
  exports: { backlog: number | null };
}

/** Waits until no confirmed order is left unexported; ms from `since` (epoch ms) to then. */
export async function waitForExports(system: SystemUnderTest, since: number, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const health = (await (await fetch(`${system.base}/health`)).json()) as Health;
    if (health.exports.backlog === 0) return Math.max(0, Date.now() - since);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`exports still behind after ${timeoutMs / 1000} s`);
}

async function measuredRun(system: SystemUnderTest, spec: LoadSpec): Promise<MeasuredRun> {
  const meter = meterFor(system);
  meter.start();
  const load = await runLoad(spec);
  const { perGroupUs, busyPercent } = meter.stop();
  const exportLagMs = await waitForExports(system, load.lastOkAt);
  const perOrder = (us: number) => Math.round(us / spec.orders);
  const cpuPerOrderUs: Record<string, number> = {};
  for (const [group, us] of Object.entries(perGroupUs)) cpuPerOrderUs[group] = perOrder(us);
  cpuPerOrderUs.loadgen = perOrder(load.cpuUs);
  return { load, cpuPerOrderUs, busyPercent, exportLagMs };
}

let runCounter = 0;
const tag = (label: string) => `bench-${process.pid}-${label}-${++runCounter}`;

export async function warmUp(system: SystemUnderTest, orders: number, concurrency: number): Promise<void> {
  const load = await runLoad({ url: system.base, orders, mode: 'closed', concurrency, tag: tag('warmup') });
  await waitForExports(system, load.lastOkAt);
}

/**
 * Closed loop: `runs` runs of `orders` at `concurrency`. With `yardstick` (its base URL), each run is paired
 * with a yardstick run just before it, so the service's share of the empty server compares runs made under
 * the same conditions (this machine's speed drifts by tens of % over minutes); the median is then by share.
 */
export async function throughput(
  system: SystemUnderTest,
  orders: number,
  concurrency: number,
  runs: number,
  yardstick: string | null = null,
): Promise<ThroughputResult> {
  const results: MeasuredRun[] = [];
  for (let run = 0; run < runs; run++) {
    const before = yardstick
      ? await runLoad({ url: yardstick, orders, mode: 'closed', concurrency, tag: tag('cal') })
      : null;
    const spec: LoadSpec = {
      url: system.base,
      orders,
      mode: 'closed',
      concurrency,
      tag: tag(`c${concurrency}`),
    };
    const measured = await measuredRun(system, spec);
    if (before) {
      measured.yardstick = before;
      measured.sharePercent =
        Math.round((measured.load.ordersPerSecond / before.ordersPerSecond) * 1000) / 10;
    }
    results.push(measured);
  }
  const key = (r: MeasuredRun) => r.sharePercent ?? r.load.ordersPerSecond;
  return { concurrency, runs: results, median: medianRun(results, key) };
}

/** Open loop at a fixed rate for `seconds`: latency counted from each order's due time; median by p99. */
export async function openLoop(
  system: SystemUnderTest,
  rate: number,
  seconds: number,
  runs: number,
): Promise<OpenLoopResult> {
  const results: MeasuredRun[] = [];
  for (let run = 0; run < runs; run++) {
    const spec: LoadSpec = {
      url: system.base,
      orders: Math.round(rate * seconds),
      mode: 'open',
      concurrency: 512,
      rate,
      tag: tag('open'),
    };
    results.push(await measuredRun(system, spec));
  }
  return { rate, runs: results, median: medianRun(results, (r) => r.load.latencyMs.p99) };
}

/** `callers` orders all due at once, on their own connections; the median by wall time. */
export async function lunchRush(
  system: SystemUnderTest,
  callers: number,
  slowestMockMs: number,
  runs: number,
): Promise<RushResult> {
  const results: MeasuredRun[] = [];
  for (let run = 0; run < runs; run++) {
    const spec: LoadSpec = {
      url: system.base,
      orders: callers,
      mode: 'burst',
      concurrency: callers,
      tag: tag('rush'),
    };
    results.push(await measuredRun(system, spec));
  }
  return { callers, slowestMockMs, runs: results, median: medianRun(results, (r) => r.load.wallMs) };
}

interface RebuildView {
  rows: number;
  ms: number;
}

/** A day of `orders` orders: the export lag after them, then `runs` full rebuilds of that day's workbook. */
export async function exportCost(
  system: SystemUnderTest,
  orders: number,
  runs: number,
): Promise<ExportCostResult> {
  const load = await runLoad({
    url: system.base,
    orders,
    mode: 'closed',
    concurrency: 64,
    tag: tag('export'),
  });
  const exportLagMs = await waitForExports(system, load.lastOkAt);
  const rebuilds: RebuildView[] = [];
  for (let run = 0; run < runs; run++) {
    const res = await fetch(`${system.base}/api/reports/${today()}/rebuild`, { method: 'POST' });
    if (res.status !== 200) throw new Error(`rebuild answered ${res.status}: ${await res.text()}`);
    const view = (await res.json()) as RebuildView;
    rebuilds.push({ rows: view.rows, ms: view.ms });
  }
  const medianRebuildMs = median(rebuilds.map((r) => r.ms));
  const rows = rebuilds[0]?.rows ?? orders;
  return {
    orders: rows,
    exportLagMs,
    rebuilds,
    medianRebuildMs,
    usPerOrder: Math.round((medianRebuildMs * 1000) / Math.max(1, rows)),
  };
}

const REFERENCE_EMPTY_ORDERS_PER_SECOND = 21_762;

/** Warms the yardstick server up (JIT) before its measured runs. */
export async function warmUpYardstick(base: string, orders: number): Promise<void> {
  await runLoad({
    url: base,
    orders: Math.min(orders, 5_000),
    mode: 'closed',
    concurrency: 64,
    tag: tag('cal'),
  });
}

/** The yardstick server at concurrency 64: how fast this machine is now, relative to the reference's. */
export async function calibrate(base: string, orders: number, runs: number): Promise<CalibrationResult> {
  await warmUpYardstick(base, orders);
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const load = await runLoad({ url: base, orders, mode: 'closed', concurrency: 64, tag: tag('cal') });
    rates.push(load.ordersPerSecond);
  }
  return calibrationOf(rates);
}

/** The calibration figures from yardstick runs (made alone, or paired with the service's runs). */
export function calibrationOf(rates: number[]): CalibrationResult {
  const medianOrdersPerSecond = median(rates);
  return {
    referenceOrdersPerSecond: REFERENCE_EMPTY_ORDERS_PER_SECOND,
    runs: rates,
    medianOrdersPerSecond,
    slowdown: Math.round((REFERENCE_EMPTY_ORDERS_PER_SECOND / medianOrdersPerSecond) * 10) / 10,
  };
}

/** The same order write straight through the driver, after the system stopped (PGlite allows one owner). */
export async function ceiling(
  system: SystemUnderTest,
  orders: number,
  concurrency: number,
  runs: number,
): Promise<CeilingResult[]> {
  const db = await openBenchDatabase(system.databaseUrl, `${system.dataDir}/pglite`);
  try {
    const results: CeilingResult[] = [];
    for (let run = 0; run < runs; run++) results.push(await measureCeiling(db, orders, concurrency));
    return results;
  } finally {
    await db.close();
  }
}

export function peakRss(system: SystemUnderTest): PeakRss {
  return { apiMb: peakRssMb(system.apiPid), workerMb: system.workerPid ? peakRssMb(system.workerPid) : null };
}

/** Every accepted order stored once, and the real verify CLI on the day's workbook. */
export async function account(system: SystemUnderTest, accepted: number): Promise<Accounting> {
  const ledger = (await (await fetch(`${system.base}/api/reports/${today()}`)).json()) as { count: number };
  const verify = await runVerify(system);
  return { accepted, stored: ledger.count, verifyExitCode: verify.code, verifyOutput: verify.output };
}

function runVerify(system: SystemUnderTest): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/verify.ts', '--date', today(), '--url', system.base],
      {
        cwd: PROJECT_ROOT,
        // Not the service's NODE_OPTIONS (--node-options): a heap cap for the API is none for verify.
        env: { PATH: process.env.PATH ?? '', ...system.env, NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output: output.slice(-4000) }));
  });
}

export const today = () => businessDateOf(new Date(), TIMEZONE);
