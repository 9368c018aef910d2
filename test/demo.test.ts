/**
 * `npm run demo` is the README's tour of the product: it must keep running against the current
 * API (it once broke silently when evidence uploads began to need a signature). It runs the
 * compiled packages in its own process on a temporary data directory and a free port.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

describe('npm run demo', () => {
  it('runs to the end and shows the host disputing an observer report', async () => {
    // The demo runs the compiled packages: build them (incremental, quick when nothing changed).
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli', 'packages/local'],
      { cwd: ROOT, stdio: 'inherit' },
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/demo.mjs'], {
      cwd: ROOT,
      timeout: 120_000,
    });
    expect(stdout).toMatch(/claim\.reply by Egypt, disputing the report/);
    expect(stdout).toMatch(/DISPUTED +state:EGY: observer\.counts \(discrepancy\)/);
    expect(stdout).toMatch(/Demo finished in/);
  });
});
