// The benchmark's results and their Markdown summary, with each target met or missed by how much.
import type { CeilingResult } from './ceiling.js';
import type { Machine } from './proc-stats.js';
import { type ProfileSummary, renderProfile } from './profile-summary.js';
import type {
  Accounting,
  CalibrationResult,
  ExportCostResult,
  MeasuredRun,
  OpenLoopResult,
  PeakRss,
  RushResult,
  ThroughputResult,
} from './scenarios.js';

export interface BenchResults {
  startedAt: string;
  machine: Machine;
  setup: {
    database: string;
    queue: string;
    worker: string;
    /** NODE_OPTIONS given to the API and worker (--node-options). */
    nodeOptions?: string;
    orders: number;
    runs: number;
  };
  calibration: CalibrationResult | null;
  throughput: ThroughputResult[];
  openLoop: OpenLoopResult | null;
  rush: RushResult | null;
  exportCost: ExportCostResult | null;
  ceiling: { concurrency: number; runs: CeilingResult[]; medianOrdersPerSecond: number }[];
  accounting: (Accounting & { scenario: string })[];
  peakRss: (PeakRss & { scenario: string })[];
  /** CPU profiles of the API and worker, with --profile. */
  profiles: ProfileSummary[];
}

/**
 * Targets of issue 15, as shares of the yardstick (the empty Fastify server) measured in the same run, so
 * they hold on a machine of any speed. Which apply depends on the setup benchmarked.
 */
export const TARGETS = {
  /** PostgreSQL + Redis, the worker as its own process. */
  standaloneSharePercent: 30,
  /** p99 at concurrency 64 at most this many times the yardstick's p50. */
  p99OverYardstickP50: 25,
  /** PostgreSQL + Redis, the worker in the API process (`npm start` with both URLs). */
  inProcessSharePercent: 20,
  /** Embedded PGlite, in-process queue and worker. */
  embeddedSharePercent: 10,
  embeddedOpenLoopP99Ms: 1_000,
  embeddedRssMb: 400,
  embeddedRssAfterOrders: 20_000,
  apiRssMb: 250,
  workerRssMb: 200,
};

const n = (value: number) => value.toLocaleString('en-US');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

