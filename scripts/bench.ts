// npm run bench [-- --orders 20000 --runs 3 --concurrency 64,256 --only throughput,rush,export,ceiling]
// Starts the system itself (embedded by default; on PostgreSQL / Redis when DATABASE_URL / REDIS_URL are
// set, with the worker as its own process) and measures throughput, a lunch rush, the export lag and cost,
// and the database's own ceiling. Writes bench-results/bench-<time>.json and .md, and prints the Markdown.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { PROJECT_ROOT } from '../src/shared/paths.js';
import type { CeilingResult } from './bench/ceiling.js';
import { describeMachine } from './bench/proc-stats.js';
import { type BenchResults, renderMarkdown } from './bench/report.js';
import {
  account,
  calibrate,
  calibrationOf,
  ceiling,
  exportCost,
  lunchRush,
  openLoop,
  peakRss,
  throughput,
  warmUp,
  warmUpYardstick,
} from './bench/scenarios.js';
import { summarizeProfile } from './bench/profile-summary.js';
import { median } from './bench/stats.js';
import { type SystemUnderTest, startSystem, startYardstick } from './bench/system.js';

const SCENARIOS = ['calibration', 'throughput', 'rush', 'export', 'ceiling'] as const;
/** The lunch rush's mock latencies (DESIGN: realistic provider latency). */
const RUSH_PAYMENT_MS = '200-800';
const RUSH_GEO_MS = '50-300';
const RUSH_SLOWEST_MS = 800 + 300;

const options = new Command()
  .option('--orders <n>', 'orders per throughput run', '20000')
  .option('--warmup <n>', 'warm-up orders before the throughput runs', '2000')
  .option('--runs <n>', 'runs per measurement (the median is reported)', '3')
  .option('--concurrency <list>', 'closed-loop concurrencies', '64,256')
  .option('--rush <n>', 'simultaneous callers in the lunch rush', '1000')
  .option('--export-orders <n>', 'orders in the day whose workbook export is costed', '10000')
  .option('--open-seconds <n>', 'length of each open-loop latency run', '10')
  .option('--only <list>', `scenarios to run: ${SCENARIOS.join(',')}`, SCENARIOS.join(','))
  .option('--out <dir>', 'where results are written', 'bench-results')
  .option(
    '--worker <where>',
    'standalone (its own process; the default with both URLs) or in-process (npm start with both URLs)',
  )
  .option('--node-options <flags>', 'NODE_OPTIONS for the API and worker (e.g. --max-old-space-size=160)')
  .option('--profile', 'CPU-profile the API and worker (node --cpu-prof); summaries in the report')
  .parse()
  .opts<Record<string, string | boolean>>();

