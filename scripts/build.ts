// npm run build: compiles src/ to plain JavaScript in dist/ (one file per module, same layout, test files
// left out), which `npm start` and `npm run worker` run. Running the TypeScript through tsx at run time
// cost each process about 70 MB of resident memory (its loader thread and the compiled sources it keeps:
// API idle 220 -> 150 MB, worker 204 -> 135 MB on PostgreSQL). esbuild only strips the types; `npm run
// typecheck` is what checks them. dist/ sits beside src/, so paths resolved from the repository root
// (menu, migrations, dashboard pages) are the same from both.
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../src/shared/paths.js';

const SOURCE = path.join(PROJECT_ROOT, 'src');
const BUILD_DIR = path.join(PROJECT_ROOT, 'dist');

async function modulesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/**
 * `npm start` and `npm run worker` both build, possibly at the same moment, and a process may be loading
 * dist/ meanwhile: a file is replaced only when it changed, by a rename (a reader sees the old file or the
 * new one, never half of one), and files without a source are removed last.
 */
export async function buildService(): Promise<void> {
  const result = await build({
    entryPoints: await modulesOf(SOURCE),
    outdir: BUILD_DIR,
    outbase: SOURCE,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
  });
  const written = new Set<string>();
  for (const output of result.outputFiles) {
    written.add(output.path);
    const current = await readFile(output.path).catch(() => null);
    if (current?.equals(output.contents)) continue;
    await mkdir(path.dirname(output.path), { recursive: true });
    const temporary = `${output.path}.${process.pid}.tmp`;
    await writeFile(temporary, output.contents);
    await rename(temporary, output.path);
  }
  for (const entry of await readdir(BUILD_DIR, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    // .tmp: another build's file on its way in.
    if (entry.isFile() && !written.has(file) && !file.endsWith('.tmp')) await rm(file, { force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildService();
