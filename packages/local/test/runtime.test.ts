/**
 * The local runtime as `npm start` runs it: a separate process on a temporary data directory and
 * a random port. Covers first start (keys, genesis), submissions with receipts, evidence, restart,
 * graceful shutdown, start-up errors, and SIGKILL under load.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyFile } from '@cbm-ledger/protocol';
import type { Leaf } from '@cbm-ledger/protocol';
import {
  GENESIS_PREV,
  fromBase64,
  keyFileSeed,
  leafHash,
  leafHashHex,
  merkleRoot,
  openCheckpoint,
  parseKeyFile,
  parseVkey,
  sha256Hex,
  signRequestHeaders,
  utf8Encode,
  verifyInclusion,
} from '@cbm-ledger/protocol';
import { build, call, next, operatorOf, run, start, stop } from './harness.js';
import type { Issuer, Runtime } from './harness.js';

const ORIGIN = 'cbm-ledger.local/dev';
const temp = (): Promise<string> => mkdtemp(join(tmpdir(), 'cbm-local-run-'));

/** RFC 9421 headers of a request signed by `issuer` for this ledger. */
function signedBy(
  issuer: Issuer,
  method: string,
  path: string,
  body: string,
): Record<string, string> {
  return signRequestHeaders(
    { method, path, query: '', body: utf8Encode(body) },
    { seed: keyFileSeed(issuer.key), tag: ORIGIN },
  );
}

const risk = (to: string) => ({
  to,
  activity: {
    description: 'Armoured columns moving towards the border',
    // Named by an area and a time window: admission refuses requests that name no activity.
    area: { description: 'The border crossing' },
    start: '2026-01-01T00:00:00Z',
    end: '2026-01-02T00:00:00Z',
  },
  question: 'What is the purpose of this activity?',
});

async function submit(
  runtime: Runtime,
  issuer: Issuer,
  type: Parameters<typeof next>[2],
  body: unknown,
  wait?: number,
  extra: Parameters<typeof next>[4] = {},
) {
  const statement = next(ORIGIN, issuer, type, body, extra);
  const answer = await call(runtime, 'POST', '/v1/statements', {
    headers: {
      'content-type': 'application/json',
      ...(wait === undefined ? {} : { prefer: `wait=${wait}` }),
    },
    body: JSON.stringify(statement.envelope),
  });
  if (answer.status < 300) statement.commit();
  return { ...answer, id: statement.id };
}

async function registerState(runtime: Runtime, operator: Issuer, id: string): Promise<Issuer> {
  const key = generateKeyFile(id);
  const answer = await submit(
    runtime,
    operator,
    'party.register',
    {
      party: { id, name: `State ${id}`, kind: 'state' },
      keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
    },
    10,
  );
  expect(answer.status, answer.text).toBe(201);
  return { id, key, seq: 0, prev: null };
}

/** Reads the whole log and checks DESIGN.md §6 against the checkpoint; returns the leaves. */
async function auditLog(runtime: Runtime): Promise<Leaf[]> {
  const note = (await call(runtime, 'GET', '/v1/checkpoint')).text;
  const { checkpoint } = openCheckpoint(note, parseVkey(runtime.logVkey));
  const leaves: Leaf[] = [];
  for (let start = 0; start < checkpoint.size;) {
    const page = (await call(runtime, 'GET', `/v1/entries?start=${start}&limit=1000`)).json<{
      entries: { leaf: Leaf }[];
    }>();
    leaves.push(...page.entries.map((e) => e.leaf));
    start += page.entries.length;
  }
  const inTree = leaves.slice(0, checkpoint.size);
  inTree.forEach((leaf, i) => {
    expect(leaf.index).toBe(i);
    expect(leaf.prev).toBe(i === 0 ? GENESIS_PREV : leafHashHex(inTree[i - 1]!));
  });
  expect(new Set(inTree.map((l) => l.statement)).size).toBe(inTree.length);
  const seqs = new Map<string, number[]>();
  for (const leaf of inTree) seqs.set(leaf.issuer, [...(seqs.get(leaf.issuer) ?? []), leaf.seq]);
  for (const [, list] of seqs) expect(list).toEqual(list.map((_, i) => i + 1));
  expect(Buffer.from(merkleRoot(inTree.map(leafHash))).toString('base64')).toBe(
    Buffer.from(checkpoint.rootHash).toString('base64'),
  );
  return inTree;
}

