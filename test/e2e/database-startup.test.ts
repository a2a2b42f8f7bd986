// A database the process cannot open at start-up (server down, database not created) is the operator's to fix:
// the API and the worker each print one line saying what to do, exit 1, and show no stack trace or password.
import { describe, expect, it } from 'vitest';
import { freePort, startNode, stop } from '../helpers/processes.js';
import { availableBackends } from '../helpers/test-database.js';

const POSTGRES_HOST = '127.0.0.1:5432';
const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

/** Runs an entry point until it exits (killed after 30 s): its exit code and output, trimmed. */
async function failedStart(entry: string, databaseUrl: string) {
  const running = startNode(entry, {
    DATABASE_URL: databaseUrl,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  const code = await Promise.race([
    running.exited,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
  ]);
  if (code === 'timeout') await stop(running, 'SIGKILL');
  return { code, output: running.output().trim() };
}

describe('database start-up failures', () => {
  it('names a server that does not answer and how to fix it, in one line', async () => {
    const port = await freePort();
    const url = `postgres://orders:s3cret-pass@127.0.0.1:${port}/phone_orders`;
    const api = await failedStart('src/server.ts', url);
    expect(api.code, api.output).toBe(1);
    expect(api.output).toBe(
      `Cannot connect to PostgreSQL at 127.0.0.1:${port} (connection refused): start it, or unset ` +
        'DATABASE_URL to use the embedded database.',
    );
    const worker = await failedStart('src/worker.ts', url);
    expect(worker.code, worker.output).toBe(1);
    // The standalone worker has no embedded alternative.
    expect(worker.output).toBe(
      `Cannot connect to PostgreSQL at 127.0.0.1:${port} (connection refused): start it.`,
    );
    for (const output of [api.output, worker.output]) {
      expect(output).not.toMatch(STACK_FRAME);
      expect(output).not.toContain('s3cret-pass');
    }
  }, 70_000);

  it.runIf(availableBackends().includes('postgres'))(
    'names a database that was not created and the command that creates it',
    async () => {
      const name = `phone_orders_missing_${process.pid}`;
      const url = `postgres://postgres@${POSTGRES_HOST}/${name}`;
      for (const entry of ['src/server.ts', 'src/worker.ts']) {
        const { code, output } = await failedStart(entry, url);
        expect(code, output).toBe(1);
        expect(output).toBe(
          `Database "${name}" does not exist on PostgreSQL at ${POSTGRES_HOST}: create it with ` +
            `createdb -h 127.0.0.1 -p 5432 -U postgres ${name}.`,
        );
      }
    },
    70_000,
  );
});
