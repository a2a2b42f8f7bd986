// Entry point of the load generator's process: the LoadSpec is the one JSON argument, the LoadResult the one
// JSON line on stdout.
import { type LoadSpec, runLoad } from './load-generator.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
process.stdout.write(`${JSON.stringify(await runLoad(spec))}\n`);
