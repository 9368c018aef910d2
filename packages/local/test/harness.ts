/**
 * Runs the built local runtime (`node packages/local/bin/cbm-local.js`) as a child process, the
 * way `npm start` does, and talks to it over HTTP.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { newNonce, signStatement } from '@cbm-ledger/ledger';
import { fromBase64, keyFileSeed, parseKeyFile, statementId } from '@cbm-ledger/protocol';
import type { Envelope, KeyFile, Statement } from '@cbm-ledger/protocol';
import { checkResponse } from '@cbm-ledger/functions/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/local/bin/cbm-local.js');

/** Builds the runtime and everything it imports (incremental: quick when nothing changed). */
export function build(): void {
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/local'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

export interface Runtime {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logVkey: string;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function run(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Runtime['exited'];
} {
  const child = spawn(process.execPath, [BIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Starts the runtime on `dataDir` and waits for its banner. */
export async function start(dataDir: string, env: Record<string, string> = {}): Promise<Runtime> {
  const { child, output, exited } = run({ CBM_DATA_DIR: dataDir, ...env });
  const deadline = Date.now() + 60_000;
  let done = false;
  void exited.then(() => (done = true));
  for (;;) {
    const url = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1];
    const logVkey = /log vkey {2}(\S+)/.exec(output())?.[1];
    if (url !== undefined && logVkey !== undefined) return { child, url, logVkey, output, exited };
    if (done || Date.now() > deadline) throw new Error(`runtime did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function stop(
  runtime: Runtime,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  runtime.child.kill(signal);
  return runtime.exited;
}

/** Fetches from the runtime and checks the answer against the OpenAPI document. */
export async function call(
  runtime: Pick<Runtime, 'url'>,
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<{
  status: number;
  headers: Headers;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}> {
  const response = await fetch(`${runtime.url}${path}`, { method, ...init });
  const text = await response.text();
  const errors = checkResponse({
    method,
    path: new URL(path, runtime.url).pathname,
    status: response.status,
    headers: headerObject(response.headers),
    body: text,
  });
  expect(errors, text).toEqual([]);
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

export interface Issuer {
  readonly id: string;
  readonly key: KeyFile;
  seq: number;
  prev: string | null;
}

/** The operator, from its key file in the data directory and its chain head on the ledger. */
export async function operatorOf(runtime: Pick<Runtime, 'url'>, dataDir: string): Promise<Issuer> {
  const key = parseKeyFile(await readFile(join(dataDir, 'operator.key'), 'utf8'));
  const party = (await call(runtime, 'GET', `/v1/parties/${key.party}`)).json<{
    head: { seq: number; statement: string };
  }>();
  return { id: key.party, key, seq: party.head.seq, prev: party.head.statement };
}

/** Signs the issuer's next statement; the chain advances only when `commit` is called. */
export function next(
  origin: string,
  issuer: Issuer,
  type: Statement['type'],
  body: unknown,
  extra: Partial<Statement> = {},
): { envelope: Envelope; id: string; commit: () => void } {
  const statement = {
    v: 1,
    ledger: origin,
    type,
    issuer: issuer.id,
    seq: issuer.seq + 1,
    prev: issuer.prev,
    issuedAt: new Date().toISOString(),
    nonce: newNonce(),
    visibility: 'public',
    body,
    ...extra,
  } as Statement;
  const envelope = signStatement(statement, [keyFileSeed(issuer.key)]);
  const id = statementId(fromBase64(envelope.payload));
  return {
    envelope,
    id,
    commit: () => {
      issuer.seq = statement.seq;
      issuer.prev = id;
    },
  };
}

function headerObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}