const int = (name: string) => {
  const value = Number(options[name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const orders = int('orders');
const runs = int('runs');
const text = (name: string) => String(options[name] ?? '');
const concurrencies = text('concurrency').split(',').map(Number);
const only = new Set(text('only').split(','));
const startedAt = new Date().toISOString();
const stamp = startedAt.replace(/[:.]/g, '-');
const outDir = path.resolve(PROJECT_ROOT, text('out') || 'bench-results');
const profileDir = options.profile ? path.join(outDir, `profiles-${stamp}`) : null;
const databaseUrl = process.env.DATABASE_URL || null;
const redisUrl = process.env.REDIS_URL || null;
const workerOption = text('worker') || 'standalone';
if (!['standalone', 'in-process'].includes(workerOption)) {
  throw new Error('--worker must be standalone or in-process');
}
const separateWorker = workerOption === 'standalone' && databaseUrl !== null && redisUrl !== null;

const log = (message: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

const nodeOptions = text('node-options');
/** When the last system started and its first measured run began: profiles leave out what came before. */
let systemStartedAt = 0;
let measuredFrom = 0;

async function withSystem<T>(
  label: string,
  scenarioEnv: Record<string, string>,
  work: (system: SystemUnderTest) => Promise<T>,
): Promise<T> {
  log(`starting the ${label} system`);
  systemStartedAt = Date.now();
  const env = nodeOptions ? { ...scenarioEnv, NODE_OPTIONS: nodeOptions } : scenarioEnv;
  const system = await startSystem({ databaseUrl, redisUrl, separateWorker, env, label, profileDir });
  try {
    return await work(system);
  } finally {
    await system.remove();
  }
}

const results: BenchResults = {
  startedAt,
  machine: describeMachine(),
  setup: {
    database: databaseUrl ? 'postgres' : 'pglite (embedded)',
    queue: redisUrl ? 'bullmq (redis)' : 'embedded',
    worker: separateWorker ? 'standalone process' : 'in the API process',
    ...(nodeOptions ? { nodeOptions } : {}),
    orders,
    runs,
  },
  calibration: null,
  throughput: [],
  openLoop: null,
  rush: null,
  exportCost: null,
  ceiling: [],
  accounting: [],
  peakRss: [],
  profiles: [],
};

// The yardstick stays up while the throughput runs: each run is paired with one of its runs, just before.
const yardstick = only.has('calibration') ? await startYardstick() : null;
const pairRuns = yardstick !== null && only.has('throughput');
if (yardstick && !pairRuns) {
  log(
    `calibration: the yardstick server (validate and answer, no I/O), ${runs} x ${orders} at concurrency 64`,
  );
  try {
    results.calibration = await calibrate(yardstick.base, orders, runs);
  } finally {
    await yardstick.stop();
  }
  log(`  ${results.calibration.runs.join(', ')} requests/s`);
} else if (yardstick) {
  log('calibration: warming the yardstick server up; its runs alternate with the service runs');
  await warmUpYardstick(yardstick.base, orders);
}

if (only.has('throughput') || only.has('ceiling')) {
  await withSystem('throughput', {}, async (system) => {
    try {
      await throughputScenarios(system);
    } finally {
      if (pairRuns) await yardstick.stop();
    }
  });
}

async function throughputScenarios(system: SystemUnderTest): Promise<void> {
  let accepted = 0;
  if (only.has('throughput')) {
    for (const concurrency of concurrencies) {
      log(`warm-up: ${int('warmup')} orders at concurrency ${concurrency}`);
      await warmUp(system, int('warmup'), concurrency);
      accepted += int('warmup');
      log(`throughput: ${runs} x ${orders} orders at concurrency ${concurrency}`);
      measuredFrom ||= Date.now();
      const result = await throughput(system, orders, concurrency, runs, pairRuns ? yardstick.base : null);
      accepted += result.runs.reduce((n, r) => n + r.load.ok, 0);
      results.throughput.push(result);
      log(`  ${result.runs.map((r) => r.load.ordersPerSecond).join(', ')} orders/s`);
      if (pairRuns) {
        log(`  yardstick: ${result.runs.map((r) => r.yardstick?.ordersPerSecond).join(', ')} requests/s`);
        log(`  share: ${result.runs.map((r) => r.sharePercent).join(', ')} %`);
      }
    }
    const paired = results.throughput[0]?.runs.map((r) => r.yardstick?.ordersPerSecond ?? 0) ?? [];
    if (pairRuns) results.calibration = calibrationOf(paired);
    const first = results.throughput[0];
    if (first) {
      const rate = Math.max(50, Math.round(first.median.load.ordersPerSecond * 0.7));
      log(`open loop: ${rate} orders/s (70% of the median at concurrency ${first.concurrency})`);
      results.openLoop = await openLoop(system, rate, int('open-seconds'), runs);
      accepted += results.openLoop.runs.reduce((n, r) => n + r.load.ok, 0);
    }
    results.accounting.push({ scenario: 'throughput', ...(await account(system, accepted)) });
    results.peakRss.push({ scenario: 'throughput', ...peakRss(system) });
  }
  if (only.has('ceiling')) {
    await system.stop();
    for (const concurrency of concurrencies) {
      log(`database ceiling: ${runs} x ${orders} order writes at concurrency ${concurrency}`);
      const measured: CeilingResult[] = await ceiling(system, orders, concurrency, runs);
      results.ceiling.push({
        concurrency,
        runs: measured,
        medianOrdersPerSecond: median(measured.map((m) => m.ordersPerSecond)),
      });
    }
  }
}

if (only.has('rush')) {
  const env = { MOCK_PAYMENT_LATENCY_MS: RUSH_PAYMENT_MS, MOCK_GEO_LATENCY_MS: RUSH_GEO_MS };
  await withSystem('rush', env, async (system) => {
    log(`lunch rush: ${runs} x ${int('rush')} simultaneous callers`);
    results.rush = await lunchRush(system, int('rush'), RUSH_SLOWEST_MS, runs);
    const accepted = results.rush.runs.reduce((n, r) => n + r.load.ok, 0);
    results.accounting.push({ scenario: 'rush', ...(await account(system, accepted)) });
    results.peakRss.push({ scenario: 'rush', ...peakRss(system) });
  });
}

if (only.has('export')) {
  await withSystem('export', {}, async (system) => {
    log(`export: a day of ${int('export-orders')} orders, then ${runs} rebuilds of its workbook`);
    results.exportCost = await exportCost(system, int('export-orders'), runs);
    results.accounting.push({ scenario: 'export', ...(await account(system, int('export-orders'))) });
  });
}

if (profileDir) {
  // Per process, the main thread's profile: the busiest of the folder's (the others are tsx's loader).
  for (const processDir of (await fs.readdir(profileDir).catch(() => [])).sort()) {
    const dir = path.join(profileDir, processDir);
    const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
    const skipMs = Math.max(0, measuredFrom - systemStartedAt);
    const summaries = await Promise.all(files.map((f) => summarizeProfile(path.join(dir, f), 15, skipMs)));
    const main = summaries.sort((a, b) => b.busyPercent - a.busyPercent)[0];
    if (main) results.profiles.push(main);
  }
}

const markdown = renderMarkdown(results);
await fs.mkdir(outDir, { recursive: true });
await fs.writeFile(path.join(outDir, `bench-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
await fs.writeFile(path.join(outDir, `bench-${stamp}.md`), markdown);
process.stdout.write(markdown);
log(`results: ${path.join(outDir, `bench-${stamp}.{json,md}`)}`);
const lost = results.accounting.some((a) => a.verifyExitCode !== 0 || a.accepted !== a.stored);
process.exitCode = lost ? 1 : 0;
