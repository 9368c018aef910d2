/**
 * The data directory: created if missing, checked writable, locked against a second runtime, and
 * the home of the operator and log key files.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmod,
  link,
  mkdir,
  mkdtemp,
  open,
  readFile,
  realpath,
  rm,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { connect, createServer as createNetServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
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

/** Informational: which process holds the lock (the lock itself is the socket below). */
const PID_FILE = 'cbm-local.pid';
/** How long a just-killed holder may take to release its sockets. */
const HOLDER_TEARDOWN_MS = 1000;
/** Where platforms without abstract sockets keep the lock socket. */
const LOCK_SOCKET = 'cbm-local.lock';

/**
 * The lock's address. On Linux an abstract unix-domain socket named after the directory: no file,
 * so nothing stale is ever left behind. Elsewhere a socket file in the directory.
 */
async function lockAddress(dir: string): Promise<string> {
  if (process.platform !== 'linux') return join(dir, LOCK_SOCKET);
  const canonical = await realpath(dir);
  return `\0cbm-local:${createHash('sha256').update(canonical).digest('hex').slice(0, 40)}`;
}

function listenOn(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(address);
  });
}

/** Whether something accepts connections at a socket file (a live holder) or not (stale). */
function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(address);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Takes the data directory for this process, with a lock the OS drops with the process: a
 * listening unix-domain socket. Once the holder is dead (kill -9 included, reaped or not: a
 * zombie holds no sockets), the address is free again, so a supervisor can restart at once; no
 * pid is ever guessed at. Returns the release function.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const address = await lockAddress(dir);
  const pidFile = join(dir, PID_FILE);
  const server = createNetServer((socket) => socket.destroy());
  const deadline = Date.now() + HOLDER_TEARDOWN_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await listenOn(server, address);
      break;
    } catch (e) {
      if (code(e) !== 'EADDRINUSE') throw e;
      // A socket file whose listener died is only a file: remove it and try again.
      if (!address.startsWith('\0') && attempt < 3 && !(await answers(address))) {
        await rm(address, { force: true });
        continue;
      }
      // A holder just killed may still be tearing down (its other threads close its files a
      // moment after the process shows as dead): look again briefly before refusing.
      if (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        continue;
      }
      const holder = (await readFile(pidFile, 'utf8').catch(() => '')).trim();
      throw new DataDirError(
        `data directory ${dir} is in use by another cbm-local${/^\d+$/.test(holder) ? ` (pid ${holder})` : ''}`,
      );
    }
  }
  // Never keep the process alive just for the lock.
  server.unref();
  await writeFile(pidFile, `${process.pid}\n`, { mode: 0o600 });
  return async () => {
    await rm(pidFile, { force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/**
 * A directory only this user can enter, for the embedded stores' sockets: `<dataDir>/run`, or a
 * private temporary one when that path would be too long for a socket address (about 100 bytes).
 * Stale sockets of an earlier run are removed. Returns the directory and its cleanup.
 */
export async function privateSocketDir(
  dataDir: string,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const preferred = join(dataDir, 'run');
  if (Buffer.byteLength(join(preferred, 'dynamodb-0123456789abcdef.sock')) < 100) {
    await rm(preferred, { recursive: true, force: true });
    await mkdir(preferred, { mode: 0o700 });
    await chmod(preferred, 0o700);
    return { dir: preferred, cleanup: () => rm(preferred, { recursive: true, force: true }) };
  }
  const dir = await mkdtemp(join(tmpdir(), 'cbm-local-'));
  await chmod(dir, 0o700);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
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
