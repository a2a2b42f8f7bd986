// The printed report, in the original simulate.py's layout (header, results, performance, failed order
// details) plus percentiles, failures by reason, the re-sends, and the verification.
import { formatDollars } from '../../../src/shared/money.js';
import type { CheckResult } from './check.js';
import type { Check } from './preflight.js';
import type { Summary } from './stats.js';
import type { SimulationOptions } from './types.js';

const LINE = '='.repeat(70);
const PROBLEMS_SHOWN = 10;
const FIRST_SHOWN = 5;
const MODE_NAMES = { mixed: 'both (direct + vapi)', direct: 'direct', vapi: 'vapi' } as const;
const FIRING = {
  mixed: 'Mixed orders (Direct + Vapi)',
  direct: 'Direct API orders',
  vapi: 'Vapi webhook orders',
};
const CHANNEL_NAMES = { direct: '📡 Direct API', vapi: '🎤 Vapi Webhook' } as const;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

export function printHeader(options: SimulationOptions, started: Date): void {
  console.log(LINE);
  console.log('🔥 CHAOS SIMULATION - HIGH CONCURRENCY TEST');
  console.log(LINE);
  console.log(`📋 Total Orders: ${options.orders}`);
  console.log(`🎯 Target: ${options.url}`);
  console.log(`🔧 Mode: ${MODE_NAMES[options.channels]}`);
  console.log(`⚡ Concurrency: ${options.concurrency}`);
  if (options.duplicates > 0) console.log(`🔁 Duplicates: ${Math.round(options.duplicates * 100)}% re-sent`);
  console.log(`🎲 Seed: ${options.seed}`);
  console.log(`⏰ Started: ${started.toTimeString().slice(0, 8)}`);
  console.log(LINE);
}

export function printPreflightStart(): void {
  console.log('\n🧪 Pre-flight checks:');
}

export function printCheck(check: Check): void {
  console.log(`   ${check.ok ? '✅' : '❌'} ${check.label}: ${check.detail}`);
}

export function printFiring(options: SimulationOptions): void {
  console.log(`\n🚀 Firing ${FIRING[options.channels]}...\n`);
}

export function printResults(summary: Summary): void {
  console.log(`\n${LINE}\n📊 SIMULATION RESULTS\n${LINE}\n`);
  console.log(`✅ Successful Orders: ${summary.confirmed}/${summary.orders}`);
  console.log(`❌ Failed Orders: ${summary.failed}/${summary.orders}`);
  console.log(`⏱️  Total Time: ${seconds(summary.totalMs)}\n`);
  for (const c of summary.channels)
    console.log(`${CHANNEL_NAMES[c.channel]}: ${c.confirmed}/${c.orders} successful`);
  if (summary.latency) {
    const l = summary.latency;
    console.log('\n📈 Performance Metrics:');
    console.log(`   Average Response: ${seconds(l.averageMs)}`);
    console.log(`   Fastest: ${seconds(l.fastestMs)}`);
    console.log(`   Slowest: ${seconds(l.slowestMs)}`);
    console.log(`   p50: ${seconds(l.p50Ms)}  p95: ${seconds(l.p95Ms)}  p99: ${seconds(l.p99Ms)}`);
    console.log(`   Throughput: ${(summary.orders / (summary.totalMs / 1000)).toFixed(1)} orders/s`);
  }
  console.log(`   💰 Total Revenue: ${formatDollars(summary.revenueCents)}`);
  if (summary.failures.length > 0) {
    console.log('\n📉 Failures by reason:');
    for (const f of summary.failures) {
      console.log(`   [${f.channel}] ${f.reason}: ${f.count}${f.expected ? '' : '  ⚠️ unexpected'}`);
    }
    console.log(`\n⚠️  Failed Order Details (showing first ${summary.firstFailures.length}):`);
    for (const f of summary.firstFailures) {
      console.log(
        `   Order #${f.number} [${f.channel}]: ${f.status || 'no answer'} ${f.reason} - ${f.message}`,
      );
    }
  }
  const d = summary.duplicates;
  if (d.resent > 0) {
    console.log(
      `\n🔁 Re-sent requests: ${d.resent} (${d.concurrent} alongside the original, ${d.after} after its answer)`,
    );
    console.log(
      `   Same answer as the original: ${d.sameAnswer}/${d.resent} (${d.replayed} marked Idempotent-Replayed)`,
    );
    for (const diff of d.differing.slice(0, FIRST_SHOWN)) {
      console.log(`   ⚠️  Order #${diff.number} [${diff.channel}] answered differently: ${diff.answers}`);
    }
    if (d.recovered > 0) {
      console.log(`   Confirmed on re-send after a dependency timeout freed the key: ${d.recovered}`);
    }
  }
  console.log(LINE);
}

export function printVerificationStart(): void {
  console.log(`\n${LINE}\n🔍 VERIFICATION\n${LINE}`);
}

export function printVerificationCheck(check: CheckResult): void {
  console.log(`${check.ok ? '✅' : '❌'} ${check.label}: ${check.detail}`);
  for (const problem of check.problems.slice(0, PROBLEMS_SHOWN)) console.log(`   - ${problem}`);
  if (check.problems.length > PROBLEMS_SHOWN) {
    console.log(`   - … and ${check.problems.length - PROBLEMS_SHOWN} more`);
  }
}

export function printVerdict(ok: boolean, problems: number): void {
  if (ok) {
    console.log(
      `\n${LINE}\n✅ VERIFICATION PASSED - every confirmed order exactly once, nothing lost or duplicated\n${LINE}`,
    );
  } else {
    console.log(
      `\n${LINE}\n❌ VERIFICATION FAILED (${problems} problem${problems === 1 ? '' : 's'})\n${LINE}`,
    );
  }
}
