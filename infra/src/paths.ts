/**
 * Where things are in the repository, found from this module's own location so the app works
 * both from source (vitest) and compiled (`infra/dist/src`).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && existsSync(join(dir, 'package-lock.json'))) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (Array.isArray(pkg.workspaces)) return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no npm workspace root above ${start}`);
  }
}

/** The repository root: the npm workspace root holding package-lock.json. */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const LOCK_FILE = join(REPO_ROOT, 'package-lock.json');
/** Lambda entry points of the ledger: `functions/src/lambda/<name>.ts`, each exporting `handler`. */
export const LAMBDA_DIR = join(REPO_ROOT, 'functions', 'src', 'lambda');
/** Infrastructure-only Lambda code (custom resources). */
export const INFRA_RUNTIME_DIR = join(REPO_ROOT, 'infra', 'src', 'runtime');

/**
 * esbuild aliases from each workspace package name to its TypeScript entry, so a bundle is built
 * from the same sources the tests run, never from a stale `dist/`. Paths are relative to the
 * repository root, where NodejsFunction runs esbuild.
 */
export function workspaceSourceAliases(): string[] {
  const aliases: string[] = [];
  const dirs = [
    ...readdirSync(join(REPO_ROOT, 'packages'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(REPO_ROOT, 'packages', d.name)),
    join(REPO_ROOT, 'functions'),
  ];
  for (const dir of dirs.sort()) {
    const manifest = join(dir, 'package.json');
    const entry = join(dir, 'src', 'index.ts');
    if (!existsSync(manifest) || !existsSync(entry)) continue;
    const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
    if (typeof name !== 'string' || !name.startsWith('@cbm-ledger/')) continue;
    aliases.push(`${name}=./${relative(REPO_ROOT, entry).split('\\').join('/')}`);
  }
  return aliases;
}
