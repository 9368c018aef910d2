import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toBase64 } from '../src/bytes.js';
import type { Checkpoint } from '../src/checkpoint.js';
import {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from '../src/checkpoint.js';
import { naclEd25519, nodeEd25519 } from '../src/ed25519.js';
import { NoteKeyType, encodeVkey, parseVkey } from '../src/keys.js';
import { parseNote, signNoteText } from '../src/note.js';

const ORIGIN = 'cbm-ledger.example/mena';
const LOG_SEED = new Uint8Array(32).fill(11);
const LOG_KEY = parseVkey(
  encodeVkey(ORIGIN, NoteKeyType.ed25519, naclEd25519.publicKeyFromSeed(LOG_SEED)),
);
const ROOT = new Uint8Array(32).map((_, i) => i * 7);
const CP: Checkpoint = { origin: ORIGIN, size: 42, rootHash: ROOT, extensions: [] };

function expectCode(fn: () => unknown, code: string): void {
  expect(fn).toThrow(expect.objectContaining({ code }));
}

/** Seed inside a Go signer key `PRIVATE+KEY+<name>+<hash>+base64(0x01 ‖ seed)`. */
function goSeed(skey: string): Uint8Array {
  return fromBase64(skey.split('+').slice(4).join('+')).slice(1);
}

// transparency-dev/witness internal/witness/witness_test.go: a log key pair ("monkeys") and two
// checkpoints it signed with golang.org/x/mod/sumdb/note. The first root is given there in hex
// too (e35b…fc11), so the base64 line is cross-checked.
const TD = {
  vkey: 'monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT',
  skey: 'PRIVATE+KEY+monkeys+db4d9f7e+ATWIAF3yVBG+Hv1rZFQoNt/BaURkLPtOFMAM2HrEeIr6',
  init: 'monkeys\n5\n41smjBUiAU70EtKlT6lIOIYtRTYxYXsDB+XHfcvu/BE=\n\n— monkeys 202fftzGl3LVoqjXfwCFZZXs8I+5G22+Ek2K0AOyBuSJ/8/CZawNF+6fNlTKOCd622pbzJNkkJFWuw9DbicZCkEx9AY=\n',
  next: 'monkeys\n8\nV8K9aklZ4EPB+RMOk1/8VsJUdFZR77GDtZUQq84vSbo=\n\n— monkeys 202ffoUEboiQYpHzICeaFmoy3RNviHTpAxYrq/eO4QQVQMvu9UebKBMX2MJC76NLthZaKsnKbCA8GxrjePZhvDCH7Ag=\n',
  initRootHex: 'e35b268c1522014ef412d2a54fa94838862d453631617b0307e5c77dcbeefc11',
  // Same file family, older format: origin "Log Checkpoint v0" but key name "bananas".
  bananasVkey: 'bananas+cf639f13+AaPjhFnPCQnid/Ql32KWhmh+uk72FVRfK+2DLmO3BI3M',
  bananasInit:
    'Log Checkpoint v0\n5\n41smjBUiAU70EtKlT6lIOIYtRTYxYXsDB+XHfcvu/BE=\n\n— bananas z2OfE18+NwUjjJBXH7m+fh67bu29p1Jbypr4GFUQohgQgCeuPJZtGTvfR9Pquh2Iebfq+6bhl3G/77lsKiGIea6NAwE=\n',
};

describe('checkpoint bodies', () => {
  it('formats origin, size, base64 root and extension lines, each ending in a newline', () => {
    expect(formatCheckpoint(CP)).toBe(`${ORIGIN}\n42\n${toBase64(ROOT)}\n`);
    expect(formatCheckpoint({ ...CP, extensions: ['ext one', 'two'] })).toBe(
      `${ORIGIN}\n42\n${toBase64(ROOT)}\next one\ntwo\n`,
    );
    expect(formatCheckpoint({ ...CP, size: 0 })).toBe(`${ORIGIN}\n0\n${toBase64(ROOT)}\n`);
  });

  it('parses the C2SP tlog-checkpoint example body', () => {
    const body =
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    const c = parseCheckpoint(body);
    expect(c.origin).toBe('example.com/behind-the-sofa');
    expect(c.size).toBe(20852163);
    expect(c.rootHash).toHaveLength(32);
    expect(c.extensions).toEqual([]);
    expect(formatCheckpoint(c)).toBe(body);
  });

  it('accepts the largest safe tree size', () => {
    const body = `${ORIGIN}\n${Number.MAX_SAFE_INTEGER}\n${toBase64(ROOT)}\n`;
    expect(parseCheckpoint(body).size).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('round-trips arbitrary checkpoints', () => {
    const lineArb = fc
      .string({ minLength: 1, maxLength: 20, unit: 'grapheme' })
      .filter((s) => !/\p{Cc}/u.test(s));
    fc.assert(
      fc.property(
        lineArb,
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(lineArb, { maxLength: 3 }),
        (origin, size, rootHash, extensions) => {
          const c = { origin, size, rootHash, extensions };
          expect(parseCheckpoint(formatCheckpoint(c))).toEqual(c);
        },
      ),
      { numRuns: 200 },
    );
  });

  const root = toBase64(ROOT);
  const badBodies: [string, string][] = [
    ['a leading zero in the size', `${ORIGIN}\n042\n${root}\n`],
    ['a size of "00"', `${ORIGIN}\n00\n${root}\n`],
    ['a negative size', `${ORIGIN}\n-5\n${root}\n`],
    ['a plus sign', `${ORIGIN}\n+5\n${root}\n`],
    ['a space around the size', `${ORIGIN}\n 5\n${root}\n`],
    ['an exponent', `${ORIGIN}\n1e3\n${root}\n`],
    ['a hex size', `${ORIGIN}\n0x10\n${root}\n`],
    ['a fractional size', `${ORIGIN}\n5.0\n${root}\n`],
    ['a size above MAX_SAFE_INTEGER', `${ORIGIN}\n9007199254740992\n${root}\n`],
    ['a huge size', `${ORIGIN}\n${'9'.repeat(40)}\n${root}\n`],
    ['a 31-byte root', `${ORIGIN}\n5\n${toBase64(ROOT.subarray(1))}\n`],
    ['a 33-byte root', `${ORIGIN}\n5\n${toBase64(new Uint8Array(33))}\n`],
    ['a hex root', `${ORIGIN}\n5\n${'ab'.repeat(32)}\n`],
    ['an unpadded root', `${ORIGIN}\n5\n${root.slice(0, -1)}\n`],
    [
      'a non-canonical base64 root',
      `${ORIGIN}\n5\n${root.slice(0, -2)}${root.at(-2) === 'A' ? 'B' : 'C'}=\n`,
    ],
    ['only two lines', `${ORIGIN}\n5\n`],
    ['only the origin', `${ORIGIN}\n`],
    ['an empty body', ''],
    ['an empty origin', `\n5\n${root}\n`],
    ['a missing size line', `${ORIGIN}\n${root}\n`],
    ['no trailing newline', `${ORIGIN}\n5\n${root}`],
    ['an empty extension line', `${ORIGIN}\n5\n${root}\n\next\n`],
    ['a trailing blank line', `${ORIGIN}\n5\n${root}\n\n`],
    ['CRLF line endings', `${ORIGIN}\r\n5\r\n${root}\r\n`],
    ['a control character in the origin', `cbm\u0000ledger\n5\n${root}\n`],
  ];
  for (const [what, body] of badBodies) {
    it(`rejects a body with ${what} (CHECKPOINT_INVALID)`, () => {
      expectCode(() => parseCheckpoint(body), 'CHECKPOINT_INVALID');
    });
  }

  it('refuses to format a checkpoint it could not parse back', () => {
    const bad: Checkpoint[] = [
      { ...CP, origin: '' },
      { ...CP, origin: 'a\nb' },
      { ...CP, size: -1 },
      { ...CP, size: 1.5 },
      { ...CP, size: Number.MAX_SAFE_INTEGER + 1 },
      { ...CP, rootHash: new Uint8Array(31) },
      { ...CP, extensions: [''] },
      { ...CP, extensions: ['a\nb'] },
    ];
    for (const c of bad) expectCode(() => formatCheckpoint(c), 'CHECKPOINT_INVALID');
  });
});

describe('signed checkpoints', () => {
  it('verifies checkpoints signed by transparency-dev/witness test keys (Go sumdb/note)', () => {
    const key = parseVkey(TD.vkey);
    const init = openCheckpoint(TD.init, key);
    expect(init.checkpoint).toEqual({
      origin: 'monkeys',
      size: 5,
      rootHash: fromHex(TD.initRootHex),
      extensions: [],
    });
    expect(openCheckpoint(TD.next, key, naclEd25519).checkpoint.size).toBe(8);
  });

  it('reproduces the Go-signed checkpoint byte for byte from the published seed', () => {
    const c = parseCheckpoint(parseNote(TD.init).text);
    for (const impl of [nodeEd25519!, naclEd25519]) {
      expect(signCheckpoint(c, goSeed(TD.skey), impl)).toBe(TD.init);
    }
  });

  it('rejects a checkpoint whose origin is not its signing key’s name', () => {
    // Real data: "Log Checkpoint v0" signed by the key named "bananas".
    expectCode(
      () => openCheckpoint(TD.bananasInit, parseVkey(TD.bananasVkey)),
      'CHECKPOINT_INVALID',
    );
  });

  it('signs under the origin as key name and opens with either implementation', () => {
    for (const signImpl of [nodeEd25519!, naclEd25519]) {
      const note = signCheckpoint(CP, LOG_SEED, signImpl);
      expect(note).toContain(`\n\n— ${ORIGIN} `);
      for (const openImpl of [nodeEd25519!, naclEd25519]) {
        const opened = openCheckpoint(note, LOG_KEY, openImpl);
        expect(opened.checkpoint).toEqual(CP);
        expect(opened.note.text).toBe(formatCheckpoint(CP));
      }
    }
  });

  it('ignores other signatures (witnesses, unknown keys) when opening', () => {
    const body = formatCheckpoint(CP);
    const note = signNoteText(body, [
      { name: ORIGIN, seed: LOG_SEED },
      { name: 'witness.example/w1', seed: new Uint8Array(32).fill(5) },
    ]);
    expect(openCheckpoint(note, LOG_KEY).checkpoint).toEqual(CP);
  });

  it('refuses to sign under an origin that cannot be a key name', () => {
    expectCode(
      () => signCheckpoint({ ...CP, origin: 'has space' }, LOG_SEED),
      'CHECKPOINT_INVALID',
    );
    expectCode(() => signCheckpoint({ ...CP, origin: 'a+b' }, LOG_SEED), 'CHECKPOINT_INVALID');
  });

  const good = signCheckpoint(CP, LOG_SEED);
  const otherSeed = new Uint8Array(32).fill(12);
  const badNotes: [string, () => unknown, string][] = [
    [
      'signed by another key',
      () => openCheckpoint(signCheckpoint(CP, otherSeed), LOG_KEY),
      'NOTE_INVALID',
    ],
    [
      'with the size changed',
      () => openCheckpoint(good.replace('\n42\n', '\n43\n'), LOG_KEY),
      'NOTE_INVALID',
    ],
    [
      'with the root changed',
      () => openCheckpoint(good.replace(toBase64(ROOT), toBase64(new Uint8Array(32))), LOG_KEY),
      'NOTE_INVALID',
    ],
    [
      'with an extension line added',
      () => openCheckpoint(good.replace('\n\n', '\nextra\n\n'), LOG_KEY),
      'NOTE_INVALID',
    ],
    ['unsigned', () => openCheckpoint(formatCheckpoint(CP), LOG_KEY), 'NOTE_INVALID'],
    [
      'signed correctly but not a checkpoint',
      () =>
        openCheckpoint(
          signNoteText(`${ORIGIN}\n05\nx\n`, [{ name: ORIGIN, seed: LOG_SEED }]),
          LOG_KEY,
        ),
      'CHECKPOINT_INVALID',
    ],
    [
      'signed by the log key under another origin',
      () =>
        openCheckpoint(
          signNoteText(formatCheckpoint({ ...CP, origin: 'other.example/log' }), [
            { name: ORIGIN, seed: LOG_SEED },
          ]),
          LOG_KEY,
        ),
      'CHECKPOINT_INVALID',
    ],
    [
      'opened with a cosignature (0x04) key',
      () => openCheckpoint(good, { ...LOG_KEY, type: NoteKeyType.cosignatureV1 }),
      'KEY_INVALID',
    ],
    [
      'opened with a key whose key ID is wrong',
      () => openCheckpoint(good, { ...LOG_KEY, keyHash: new Uint8Array(4) }),
      'KEY_INVALID',
    ],
  ];
  for (const [what, fn, code] of badNotes) {
    it(`rejects a checkpoint ${what} (${code})`, () => expectCode(fn, code));
  }

  it('signs and opens arbitrary checkpoints across implementations', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (size, rootHash) => {
          const c = { origin: ORIGIN, size, rootHash, extensions: [] };
          const note = signCheckpoint(c, LOG_SEED, naclEd25519);
          expect(openCheckpoint(note, LOG_KEY, nodeEd25519).checkpoint).toEqual(c);
        },
      ),
      { numRuns: 20 },
    );
  });
});
