import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, so default files (menu, migrations) resolve the same from any working directory. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');
