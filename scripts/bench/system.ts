// Starts the system under test as real processes, the way it is deployed: the API (dist/server.js, what
// `npm start` runs) and, with PostgreSQL and Redis, a standalone export worker (dist/worker.js, `npm run
// worker`), compiled from the current src/ first; otherwise the embedded database,
// embedded queue and in-process worker of `npm start`. Each system gets its own database (a fresh
// PostgreSQL database, or a fresh embedded data directory), export directory and queue name, and is torn
// down completely afterwards.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PROJECT_ROOT } from '../../src/shared/paths.js';
import { buildService } from '../build.js';

export interface SystemOptions {
  /** Server to create the benchmark's database on; null = the embedded database. */
  databaseUrl: string | null;
  /** null = the embedded queue and the in-process worker. */
  redisUrl: string | null;
  /** The export worker as its own process (dist/worker.js) beside the API; needs both URLs. */
  separateWorker: boolean;
  /** Extra environment for the API and worker (mock latencies ...). */
  env: Record<string, string>;
  label: string;
  /** Folder for `node --cpu-prof` profiles of the API and worker (written when they stop); null = none. */
  profileDir?: string | null;
}

export interface SystemUnderTest {
  base: string;
  apiPid: number;
  workerPid: number | null;
  /** The environment the processes got: verify and report CLIs use the same. */
  env: Record<string, string>;
  /** The benchmark database's URL, or the embedded data directory. */
  databaseUrl: string | null;
  dataDir: string;
  /** Stops the processes; keeps the database and files for remove(). */
  stop(): Promise<void>;
  remove(): Promise<void>;
}

export async function startSystem(options: SystemOptions): Promise<SystemUnderTest> {
  const stamp = `${process.pid}_${Date.now().toString(36)}`;
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), `phone-orders-bench-${options.label}-`));
  const databaseUrl = options.databaseUrl
    ? await createDatabase(options.databaseUrl, `bench_${stamp}`)
    : null;
  const queueName = `bench-${stamp}`;
  const port = await freePort();
  const startOptions = await compiledEntryPoints();
  const env: Record<string, string> = {
    PORT: String(port),
    DATA_DIR: path.join(scratch, 'data'),
    EXPORT_DIR: path.join(scratch, 'exports'),
    MOCK_PAYMENT_FAILURE_RATE: '0',
    MOCK_GEO_FAILURE_RATE: '0',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl, EXPORT_QUEUE_NAME: queueName } : {}),
    ...options.env,
  };
  // What `npm start` and `npm run worker` put before the caller's own NODE_OPTIONS (--node-options).
  const nodeOptions = [startOptions, options.env.NODE_OPTIONS ?? ''].join(' ').trim();
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  const separateWorker = options.separateWorker && databaseUrl !== null && options.redisUrl !== null;
  // One folder per process: every thread writes its own profile.
  const profile = (name: string) =>
    options.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.profileDir, `${options.label}-${name}`)}`]
      : [];
  const api = startNode('dist/server.js', { ...env, WORKER: separateWorker ? 'off' : 'on' }, profile('api'));
  const worker = separateWorker ? startNode('dist/worker.js', env, profile('worker')) : null;
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await Promise.all([terminate(api), worker ? terminate(worker) : undefined]);
  };
  try {
    await waitForHealth(base, api);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    base,
    apiPid: api.child.pid ?? 0,
    workerPid: worker?.child.pid ?? null,
    env,
    databaseUrl,
    dataDir: env.DATA_DIR ?? '',
    stop,
    remove: async () => {
      await stop();
      if (options.redisUrl) await obliterateQueue(options.redisUrl, queueName);
      if (databaseUrl && options.databaseUrl) await dropDatabase(options.databaseUrl, databaseUrl);
      await fs.rm(scratch, { recursive: true, force: true });
    },
  };
}

/** The machine's yardstick (scripts/bench/empty-server.ts) as its own process. */
export async function startYardstick(): Promise<{ base: string; stop(): Promise<void> }> {
  const port = await freePort();
  const server = startNode('scripts/bench/empty-server.ts', { PORT: String(port) });
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (server.child.exitCode !== null || Date.now() > deadline) {
      await terminate(server);
      throw new Error(`the yardstick server did not start:\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { base: `http://127.0.0.1:${port}`, stop: () => terminate(server) };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

let prepared: Promise<string> | null = null;

/**
 * Builds dist/ from the current src/ once per bench run, and gives the NODE_OPTIONS default of package.json's
 * start script (the heap limit), so every system runs what `npm start` runs.
 */
function compiledEntryPoints(): Promise<string> {
  prepared ??= (async () => {
    await buildService();
    const pkg = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    return /NODE_OPTIONS="([^"$]*)/.exec(pkg.scripts.start ?? '')?.[1]?.trim() ?? '';
  })();
  return prepared;
}

/** Runs `entry`: JavaScript as it is, TypeScript (the yardstick) through tsx. */
function startNode(entry: string, env: Record<string, string>, nodeArgs: string[] = []): Running {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, entry], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output: () => output, exited };
}

async function terminate(running: Running): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 15_000);
  await running.exited;
  clearTimeout(timer);
}

async function waitForHealth(base: string, running: Running): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) throw new Error(`the service exited:\n${running.output()}`);
    try {
      if ((await fetch(`${base}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the service was not healthy within 60 s:\n${running.output()}`);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Creates `name` on the server of `serverUrl`; returns its URL. */
async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await withAdmin(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(serverUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  await withAdmin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

async function withAdmin(serverUrl: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

async function obliterateQueue(redisUrl: string, name: string): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
    await connection.quit();
  }
}
