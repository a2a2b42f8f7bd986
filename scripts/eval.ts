// npm run eval -- [name filter] [--concurrency 1] [--transcript]
// Conversation evals: every scripted call of evals/scenarios replayed through the webhook of the real app, each
// on a fresh database (embedded PGlite, or PostgreSQL when DATABASE_URL is set). Prints one row per scenario
// and the webhook's latency; exit 0 when every scenario passed, 1 when one failed, 2 on bad usage or scenarios.
import { performance } from 'node:perf_hooks';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { databaseSource } from '../evals/database-sources.js';
import { type ScenarioResult, runScenario } from '../evals/replay.js';
import { formatReport, formatTranscripts } from '../evals/report.js';
import { ScenarioDatabases } from '../evals/scenario-databases.js';
import { ScenarioError, loadScenarios } from '../evals/scenario-loader.js';
import type { Scenario } from '../evals/scenario.schema.js';

interface EvalArgs {
  filter: string;
  concurrency: number;
  transcript: boolean;
}

function parseArgs(argv: string[]): EvalArgs {
  const command = new Command('eval')
    .argument('[filter]', 'run only the scenarios whose name contains this', '')
    .option(
      '--concurrency <n>',
      'scenarios run at once (above 1 the latencies include waiting on each other)',
      (value) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 32)
          throw new InvalidArgumentError('a whole number from 1 to 32');
        return n;
      },
      1,
    )
    .option('--transcript', 'print every answer of every scenario before the table')
    .exitOverride();
  command.parse(argv, { from: 'user' });
  const options = command.opts<{ concurrency: number; transcript?: boolean }>();
  return {
    filter: String(command.processedArgs[0] ?? ''),
    concurrency: options.concurrency,
    transcript: options.transcript === true,
  };
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  let scenarios: Scenario[];
  try {
    scenarios = await loadScenarios(undefined, args.filter);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    console.error(`eval: ${error.message}`);
    return 2;
  }
  if (scenarios.length === 0) {
    console.error(`eval: no scenario name contains "${args.filter}"`);
    return 2;
  }
  const started = performance.now();
  const source = await databaseSource(process.env.DATABASE_URL || null);
  const databases = new ScenarioDatabases(source);
  let results: ScenarioResult[];
  try {
    results = await inPool(scenarios, args.concurrency, (s) => runScenario(s, databases));
  } finally {
    await databases.close();
    await source.close();
  }
  if (args.transcript) console.log(`${formatTranscripts(results)}\n`);
  console.log(formatReport(results, source.backend, performance.now() - started));
  return results.every((r) => r.passed) ? 0 : 1;
}

/** `work` over `items`, at most `limit` at once, results in the items' order. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`eval: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
