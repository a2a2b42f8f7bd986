// Real processes for end-to-end and fault tests: the API, the standalone worker, the CLI tools, and a
// private Redis. Everything binds 127.0.0.1 and is stopped by the PID this helper started, never by name.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { PROJECT_ROOT } from '../../src/shared/paths.js';

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startProcess(command: string, args: string[], env: Record<string, string>): Running {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    // JSON lines, as staging and production log, so tests can read them (the banner has its own test).
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/**
 * An entry point of this project. The service's own (src/server.ts, src/worker.ts) run compiled from dist/,
 * as `npm start` and `npm run worker` run them (test/global-setup.ts builds it); scripts (scripts/verify.ts
 * ...) run through tsx, as their npm scripts do.
 */
export function startNode(entry: string, env: Record<string, string>, args: string[] = []): Running {
  const compiled = /^src\/(.+)\.ts$/.exec(entry);
  const command = compiled ? [`dist/${compiled[1]}.js`] : ['--import', 'tsx', entry];
  return startProcess(process.execPath, [...command, ...args], env);
}

/** Runs a CLI script to completion: its exit code and output. */
export async function runNode(entry: string, env: Record<string, string>, args: string[] = []) {
  const running = startNode(entry, env, args);
  const code = await running.exited;
  return { code, output: running.output() };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function waitForHealth(base: string, running: Running, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (running.child.exitCode !== null) throw new Error(`process exited early:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not healthy in time:\n${running.output()}`);
}

/** Stops a process we started and waits for it; SIGKILL after `graceMs`. */
export async function stop(running: Running, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return running.exited;
  running.child.kill(signal);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), graceMs);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A private, non-persistent Redis on its own port (never the shared one). */
export async function startRedis(port: number): Promise<Running> {
  const running = startProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    {},
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await canConnect(port)) return running;
    if (running.child.exitCode !== null) throw new Error(`redis-server exited:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('redis-server did not start');
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** POSTs `count` orders with at most `concurrency` in flight; returns each answer's status and body. */
export async function placeOrders(
  base: string,
  count: number,
  concurrency: number,
  body: (i: number) => object,
  onProgress?: (done: number) => void,
): Promise<Array<{ status: number; id: number | null }>> {
  const run = Math.random().toString(36).slice(2);
  const results: Array<{ status: number; id: number | null }> = new Array(count);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      try {
        const res = await fetch(`${base}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `burst-${run}-${i}` },
          body: JSON.stringify(body(i)),
        });
        const json = (await res.json()) as { id?: number };
        results[i] = { status: res.status, id: res.status === 201 ? (json.id ?? null) : null };
      } catch {
        results[i] = { status: 0, id: null };
      }
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return results;
}
