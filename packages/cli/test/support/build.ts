/** Builds the packages whose compiled files tests run (the audit's worker, the local runtime). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

let built = false;

/** Incremental: quick when nothing changed. */
export function build(): void {
  if (built) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli', 'packages/local'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  built = true;
}
