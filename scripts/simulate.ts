// npm run simulate -- [--orders 50] [--direct | --vapi] [--concurrency 10] [--skip-tests] [--duplicates 0.2]
//                     [--url http://127.0.0.1:8001] [--vapi-secret S] [--token T] [--seed S] [--json FILE]
//                     [--verify-timeout 60] [--export-dir DIR]
// The original system's chaos simulation: a lunch rush of direct API orders and Vapi voice orders at once,
// some requests re-sent to prove idempotency, the seed's report, then a verification that every confirmed
// order exists once on the server and once in its day's workbook.
// Exit 0: nothing lost or duplicated; 1: verification found a problem; 2: pre-flight failed or bad usage.
import { CommanderError } from 'commander';
import { createRandom } from '../src/shared/seeded-random.js';
import { ServiceClient } from './lib/simulate/http.js';
import { writeJsonReport } from './lib/simulate/json-output.js';
import { parseOptions } from './lib/simulate/options.js';
import { planOrders } from './lib/simulate/plan.js';
import { runPreflight } from './lib/simulate/preflight.js';
import { startProgress } from './lib/simulate/progress.js';
import * as report from './lib/simulate/report.js';
import { sendAll } from './lib/simulate/sender.js';
import { newestOrderId } from './lib/simulate/server-orders.js';
import { type Summary, summarise } from './lib/simulate/stats.js';
import type { OrderResult, SimulationOptions } from './lib/simulate/types.js';
import { type VerificationReport, verify } from './lib/simulate/verification.js';

async function main(argv: string[]): Promise<number> {
  let options: SimulationOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const startedAt = new Date();
  const client = new ServiceClient(options.url, options.token);
  const run = {
    options,
    startedAt,
    preflightOk: false,
    summary: null as Summary | null,
    results: [] as OrderResult[],
    verification: null as VerificationReport | null,
  };
  const finish = async (exitCode: number) => {
    if (options.json) await writeJsonReport(options.json, { ...run, exitCode });
    return exitCode;
  };

  report.printHeader(options, startedAt);
  if (!options.skipTests) report.printPreflightStart();
  const preflight = await runPreflight(
    client,
    { skip: options.skipTests, withVoice: options.channels !== 'direct', vapiSecret: options.vapiSecret },
    report.printCheck,
  );
  if (!preflight.ok || !preflight.menu) {
    console.log(`\n❌ Pre-flight failed against ${options.url}: nothing was fired.`);
    return finish(2);
  }
  run.preflightOk = true;

  const baseline = await newestOrderId(client);
  const plan = planOrders(options, preflight.menu, createRandom(`simulate:${options.seed}`));
  report.printFiring(options);
  const progress = startProgress(plan.length + plan.filter((p) => p.resend !== 'none').length);
  const firing = performance.now();
  run.results = await sendAll(client, plan, options.concurrency, progress.tick);
  progress.stop();
  run.summary = summarise(run.results, performance.now() - firing);
  report.printResults(run.summary);

  report.printVerificationStart();
  run.verification = await verify(
    client,
    {
      results: run.results,
      testOrderId: preflight.testOrderId,
      baseline,
      concurrency: options.concurrency,
      verifyTimeoutSeconds: options.verifyTimeoutSeconds,
      exportDir: options.exportDir,
    },
    report.printVerificationCheck,
  );
  const problems = run.verification.checks.reduce((n, c) => n + c.problems.length, 0);
  report.printVerdict(run.verification.ok, problems);
  return finish(run.verification.ok ? 0 : 1);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`simulate: ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
