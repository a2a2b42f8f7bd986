// The command line of `npm run simulate`, validated into SimulationOptions. Defaults that name the service
// (its port, the webhook secret, the dashboard token, the export folder) come from the same environment
// variables the service reads. They are read here directly rather than through loadConfig(): this is a
// client, possibly of a remote service, and must not refuse to start over the server-side settings
// loadConfig() insists on (e.g. Stripe keys when ENV_MODE=production).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SimulationOptions } from './types.js';

const DEFAULT_PORT = 8001;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): SimulationOptions {
  const port = env.PORT?.trim() || String(DEFAULT_PORT);
  const program = new Command('simulate')
    .description('A lunch rush against the service: direct and Vapi orders at once, then a verification.')
    .option('--orders <n>', 'orders to place', integer('--orders', 1, 100_000), 50)
    .addOption(new Option('--direct', 'only direct orders (POST /api/orders)').conflicts('vapi'))
    .addOption(
      new Option('--vapi', 'only voice orders (POST /webhook/vapi, place_order)').conflicts('direct'),
    )
    .option('--concurrency <n>', 'requests in flight at once', integer('--concurrency', 1, 1000), 10)
    .option('--skip-tests', 'skip the pre-flight checks')
    .option('--duplicates <share>', 'share of requests re-sent with the same key, 0..1', share, 0)
    .option('--url <url>', 'the service', url, `http://127.0.0.1:${port}`)
    .option('--vapi-secret <secret>', 'X-Vapi-Secret for the webhook (default: env VAPI_WEBHOOK_SECRET)')
    .option('--token <token>', 'Bearer token for order reads (default: env DASHBOARD_TOKEN)')
    .option('--seed <seed>', 'seed of the random payloads, to replay a run (default: random)')
    .option('--json <file>', 'also write the results as JSON to this file')
    .option(
      '--verify-timeout <seconds>',
      'how long to wait for the exports',
      positive('--verify-timeout'),
      60,
    )
    .option('--export-dir <dir>', "the server's EXPORT_DIR, to read workbooks from (default: env EXPORT_DIR)")
    .exitOverride()
    .parse(argv, { from: 'user' });
  const o = program.opts<{
    orders: number;
    direct?: boolean;
    vapi?: boolean;
    concurrency: number;
    skipTests?: boolean;
    duplicates: number;
    url: string;
    vapiSecret?: string;
    token?: string;
    seed?: string;
    json?: string;
    verifyTimeout: number;
    exportDir?: string;
  }>();
  // VAPI_WEBHOOK_SECRET may list two secrets while rotating; the first is the current one.
  const envSecret = env.VAPI_WEBHOOK_SECRET?.split(',')[0]?.trim() || null;
  const exportDir = o.exportDir ?? (env.EXPORT_DIR?.trim() || null);
  return {
    orders: o.orders,
    channels: o.direct ? 'direct' : o.vapi ? 'vapi' : 'mixed',
    concurrency: o.concurrency,
    skipTests: o.skipTests === true,
    duplicates: o.duplicates,
    url: o.url.replace(/\/+$/, ''),
    vapiSecret: o.vapiSecret ?? envSecret,
    token: o.token ?? (env.DASHBOARD_TOKEN?.trim() || null),
    seed: o.seed ?? randomBytes(4).toString('hex'),
    json: o.json ?? null,
    verifyTimeoutSeconds: o.verifyTimeout,
    exportDir: exportDir === null ? null : path.resolve(exportDir),
  };
}

function integer(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

function positive(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

function share(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError('a share from 0 to 1 is expected, e.g. 0.2 for 20%.');
  }
  return n;
}

function url(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value;
  } catch {
    // fall through to the message
  }
  throw new InvalidArgumentError('an http(s) URL is expected, e.g. http://127.0.0.1:8001.');
}
