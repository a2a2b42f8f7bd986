// What `npm start` prints in development (LOG_FORMAT=pretty) instead of the JSON start line: where to click,
// what the process runs on, and the first order to place. Built from configuration and the container's choices;
// it names hosts and folders, never a password, token or key.
import type { AppConfig } from './config.js';
import { SEED_EXAMPLE_ORDER } from './modules/orders/orders.schemas.js';

export interface StartupFacts {
  config: AppConfig;
  version: string;
  database: 'pglite' | 'postgres';
  queue: 'embedded' | 'bullmq';
  payment: string;
  geo: string;
  sms: string;
}

/**
 * The base URL a person on this machine opens: a wildcard bind address (0.0.0.0, ::) is reached as localhost,
 * any other host as itself.
 */
export function localBaseUrl(host: string, port: number): string {
  const wildcard = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
  const shown = wildcard ? 'localhost' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** host[:port]/path of a server URL, without its user or password; null when it is no URL. */
function serverOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return null;
  }
}

function describeDatabase(facts: StartupFacts): string {
  const { url, pgliteDir } = facts.config.database;
  if (facts.database === 'pglite' || url === null) return `embedded PGlite in ${pgliteDir ?? 'memory'}`;
  return `PostgreSQL at ${serverOf(url) ?? '(DATABASE_URL)'}`;
}

function describeQueue(facts: StartupFacts): string {
  const where =
    facts.queue === 'bullmq' && facts.config.redisUrl
      ? `Redis at ${serverOf(facts.config.redisUrl) ?? '(REDIS_URL)'}`
      : 'embedded (in this process)';
  const worker = facts.config.exports.inProcess
    ? 'export worker in this process'
    : 'no export worker here: run npm run worker';
  return `${where}, ${worker}`;
}

export function startupBanner(facts: StartupFacts): string {
  const { config } = facts;
  const base = localBaseUrl(config.http.host, config.http.port);
  const curl =
    `curl -X POST ${base}/api/orders -H 'Content-Type: application/json' ` +
    `-d '${JSON.stringify(SEED_EXAMPLE_ORDER)}'`;
  const rows: Array<[string, string]> = [
    ['Dashboard', `${base}/dashboard`],
    ['API docs', `${base}/docs`],
    ['Health', `${base}/health`],
    ['Database', describeDatabase(facts)],
    ['Queue', describeQueue(facts)],
    ['Workbooks', `${config.exportDir}/orders-YYYY-MM-DD.xlsx`],
    [
      'Services',
      `payment ${facts.payment}, addresses ${facts.geo}, texts ${facts.sms}, ` +
        `payment links ${config.paymentLinks ? 'on' : 'off'}`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    '',
    `${config.restaurant.name} is taking orders (${config.envMode}, v${facts.version})`,
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    '  Place the first order:',
    `  ${curl}`,
    '',
    '  Logs follow (LOG_FORMAT=json for JSON lines, LOG_LEVEL=debug or DEBUG=true for more). Ctrl-C stops.',
    '',
  ].join('\n');
}
