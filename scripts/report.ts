// npm run report -- --date YYYY-MM-DD [--url http://127.0.0.1:8001]
// Rebuilds a day's workbook from the database (through the running service when it holds the embedded one).
import { Command } from 'commander';
import { loadConfig } from '../src/config.js';
import { businessDateOf, isIsoDate } from '../src/shared/zoned-time.js';
import { callService, openDaySource } from './lib/day-source.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const options = new Command()
    .option('--date <date>', 'business day, YYYY-MM-DD (default: today in TIMEZONE)')
    .option(
      '--url <url>',
      'the running service, used when it holds the embedded database',
      `http://127.0.0.1:${config.http.port}`,
    )
    .parse()
    .opts<{ date?: string; url: string }>();
  const date = options.date ?? businessDateOf(new Date(), config.timeZone);
  if (!isIsoDate(date)) throw new Error(`--date must be a date like 2026-11-24, got "${date}"`);

  const source = await openDaySource(config, options.url.replace(/\/$/, ''));
  try {
    const result =
      source.kind === 'service'
        ? await callService<{ file: string; rows: number; ms: number }>(
            source.url,
            `/api/reports/${date}/rebuild`,
            'POST',
          )
        : await source.exporter.rebuildDay(date);
    console.log(`Rebuilt ${result.file}: ${result.rows} orders in ${result.ms} ms (from ${source.label}).`);
  } finally {
    await source.close();
  }
}

main().catch((error: unknown) => {
  console.error(`report: ${(error as Error).message}`);
  process.exit(1);
});
