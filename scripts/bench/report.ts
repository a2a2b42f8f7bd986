// The benchmark's results and their Markdown summary, with each target met or missed by how much.
import type { CeilingResult } from './ceiling.js';
import type { Machine } from './proc-stats.js';
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
  setup: { database: string; queue: string; worker: string; orders: number; runs: number };
  calibration: CalibrationResult | null;
  throughput: ThroughputResult[];
  openLoop: OpenLoopResult | null;
  rush: RushResult | null;
  exportCost: ExportCostResult | null;
  ceiling: { concurrency: number; runs: CeilingResult[]; medianOrdersPerSecond: number }[];
  accounting: (Accounting & { scenario: string })[];
  peakRss: (PeakRss & { scenario: string })[];
}

/** Targets of issue 6, on the 2-core benchmark machine. */
export const TARGETS = {
  ordersPerSecond: 3_000,
  stretchOrdersPerSecond: 5_000,
  p99Ms: 50,
  rushMarginMs: 300,
  exportLagMs: 2_000,
  apiRssMb: 200,
};

const n = (value: number) => value.toLocaleString('en-US');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const verdict = (ok: boolean, detail: string) => (ok ? `met (${detail})` : `**missed** (${detail})`);

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
        'p50 ms',
        'p99 ms',
        'max ms',
        'export lag ms',
        'CPU µs/order api / worker / postgres / redis / load gen',
        'busy %',
      ]),
      row(['---', '---', '---', '---', '---', '---', '---', '---']),
    );
    for (const t of r.throughput) {
      const l = t.median.load;
      out.push(
        row([
          t.concurrency,
          `**${n(l.ordersPerSecond)}** (${t.runs.map((x) => n(x.load.ordersPerSecond)).join(', ')})`,
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

function targetLines(r: BenchResults): string[] {
  const lines: string[] = [];
  const at64 = r.throughput.find((t) => t.concurrency === 64)?.median;
  if (at64) {
    const rate = at64.load.ordersPerSecond;
    const p99 = at64.load.latencyMs.p99;
    lines.push(
      `- ≥ ${n(TARGETS.ordersPerSecond)} orders/s at concurrency 64: ` +
        verdict(
          rate >= TARGETS.ordersPerSecond,
          `${n(rate)}, ${Math.round((rate / TARGETS.ordersPerSecond) * 100)} % of it`,
        ),
      `- p99 < ${TARGETS.p99Ms} ms at concurrency 64: ` + verdict(p99 < TARGETS.p99Ms, `${p99} ms`),
      `- workbook complete within ${n(TARGETS.exportLagMs)} ms of the last order: ` +
        verdict(
          at64.exportLagMs <= TARGETS.exportLagMs,
          `${n(at64.exportLagMs)} ms after a ${n(r.setup.orders)}-order run`,
        ),
    );
  }
  if (r.rush) {
    const limit = r.rush.slowestMockMs + TARGETS.rushMarginMs;
    const wall = r.rush.median.load.wallMs;
    lines.push(
      `- lunch rush within the slowest mock latency + ${TARGETS.rushMarginMs} ms (${n(limit)} ms): ` +
        verdict(wall <= limit, `${n(wall)} ms wall, p99 ${r.rush.median.load.latencyMs.p99} ms`),
    );
  }
  for (const p of r.peakRss) {
    lines.push(
      `- API RSS < ${TARGETS.apiRssMb} MB (${p.scenario}): ` +
        verdict(p.apiMb < TARGETS.apiRssMb, `${p.apiMb} MB`),
    );
  }
  const clean = r.accounting.every((a) => a.accepted === a.stored && a.verifyExitCode === 0);
  lines.push(`- zero lost, zero duplicated: ${clean ? 'met' : '**missed**'}`);
  return lines;
}
