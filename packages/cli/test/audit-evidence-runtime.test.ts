/**
 * `cbm audit --evidence` against a real local runtime (issue 9 §2): evidence edited in the
 * embedded store behind the ledger's back is found, by hash and citing index; and the per-party
 * daily evidence budget set in the environment holds.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerClient } from '@cbm-ledger/client';
import { exampleBody, sha256Hex, utf8Encode } from '@cbm-ledger/protocol';
import { build } from './support/build.js';
import { cbm, registerParty, startLedger, tempDir } from './support/ledger.js';
import type { CbmResult, Ledger } from './support/ledger.js';

let ledger: Ledger;
let dir: string;
let jorKey: string;
const run = (args: string[]): Promise<CbmResult> => cbm(args, { server: ledger.url, cwd: dir });

async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    const path = join(root, e.name);
    if (e.isDirectory()) out.push(...(await files(path)));
    else out.push(path);
  }
  return out;
}

/** The published example alert (`cbm template datashare.alert`), under its own identifier. */
function alert(identifier: string): unknown {
  const body = exampleBody('datashare.alert') as { alert: { identifier: string } };
  body.alert.identifier = identifier;
  return { ...body, assessedAt: new Date(Date.now() - 3_600_000).toISOString() };
}

async function submitWithEvidence(identifier: string, evidence: string): Promise<CbmResult> {
  const body = join(dir, `${identifier}.json`);
  await writeFile(body, JSON.stringify(alert(identifier)));
  return run([
    'submit',
    'datashare.alert',
    body,
    '--key',
    jorKey,
    '--evidence',
    evidence,
    '--wait',
    '10',
    '--json',
  ]);
}

beforeAll(async () => {
  build();
  ledger = await startLedger({ env: { CBM_EVIDENCE_QUOTA_COUNT: '2' } });
  dir = await tempDir();
  jorKey = join(dir, 'jor.key');
  expect((await run(['keygen', '--party', 'state:JOR', '--out', jorKey])).code).toBe(0);
  const r = await registerParty(ledger, dir, {
    id: 'state:JOR',
    name: 'Hashemite Kingdom of Jordan',
    keyPath: jorKey,
  });
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(() => ledger?.close());

describe('cbm audit --evidence on a running ledger', () => {
  it('passes while the evidence is intact and names the hash and index once it is edited', async () => {
    const content = 'Laboratory report: 23 suspected cases.\n'.repeat(50);
    await writeFile(join(dir, 'lab.txt'), content);
    const first = await submitWithEvidence('JO-MOH-1', join(dir, 'lab.txt'));
    expect(first.code, first.stderr).toBe(0);
    const { index, evidence } = first.json<{ index: number; evidence: { sha256: string }[] }>();
    const sha256 = evidence[0]!.sha256;

    const clean = await run(['audit', '--evidence', '--log-vkey', ledger.logVkey, '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.json()).toMatchObject({ ok: true, evidence: { cited: 1, verified: 1 } });

    // An attacker with access to the data directory edits the stored object in place.
    const stored = [];
    for (const f of await files(ledger.dataDir)) {
      if ((await readFile(f, 'utf8').catch(() => '')) === content) stored.push(f);
    }
    expect(stored.length).toBeGreaterThan(0);
    for (const f of stored) await writeFile(f, content.replace('23', '99'));

    const tampered = await run(['audit', '--evidence', '--log-vkey', ledger.logVkey, '--json']);
    expect(tampered.code).toBe(1);
    const report = tampered.json<{
      ok: boolean;
      firstBadIndex: number;
      failures: { index: number; check: string; message: string }[];
    }>();
    expect(report.ok).toBe(false);
    expect(report.firstBadIndex).toBe(index);
    expect(report.failures[0]).toMatchObject({ index, check: 'EVIDENCE_MISMATCH' });
    expect(report.failures[0]!.message).toContain(sha256);
  });

  it("refuses uploads beyond the party's daily budget from CBM_EVIDENCE_QUOTA_COUNT, storing nothing", async () => {
    await writeFile(join(dir, 'second.txt'), 'annex two');
    await writeFile(join(dir, 'third.txt'), 'annex three');
    const second = await submitWithEvidence('JO-MOH-2', join(dir, 'second.txt'));
    expect(second.code, second.stderr).toBe(0);
    const client = new LedgerClient({ server: ledger.url });
    const before = (await client.info()).treeSize;
    const head = (await client.party('state:JOR')).head;
    const third = await submitWithEvidence('JO-MOH-3', join(dir, 'third.txt'));
    expect(third.code).not.toBe(0);
    expect(third.stderr).toMatch(/EVIDENCE_QUOTA_EXCEEDED/);
    // Nothing was written: no statement was filed, and the object is not stored.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await client.info()).treeSize).toBe(before);
    expect((await client.party('state:JOR')).head).toEqual(head);
    await expect(client.evidenceUrl(sha256Hex(utf8Encode('annex three')))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
