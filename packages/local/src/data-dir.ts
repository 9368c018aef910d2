/**
 * The data directory: created if missing, checked writable, locked against a second runtime, and
 * the home of the operator and log key files.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyFile, parseKeyFile } from '@cbm-ledger/protocol';
import type { KeyFile } from '@cbm-ledger/protocol';

export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

function code(e: unknown): string | undefined {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' ? c : undefined;
}

/** Creates the directory (and parents) and proves it writable by writing and removing a file. */
export async function prepareDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const probe = join(dir, `.write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
    const handle = await open(probe, 'wx', 0o600);
    await handle.close();
    await unlink(probe);
  } catch (e) {
    throw new DataDirError(`data directory ${dir} is not writable (${code(e) ?? String(e)})`, {
      cause: e,
    });
  }
}

const LOCK_FILE = 'cbm-local.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === 'EPERM';
  }
}

/**
 * Takes the data directory for this process. A lock left by a process that no longer runs (after
 * kill -9) is taken over. Returns the release function.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(
        path,
        constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
        0o600,
      );
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (e) {
      if (code(e) !== 'EEXIST') throw e;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new DataDirError(
        `data directory ${dir} is in use by another cbm-local (pid ${holder})`,
      );
    }
    await rm(path, { force: true });
  }
  throw new DataDirError(`cannot lock data directory ${dir}`);
}

/**
 * Reads a key file, or creates it (mode 0600) when absent. Creation writes a temporary file and
 * links it into place, so a crash never leaves a truncated key file and two starts racing end up
 * with the same key.
 */
export async function loadOrCreateKeyFile(
  path: string,
  party: string,
): Promise<{ keyFile: KeyFile; created: boolean }> {
  for (;;) {
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if (code(e) !== 'ENOENT') throw e;
    }
    if (text !== undefined) {
      try {
        return { keyFile: parseKeyFile(text), created: false };
      } catch (e) {
        throw new DataDirError(`${path} is not a valid key file: ${(e as Error).message}`);
      }
    }
    const keyFile = generateKeyFile(party);
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(keyFile, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(tmp, path);
      return { keyFile, created: true };
    } catch (e) {
      if (code(e) !== 'EEXIST') throw e;
      // Another start created it first: use theirs.
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }
}
