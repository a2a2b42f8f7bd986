// The embedded database's memory settings: a fresh data directory is initialised in a child process (so
// initdb's ~800 MB never lands in the server), opened with small shared buffers, and reopened as it is.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/client.js';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pglite-memory-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const SETTING = { name: 'test_shared_buffers', text: "SELECT current_setting('shared_buffers') AS value" };

describe('openPglite on a data directory', () => {
  it('initialises a fresh one, with 32 MB of shared buffers, and keeps its data across a reopen', async () => {
    const dir = path.join(root, 'pglite');
    const db = await openPglite(dir);
    try {
      await expect(fs.stat(path.join(dir, 'PG_VERSION'))).resolves.toBeTruthy();
      expect(await db.query<{ value: string }>(SETTING, [])).toEqual([{ value: '32MB' }]);
      await db.query({ name: 'test_create', text: 'CREATE TABLE kept (n int)' }, []);
      await db.query({ name: 'test_insert', text: 'INSERT INTO kept VALUES ($1)' }, [7]);
    } finally {
      await db.close();
    }
    const again = await openPglite(dir);
    try {
      expect(await again.query({ name: 'test_read', text: 'SELECT n FROM kept' }, [])).toEqual([{ n: 7 }]);
      expect(await again.query<{ value: string }>(SETTING, [])).toEqual([{ value: '32MB' }]);
    } finally {
      await again.close();
    }
  }, 180_000);
});
