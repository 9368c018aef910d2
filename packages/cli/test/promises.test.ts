/**
 * Admission promises at the command line (issue 16, docs/promises.md): `cbm submit` keeps every
 * promise under CBM_HOME; `cbm verify` checks a promise alone or inside a receipt, rejecting
 * forged, altered and other-origin promises with their codes; `cbm status` holds the ledger to
 * each kept promise and exposes a dropped statement with its signed promise.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerClient } from '@cbm-ledger/client';
import {
  NoteKeyType,
  cosign,
  encodeVkey,
  formatUtcMillis,
  fromBase64,
  keyFileSeed,
  parseNote,
  parseKeyFile,
  randomSeed,
  signNoteText,
  signPromise,
  toHex,
} from '@cbm-ledger/protocol';
import { cbm, registerParty, startLedger, tempDir } from './support/ledger.js';
import type { CbmResult, Ledger } from './support/ledger.js';

let ledger: Ledger;
let dir: string;
let home: string;
let logSeed: Uint8Array;
let jorKey: string;
let receiptFile: string;
let promiseText: string;
let statement: string;
let statementIndex: number;
let witnessSeed: Uint8Array;
let witnessVkey: string;
const WITNESS = 'jordan.witness';

const at = (name: string): string => join(dir, name);
const run = (args: string[], env: Record<string, string> = {}): Promise<CbmResult> =>
  cbm(args, { server: ledger.url, cwd: dir, env: { CBM_HOME: home, ...env } });

async function write(name: string, text: string): Promise<string> {
  await writeFile(at(name), text);
  return at(name);
}

function randomStatementId(): string {
  return `sha256:${toHex(randomSeed())}`;
}

beforeAll(async () => {
  ledger = await startLedger();
  dir = await tempDir();
  home = join(dir, 'home');
  logSeed = keyFileSeed(parseKeyFile(await readFile(join(ledger.dataDir, 'log.key'), 'utf8')));
  jorKey = at('jor.key');
  expect((await run(['keygen', '--party', 'state:JOR', '--out', jorKey])).code).toBe(0);
  expect((await run(['keygen', '--party', 'state:JOR', '--out', at('w.key')])).code).toBe(0);
  const witness = parseKeyFile(await readFile(at('w.key'), 'utf8'));
  witnessSeed = keyFileSeed(witness);
  witnessVkey = encodeVkey(WITNESS, NoteKeyType.cosignatureV1, fromBase64(witness.publicKey, 32));
  const r1 = await registerParty(
    ledger,
    dir,
    {
      id: 'state:JOR',
      name: 'Jordan',
      keyPath: jorKey,
      witness: { name: WITNESS, publicKey: witness.publicKey },
    },
    { CBM_HOME: home },
  );
  expect(r1.code, r1.stderr).toBe(0);
  const body = await write(
    'info.json',
    JSON.stringify({
      year: 2026,
      holdings: {
        personnel: 1000,
        battleTanks: 10,
        acv: 20,
        artillery: 5,
        combatAircraft: 2,
        combatHelicopters: 1,
        units: [],
      },
    }),
  );
  receiptFile = at('info.receipt.json');
  const r2 = await run([
    'submit',
    'info.exchange',
    body,
    '--key',
    jorKey,
    '--wait',
    '10',
    '--receipt-out',
    receiptFile,
    '--json',
  ]);
  expect(r2.code, r2.stderr).toBe(0);
  const out = r2.json<{ statement: string; promise: string; promiseFile: string; index: number }>();
  statement = out.statement;
  statementIndex = out.index;
  promiseText = out.promise;
  expect(out.promiseFile).toBe(join(home, 'promises', `${statement.slice(7)}.json`));
}, 120_000);

afterAll(() => ledger?.close());

describe('cbm submit keeps promises', () => {
  it('keeps one file per statement under CBM_HOME/promises, with the promise as received', async () => {
    const files = (await readdir(join(home, 'promises'))).sort();
    expect(files).toHaveLength(2); // the party.register and the info.exchange
    const kept = JSON.parse(
      await readFile(join(home, 'promises', `${statement.slice(7)}.json`), 'utf8'),
    ) as Record<string, unknown>;
    expect(kept).toMatchObject({ origin: ledger.origin, statement, promise: promiseText });
    const receipt = JSON.parse(await readFile(receiptFile, 'utf8')) as { promise?: string };
    expect(receipt.promise).toBe(promiseText);
  });
});

describe('cbm verify of promises (offline)', () => {
  it('verifies a receipt with its promise, and a promise note alone', async () => {
    const r = await run(['verify', receiptFile, '--log-vkey', ledger.logVkey, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      ok: true,
      promise: { statement, origin: ledger.origin, kept: true },
    });
    const note = await write('promise.txt', promiseText);
    const p = await run(['verify', note, '--log-vkey', ledger.logVkey, '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.json()).toMatchObject({ ok: true, promise: { statement, origin: ledger.origin } });
  });

  const bad: [string, () => Promise<string>, string][] = [
    [
      'an altered promise (a later acceptedAt)',
      () =>
        write(
          'altered.txt',
          promiseText.replace(/^accepted (\S+)$/m, (_l, t: string) => {
            const later = formatUtcMillis(Date.parse(t) + 1000);
            return `accepted ${later}`;
          }),
        ),
      'PROMISE_FORGED',
    ],
    [
      'a promise forged with another key under the log key name',
      () =>
        write(
          'forged.txt',
          signPromise(
            {
              origin: ledger.origin,
              statement: randomStatementId(),
              acceptedAt: '2026-03-01T00:00:00.000Z',
              integrateBy: '2026-03-02T00:00:00.000Z',
            },
            randomSeed(),
          ),
        ),
      'PROMISE_FORGED',
    ],
    [
      "another ledger's promise",
      () =>
        write(
          'other-origin.txt',
          signPromise(
            {
              origin: 'cbm-ledger.example/elsewhere',
              statement,
              acceptedAt: '2026-03-01T00:00:00.000Z',
              integrateBy: '2026-03-02T00:00:00.000Z',
            },
            logSeed,
          ),
        ),
      'PROMISE_WRONG_ORIGIN',
    ],
    [
      'a note by the log key whose text is not a promise',
      () =>
        write(
          'not-a-promise.txt',
          signNoteText('cbm-ledger/promise/v1\nsomething else\n', [
            { name: ledger.origin, seed: logSeed },
          ]),
        ),
      'PROMISE_MALFORMED',
    ],
    [
      'a promise without signatures',
      () => write('unsigned.txt', promiseText.slice(0, promiseText.indexOf('\n\n') + 1)),
      'PROMISE_MALFORMED',
    ],
    [
      "a receipt carrying another statement's promise",
      async () => {
        const receipt = JSON.parse(await readFile(receiptFile, 'utf8')) as Record<string, unknown>;
        const other = signPromise(
          {
            origin: ledger.origin,
            statement: randomStatementId(),
            acceptedAt: '2026-03-01T00:00:00.000Z',
            integrateBy: '2026-03-02T00:00:00.000Z',
          },
          logSeed,
        );
        return write('swapped.receipt.json', JSON.stringify({ ...receipt, promise: other }));
      },
      'PROMISE_MISMATCH',
    ],
    [
      'a receipt whose promise states other times than its leaf',
      async () => {
        const receipt = JSON.parse(await readFile(receiptFile, 'utf8')) as Record<string, unknown>;
        const other = signPromise(
          {
            origin: ledger.origin,
            statement,
            acceptedAt: '2026-03-01T00:00:00.000Z',
            integrateBy: '2026-03-02T00:00:00.000Z',
          },
          logSeed,
        );
        return write('times.receipt.json', JSON.stringify({ ...receipt, promise: other }));
      },
      'PROMISE_MISMATCH',
    ],
    [
      'a receipt whose promise is not text',
      async () => {
        const receipt = JSON.parse(await readFile(receiptFile, 'utf8')) as Record<string, unknown>;
        return write('number.receipt.json', JSON.stringify({ ...receipt, promise: 42 }));
      },
      'PROMISE_MALFORMED',
    ],
  ];
  it.each(bad.map(([what, file, code]) => ({ what, file, code })))(
    'rejects $what with $code, exit 1',
    async ({ file, code }) => {
      const r = await run(['verify', await file(), '--log-vkey', ledger.logVkey, '--json']);
      expect(r.code, r.stdout).toBe(1);
      expect(r.json()).toMatchObject({ ok: false, error: { code } });
    },
  );
});

describe('cbm status', () => {
  it('reports every kept promise as kept while the ledger honours them', async () => {
    const r = await run(['status', '--log-vkey', ledger.logVkey, '--json']);
    expect(r.code, r.stdout).toBe(0);
    const out = r.json<{ ok: boolean; promises: { statement: string; state: string }[] }>();
    expect(out.ok).toBe(true);
    expect(out.promises.map((p) => p.state)).toEqual(['kept', 'kept']);
  });

  it('exposes a dropped statement with its signed promise, exit 1', async () => {
    // What a submitter holds when the log accepted its statement and then dropped it: a promise
    // signed by the log key for a statement the ledger now denies knowing.
    const dropped = randomStatementId();
    const note = signPromise(
      {
        origin: ledger.origin,
        statement: dropped,
        acceptedAt: '2026-03-01T00:00:00.000Z',
        integrateBy: '2026-03-02T00:00:00.000Z',
      },
      logSeed,
    );
    const droppedHome = join(dir, 'dropped-home');
    await mkdir(join(droppedHome, 'promises'), { recursive: true });
    await writeFile(
      join(droppedHome, 'promises', `${dropped.slice(7)}.json`),
      JSON.stringify({
        origin: ledger.origin,
        server: ledger.url,
        statement: dropped,
        promise: note,
        receivedAt: '2026-03-01T00:00:01.000Z',
      }),
    );
    const r = await run(['status', '--log-vkey', ledger.logVkey], { CBM_HOME: droppedHome });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`DROPPED      ${dropped}`);
    for (const line of note.trimEnd().split('\n')) expect(r.stdout).toContain(`    | ${line}`);
    const j = await run(['status', '--log-vkey', ledger.logVkey, '--json'], {
      CBM_HOME: droppedHome,
    });
    expect(j.json()).toMatchObject({
      ok: false,
      broken: 1,
      promises: [{ statement: dropped, state: 'dropped', promise: note }],
    });
  });

  const statusBad: [string, (h: string) => Promise<void>, string[], number, object][] = [
    [
      'a kept promise that does not verify (forged)',
      async (h) => {
        const id = randomStatementId();
        const forged = signPromise(
          {
            origin: ledger.origin,
            statement: id,
            acceptedAt: '2026-03-01T00:00:00.000Z',
            integrateBy: '2026-03-02T00:00:00.000Z',
          },
          randomSeed(),
        );
        await writeFile(
          join(h, 'promises', `${id.slice(7)}.json`),
          JSON.stringify({
            origin: ledger.origin,
            server: ledger.url,
            statement: id,
            promise: forged,
            receivedAt: '2026-03-01T00:00:01.000Z',
          }),
        );
      },
      [],
      1,
      { ok: false, promises: [{ state: 'invalid' }] },
    ],
    [
      'a damaged promise file',
      (h) => writeFile(join(h, 'promises', `${'ab'.repeat(32)}.json`), '{"origin": '),
      [],
      0,
      { ok: true, promises: [], unreadable: [`${'ab'.repeat(32)}.json`] },
    ],
    [
      "another ledger's kept promise (ignored)",
      (h) =>
        writeFile(
          join(h, 'promises', `${'cd'.repeat(32)}.json`),
          JSON.stringify({
            origin: 'cbm-ledger.example/elsewhere',
            server: 'http://127.0.0.1:1',
            statement: `sha256:${'cd'.repeat(32)}`,
            promise: 'x',
            receivedAt: '2026-03-01T00:00:01.000Z',
          }),
        ),
      [],
      0,
      { ok: true, promises: [] },
    ],
    ['no promise kept at all', () => Promise.resolve(), [], 0, { ok: true, promises: [] }],
    [
      'an invalid --now',
      () => Promise.resolve(),
      ['--now', 'tomorrow'],
      2,
      { ok: false, error: { code: 'USAGE' } },
    ],
  ];
  it.each(statusBad)('%s', async (_what, prepare, args, exit, expected) => {
    const h = await tempDir('cbm-status-home-');
    await mkdir(join(h, 'promises'), { recursive: true });
    await prepare(h);
    const r = await run(['status', '--log-vkey', ledger.logVkey, '--json', ...args], {
      CBM_HOME: h,
    });
    expect(r.code, r.stdout + r.stderr).toBe(exit);
    expect(r.json()).toMatchObject(expected);
  });
});

describe('cbm audit --witness-times', () => {
  async function cosignAt(size: number, time: number): Promise<void> {
    const client = new LedgerClient({ server: ledger.url });
    const note = (await client.checkpointStatus(size)).checkpoint;
    const line = cosign(parseNote(note).text, WITNESS, witnessSeed, time);
    await client.postCosignature({ checkpoint: note, cosignature: line });
  }
  const audit = (...args: string[]): Promise<CbmResult> =>
    run(['audit', '--log-vkey', ledger.logVkey, '--witness-times', '--json', ...args]);

  it("passes when every leaf lies within the witnesses' times", async () => {
    const size = statementIndex + 1;
    await cosignAt(size, Math.floor(Date.now() / 1000) + 1);
    const r = await audit('--witness', witnessVkey);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, witnessTimes: { cosignatures: 1, failures: [] } });
  });

  it('reports the index whose integratedAt a witness time contradicts', async () => {
    // The witness saw checkpoint `statementIndex` (without the info.exchange) as the newest at
    // T, after the log says it integrated the info.exchange: that integratedAt is contradicted.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await cosignAt(statementIndex, Math.floor(Date.now() / 1000));
    const r = await audit('--witness', witnessVkey, '--witness-skew', '0');
    expect(r.code, r.stdout).toBe(1);
    const out = r.json<{ ok: boolean; firstBadIndex: number; failures: AuditFailure[] }>();
    expect(out.ok).toBe(false);
    expect(out.firstBadIndex).toBe(statementIndex);
    expect(out.failures.map((f) => [f.check, f.index])).toEqual([
      ['WITNESS_TIME_VIOLATED', statementIndex],
    ]);
    // Within the stated default skew (300 s), the same times are consistent.
    expect((await audit('--witness', witnessVkey)).code).toBe(0);
  });

  const bad: [string, string[], number, string][] = [
    [
      'a witness key that is not a cosignature key',
      ['--witness', 'nonsense'],
      1,
      'WITNESS_KEY_INVALID',
    ],
    ['a negative skew', ['--witness-skew', '-1'], 2, 'USAGE'],
    ['a skew beyond a day', ['--witness-skew', '86401'], 2, 'USAGE'],
  ];
  it.each(bad)('refuses %s', async (_what, args, exit, code) => {
    const r = await audit(...args);
    expect(r.code).toBe(exit);
    expect(r.json()).toMatchObject({ ok: false, error: { code } });
  });
});

interface AuditFailure {
  check: string;
  index?: number;
}
