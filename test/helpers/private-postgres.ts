// A private PostgreSQL 15 cluster for fault tests that stop and restart the database: its own data directory
// under a temporary folder, listening only on 127.0.0.1 and a free port, its socket in that folder. The
// postmaster is this helper's own child process, stopped by its PID (never by name); the shared server on
// 5432 is never touched. As root (initdb refuses root) the cluster runs as the `postgres` user.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './processes.js';

const BIN_DIR = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const ADMIN_DATABASE = 'postgres';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const KEEP_OUTPUT_CHARS = 64 * 1024;

/** fast: SIGINT (abort sessions, clean shutdown); immediate: SIGQUIT (no checkpoint, crash recovery on start). */
export type StopMode = 'fast' | 'immediate';

export interface PrivatePostgres {
  readonly port: number;
  /** The test database, e.g. postgres://postgres@127.0.0.1:54321/phone_orders */
  readonly url: string;
  /** The postmaster's PID while it runs, else null. */
  readonly pid: number | null;
  /** Server log (stderr) of every run, the last 64 KiB. */
  output(): string;
  /** Starts the cluster again on the same data directory and port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the postmaster this helper started, by its PID, and waits for it to exit. */
  stop(mode: StopMode): Promise<void>;
  /** Stops the cluster (if running) and removes its folder. */
  destroy(): Promise<void>;
}

/** The PostgreSQL binaries this helper needs are installed. */
export function privatePostgresAvailable(): boolean {
  return existsSync(path.join(BIN_DIR, 'initdb')) && existsSync(path.join(BIN_DIR, 'postgres'));
}

interface Identity {
  uid: number;
  gid: number;
}

/** initdb and postgres refuse to run as root: run them as `postgres` then. */
function serverIdentity(): Identity | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPrivatePostgres(database = 'phone_orders'): Promise<PrivatePostgres> {
  const identity = serverIdentity();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'phone-orders-pg-'));
  const dataDir = path.join(root, 'data');
  if (identity) await fs.chown(root, identity.uid, identity.gid);
  const port = await freePort();
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEEP_OUTPUT_CHARS);
  };
  const run = (binary: string, args: string[]): ChildProcess => {
    const child = spawn(path.join(BIN_DIR, binary), args, {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', LANG: 'C', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(identity ?? {}),
    });
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    return child;
  };

  let postmaster: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  // A test process that dies without destroy() must not leave a server behind.
  const killOnExit = () => {
    if (postmaster?.pid && postmaster.exitCode === null && postmaster.signalCode === null)
      postmaster.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/${ADMIN_DATABASE}`;
  const url = `postgres://postgres@127.0.0.1:${port}/${database}`;

  const start = async () => {
    if (postmaster && postmaster.exitCode === null && postmaster.signalCode === null)
      throw new Error('the private PostgreSQL is already running');
    // fsync and full_page_writes guard against an OS crash, which tests never cause; a killed postmaster
    // loses nothing the kernel has. synchronous_commit stays on: with it off, a commit already answered
    // lives only in shared memory for up to 200 ms, and an immediate stop would lose it.
    const child = run('postgres', [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${root}`,
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=60',
      '-c',
      'shared_buffers=32MB',
    ]);
    postmaster = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the private PostgreSQL exited on start:\n${output}`);
      if (await accepts(adminUrl)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the private PostgreSQL did not accept connections in time:\n${output}`);
  };

  const stop = async (mode: StopMode) => {
    const child = postmaster;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const destroy = async () => {
    await stop('immediate');
    // Only if the handle was lost: pg_ctl on this very data directory, never a process looked up by name.
    if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
      await new Promise<void>((resolve) => {
        run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '15']).once('exit', () =>
          resolve(),
        );
      });
    }
    process.removeListener('exit', killOnExit);
    await fs.rm(root, { recursive: true, force: true });
  };

  try {
    const initdb = run('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
      '--no-instructions',
    ]);
    const code = await new Promise<number | null>((resolve) => initdb.once('exit', resolve));
    if (code !== 0) throw new Error(`initdb failed (${code}):\n${output}`);
    await start();
    const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await destroy();
    throw error;
  }

  return {
    port,
    url,
    get pid() {
      const child = postmaster;
      return child && child.exitCode === null && child.signalCode === null ? (child.pid ?? null) : null;
    },
    output: () => output,
    start,
    stop,
    destroy,
  };
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
