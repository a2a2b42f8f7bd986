// The bench's flame summary: self time by function and by area, start-up left out.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeProfile } from '../../scripts/bench/profile-summary.js';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'profile-summary-'));
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

const frame = (id: number, functionName: string, url: string) => ({
  id,
  callFrame: { functionName, url, lineNumber: 9 },
});

describe('summarizeProfile', () => {
  it('splits busy time by area and function, ignoring idle time and the skipped start', async () => {
    const file = path.join(dir, 'p.cpuprofile');
    // Samples 1 ms apart from 0: 2 ms start-up (module loading), then 3 ms in our code (compiled, as npm
    // start runs it), 1 ms in pg (whose files are in a dist/ folder too), idle.
    const samples = [4, 4, 2, 2, 2, 3, 1, 1, 1, 1, 1];
    await fs.writeFile(
      file,
      JSON.stringify({
        nodes: [
          frame(1, '(idle)', ''),
          frame(2, 'placeOrder', 'file:///app/dist/modules/orders/place-order.js'),
          frame(3, 'parse', 'file:///app/node_modules/pg-protocol/dist/parser.js'),
          frame(4, 'compileSourceTextModule', 'node:internal/modules/esm/utils'),
        ],
        startTime: 0,
        endTime: 11_000,
        samples,
        timeDeltas: samples.map((_, i) => (i === 0 ? 0 : 1000)),
      }),
    );
    const summary = await summarizeProfile(file, 10, 2);
    expect(summary.areas).toEqual([
      { name: 'our code (src/, compiled to dist/)', percent: 75 },
      { name: 'pg-protocol', percent: 25 },
    ]);
    expect(summary.functions[0]).toEqual({
      name: 'placeOrder dist/modules/orders/place-order.js:10',
      percent: 75,
    });
    expect(summary.busyPercent).toBe(Math.round((4 / 9) * 100));

    const whole = await summarizeProfile(file);
    expect(whole.areas.map((a) => a.name)).toContain('Node internals (HTTP, streams, timers, native)');
  });
});
