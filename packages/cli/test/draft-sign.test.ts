/**
 * `cbm draft` → `cbm sign` (each office in its own directory, offline) → `cbm submit --envelope`
 * against a real local runtime (issue 11 §2), and the table of bad inputs of the three commands.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleBody } from '@cbm-ledger/protocol';
import { build } from './support/build.js';
import { cbm, registerParty, startLedger, tempDir } from './support/ledger.js';
import type { CbmResult, Ledger } from './support/ledger.js';

let ledger: Ledger;
let dir: string;
let jorDir: string;
let egyDir: string;
const run = (args: string[], cwd = dir, stdin?: string): Promise<CbmResult> =>
  cbm(args, { server: ledger.url, cwd, ...(stdin === undefined ? {} : { stdin }) });
/** No server at all: what an office signing offline has. */
const offline = (args: string[], cwd: string): Promise<CbmResult> =>
  cbm(args, { server: 'http://127.0.0.1:9', cwd });

function measure(id: string): unknown {
  return { ...(exampleBody('measure.define') as object), id };
}

async function drafted(id: string): Promise<string> {
  await writeFile(join(dir, `${id}.json`), JSON.stringify(measure(id)));
  const file = join(dir, `${id}.signing.json`);
  const r = await run([
    'draft',
    'measure.define',
    `${id}.json`,
    '--issuer',
    'state:JOR',
    '--out',
    file,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return file;
}

beforeAll(async () => {
  build();
  ledger = await startLedger();
  dir = await tempDir();
  jorDir = join(dir, 'jor-office');
  egyDir = join(dir, 'egy-office');
  await mkdir(jorDir);
  await mkdir(egyDir);
  for (const [party, office, name] of [
    ['state:JOR', jorDir, 'Jordan'],
    ['state:EGY', egyDir, 'Egypt'],
  ] as const) {
    const key = join(office, 'office.key');
    expect((await run(['keygen', '--party', party, '--out', key])).code).toBe(0);
    const r = await registerParty(ledger, dir, { id: party, name, keyPath: key });
    expect(r.code, r.stderr).toBe(0);
  }
  expect((await run(['keygen', '--party', 'state:LBN', '--out', join(dir, 'lbn.key')])).code).toBe(
    0,
  );
  expect(
    (await run(['keygen', '--party', 'state:JOR', '--out', join(dir, 'jor-second.key')])).code,
  ).toBe(0);
}, 120_000);

afterAll(() => ledger?.close());

describe('draft, sign in two offices, submit', () => {
  it('files one measure signed by both offices on their own machines, in any order', async () => {
    const file = await drafted('m-two-offices');
    const draft = JSON.parse(await readFile(file, 'utf8')) as { statement: string };
    // Egypt signs first, offline, in its own directory; then Jordan in its own.
    await writeFile(join(egyDir, 'measure.json'), await readFile(file));
    const egy = await offline(['sign', 'measure.json', '--key', 'office.key', '--json'], egyDir);
    expect(egy.code, egy.stderr).toBe(0);
    expect(egy.json<{ missing: string[] }>().missing).toEqual(['state:JOR']);
    await writeFile(join(jorDir, 'measure.json'), await readFile(join(egyDir, 'measure.json')));
    const jor = await offline(['sign', 'measure.json', '--key', 'office.key', '--json'], jorDir);
    expect(jor.code, jor.stderr).toBe(0);
    expect(jor.json<{ missing: string[]; signers: string[] }>()).toMatchObject({
      missing: [],
      signers: ['state:EGY', 'state:JOR'],
    });

    const signed = join(jorDir, 'measure.json');
    const first = await run(['submit', '--envelope', signed, '--wait', '10', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({
      statement: draft.statement,
      status: 'integrated',
      httpStatus: 201,
      signatures: 2,
    });
    // The same bytes again (a lost reply): the ledger answers with what it holds, no new entry.
    const again = await run(['submit', '--envelope', signed, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ statement: draft.statement, httpStatus: 200 });
    const got = await run(['get', draft.statement, '--json']);
    expect(got.code, got.stderr).toBe(0);
  });

  it('reads the signing file from stdin with -, and submits from stdin', async () => {
    const file = await drafted('m-stdin');
    const text = await readFile(file, 'utf8');
    const once = await cbm(['sign', '-', '--key', join(egyDir, 'office.key')], {
      cwd: dir,
      stdin: text,
    });
    expect(once.code, once.stderr).toBe(0);
    const twice = await cbm(['sign', '-', '--key', join(jorDir, 'office.key')], {
      cwd: dir,
      stdin: once.stdout,
    });
    expect(twice.code, twice.stderr).toBe(0);
    const sent = await run(['submit', '--envelope', '-', '--json'], dir, twice.stdout);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.json<{ httpStatus: number }>().httpStatus).toBe(202);
  });

  it('drafts offline with --seq, --prev and --ledger', async () => {
    await writeFile(join(dir, 'offline.json'), JSON.stringify(measure('m-offline')));
    const r = await offline(
      [
        'draft',
        'measure.define',
        'offline.json',
        '--issuer',
        'state:EGY',
        '--seq',
        '1',
        '--prev',
        'null',
        '--ledger',
        ledger.origin,
        '--json',
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ seq: 1, issuer: 'state:EGY' });
  });
});

describe('bad input to draft, sign and submit --envelope', () => {
  let signedOnce: string;
  beforeAll(async () => {
    const file = await drafted('m-bad-inputs');
    const r = await offline(['sign', file, '--key', join(jorDir, 'office.key')], dir);
    expect(r.code, r.stderr).toBe(0);
    signedOnce = await readFile(file, 'utf8');
  }, 60_000);

  /** Rewrites the once-signed file; returns its path. */
  async function variant(
    name: string,
    edit: (f: Record<string, unknown>) => void,
  ): Promise<string> {
    const f = JSON.parse(signedOnce) as Record<string, unknown>;
    edit(f);
    const path = join(dir, `${name}.signing.json`);
    await writeFile(path, JSON.stringify(f));
    return path;
  }

  const rows: {
    name: string;
    args: () => Promise<string[]>;
    code: number;
    error: string;
  }[] = [
    {
      name: 'sign: the same key again',
      args: async () => [
        'sign',
        await variant('same', () => {}),
        '--key',
        join(jorDir, 'office.key'),
      ],
      code: 1,
      error: 'ALREADY_SIGNED',
    },
    {
      name: 'sign: another key of a party that already signed',
      args: async () => [
        'sign',
        await variant('party', () => {}),
        '--key',
        join(dir, 'jor-second.key'),
      ],
      code: 1,
      error: 'ALREADY_SIGNED',
    },
    {
      name: 'sign: a party the measure does not name',
      args: async () => ['sign', await variant('lbn', () => {}), '--key', join(dir, 'lbn.key')],
      code: 1,
      error: 'SIGNER_NOT_REQUIRED',
    },
    {
      name: 'sign: the payload changed after it was signed',
      args: async () => [
        'sign',
        await variant('payload', (f) => {
          const text = Buffer.from(f.payload as string, 'base64').toString('utf8');
          const changed = text.replace('Prior notification', 'Later notification');
          f.payload = Buffer.from(changed).toString('base64');
          f.statement = `sha256:${createHash('sha256').update(changed).digest('hex')}`;
        }),
        '--key',
        join(egyDir, 'office.key'),
      ],
      code: 1,
      error: 'SIGNING_FILE_INVALID',
    },
    {
      name: 'sign: the payload changed and its id left',
      args: async () => [
        'sign',
        await variant('id', (f) => {
          f.payload = Buffer.from(
            Buffer.from(f.payload as string, 'base64')
              .toString('utf8')
              .replace('Prior', 'Later'),
          ).toString('base64');
        }),
        '--key',
        join(egyDir, 'office.key'),
      ],
      code: 1,
      error: 'SIGNING_FILE_INVALID',
    },
    {
      name: 'sign: a signature edited',
      args: async () => [
        'sign',
        await variant('sig', (f) => {
          const s = (f.signatures as { sig: string }[])[0]!;
          s.sig = `${s.sig[0] === 'A' ? 'B' : 'A'}${s.sig.slice(1)}`;
        }),
        '--key',
        join(egyDir, 'office.key'),
      ],
      code: 1,
      error: 'SIGNING_FILE_INVALID',
    },
    {
      name: 'sign: a signer record dropped',
      args: async () => [
        'sign',
        await variant('signers', (f) => {
          f.signers = [];
        }),
        '--key',
        join(egyDir, 'office.key'),
      ],
      code: 1,
      error: 'SIGNING_FILE_INVALID',
    },
    {
      name: 'sign: an unknown field',
      args: async () => [
        'sign',
        await variant('field', (f) => {
          f.extra = 1;
        }),
        '--key',
        join(egyDir, 'office.key'),
      ],
      code: 1,
      error: 'SIGNING_FILE_INVALID',
    },
    {
      name: 'sign: not a signing file',
      args: async () => {
        await writeFile(join(dir, 'not.json'), '{"hello":');
        return ['sign', join(dir, 'not.json'), '--key', join(egyDir, 'office.key')];
      },
      code: 1,
      error: 'SIGNING_FILE_INVALID',
    },
    {
      name: 'sign: no --key',
      args: async () => ['sign', await variant('nokey', () => {})],
      code: 2,
      error: 'USAGE',
    },
    {
      name: 'draft: --seq without --prev',
      args: () =>
        Promise.resolve([
          'draft',
          'info.exchange',
          'x.json',
          '--issuer',
          'state:JOR',
          '--seq',
          '2',
        ]),
      code: 2,
      error: 'USAGE',
    },
    {
      name: 'draft: --prev null with seq 2',
      args: () =>
        Promise.resolve([
          'draft',
          'info.exchange',
          'x.json',
          '--issuer',
          'state:JOR',
          '--seq',
          '2',
          '--prev',
          'null',
        ]),
      code: 2,
      error: 'USAGE',
    },
    {
      name: 'draft: an unknown type',
      args: () => Promise.resolve(['draft', 'measure.defined', 'x.json', '--issuer', 'state:JOR']),
      code: 2,
      error: 'USAGE',
    },
    {
      name: 'draft: no --issuer',
      args: () => Promise.resolve(['draft', 'info.exchange', 'x.json']),
      code: 2,
      error: 'USAGE',
    },
    {
      name: 'draft: a body the schema refuses',
      args: async () => {
        await writeFile(join(dir, 'bad-body.json'), JSON.stringify({ id: 'x' }));
        return ['draft', 'measure.define', 'bad-body.json', '--issuer', 'state:JOR'];
      },
      code: 1,
      error: 'BODY_INVALID',
    },
    {
      name: 'submit --envelope: a draft nobody signed',
      args: async () => [
        'submit',
        '--envelope',
        await variant('unsigned', (f) => {
          f.signatures = [];
          f.signers = [];
        }),
      ],
      code: 1,
      error: 'SIGNING_FILE_INVALID',
    },
    {
      name: 'submit --envelope: with TYPE and BODY',
      args: async () => [
        'submit',
        'measure.define',
        'x.json',
        '--envelope',
        await variant('pos', () => {}),
      ],
      code: 2,
      error: 'USAGE',
    },
    {
      name: 'submit --envelope: with --key',
      args: async () => [
        'submit',
        '--envelope',
        await variant('withkey', () => {}),
        '--key',
        join(jorDir, 'office.key'),
      ],
      code: 2,
      error: 'USAGE',
    },
    {
      name: 'submit --envelope: a signed payload changed',
      args: async () => [
        'submit',
        '--envelope',
        await variant('submit-tampered', (f) => {
          const s = (f.signatures as { sig: string }[])[0]!;
          s.sig = `${s.sig[0] === 'A' ? 'B' : 'A'}${s.sig.slice(1)}`;
        }),
      ],
      code: 1,
      error: 'SIGNING_FILE_INVALID',
    },
    {
      name: 'submit --envelope: missing a co-signature (the ledger refuses)',
      args: async () => ['submit', '--envelope', await variant('half', () => {})],
      code: 1,
      error: 'COSIGNATURE_MISSING',
    },
  ];

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const r = await run([...(await row.args()), '--json']);
    expect(r.code, r.stderr).toBe(row.code);
    expect(r.json<{ ok: boolean; error: { code: string } }>()).toMatchObject({
      ok: false,
      error: { code: row.error },
    });
  });
});
