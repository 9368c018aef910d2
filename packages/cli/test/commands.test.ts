/**
 * Every `cbm` command end to end against a real ledger (the local runtime), as a state's
 * submitting office and an observer use them: keys, statements with co-signers and evidence,
 * receipts, audits, witnessing, compliance and timelines — and the errors people will meet.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerClient } from '@cbm-ledger/client';
import { exampleBody, fromBase64, parseKeyFile, toBase64 } from '@cbm-ledger/protocol';
import type { KeyFile } from '@cbm-ledger/protocol';
import { run as runCbm } from '../src/main.js';
import { build, ROOT } from './support/build.js';
import { TEST_CBM_HOME, cbm, startLedger, tempDir } from './support/ledger.js';
import type { CbmResult, Ledger } from './support/ledger.js';
import { measureBody, notificationBody } from './support/log.js';

/** Runs cbm in-process with a stop signal (for the witness loop). */
function run_(args: string[], signal: AbortSignal, out: (t: string) => void): Promise<number> {
  return runCbm(args, {
    stdout: { write: out },
    stderr: { write: () => undefined },
    stdin: Readable.from([]),
    env: { CBM_SERVER: ledger.url, CBM_HOME: TEST_CBM_HOME },
    cwd: dir,
    signal,
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let ledger: Ledger;
let dir: string;
const keys: Record<string, string> = {};
const witnessKeys: Record<string, string> = {};
const at = (name: string): string => join(dir, name);
const run = (args: string[], options: { stdin?: string } = {}): Promise<CbmResult> =>
  cbm(args, { server: ledger.url, cwd: dir, ...options });

async function json(name: string, value: unknown): Promise<string> {
  await writeFile(at(name), JSON.stringify(value, null, 2));
  return at(name);
}

async function readKey(path: string): Promise<KeyFile> {
  return parseKeyFile(await readFile(path, 'utf8'));
}

const WITNESS = { observer: 'un-team.witness', jor: 'jordan.witness' };

async function register(party: string, name: string, witness?: string): Promise<void> {
  const key = await readKey(keys[party]!);
  const body = {
    party: { id: party, name, kind: party.split(':')[0] },
    keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
    ...(witness === undefined
      ? {}
      : { witness: { name: witness, publicKey: (await readKey(witnessKeys[party]!)).publicKey } }),
  };
  const r = await run([
    'submit',
    'party.register',
    await json(`register-${party.replace(':', '-')}.json`, body),
    '--key',
    ledger.operatorKeyPath,
    '--wait',
    '10',
  ]);
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  build();
  ledger = await startLedger();
  dir = await tempDir();
  for (const party of ['state:JOR', 'state:EGY', 'state:ISR', 'observer:un-team']) {
    const file = at(`${party.replace(':', '-')}.key`);
    expect((await run(['keygen', '--party', party, '--out', file])).code).toBe(0);
    keys[party] = file;
  }
  for (const party of ['observer:un-team', 'state:JOR']) {
    const file = at(`${party.replace(':', '-')}-witness.key`);
    expect((await run(['keygen', '--party', party, '--out', file])).code).toBe(0);
    witnessKeys[party] = file;
  }
  await register('state:JOR', 'Hashemite Kingdom of Jordan', WITNESS.jor);
  await register('state:EGY', 'Arab Republic of Egypt');
  await register('state:ISR', 'State of Israel');
  await register('observer:un-team', 'UN observer team', WITNESS.observer);
}, 120_000);

afterAll(() => ledger?.close());

describe('cbm keygen', () => {
  it('writes a key file readable only by its owner, and prints what to register', async () => {
    const file = at('new.key');
    const r = await run(['keygen', '--party', 'state:TUN', '--out', file, '--json']);
    expect(r.code).toBe(0);
    const key = await readKey(file);
    expect(key.party).toBe('state:TUN');
    expect(r.json()).toMatchObject({ ok: true, keyid: key.keyid, publicKey: key.publicKey });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite an existing file, leaving it untouched', async () => {
    const file = at('keep.key');
    await run(['keygen', '--party', 'state:TUN', '--out', file]);
    const before = await readFile(file, 'utf8');
    const r = await run(['keygen', '--party', 'state:TUN', '--out', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exists; refusing to overwrite/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('refuses a party id that is not one (usage error)', async () => {
    const r = await run(['keygen', '--party', 'Jordan', '--out', at('x.key')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--party must be state:/);
  });
});

describe('cbm submit', () => {
  it('signs, submits and keeps a verified receipt (JSON body)', async () => {
    const r = await run([
      'submit',
      'exercise.notification',
      await json('desert-shield.json', notificationBody('DESERT SHIELD 27')),
      '--key',
      keys['state:JOR']!,
      '--wait',
      '10',
      '--receipt-out',
      at('desert-shield.receipt.json'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<{ status: string; index: number; seq: number; receiptFile: string }>();
    expect(out).toMatchObject({ ok: true, status: 'integrated', seq: 1, issuer: 'state:JOR' });
    const receipt = JSON.parse(await readFile(at('desert-shield.receipt.json'), 'utf8')) as {
      leaf: { index: number };
    };
    expect(receipt.leaf.index).toBe(out.index);
  });

  it('reads a YAML body and continues the issuer chain', async () => {
    const yaml = [
      'designation: EASTERN GATE 27',
      'activityType: exercise',
      'noticeClass: standard',
      "start: '2027-05-20T05:00:00Z'",
      "end: '2027-05-25T18:00:00Z'",
      'area: { description: Eastern region }',
      'participatingStates: [state:JOR]',
      'counts: { troops: 9500, battleTanks: 90, acv: 100, artillery: 20, aircraftSorties: 0, amphibiousTroops: 0, airborneTroops: 0 }',
      'observation: { invited: true, invitees: [observer:un-team] }',
    ].join('\n');
    await writeFile(at('eastern-gate.yaml'), yaml);
    const r = await run([
      'submit',
      'exercise.notification',
      at('eastern-gate.yaml'),
      '--key',
      keys['state:JOR']!,
      '--wait',
      '10',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ status: 'integrated', seq: 2 });
  });

  it('reads the body from stdin', async () => {
    const r = await run(
      [
        'submit',
        'exercise.notification',
        '-',
        '--key',
        keys['state:EGY']!,
        '--wait',
        '10',
        '--json',
      ],
      { stdin: JSON.stringify(notificationBody('BADR 2027')) },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ status: 'integrated', issuer: 'state:EGY', seq: 1 });
  });

  it("collects every party's signature for a consensus measure (--cosign)", async () => {
    const body = {
      ...(measureBody('mena-csbm', ['state:JOR', 'state:EGY', 'state:ISR']) as object),
      adoptedAt: '2026-11-01T00:00:00Z',
      inForceAt: '2026-11-01T00:00:00Z',
      review: { firstAt: '2027-11-01T00:00:00Z', intervalMonths: 12, graceDays: 30 },
    };
    const missing = await run([
      'submit',
      'measure.define',
      await json('measure.json', body),
      '--key',
      keys['state:JOR']!,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/COSIGNATURE_MISSING/);
    const r = await run([
      'submit',
      'measure.define',
      at('measure.json'),
      '--key',
      keys['state:JOR']!,
      '--cosign',
      keys['state:EGY']!,
      '--cosign',
      keys['state:ISR']!,
      '--wait',
      '10',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ status: 'integrated', type: 'measure.define' });
  });

  it('uploads evidence, cites it by hash, and the ledger serves it back', async () => {
    const content = Buffer.from('Laboratory report: 23 suspected cases.\n'.repeat(2000));
    await writeFile(at('lab-report.txt'), content);
    const body = {
      alert: {
        identifier: 'JO-MOH-2026-17',
        sender: 'alerts@moh.gov.jo',
        sent: '2026-11-20T10:00:00+02:00',
        status: 'Actual',
        msgType: 'Alert',
        scope: 'Public',
        info: [
          {
            category: ['Health'],
            event: 'Cholera outbreak',
            urgency: 'Expected',
            severity: 'Severe',
            certainty: 'Likely',
          },
        ],
      },
      hazardDomain: 'health',
      assessedAt: new Date(Date.now() - 3_600_000).toISOString(),
    };
    const r = await run([
      'submit',
      'datashare.alert',
      await json('alert.json', body),
      '--key',
      keys['state:JOR']!,
      '--evidence',
      at('lab-report.txt'),
      '--wait',
      '10',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<{
      evidence: { sha256: string; size: number; mediaType: string; name: string }[];
    }>();
    expect(out.evidence).toEqual([
      expect.objectContaining({
        size: content.length,
        mediaType: 'text/plain',
        name: 'lab-report.txt',
      }),
    ]);
    const url = await new LedgerClient({ server: ledger.url }).evidenceUrl(out.evidence[0]!.sha256);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(content);
    // The same file again: already stored, not sent twice.
    const again = await run([
      'submit',
      'datashare.alert',
      at('alert.json'),
      '--key',
      keys['state:JOR']!,
      '--evidence',
      at('lab-report.txt'),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already stored/);
  });

  it('keeps a restricted statement from anonymous readers', async () => {
    const r = await run([
      'submit',
      'exercise.notification',
      await json('secret.json', notificationBody('QUIET HARBOUR')),
      '--key',
      keys['state:ISR']!,
      '--audience',
      'state:EGY',
      '--wait',
      '10',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { index, visibility } = r.json<{ index: number; visibility: string }>();
    expect(visibility).toBe('restricted');
    const g = await run(['get', String(index), '--json']);
    expect(g.code).toBe(0);
    expect(g.json()).not.toHaveProperty('envelope');
    expect((await run(['get', String(index)])).stdout).toMatch(/not readable to you/);
    // Read as Egypt, its audience (a signed request): the body is there.
    const asEgypt = await run(['get', String(index), '--key', keys['state:EGY']!, '--json']);
    expect(asEgypt.code, asEgypt.stderr).toBe(0);
    expect(asEgypt.json()).toMatchObject({ statement: { audience: ['state:EGY'] } });
    // Egypt's audit reads it too: no entry is left unchecked.
    const audit = await run(['audit', '--key', keys['state:EGY']!, '--json']);
    expect(audit.code, audit.stdout).toBe(0);
    expect(audit.json()).toMatchObject({ ok: true, leafOnly: 0 });
  });
});

describe('cbm get', () => {
  it('shows an entry by index and a statement by id, with its body', async () => {
    const byIndex = await run(['get', '1', '--json']);
    expect(byIndex.code).toBe(0);
    const entry = byIndex.json<{ leaf: { statement: string; type: string }; statement: unknown }>();
    expect(entry.leaf.type).toBe('party.register');
    expect(entry.statement).toMatchObject({ type: 'party.register', issuer: 'operator:local' });
    const byId = await run(['get', entry.leaf.statement, '--receipt-out', at('r1.json')]);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/integrated {3}as entry 1/);
    expect(byId.stdout).toMatch(/Receipt written/);
  });

  it('shows a claim together with the replies of the party it is about', async () => {
    const submit = async (type: string, body: unknown, key: string) => {
      const r = await run([
        'submit',
        type,
        await json(`${type}.json`, body),
        '--key',
        key,
        '--wait',
        '10',
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      return r.json<{ statement: string; index: number }>();
    };
    const request = await submit(
      'risk.request',
      { ...(exampleBody('risk.request') as object), to: 'state:EGY' },
      keys['state:JOR']!,
    );
    const before = await run(['get', request.statement]);
    expect(before.stdout).toMatch(/replies {6}none yet/);
    const reply = await submit(
      'claim.reply',
      { claim: request.statement, position: 'dispute', answer: 'No columns moved.' },
      keys['state:EGY']!,
    );
    const byId = await run(['get', request.statement]);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toContain(
      `reply        DISPUTED by state:EGY, entry ${reply.index} (${reply.statement})`,
    );
    const byIndex = await run(['get', String(request.index), '--json']);
    expect(byIndex.json()).toMatchObject({
      replies: [{ statement: reply.statement, issuer: 'state:EGY', position: 'dispute' }],
    });
  });

  it('says what it expected for a malformed argument', async () => {
    const r = await run(['get', 'sha256:xyz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected a statement id/);
  });
});

describe('cbm verify (offline)', () => {
  let receipt: Record<string, unknown>;
  beforeAll(async () => {
    receipt = JSON.parse(await readFile(at('desert-shield.receipt.json'), 'utf8')) as Record<
      string,
      unknown
    >;
  });

  it('accepts the receipt against the log key', async () => {
    const r = await run(['verify', at('desert-shield.receipt.json'), '--log-vkey', ledger.logVkey]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Receipt verified/);
  });

  const doctored: [string, (r: Record<string, unknown>) => void, string][] = [
    [
      // Later, not earlier: a v2 leaf (docs/promises.md) integrated before its acceptedAt is
      // malformed before its hash is even looked at (the next row).
      'a leaf with another integration time',
      (r) => void ((r.leaf as { integratedAt: string }).integratedAt = '2099-01-01T00:00:00.000Z'),
      'LEAF_HASH_MISMATCH',
    ],
    [
      'a v2 leaf integrated before it was accepted',
      (r) => void ((r.leaf as { integratedAt: string }).integratedAt = '2020-01-01T00:00:00.000Z'),
      'LEAF_INVALID',
    ],
    [
      'a receipt naming another statement',
      (r) => void (r.statement = `sha256:${'ab'.repeat(32)}`),
      'STATEMENT_MISMATCH',
    ],
    [
      'an inclusion proof with a flipped bit',
      (r) => {
        const inclusion = r.inclusion as { hashes: string[] };
        const h = fromBase64(inclusion.hashes[0]!);
        h[0] = h[0]! ^ 1;
        inclusion.hashes[0] = toBase64(h);
      },
      'INCLUSION_PROOF_INVALID',
    ],
    [
      'a checkpoint with another root',
      (r) => {
        const lines = (r.checkpoint as string).split('\n');
        lines[2] = toBase64(new Uint8Array(32));
        r.checkpoint = lines.join('\n');
      },
      'CHECKPOINT_INVALID',
    ],
    [
      'a proof for another tree size',
      (r) => void ((r.inclusion as { treeSize: number }).treeSize += 1),
      'TREE_SIZE_MISMATCH',
    ],
  ];
  for (const [what, doctor, code] of doctored) {
    it(`rejects ${what} (${code})`, async () => {
      const copy = structuredClone(receipt);
      doctor(copy);
      const r = await run([
        'verify',
        await json('doctored.json', copy),
        '--log-vkey',
        ledger.logVkey,
        '--json',
      ]);
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({ ok: false, error: { code } });
      expect(r.stderr).toMatch(/receipt REJECTED/);
    });
  }

  it('rejects a receipt checked against another log key', async () => {
    const other = await startLedger();
    try {
      const r = await run([
        'verify',
        at('desert-shield.receipt.json'),
        '--log-vkey',
        other.logVkey,
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/CHECKPOINT_INVALID/);
    } finally {
      await other.close();
    }
  });
});

describe('cbm witness and witness quorums', () => {
  it('cosigns a checkpoint it proved consistent, and the ledger serves the cosignature', async () => {
    const state = at('observer-witness.state');
    const first = await run([
      'witness',
      '--key',
      witnessKeys['observer:un-team']!,
      '--name',
      WITNESS.observer,
      '--state-file',
      state,
      '--once',
      '--json',
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ cosigned: true, consistentWith: null });
    const size = first.json<{ size: number }>().size;
    // The log grows; the next round proves consistency with what it saw before.
    await run([
      'submit',
      'exercise.notification',
      await json('grow.json', notificationBody('GROWTH')),
      '--key',
      keys['state:EGY']!,
      '--wait',
      '10',
    ]);
    const second = await run([
      'witness',
      '--key',
      witnessKeys['observer:un-team']!,
      '--name',
      WITNESS.observer,
      '--state-file',
      state,
      '--once',
      '--json',
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json()).toMatchObject({ cosigned: true, consistentWith: size });
    const note = await new LedgerClient({ server: ledger.url }).checkpoint();
    expect(note).toContain(`— ${WITNESS.observer} `);
  });

  it('makes receipts verifiable against a quorum of witnesses', async () => {
    const info = await new LedgerClient({ server: ledger.url }).info();
    const vkeys = info.witnesses.map((w) => w.vkey);
    expect(vkeys).toHaveLength(2);
    const state = at('jor-witness.state');
    expect(
      (
        await run([
          'witness',
          '--key',
          witnessKeys['state:JOR']!,
          '--name',
          WITNESS.jor,
          '--state-file',
          state,
          '--once',
        ])
      ).code,
    ).toBe(0);
    expect(
      (
        await run([
          'witness',
          '--key',
          witnessKeys['observer:un-team']!,
          '--name',
          WITNESS.observer,
          '--state-file',
          at('observer-witness.state'),
          '--once',
        ])
      ).code,
    ).toBe(0);
    // A fresh receipt carries the current checkpoint, cosigned by both.
    const id = JSON.parse(await readFile(at('desert-shield.receipt.json'), 'utf8')) as {
      statement: string;
    };
    expect(
      (await run(['get', id.statement, '--receipt-out', at('cosigned.receipt.json')])).code,
    ).toBe(0);
    const ok = await run([
      'verify',
      at('cosigned.receipt.json'),
      '--log-vkey',
      ledger.logVkey,
      '--witness',
      vkeys[0]!,
      '--witness',
      vkeys[1]!,
      '--quorum',
      '2',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/cosigned by 2 of 2 witnesses/);
    // The receipt from submit time predates the cosignatures: a quorum of one is not met.
    const unmet = await run([
      'verify',
      at('desert-shield.receipt.json'),
      '--log-vkey',
      ledger.logVkey,
      '--witness',
      vkeys[0]!,
      '--quorum',
      '1',
      '--json',
    ]);
    expect(unmet.code).toBe(1);
    expect(unmet.json()).toMatchObject({ error: { code: 'WITNESS_QUORUM_UNMET' } });
  });

  it('keeps witnessing in a loop until stopped', async () => {
    const stop = new AbortController();
    let stdout = '';
    const done = run_(
      [
        'witness',
        '--key',
        witnessKeys['state:JOR']!,
        '--name',
        WITNESS.jor,
        '--state-file',
        at('loop.state'),
        '--interval',
        '1',
      ],
      stop.signal,
      (t) => (stdout += t),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    stop.abort();
    expect(await done).toBe(0);
    expect(stdout.trim().split('\n').length).toBeGreaterThanOrEqual(2);
    expect(stdout).toMatch(/Cosigned checkpoint \d+ of cbm-ledger.local\/dev as jordan.witness/);
    expect(stdout).toMatch(/already cosigned/);
  });

  it('refuses to witness for a name the key does not hold', async () => {
    const r = await run([
      'witness',
      '--key',
      keys['state:ISR']!,
      '--name',
      'impostor.witness',
      '--once',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lists no witness named impostor.witness/);
    expect(r.stderr).toMatch(/WITNESS_UNKNOWN/);
  });
});

describe('cbm audit', () => {
  it('verifies the whole log and resumes from its state file', async () => {
    const state = at('audit.state');
    const first = await run(['audit', '--state-file', state, '--json']);
    expect(first.code, first.stdout).toBe(0);
    const report = first.json<{
      ok: boolean;
      treeSize: number;
      signatures: number;
      leafOnly: number;
      logKeyTrust: string;
    }>();
    expect(report).toMatchObject({ ok: true, leafOnly: 1 });
    expect(report.logKeyTrust).toMatch(/trust on first use/);
    expect(report.signatures).toBeGreaterThan(report.treeSize);
    await run([
      'submit',
      'exercise.notification',
      await json('later.json', notificationBody('LATER')),
      '--key',
      keys['state:EGY']!,
      '--wait',
      '10',
    ]);
    const second = await run(['audit', '--state-file', state]);
    expect(second.code, second.stdout).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(`consistent with checkpoint ${report.treeSize} recorded in the state file`),
    );
    expect(second.stdout).toMatch(/trusted from the state file/);
    expect(second.stdout).toMatch(/AUDIT PASSED/);
  });

  it('trusts the log key it is given, and refuses another', async () => {
    const other = await startLedger();
    try {
      const r = await run(['audit', '--log-vkey', other.logVkey]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/CHECKPOINT_INVALID/);
    } finally {
      await other.close();
    }
  });
});

describe('cbm compliance and timeline', () => {
  it("prints the ledger's report; --json gives its exact bytes", async () => {
    const size = (await new LedgerClient({ server: ledger.url }).info()).treeSize;
    const when = new Date().toISOString();
    const r = await run(['compliance', '--at', when, '--tree-size', String(size), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const direct = await fetch(
      `${ledger.url}/v1/compliance?at=${encodeURIComponent(when)}&treeSize=${size}`,
    );
    expect(r.stdout).toBe(`${await direct.text()}\n`);
    const human = await run(['compliance', '--at', when]);
    expect(human.stdout).toMatch(/Compliance report for cbm-ledger.local\/dev/);
    expect(human.stdout).toMatch(/vd2011/);
  });

  it('recomputes the report offline and finds it byte-identical', async () => {
    const r = await run(['compliance', '--offline', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, identical: true });
    expect(r.json<{ report: { findings: unknown[] } }>().report.findings.length).toBeGreaterThan(0);
    const human = await run(['compliance', '--offline', '--measure', 'mena-csbm']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/byte-identical to the ledger's report/);
  });

  it('replays an older rules version byte for byte, and refuses an unknown one', async () => {
    const r = await run(['compliance', '--offline', '--rules-version', '1.0.0', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const answer = r.json<{
      identical: boolean;
      report: { rulesVersion?: string; ruleSets: { version: string }[] };
    }>();
    expect(answer.identical).toBe(true);
    expect(answer.report.rulesVersion).toBeUndefined();
    expect(answer.report.ruleSets.every((s) => s.version === '1.0.0')).toBe(true);
    const latest = await run(['compliance', '--offline', '--json']);
    expect(latest.json<{ report: { rulesVersion?: string } }>().report.rulesVersion).toBe('2.0.0');
    const bad = await run(['compliance', '--rules-version', '9.9.9']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/MALFORMED/);
    expect(bad.stderr).toMatch(/rulesVersion/);
  });

  it("shows a measure's timeline", async () => {
    const r = await run(['timeline', 'mena-csbm']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mena-csbm: Measure mena-csbm/);
    expect(r.stdout).toMatch(/review-due/);
    const j = await run(['timeline', 'mena-csbm', '--json']);
    expect(j.json()).toMatchObject({
      id: 'mena-csbm',
      parties: ['state:JOR', 'state:EGY', 'state:ISR'],
    });
    const unknown = await run(['timeline', 'no-such-measure']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/NOT_FOUND/);
  });
});

describe('friendly errors: one line, non-zero exit', () => {
  const oneLine = (r: CbmResult): void => {
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^cbm: /);
  };

  it('an unreachable ledger', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const r = await cbm(['get', '0'], { server });
    expect(r.code).toBe(1);
    oneLine(r);
    expect(r.stderr).toContain(`cannot reach the ledger at ${server} (connection refused)`);
    expect(r.stderr).toMatch(/is the ledger running\? Set --server or CBM_SERVER/);
  });

  it('a key file that is not one', async () => {
    await writeFile(at('garbage.key'), 'not json');
    const r = await run([
      'submit',
      'exercise.notification',
      at('desert-shield.json'),
      '--key',
      at('garbage.key'),
    ]);
    expect(r.code).toBe(1);
    oneLine(r);
    expect(r.stderr).toMatch(/key file .*garbage\.key is not a valid key file: .*not JSON/);
    const key = JSON.parse(await readFile(keys['state:JOR']!, 'utf8')) as Record<string, string>;
    await writeFile(
      at('mismatched.key'),
      JSON.stringify({ ...key, publicKey: (await readKey(keys['state:EGY']!)).publicKey }),
    );
    const m = await run([
      'submit',
      'exercise.notification',
      at('desert-shield.json'),
      '--key',
      at('mismatched.key'),
    ]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/\$\.publicKey: publicKey does not match the seed/);
    const missing = await run([
      'submit',
      'exercise.notification',
      at('desert-shield.json'),
      '--key',
      at('nowhere.key'),
    ]);
    expect(missing.stderr).toMatch(/nowhere\.key does not exist/);
  });

  it('a body that fails the schema: code and JSON path', async () => {
    const body = notificationBody('BROKEN') as { counts: Record<string, number> };
    body.counts.troops = -5;
    const r = await run([
      'submit',
      'exercise.notification',
      await json('broken.json', body),
      '--key',
      keys['state:JOR']!,
      '--json',
    ]);
    expect(r.code).toBe(1);
    oneLine(r);
    expect(r.stderr).toMatch(/SCHEMA_VIOLATION at \$\.body\.counts\.troops/);
    expect(r.json()).toMatchObject({
      ok: false,
      error: { code: 'SCHEMA_VIOLATION', path: '$.body.counts.troops' },
    });
    const unknown = await run([
      'submit',
      'exercise.notification',
      await json('extra.json', { ...body, colour: 'red' }),
      '--key',
      keys['state:JOR']!,
    ]);
    expect(unknown.stderr).toMatch(/UNKNOWN_FIELD at \$\.body\.colour/);
  });

  it('a body with several errors: every one, with its JSON path', async () => {
    // The three rounds of issue 11, told at once.
    const body = notificationBody('ROUNDS') as Record<string, unknown> & {
      counts: Record<string, number>;
    };
    delete body.counts['acv'];
    const r = await run([
      'submit',
      'exercise.notification',
      await json('rounds.json', { ...body, id: 'x', activityType: 'field-training' }),
      '--key',
      keys['state:JOR']!,
      '--json',
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^cbm: the statement fails the schema: UNKNOWN_FIELD at \$\.body\.id/);
    expect(lines.slice(1)).toEqual([
      '3 errors in all:',
      '  UNKNOWN_FIELD at $.body.id: unknown field',
      expect.stringMatching(/^ {2}SCHEMA_VIOLATION at \$\.body\.activityType: must be one of /),
      '  SCHEMA_VIOLATION at $.body.counts.acv: required',
    ]);
    const { error } = r.json<{ error: { errors: { path: string }[] } }>();
    expect(error.errors.map((e) => e.path)).toEqual([
      '$.body.id',
      '$.body.activityType',
      '$.body.counts.acv',
    ]);
  });

  it('a body file that is not JSON', async () => {
    await writeFile(at('bad.json'), '{"designation": ');
    const r = await run([
      'submit',
      'exercise.notification',
      at('bad.json'),
      '--key',
      keys['state:JOR']!,
    ]);
    expect(r.code).toBe(1);
    oneLine(r);
    expect(r.stderr).toMatch(/bad\.json is not valid JSON/);
  });

  it('a statement the ledger refuses, with its code', async () => {
    const r = await run([
      'submit',
      'exercise.notification',
      at('desert-shield.json'),
      '--key',
      at('new.key'),
    ]);
    expect(r.code).toBe(1);
    oneLine(r);
    expect(r.stderr).toMatch(/the ledger refused: ISSUER_UNKNOWN at \$\.issuer/);
  });

  it('usage errors exit 2', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['submit', 'exercise.notification', at('x.json')])).stderr).toMatch(
      /--key is required/,
    );
    expect((await run(['submit', 'nonsense.type', at('x.json'), '--key', 'k'])).code).toBe(2);
    expect((await run(['audit', '--workers', 'many'])).stderr).toMatch(
      /--workers must be a whole number/,
    );
    expect((await run(['get'])).code).toBe(2);
  });
});

describe('the cbm bin', () => {
  it('runs from the workspace build', async () => {
    const exec = promisify(execFile);
    const bin = join(ROOT, 'packages/cli/bin/cbm.js');
    const help = await exec(process.execPath, [bin, '--help']);
    expect(help.stdout).toMatch(/Usage: cbm <command>/);
    const entry = await exec(process.execPath, [bin, 'get', '0', '--json', '--server', ledger.url]);
    expect(JSON.parse(entry.stdout)).toMatchObject({ index: 0, leaf: { type: 'ledger.genesis' } });
    const failed = await exec(process.execPath, [
      bin,
      'get',
      '0',
      '--server',
      `http://127.0.0.1:${await closedPort()}`,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
  });
});