function cpuCells(run: MeasuredRun): string {
  const c = run.cpuPerOrderUs;
  return ['api', 'worker', 'postgres', 'redis', 'loadgen']
    .map((k) => (c[k] ? String(c[k]) : '–'))
    .join(' / ');
}

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`# Benchmark ${r.startedAt}`, '');
  out.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GiB, Node ${m.node}, ${m.platform}. ` +
      `Database: ${r.setup.database}; queue: ${r.setup.queue}; export worker: ${r.setup.worker}. ` +
      (r.setup.nodeOptions ? `NODE_OPTIONS: \`${r.setup.nodeOptions}\`. ` : '') +
      `Every figure is the median of ${r.setup.runs} runs (the run itself, not an average).`,
    '',
  );

  if (r.calibration) {
    const c = r.calibration;
    out.push(
      '## This machine today',
      '',
      `The yardstick (Fastify validating the order body and answering 201, no I/O; the reference's "Empty" ` +
        `variant) ran at **${n(c.medianOrdersPerSecond)} requests/s** (${c.runs.map(n).join(', ')}) against ` +
        `${n(c.referenceOrdersPerSecond)} on the machine of ../shared/reference/hot-path.md: this machine is ` +
        `**${c.slowdown}×** slower today. The targets below were set on the reference machine.`,
      '',
    );
  }

  if (r.throughput.length > 0) {
    out.push(`## Throughput (closed loop, ${n(r.setup.orders)} orders per run, zero-latency mocks)`, '');
    out.push(
      row([
        'concurrency',
        'orders/s (runs)',
        'empty server /s, p50 ms',
        'share of it (runs)',
        'p50 ms',
        'p99 ms',
        'max ms',
        'export lag ms',
        'CPU µs/order api / worker / postgres / redis / load gen',
        'busy %',
      ]),
      row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---']),
    );
    for (const t of r.throughput) {
      const y = t.median.yardstick;
      const l = t.median.load;
      out.push(
        row([
          t.concurrency,
          `**${n(l.ordersPerSecond)}** (${t.runs.map((x) => n(x.load.ordersPerSecond)).join(', ')})`,
          y ? `${n(y.ordersPerSecond)}, ${y.latencyMs.p50}` : '–',
          t.median.sharePercent !== undefined
            ? `**${t.median.sharePercent} %** (${t.runs.map((x) => x.sharePercent).join(', ')})`
            : '–',
          l.latencyMs.p50,
          l.latencyMs.p99,
          l.latencyMs.max,
          n(t.median.exportLagMs),
          cpuCells(t.median),
          t.median.busyPercent,
        ]),
      );
    }
    out.push('');
  }

  if (r.openLoop) {
    const l = r.openLoop.median.load;
    out.push(
      `## Latency at a fixed arrival rate (open loop, ${n(r.openLoop.rate)} orders/s)`,
      '',
      'Latency counts from the moment each order was due, so queueing inside a slow service shows.',
      '',
      row([
        'orders',
        'achieved orders/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'p99.9 ms',
        'max ms',
        'p99 of the runs',
      ]),
      row(['---', '---', '---', '---', '---', '---', '---', '---']),
      row([
        n(l.spec.orders),
        n(l.ordersPerSecond),
        l.latencyMs.p50,
        l.latencyMs.p90,
        l.latencyMs.p99,
        l.latencyMs.p999,
        l.latencyMs.max,
        r.openLoop.runs.map((x) => x.load.latencyMs.p99).join(', '),
      ]),
      '',
    );
  }

  if (r.rush) {
    const l = r.rush.median.load;
    out.push(
      `## Lunch rush (${n(r.rush.callers)} simultaneous callers; payment 200–800 ms, geocoding 50–300 ms)`,
      '',
      row(['wall ms (runs)', 'p50 ms', 'p99 ms', 'max ms', 'answered 2xx', 'export lag ms']),
      row(['---', '---', '---', '---', '---', '---']),
      row([
        `**${n(l.wallMs)}** (${r.rush.runs.map((x) => n(x.load.wallMs)).join(', ')})`,
        l.latencyMs.p50,
        l.latencyMs.p99,
        l.latencyMs.max,
        `${n(l.ok)} of ${n(l.spec.orders)}`,
        n(r.rush.median.exportLagMs),
      ]),
      '',
    );
  }

  if (r.exportCost) {
    const e = r.exportCost;
    out.push(
      `## Export (a day of ${n(e.orders)} orders)`,
      '',
      `Export lag after the day's last order: **${n(e.exportLagMs)} ms**. Rebuilding the whole day's workbook: ` +
        `${e.rebuilds.map((b) => `${n(b.ms)} ms`).join(', ')} → **${n(e.usPerOrder)} µs per order**.`,
      '',
    );
  }

  if (r.ceiling.length > 0) {
    out.push(
      '## Database ceiling (the same order write straight through the driver)',
      '',
      row(['concurrency', 'orders/s (runs)', 'p99 ms', 'service as a share of it']),
      row(['---', '---', '---', '---']),
    );
    for (const c of r.ceiling) {
      const service = r.throughput.find((t) => t.concurrency === c.concurrency)?.median.load.ordersPerSecond;
      const p99 = c.runs.find((x) => x.ordersPerSecond === c.medianOrdersPerSecond)?.latencyMs.p99 ?? '–';
      out.push(
        row([
          c.concurrency,
          `**${n(c.medianOrdersPerSecond)}** (${c.runs.map((x) => n(x.ordersPerSecond)).join(', ')})`,
          p99,
          service ? `${Math.round((service / c.medianOrdersPerSecond) * 100)} %` : '–',
        ]),
      );
    }
    out.push('');
  }

  if (r.peakRss.length > 0) {
    out.push('## Peak memory (RSS)', '');
    for (const p of r.peakRss) {
      out.push(`- ${p.scenario}: API ${p.apiMb} MB${p.workerMb !== null ? `, worker ${p.workerMb} MB` : ''}`);
    }
    out.push('');
  }

  if (r.profiles.length > 0) {
    out.push('## CPU profiles (self time, share of the busy main thread)', '');
    for (const p of r.profiles) out.push(renderProfile(p));
    out.push('');
  }

  out.push('## Nothing lost, nothing duplicated', '');
  for (const a of r.accounting) {
    const ok = a.accepted === a.stored && a.verifyExitCode === 0;
    out.push(
      `- ${a.scenario}: ${n(a.accepted)} orders accepted (2xx), ${n(a.stored)} confirmed orders stored; ` +
        `npm run verify ${a.verifyExitCode === 0 ? 'passed' : `**failed** (exit ${String(a.verifyExitCode)})`}` +
        (ok ? '' : ' — **MISMATCH**'),
    );
  }
  out.push('', '## Targets', '', ...targetLines(r), '');
  return `${out.join('\n')}\n`;
}

