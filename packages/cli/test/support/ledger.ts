/**
 * A real ledger for end-to-end tests: the local runtime (packages/local) in this process, on a
 * temporary data directory and a free port, optionally on an in-memory dynalite this test owns
 * (so a test can edit the store behind the ledger's back, as an attacker with database access).
 */
import { mkdtempSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { readSettings, startLocalRuntime } from '@cbm-ledger/local';
import type { LocalRuntime } from '@cbm-ledger/local';
import { parseKeyFile } from '@cbm-ledger/protocol';
import type { KeyFile } from '@cbm-ledger/protocol';
import { run } from '../../src/main.js';
import type { Io } from '../../src/io.js';

export interface Ledger {
  readonly url: string;
  readonly origin: string;
  readonly logVkey: string;
  readonly dataDir: string;
  readonly operatorKeyPath: string;
  readonly operatorKey: KeyFile;
  /** The DynamoDB endpoint and a client for it, when the test owns the store. */
  readonly dynamo?: { endpoint: string; client: DynamoDBClient; table: string };
  readonly errors: unknown[];
  close(): Promise<void>;
}

export function tempDir(prefix = 'cbm-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startLedger(
  options: { ownStore?: boolean; keysFrom?: string; env?: Record<string, string> } = {},
): Promise<Ledger> {
  const dataDir = await tempDir('cbm-cli-ledger-');
  if (options.keysFrom !== undefined) {
    for (const f of ['operator.key', 'log.key']) {
      await copyFile(join(options.keysFrom, f), join(dataDir, f));
    }
  }
  let store: Server | undefined;
  let endpoint: string | undefined;
  if (options.ownStore === true) {
    store = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    endpoint = `http://127.0.0.1:${await listen(store)}`;
  }
  const errors: unknown[] = [];
  const logger = {
    error: (...args: unknown[]) => void errors.push(args),
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
  };
  const runtime: LocalRuntime = await startLocalRuntime(
    readSettings({
      PORT: '0',
      CBM_DATA_DIR: dataDir,
      ...(endpoint === undefined ? {} : { CBM_DYNAMODB_ENDPOINT: endpoint }),
      ...options.env,
    }),
    logger,
  );
  const client =
    endpoint === undefined
      ? undefined
      : new DynamoDBClient({
          endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        });
  return {
    url: runtime.url,
    origin: runtime.origin,
    logVkey: runtime.logVkey,
    dataDir,
    operatorKeyPath: runtime.operatorKeyPath,
    operatorKey: parseKeyFile(await readFile(runtime.operatorKeyPath, 'utf8')),
    ...(client === undefined || endpoint === undefined
      ? {}
      : { dynamo: { endpoint, client, table: 'cbm-ledger' } }),
    errors,
    async close() {
      await runtime.close();
      client?.destroy();
      if (store !== undefined) await new Promise<void>((resolve) => store.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CbmResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * The CLI's state directory ($CBM_HOME: the outbox) for this test process, so that tests never
 * write to ~/.cbm; a test that needs its own passes CBM_HOME in `env`.
 */
export const TEST_CBM_HOME = mkdtempSync(join(tmpdir(), 'cbm-cli-home-'));

/** Runs `cbm` in this process, as a user would at a terminal (not a TTY: no progress bar). */
export async function cbm(
  args: readonly string[],
  options: { server?: string; stdin?: string; cwd?: string; env?: Record<string, string> } = {},
): Promise<CbmResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    env: {
      CBM_HOME: TEST_CBM_HOME,
      ...(options.server === undefined ? {} : { CBM_SERVER: options.server }),
      ...options.env,
    },
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await run(args, io);
  return {
    code,
    stdout,
    stderr,
    json: <T>() => JSON.parse(stdout) as T,
  };
}

/**
 * Registers `party` (signed by the ledger's operator, as `party.register` must be) with the key
 * in `keyPath`, and optionally a witness identity; waits for integration. Returns cbm's result.
 */
export async function registerParty(
  ledger: Ledger,
  cwd: string,
  party: {
    id: string;
    name: string;
    keyPath: string;
    witness?: { name: string; publicKey: string };
  },
  env: Record<string, string> = {},
): Promise<CbmResult> {
  const key = parseKeyFile(await readFile(party.keyPath, 'utf8'));
  const body = join(cwd, `register-${party.id.replace(':', '-')}.json`);
  await writeFile(
    body,
    JSON.stringify({
      party: { id: party.id, name: party.name, kind: party.id.split(':')[0] },
      keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
      ...(party.witness === undefined ? {} : { witness: party.witness }),
    }),
  );
  return cbm(['submit', 'party.register', body, '--key', ledger.operatorKeyPath, '--wait', '10'], {
    server: ledger.url,
    cwd,
    env,
  });
}
