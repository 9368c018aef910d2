/**
 * `cbm audit` against a ledger whose store is edited behind its back, and against a ledger whose
 * history was rewritten under the same log key: the audit fails, naming the first bad index or
 * the inconsistency, and exits 1.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerClient, submitStatement } from '@cbm-ledger/client';
import {
  canonicalLeaf,
  fromBase64,
  generateKeyFile,
  parseLeaf,
  toBase64,
  utf8Decode,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope, KeyFile } from '@cbm-ledger/protocol';
import { build } from './support/build.js';
import { cbm, startLedger, tempDir } from './support/ledger.js';
import type { Ledger } from './support/ledger.js';
import { notificationBody } from './support/log.js';

const pad = (n: number): string => String(n).padStart(16, '0');

async function populate(ledger: Ledger, notifications: number): Promise<KeyFile> {
  const client = new LedgerClient({ server: ledger.url });
  const jor = generateKeyFile('state:JOR');
  await submitStatement(client, {
    key: ledger.operatorKey,
    draft: {
      type: 'party.register',
      body: {
        party: { id: 'state:JOR', name: 'Jordan', kind: 'state' },
        keys: [{ keyid: jor.keyid, publicKey: jor.publicKey }],
      },
    },
    waitSeconds: 10,
  });
  for (let i = 0; i < notifications; i++) {
    await submitStatement(client, {
      key: jor,
      draft: { type: 'exercise.notification', body: notificationBody(`EX ${i}`) },
      waitSeconds: i === notifications - 1 ? 10 : 0,
    });
  }
  return jor;
}

describe('an entry edited directly in the store', () => {
  let ledger: Ledger;
  let dir: string;
  beforeAll(async () => {
    build();
    ledger = await startLedger({ ownStore: true });
    dir = await tempDir();
    await populate(ledger, 8);
  }, 120_000);
  afterAll(() => ledger?.close());

  const audit = (...args: string[]) => cbm(['audit', ...args], { server: ledger.url, cwd: dir });

  async function editLeaf(
    index: number,
    change: (leaf: Record<string, unknown>) => void,
  ): Promise<() => Promise<void>> {
    const { client, table } = ledger.dynamo!;
    const key = { pk: { S: 'leaves' }, sk: { S: `bundle#${pad(Math.floor(index / 256))}` } };
    const attr = `l${index % 256}`;
    const item = await client.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    const original = item.Item?.[attr]?.S;
    if (original === undefined) throw new Error(`no leaf ${index} in the store`);
    const leaf = JSON.parse(original) as Record<string, unknown>;
    change(leaf);
    const set = (value: string) =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET #l = :v',
          ExpressionAttributeNames: { '#l': attr },
          ExpressionAttributeValues: { ':v': { S: value } },
        }),
      );
    await set(canonicalLeaf(parseLeaf(leaf)));
    return () => set(original).then(() => undefined);
  }

  async function editEnvelope(
    issuer: string,
    seq: number,
    change: (e: Envelope) => void,
  ): Promise<() => Promise<void>> {
    const { client, table } = ledger.dynamo!;
    const key = { pk: { S: `issuer#${issuer}` }, sk: { S: `seq#${pad(seq)}` } };
    const item = await client.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    const original = item.Item?.['envelope']?.S;
    if (original === undefined) throw new Error(`no statement ${issuer}#${seq} in the store`);
    const envelope = JSON.parse(original) as Envelope;
    change(envelope);
    const set = (value: string) =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET envelope = :v',
          ExpressionAttributeValues: { ':v': { S: value } },
        }),
      );
    await set(JSON.stringify(envelope));
    return () => set(original).then(() => undefined);
  }

  it('passes before the edit', async () => {
    const r = await audit();
    expect(r.code, r.stdout).toBe(0);
  });

  it('catches a backdated leaf and names its index', async () => {
    const restore = await editLeaf(5, (leaf) => {
      leaf.integratedAt = '2026-01-01T00:00:00.000Z';
      // A v2 leaf (docs/promises.md) is backdated whole: its promised times with it.
      if (leaf.v === 2) {
        leaf.acceptedAt = '2026-01-01T00:00:00.000Z';
        leaf.integrateBy = '2026-01-01T00:00:00.000Z';
      }
    });
    try {
      const r = await audit('--json');
      expect(r.code).toBe(1);
      const report = r.json<{
        ok: boolean;
        firstBadIndex: number;
        failures: { check: string }[];
      }>();
      expect(report).toMatchObject({ ok: false, firstBadIndex: 5 });
      expect(report.failures.map((f) => f.check)).toContain('NOT_IN_SIGNED_TREE');
      const human = await audit();
      expect(human.stdout).toMatch(/AUDIT FAILED at index 5/);
      expect(human.stderr).toMatch(/^cbm: audit failed at index 5/);
    } finally {
      await restore();
    }
    expect((await audit()).code).toBe(0);
  });

  it('catches a leaf whose type was changed', async () => {
    const restore = await editLeaf(7, (leaf) => {
      leaf.type = 'exercise.update';
    });
    try {
      const r = await audit('--json');
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({ firstBadIndex: 7 });
    } finally {
      await restore();
    }
  });

  it('catches an envelope whose statement was rewritten and names its index', async () => {
    // state:JOR's seq 4 is entry 5 (genesis, registration, then JOR's 1, 2, 3, 4 …).
    const restore = await editEnvelope('state:JOR', 4, (envelope) => {
      const statement = JSON.parse(utf8Decode(fromBase64(envelope.payload))) as {
        body: { counts: { troops: number } };
      };
      statement.body.counts.troops = 900;
      envelope.payload = toBase64(utf8Encode(JSON.stringify(statement)));
    });
    try {
      const r = await audit('--json');
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({
        firstBadIndex: 5,
        failures: [expect.objectContaining({ check: 'STATEMENT_ID_MISMATCH' })],
      });
    } finally {
      await restore();
    }
  });

  it('catches a signature swapped in the store', async () => {
    const restore = await editEnvelope('state:JOR', 2, (envelope) => {
      const sig = fromBase64(envelope.signatures[0]!.sig);
      sig[0] = sig[0]! ^ 0x80;
      envelope.signatures[0]!.sig = toBase64(sig);
    });
    try {
      const r = await audit('--json');
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({ firstBadIndex: 3 });
    } finally {
      await restore();
    }
  });
});

describe('a rewritten checkpoint history', () => {
  it('is refused: the log is not consistent with the checkpoint in the state file', async () => {
    build();
    const dir = await tempDir();
    const state = join(dir, 'audit.state');
    const a = await startLedger();
    let keysFrom: string;
    try {
      await populate(a, 3);
      const first = await cbm(['audit', '--state-file', state], { server: a.url, cwd: dir });
      expect(first.code, first.stdout).toBe(0);
      // Keep the operator and log keys: closing the ledger removes its data directory.
      for (const f of ['operator.key', 'log.key']) await copyFile(join(a.dataDir, f), join(dir, f));
      keysFrom = dir;
    } finally {
      await a.close();
    }
    // The same operator and log key, a new store: another genesis, another history.
    const b = await startLedger({ keysFrom });
    try {
      expect(b.logVkey).toBe(
        (JSON.parse(await readFile(state, 'utf8')) as { logVkey: string }).logVkey,
      );
      await populate(b, 5);
      const r = await cbm(['audit', '--state-file', state, '--json'], { server: b.url, cwd: dir });
      expect(r.code).toBe(1);
      const report = r.json<{ failures: { check: string; message: string }[] }>();
      expect(report.failures[0]?.check).toBe('INCONSISTENT');
      expect(report.failures[0]?.message).toMatch(/history was rewritten/);
      // The state still holds the first ledger's checkpoint: the alarm does not go away.
      const again = await cbm(['audit', '--state-file', state], { server: b.url, cwd: dir });
      expect(again.code).toBe(1);
      expect(again.stdout).toMatch(/AUDIT FAILED/);
    } finally {
      await b.close();
    }
  }, 120_000);
});