/** TCP ports a process and its children listen on (Linux /proc). */
async function listeningTcpPorts(pid: number): Promise<number[]> {
  const pids = [pid];
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  pids.push(...children.split(/\s+/).filter(Boolean).map(Number));
  // The emulator process must be among them, or the check below would prove nothing.
  expect(pids.length, 'the runtime and its store process').toBeGreaterThanOrEqual(2);
  const inodes = new Set<string>();
  for (const p of pids) {
    for (const fd of await readdir(`/proc/${p}/fd`).catch(() => [])) {
      const target = await readlink(`/proc/${p}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) inodes.add(m[1]!);
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      // local_address is f[1] (hex ip:port), st is f[3] (0A = LISTEN), inode is f[9].
      if (f[3] === '0A' && inodes.has(f[9] ?? '')) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

beforeAll(() => build(), 300_000);

describe('the local runtime', () => {
  it('creates keys and the genesis on first start, takes receipts, and keeps everything across restarts', async () => {
    const dataDir = await temp();
    let runtime = await start(dataDir);
    expect(runtime.output()).toContain(`origin    ${ORIGIN}`);
    for (const file of ['operator.key', 'log.key']) {
      expect((await stat(join(dataDir, file))).mode & 0o777).toBe(0o600);
      expect(parseKeyFile(await readFile(join(dataDir, file), 'utf8')).party).toBe(
        'operator:local',
      );
    }
    const info = (await call(runtime, 'GET', '/v1/ledger')).json<{
      logVkey: string;
      operator: string;
      treeSize: number;
    }>();
    expect(info).toMatchObject({
      logVkey: runtime.logVkey,
      operator: 'operator:local',
      treeSize: 1,
    });

    const operator = await operatorOf(runtime, dataDir);
    const jor = await registerState(runtime, operator, 'state:JOR');
    const egy = await registerState(runtime, operator, 'state:EGY');

    // A receipt, verified by hand from the documented formats.
    const answer = await submit(runtime, jor, 'risk.request', risk('state:EGY'), 10);
    expect(answer.status, answer.text).toBe(201);
    const { receipt } = answer.json<{
      receipt: {
        leaf: Leaf;
        inclusion: { treeSize: number; hashes: string[] };
        checkpoint: string;
      };
    }>();
    const { checkpoint } = openCheckpoint(receipt.checkpoint, parseVkey(runtime.logVkey));
    expect(() =>
      verifyInclusion(
        receipt.leaf.index,
        checkpoint.size,
        leafHash(receipt.leaf),
        receipt.inclusion.hashes.map((h) => fromBase64(h)),
        checkpoint.rootHash,
      ),
    ).not.toThrow();

    // Evidence: upload through the signed URL, cite it, download it.
    const content = utf8Encode('observer report annex, 12 pages');
    const sha256 = sha256Hex(content);
    const announce = JSON.stringify({ sha256, size: content.length, mediaType: 'text/plain' });
    const unsigned = await call(runtime, 'POST', '/v1/evidence', {
      headers: { 'content-type': 'application/json' },
      body: announce,
    });
    expect(unsigned.status).toBe(401);
    const upload = (
      await call(runtime, 'POST', '/v1/evidence', {
        headers: {
          'content-type': 'application/json',
          ...signedBy(egy, 'POST', '/v1/evidence', announce),
        },
        body: announce,
      })
    ).json<{ upload: { url: string; headers: Record<string, string> } }>().upload;
    // The runtime receives (and later serves) evidence itself, never the embedded S3.
    expect(new URL(upload.url).origin).toBe(runtime.url);
    expect(
      (
        await fetch(upload.url, {
          method: 'PUT',
          headers: upload.headers,
          body: new Uint8Array(content),
        })
      ).status,
    ).toBe(200);
    const evidence = [{ sha256, size: content.length, mediaType: 'text/plain' }];
    const citing = await submit(runtime, egy, 'risk.request', risk('state:JOR'), 10, { evidence });
    expect(citing.status, citing.text).toBe(201);
    const redirect = await fetch(`${runtime.url}/v1/evidence/${sha256}`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(new URL(redirect.headers.get('location')!).origin).toBe(runtime.url);
    const download = await fetch(redirect.headers.get('location')!);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(content);
    // Issue 9 §2: the embedded stores listen on no TCP port at all (private unix sockets), so
    // no local process can list, overwrite or delete evidence behind the ledger: the runtime's
    // own port is the only one.
    expect(await listeningTcpPorts(runtime.child.pid!)).toEqual(
      [new URL(runtime.url).port].map(Number),
    );
    const sockets = await readdir(join(dataDir, 'run'));
    expect(sockets.sort().map((f) => f.replace(/-[0-9a-f]{16}/, ''))).toEqual([
      'dynamodb.sock',
      's3.sock',
    ]);
    expect((await stat(join(dataDir, 'run'))).mode & 0o777).toBe(0o700);

    expect((await stop(runtime)).code).toBe(0);
    await expect(stat(join(dataDir, 'cbm-local.pid'))).rejects.toThrow();

    runtime = await start(dataDir);
    const after = (await call(runtime, 'GET', '/v1/ledger')).json<{
      logVkey: string;
      treeSize: number;
    }>();
    expect(after.logVkey).toBe(info.logVkey);
    expect(after.treeSize).toBe(5);
    expect((await call(runtime, 'GET', `/v1/statements/${answer.id}`)).json()).toMatchObject({
      status: 'integrated',
    });
    await auditLog(runtime);
    expect((await stop(runtime)).code).toBe(0);
  });

  it('stops gracefully on SIGTERM: answers what it accepted, exits 0 and releases the data directory', async () => {
    const dataDir = await temp();
    const runtime = await start(dataDir);
    const operator = await operatorOf(runtime, dataDir);
    const jor = await registerState(runtime, operator, 'state:JOR');
    const acked: string[] = [];
    let failure: unknown;
    const client = (async () => {
      for (;;) {
        const statement = next(ORIGIN, jor, 'risk.request', risk('state:EGY'));
        let response: Response;
        try {
          response = await fetch(`${runtime.url}/v1/statements`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', prefer: 'wait=5' },
            body: JSON.stringify(statement.envelope),
          });
        } catch {
          return; // the runtime stopped accepting
        }
        if (response.status >= 300) {
          failure = await response.text();
          return;
        }
        await response.text();
        statement.commit();
        acked.push(statement.id);
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const exit = await stop(runtime, 'SIGTERM');
    await client;
    expect(failure).toBeUndefined();
    expect(exit.code).toBe(0);
    expect(acked.length).toBeGreaterThan(0);
    await expect(stat(join(dataDir, 'cbm-local.pid'))).rejects.toThrow();

    const again = await start(dataDir);
    for (const id of acked) {
      expect((await call(again, 'GET', `/v1/statements/${id}`)).json()).toMatchObject({
        status: 'integrated',
      });
    }
    await auditLog(again);
    await stop(again);
  });

  describe('start-up errors: one line, exit 1', () => {
    async function failedStart(env: Record<string, string>): Promise<string> {
      const { output, exited } = run(env);
      const { code } = await exited;
      expect(code).toBe(1);
      const lines = output().trim().split('\n');
      expect(lines).toHaveLength(1);
      return lines[0]!;
    }

    it('when the port is in use', async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as AddressInfo).port;
      try {
        const line = await failedStart({ PORT: String(port), CBM_DATA_DIR: await temp() });
        expect(line).toBe(
          `cbm-local: port ${port} on 127.0.0.1 is already in use (set PORT to another port, or PORT=0 for any free one)`,
        );
      } finally {
        blocker.close();
      }
    });

    it('when the data directory cannot be written', async () => {
      const base = await temp();
      await writeFile(join(base, 'file'), '');
      const line = await failedStart({ CBM_DATA_DIR: join(base, 'file', 'data') });
      expect(line).toMatch(/^cbm-local: data directory .* is not writable \(ENOTDIR\)$/);
    });

    it('when another runtime uses the data directory', async () => {
      const dataDir = await temp();
      const first = await start(dataDir);
      try {
        const line = await failedStart({ CBM_DATA_DIR: dataDir });
        expect(line).toMatch(
          /^cbm-local: data directory .* is in use by another cbm-local \(pid \d+\)$/,
        );
      } finally {
        await stop(first);
      }
    });

    it('when a setting is malformed', async () => {
      expect(await failedStart({ PORT: 'eighty' })).toBe(
        'cbm-local: PORT must be a port number from 0 to 65535, not eighty',
      );
    });
  });

  it('exits 1 with one line when its embedded store process dies', async () => {
    const runtime = await start(await temp());
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(runtime.child.pid)])
      .toString()
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(children).toHaveLength(1);
    process.kill(children[0]!, 'SIGKILL');
    expect((await runtime.exited).code).toBe(1);
    expect(runtime.output().trim().split('\n').at(-1)).toMatch(
      /^cbm-local: embedded stores exited unexpectedly \(SIGKILL\)$/,
    );
  });

  it('loses nothing it acknowledged when killed with SIGKILL under load', async () => {
    const dataDir = await temp();
    const first = await start(dataDir);
    const operator = await operatorOf(first, dataDir);
    const states: Issuer[] = [];
    for (const id of [
      'state:JOR',
      'state:EGY',
      'state:ISR',
      'state:LBN',
      'state:SYR',
      'state:IRQ',
      'state:SAU',
      'state:TUR',
    ]) {
      states.push(await registerState(first, operator, id));
    }
    const acked = new Map<string, Issuer>();
    const errors: string[] = [];
    let killed = false;
    // One client per state, each submitting its chain as fast as it is acknowledged; some wait
    // for integration, most do not.
    const clients = states.map(async (state, n) => {
      for (let i = 0; !killed; i++) {
        const statement = next(
          ORIGIN,
          state,
          'risk.request',
          risk(n === 0 ? 'state:EGY' : 'state:JOR'),
        );
        let response: Response;
        try {
          response = await fetch(`${first.url}/v1/statements`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(i % 3 === 0 ? { prefer: 'wait=2' } : {}),
            },
            body: JSON.stringify(statement.envelope),
          });
          await response.text();
        } catch {
          return; // killed mid-request: not acknowledged
        }
        if (response.status >= 300) {
          errors.push(`${response.status}`);
          return;
        }
        statement.commit();
        acked.set(statement.id, state);
      }
    });
    const deadline = Date.now() + 10_000;
    while (acked.size < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    killed = true;
    expect((await first.exited).signal).toBe('SIGKILL');
    await Promise.all(clients);
    expect(errors).toEqual([]);
    expect(acked.size).toBeGreaterThanOrEqual(50);

    // The restart takes over the stale lock, reopens the stores and integrates what was pending.
    const second = await start(dataDir);
    const wait = Date.now() + 30_000;
    for (const id of acked.keys()) {
      for (;;) {
        const view = (await call(second, 'GET', `/v1/statements/${id}`)).json<{ status: string }>();
        if (view.status === 'integrated') break;
        if (Date.now() > wait) throw new Error(`${id} was acknowledged but never integrated`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const leaves = await auditLog(second);
    const inLog = new Set(leaves.map((l) => l.statement));
    for (const id of acked.keys()) expect(inLog.has(id)).toBe(true);
    // Each state's chain continues where its last acknowledged statement left it.
    for (const state of states) {
      const party = (await call(second, 'GET', `/v1/parties/${state.id}`)).json<{
        head: { seq: number } | null;
      }>();
      expect(party.head?.seq ?? 0).toBeGreaterThanOrEqual(state.seq);
    }
    await stop(second);
  }, 120_000);
});
