// A short flame summary of a V8 CPU profile (`node --cpu-prof`): where the busy time went, by area (our
// code, each package, Node's internals, GC) and by function (self time), so a missed target is explained
// by a profile rather than guessed. Run alone:
//   node --import tsx scripts/bench/profile-summary.ts bench-results/profiles/throughput-api.cpuprofile
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileShare {
  name: string;
  /** Share of the busy (non-idle) time, in %. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Wall time the profile covers, and the part of it the main thread was busy. */
  wallMs: number;
  busyPercent: number;
  areas: ProfileShare[];
  functions: ProfileShare[];
}

/** Frames that are not work: the thread waiting for I/O, and the profiler's own root. */
const IDLE = new Set(['(idle)', '(root)', '(program)']);

function areaOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (url.startsWith('wasm://')) return 'PGlite WebAssembly (PostgreSQL itself)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] ?? 'packages';
  if (url.startsWith('node:') || url === '') return 'Node internals (HTTP, streams, timers, native)';
  if (url.includes('/src/') || url.includes('/dist/')) return 'our code (src/, compiled to dist/)';
  return 'other';
}

function frameName(frame: ProfileNode['callFrame']): string {
  const file = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|dist)\//, '$1/');
  const where = file ? ` ${file}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where}`;
}

const top = (totals: Map<string, number>, busy: number, count: number): ProfileShare[] =>
  [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, percent: Math.round((us / busy) * 1000) / 10 }));

/**
 * `skipMs`: leave out the first ms of the profile (start-up: module loading and compiling), so the summary
 * covers the measured load.
 */
export async function summarizeProfile(file: string, count = 15, skipMs = 0): Promise<ProfileSummary> {
  const profile = JSON.parse(await fs.readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the gap to the next one (V8 records the gap before each sample).
  let at = profile.startTime;
  const from = profile.startTime + skipMs * 1000;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (at < from) continue;
    const id = samples[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? 0));
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || IDLE.has(node.callFrame.functionName)) continue;
    busy += us;
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const name = frameName(node.callFrame);
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const wallUs = Math.max(1, profile.endTime - Math.max(profile.startTime, from));
  return {
    file,
    wallMs: Math.round(wallUs / 1000),
    busyPercent: Math.round((busy / wallUs) * 100),
    areas: top(areas, Math.max(1, busy), 12),
    functions: top(functions, Math.max(1, busy), count),
  };
}

export function renderProfile(summary: ProfileSummary): string {
  const shares = (list: ProfileShare[]) => list.map((s) => `${s.percent} % ${s.name}`).join('; ');
  return [
    `- \`${path.basename(path.dirname(summary.file))}\`: main thread busy ${summary.busyPercent} % of ` +
      `${summary.wallMs} ms (start-up left out).`,
    `  - by area: ${shares(summary.areas)}`,
    `  - top self time: ${shares(summary.functions)}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // [--skip-ms N] files...
  const args = process.argv.slice(2);
  const skipAt = args.indexOf('--skip-ms');
  const skipMs = skipAt >= 0 ? Number(args.splice(skipAt, 2)[1]) : 0;
  for (const file of args) {
    process.stdout.write(`${renderProfile(await summarizeProfile(file, 25, skipMs))}\n`);
  }
}