interface TargetRow {
  target: string;
  measured: string;
  met: boolean;
}

/** The issue's targets that apply to this run's setup, each with what was measured and its verdict. */
export function targetRows(r: BenchResults): TargetRow[] {
  const rows: TargetRow[] = [];
  const embedded = r.setup.database !== 'postgres';
  const standalone = r.setup.worker === 'standalone process';
  const at64 = r.throughput.find((t) => t.concurrency === 64)?.median;
  const share = at64?.sharePercent;
  if (at64 && share !== undefined) {
    const goal = embedded
      ? TARGETS.embeddedSharePercent
      : standalone
        ? TARGETS.standaloneSharePercent
        : TARGETS.inProcessSharePercent;
    const pairs = r.throughput.find((t) => t.concurrency === 64)?.runs ?? [];
    rows.push({
      target: `≥ ${goal} % of the empty server at concurrency 64 (same run)`,
      measured:
        `${share} % (${n(at64.load.ordersPerSecond)} vs ${n(at64.yardstick?.ordersPerSecond ?? 0)}/s; ` +
        `runs ${pairs.map((p) => `${p.sharePercent} %`).join(', ')})`,
      met: share >= goal,
    });
    if (standalone) {
      const p50 = at64.yardstick?.latencyMs.p50 ?? 0;
      const limit = Math.round(p50 * TARGETS.p99OverYardstickP50 * 10) / 10;
      rows.push({
        target: `p99 ≤ ${TARGETS.p99OverYardstickP50} × the empty server's p50 at concurrency 64`,
        measured: `${at64.load.latencyMs.p99} ms (limit ${limit} ms = ${TARGETS.p99OverYardstickP50} × ${p50} ms)`,
        met: at64.load.latencyMs.p99 <= limit,
      });
    }
  }
  if (embedded && r.openLoop) {
    const p99 = r.openLoop.median.load.latencyMs.p99;
    rows.push({
      target: `open-loop p99 < ${n(TARGETS.embeddedOpenLoopP99Ms)} ms at 70 % of capacity`,
      measured: `${n(p99)} ms at ${n(r.openLoop.rate)}/s (runs ${r.openLoop.runs.map((x) => n(x.load.latencyMs.p99)).join(', ')} ms)`,
      met: p99 < TARGETS.embeddedOpenLoopP99Ms,
    });
  }
  const throughputRss = r.peakRss.find((p) => p.scenario === 'throughput');
  const accepted = r.accounting.find((a) => a.scenario === 'throughput')?.accepted ?? 0;
  if (throughputRss && embedded) {
    rows.push({
      target: `peak RSS < ${TARGETS.embeddedRssMb} MB after ${n(TARGETS.embeddedRssAfterOrders)} orders`,
      measured: `${throughputRss.apiMb} MB after ${n(accepted)} orders`,
      met: throughputRss.apiMb < TARGETS.embeddedRssMb && accepted >= TARGETS.embeddedRssAfterOrders,
    });
  }
  if (throughputRss && !embedded && standalone) {
    rows.push({
      target: `API peak RSS < ${TARGETS.apiRssMb} MB (throughput runs)`,
      measured: `${throughputRss.apiMb} MB after ${n(accepted)} orders`,
      met: throughputRss.apiMb < TARGETS.apiRssMb,
    });
    if (throughputRss.workerMb !== null) {
      rows.push({
        target: `worker peak RSS < ${TARGETS.workerRssMb} MB`,
        measured: `${throughputRss.workerMb} MB`,
        met: throughputRss.workerMb < TARGETS.workerRssMb,
      });
    }
  }
  const clean = r.accounting.every((a) => a.accepted === a.stored && a.verifyExitCode === 0);
  const accounted = r.accounting.reduce((sum, a) => sum + a.accepted, 0);
  rows.push({
    target: 'exactly once: every 2xx stored once, npm run verify passes',
    measured: `${n(accounted)} accepted, ${n(r.accounting.reduce((sum, a) => sum + a.stored, 0))} stored`,
    met: clean && r.accounting.length > 0,
  });
  return rows;
}

function targetLines(r: BenchResults): string[] {
  return [
    row(['target', 'measured', 'verdict']),
    row(['---', '---', '---']),
    ...targetRows(r).map((t) => row([t.target, t.measured, t.met ? 'met' : '**missed**'])),
  ];
}
