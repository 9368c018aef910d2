/**
 * The admission promises this CLI received (docs/promises.md), kept under the CLI state dir so
 * that `cbm status` can later hold the ledger to them: one file per statement,
 * `<state dir>/promises/<statement hex>.json`, written atomically (a crash leaves the old file or
 * the new one, never half of one). A promise is kept as received; it is verified when it is used.
 */
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './command.js';
import { CommandError } from './errors.js';
import { stateDir } from './state-dir.js';

export interface KeptPromise {
  /** The ledger's origin, as the ledger named itself when the promise was received. */
  origin: string;
  /** The server the promise came from. */
  server: string;
  statement: string;
  /** The signed note, exactly as received. */
  promise: string;
  /** When this CLI received it (its own clock), RFC 3339. */
  receivedAt: string;
}

const STATEMENT_ID_RE = /^sha256:([0-9a-f]{64})$/;

export function promisesDir(env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), 'promises');
}

/**
 * Keeps a received promise. The first one received for a statement stays: the ledger must give
 * the same promise for a statement every time, so a different later one is kept beside it for
 * evidence rather than over it.
 */
export async function keepPromise(env: NodeJS.ProcessEnv, kept: KeptPromise): Promise<string> {
  const hex = STATEMENT_ID_RE.exec(kept.statement)?.[1];
  if (hex === undefined) throw new CommandError('STATEMENT_ID_INVALID', `not a statement id`);
  const dir = promisesDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${hex}.json`);
  const existing = await readKept(file);
  if (existing !== undefined) {
    if (existing.promise === kept.promise) return file;
    // Two different promises for one statement: both are evidence against the log.
    const other = join(dir, `${hex}.${Date.now()}.json`);
    await writeFileAtomic(other, `${JSON.stringify(kept, null, 2)}\n`);
    return other;
  }
  await writeFileAtomic(file, `${JSON.stringify(kept, null, 2)}\n`);
  return file;
}

/** Every kept promise, by statement id (then file name); unreadable files are reported. */
export async function listPromises(
  env: NodeJS.ProcessEnv,
): Promise<{ kept: KeptPromise[]; unreadable: string[] }> {
  const dir = promisesDir(env);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { kept: [], unreadable: [] };
    throw e;
  }
  const kept: KeptPromise[] = [];
  const unreadable: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const k = await readKept(join(dir, name));
    if (k === undefined) unreadable.push(name);
    else kept.push(k);
  }
  return { kept, unreadable };
}

async function readKept(file: string): Promise<KeptPromise | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<KeptPromise>;
    if (
      typeof v.origin === 'string' &&
      typeof v.server === 'string' &&
      typeof v.statement === 'string' &&
      STATEMENT_ID_RE.test(v.statement) &&
      typeof v.promise === 'string' &&
      typeof v.receivedAt === 'string'
    ) {
      return {
        origin: v.origin,
        server: v.server,
        statement: v.statement,
        promise: v.promise,
        receivedAt: v.receivedAt,
      };
    }
  } catch {
    // fall through: a damaged file is reported, never silently dropped
  }
  return undefined;
}
