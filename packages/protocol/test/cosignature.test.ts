import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8Decode } from '../src/bytes.js';
import { formatCheckpoint, openCheckpoint, signCheckpoint } from '../src/checkpoint.js';
import type { VerifiedCosignature, WitnessKey } from '../src/cosignature.js';
import {
  appendCosignatures,
  checkWitnessQuorum,
  cosign,
  cosignatureMessage,
  verifyCosignatureLine,
  verifyCosignatures,
} from '../src/cosignature.js';
import { naclEd25519, nodeEd25519 } from '../src/ed25519.js';
import { NoteKeyType, encodeVkey, noteKeyHash, parseVkey } from '../src/keys.js';
import { parseNote, parseSignatureLine, signNoteText } from '../src/note.js';

const ORIGIN = 'cbm-ledger.example/mena';
const LOG_SEED = new Uint8Array(32).fill(21);
const LOG_KEY = parseVkey(
  encodeVkey(ORIGIN, NoteKeyType.ed25519, naclEd25519.publicKeyFromSeed(LOG_SEED)),
);
const CP = { origin: ORIGIN, size: 1234, rootHash: new Uint8Array(32).fill(0xab), extensions: [] };
const BODY = formatCheckpoint(CP);
const T = 1_760_000_000;

function witness(name: string, fill: number): WitnessKey & { seed: Uint8Array } {
  const seed = new Uint8Array(32).fill(fill);
  return { name, seed, publicKey: naclEd25519.publicKeyFromSeed(seed) };
}
const W1 = witness('state.example/jor-witness', 31);
const W2 = witness('observer.example/w2', 32);
const W3 = witness('observer.example/w3', 33);
const keyOf = (w: WitnessKey): WitnessKey => ({ name: w.name, publicKey: w.publicKey });

function expectCode(fn: () => unknown, code: string): void {
  expect(fn).toThrow(expect.objectContaining({ code }));
}

/** Re-encodes a signature line after editing its raw bytes (key ID ‖ time ‖ signature). */
function editLine(line: string, edit: (raw: Uint8Array) => Uint8Array | void): string {
  const space = line.lastIndexOf(' ');
  const raw = fromBase64(line.slice(space + 1));
  return `${line.slice(0, space)} ${toBase64(edit(raw) ?? raw)}`;
}

describe('cosignature/v1 message and framing', () => {
  it('is "cosignature/v1\\ntime <t>\\n" followed by the checkpoint body (the spec’s example)', () => {
    // C2SP tlog-cosignature, "Ed25519 signed message".
    const body =
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    expect(utf8Decode(cosignatureMessage(body, 1679315147))).toBe(
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
    expect(utf8Decode(cosignatureMessage(body, 0))).toBe(`cosignature/v1\ntime 0\n${body}`);
  });

  it('reads key ID, big-endian time and 64-byte signature from published cosignature lines', () => {
    // C2SP tlog-cosignature example line; its time matches the spec's signed-message example.
    const spec = parseSignatureLine(
      '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==',
    );
    expect(spec.signature).toHaveLength(72);
    expect(new DataView(spec.signature.buffer).getBigUint64(0)).toBe(1679315147n);
    // transparency-dev/formats note/note_cosigv1_test.go TestCoSigV1Timestamp ("works").
    const td = fromBase64(
      'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==',
    );
    expect(td).toHaveLength(76);
    expect(new DataView(td.buffer).getBigUint64(4)).toBe(1727964367n);
  });

  it('rejects a time that is negative, fractional or beyond MAX_SAFE_INTEGER', () => {
    for (const t of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      expectCode(() => cosignatureMessage(BODY, t), 'COSIGNATURE_INVALID');
      expectCode(() => cosign(BODY, W1.name, W1.seed, t), 'COSIGNATURE_INVALID');
    }
  });
});

describe('an Ed25519 cosignature vector from a third-party implementation', () => {
  // No C2SP or transparency-dev source found by search publishes a full Ed25519 cosignature
  // vector (witness key, checkpoint and line together): the spec's example omits its key, and
  // transparency-dev tests sign with random keys or check only the timestamp framing. This vector
  // was found by code search in a public Go test (the index did not name its repository), which
  // states it was produced with github.com/transparency-dev/formats v0.1.1
  // NewSignerForCosignatureV1 and golang.org/x/mod/sumdb/note from fixed seeds. Whatever its
  // origin, a signature that verifies here proves its producer signed the same message format,
  // and the published seed lets us check our own output byte for byte.
  const V = {
    logVkey: 'example.com/vector-log+4516a1da+ARGkVJ4QEa2MOOLGBO6i7NVSJ1FQ97tIX+w+Ku0RZ6Em',
    witSkey:
      'PRIVATE+KEY+witness.example.com/vector+416f103d+BJEX3xv88eoQIKT4E+GkxZcXaJCYlQfi/GJ3NDFmZIW8',
    witVkey: 'witness.example.com/vector+416f103d+BK/QmJFVP3SKJOqAMhFxBQPtylo3sjwWibyFDAlZKK8B',
    text: 'example.com/vector-log\n1234\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n',
    logLine:
      '— example.com/vector-log RRah2qlLrSlk6J8DA1HmNewppUM15Quhs5cAIb1KjBsV3otVirJTW8AFVsQtJkTW1Zny7GuoAxZpI6bUPcpM68QOIgE=',
    witLine:
      '— witness.example.com/vector QW8QPQAAAABqwLUbDdj7sDNRIVjmjYgqFI6y4UJhPg/UAA8J8wAdqSd3q4PedRhkgXA4xFN/Jg5uWn7ZkBA+H/UHQs5d9hITdXmQAA==',
    time: 1791014171,
  };
  const note = `${V.text}\n${V.logLine}\n${V.witLine}\n`;
  const witKey = parseVkey(V.witVkey);
  const wit: WitnessKey = { name: witKey.name, publicKey: witKey.publicKey };

  it('parses the witness vkey as type 0x04', () => {
    expect(witKey.type).toBe(NoteKeyType.cosignatureV1);
  });

  for (const impl of [nodeEd25519!, naclEd25519]) {
    it(`verifies the log signature and the cosignature (${impl.name})`, () => {
      expect(openCheckpoint(note, parseVkey(V.logVkey), impl).checkpoint.size).toBe(1234);
      expect(verifyCosignatures(note, [wit], impl)).toEqual([{ name: wit.name, time: V.time }]);
      expect(verifyCosignatureLine(V.text, V.witLine, wit, impl)).toEqual({
        name: wit.name,
        time: V.time,
      });
    });

    it(`reproduces the cosignature line from the published seed (${impl.name})`, () => {
      const seed = fromBase64(V.witSkey.split('+').slice(4).join('+')).slice(1);
      expect(cosign(V.text, wit.name, seed, V.time, impl)).toBe(V.witLine);
    });
  }
});

describe('cosigning and verifying', () => {
  it('produces a line "— <name> base64(key ID ‖ u64be time ‖ signature)" without newline', () => {
    const line = cosign(BODY, W1.name, W1.seed, T);
    expect(line.startsWith(`— ${W1.name} `)).toBe(true);
    expect(line.endsWith('\n')).toBe(false);
    const sig = parseSignatureLine(line);
    expect(sig.keyHash).toEqual(noteKeyHash(W1.name, NoteKeyType.cosignatureV1, W1.publicKey));
    expect(sig.signature).toHaveLength(72);
    expect(new DataView(sig.signature.buffer).getBigUint64(0)).toBe(BigInt(T));
    expect(
      naclEd25519.verify(W1.publicKey, cosignatureMessage(BODY, T), sig.signature.subarray(8)),
    ).toBe(true);
  });

  it('verifies lines signed by one implementation with the other', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (time, size, rootHash) => {
          const body = formatCheckpoint({ ...CP, size, rootHash });
          const byNode = cosign(body, W2.name, W2.seed, time, nodeEd25519);
          const byNacl = cosign(body, W2.name, W2.seed, time, naclEd25519);
          expect(byNode).toBe(byNacl);
          expect(verifyCosignatureLine(body, byNode, keyOf(W2), naclEd25519)).toEqual({
            name: W2.name,
            time,
          });
          expect(verifyCosignatureLine(body, byNacl, keyOf(W2), nodeEd25519).time).toBe(time);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('refuses to cosign something that is not a checkpoint', () => {
    expectCode(() => cosign('hello\n', W1.name, W1.seed, T), 'CHECKPOINT_INVALID');
    expectCode(() => cosign(BODY, 'bad name', W1.seed, T), 'KEY_INVALID');
  });

  const line = cosign(BODY, W1.name, W1.seed, T);
  const otherBody = formatCheckpoint({ ...CP, size: CP.size + 1 });
  const noteSigLine = parseNote(signNoteText(BODY, [{ name: W1.name, seed: W1.seed }]));
  const asNoteSignature = `— ${W1.name} ${toBase64(
    Uint8Array.from([
      ...noteSigLine.signatures[0]!.keyHash,
      ...noteSigLine.signatures[0]!.signature,
    ]),
  )}`;
  const badLines: [string, () => unknown][] = [
    ['over a different body', () => verifyCosignatureLine(otherBody, line, keyOf(W1))],
    [
      'with a wrong time',
      () =>
        verifyCosignatureLine(
          BODY,
          editLine(line, (r) => {
            r[11]! ^= 1;
          }),
          keyOf(W1),
        ),
    ],
    [
      'with a flipped signature bit',
      () =>
        verifyCosignatureLine(
          BODY,
          editLine(line, (r) => {
            r[40]! ^= 4;
          }),
          keyOf(W1),
        ),
    ],
    [
      'by an unknown key under the witness’s name',
      () => verifyCosignatureLine(BODY, cosign(BODY, W1.name, W3.seed, T), keyOf(W1)),
    ],
    [
      'by another witness',
      () => verifyCosignatureLine(BODY, cosign(BODY, W2.name, W2.seed, T), keyOf(W1)),
    ],
    [
      'with a 0x01 key ID (an ordinary note signature by the witness key)',
      () => verifyCosignatureLine(BODY, asNoteSignature, keyOf(W1)),
    ],
    [
      'with a 0x01 key ID but the cosignature bytes',
      () =>
        verifyCosignatureLine(
          BODY,
          editLine(line, (r) => r.set(noteKeyHash(W1.name, 1, W1.publicKey))),
          keyOf(W1),
        ),
    ],
    [
      'with a timestamp beyond MAX_SAFE_INTEGER',
      () =>
        verifyCosignatureLine(
          BODY,
          editLine(line, (r) => {
            r[4] = 0x7f;
          }),
          keyOf(W1),
        ),
    ],
    [
      'with a timestamp at or above 2^63',
      () =>
        verifyCosignatureLine(
          BODY,
          editLine(line, (r) => {
            r[4] = 0x80;
          }),
          keyOf(W1),
        ),
    ],
    [
      'one byte short',
      () =>
        verifyCosignatureLine(
          BODY,
          editLine(line, (r) => r.slice(0, -1)),
          keyOf(W1),
        ),
    ],
    [
      'one byte long',
      () =>
        verifyCosignatureLine(
          BODY,
          editLine(line, (r) => Uint8Array.from([...r, 0])),
          keyOf(W1),
        ),
    ],
    ['with a trailing newline', () => verifyCosignatureLine(BODY, `${line}\n`, keyOf(W1))],
    ['without the em dash', () => verifyCosignatureLine(BODY, line.slice(2), keyOf(W1))],
    ['with bad base64', () => verifyCosignatureLine(BODY, `${line.slice(0, -4)}!!!!`, keyOf(W1))],
    [
      'over a body without its final newline',
      () => verifyCosignatureLine(BODY.slice(0, -1), line, keyOf(W1)),
    ],
  ];
  for (const [what, fn] of badLines) {
    it(`rejects a cosignature line ${what} (COSIGNATURE_INVALID)`, () => {
      expectCode(fn, 'COSIGNATURE_INVALID');
    });
  }

  it('rejects any single-bit change of the line’s bytes', () => {
    fc.assert(
      fc.property(fc.nat({ max: 76 * 8 - 1 }), (bit) => {
        const changed = editLine(line, (r) => {
          r[bit >> 3]! ^= 1 << (bit & 7);
        });
        expectCode(() => verifyCosignatureLine(BODY, changed, keyOf(W1)), 'COSIGNATURE_INVALID');
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a malformed witness key with KEY_INVALID', () => {
    expectCode(
      () => verifyCosignatureLine(BODY, line, { name: W1.name, publicKey: new Uint8Array(31) }),
      'KEY_INVALID',
    );
    expectCode(
      () => verifyCosignatureLine(BODY, line, { name: 'a b', publicKey: W1.publicKey }),
      'KEY_INVALID',
    );
  });
});

describe('cosigned checkpoints', () => {
  const logNote = signCheckpoint(CP, LOG_SEED);
  const lines = [W1, W2].map((w) => cosign(BODY, w.name, w.seed, T));
  const served = appendCosignatures(logNote, lines);

  it('serves the checkpoint with cosignatures appended after the log signature', () => {
    expect(served).toBe(`${logNote}${lines.map((l) => `${l}\n`).join('')}`);
    expect(openCheckpoint(served, LOG_KEY).checkpoint).toEqual(CP);
  });

  it('verifies the known witnesses’ cosignatures and ignores unknown signers', () => {
    const withUnknown = appendCosignatures(served, [cosign(BODY, W3.name, W3.seed, T + 5)]);
    expect(verifyCosignatures(withUnknown, [keyOf(W1), keyOf(W2)])).toEqual([
      { name: W1.name, time: T },
      { name: W2.name, time: T },
    ]);
    expect(verifyCosignatures(withUnknown, [keyOf(W3)], naclEd25519)).toEqual([
      { name: W3.name, time: T + 5 },
    ]);
    expect(verifyCosignatures(withUnknown, [])).toEqual([]);
    expect(verifyCosignatures(parseNote(withUnknown), [keyOf(W2)])).toEqual([
      { name: W2.name, time: T },
    ]);
  });

  it('ignores an ordinary (0x01) signature by a witness key', () => {
    const note = signNoteText(BODY, [
      { name: ORIGIN, seed: LOG_SEED },
      { name: W1.name, seed: W1.seed },
    ]);
    expect(verifyCosignatures(note, [keyOf(W1)])).toEqual([]);
  });

  it('rejects the note when a known witness’s cosignature does not verify', () => {
    const forged = cosign(otherBodyOf(CP), W2.name, W2.seed, T);
    const note = `${logNote}${lines[0]!}\n${forged}\n`;
    expectCode(() => verifyCosignatures(note, [keyOf(W1), keyOf(W2)]), 'COSIGNATURE_INVALID');
    // Not known, so not checked:
    expect(verifyCosignatures(note, [keyOf(W1)])).toEqual([{ name: W1.name, time: T }]);
  });

  it('rejects a cosigned note that is malformed (NOTE_INVALID)', () => {
    expectCode(() => verifyCosignatures(served.slice(0, -1), [keyOf(W1)]), 'NOTE_INVALID');
    expectCode(() => verifyCosignatures(`${served}${lines[0]!}\n`, [keyOf(W1)]), 'NOTE_INVALID');
  });

  it('replaces a witness’s older cosignature with its newer one, in place', () => {
    const newer = cosign(BODY, W1.name, W1.seed, T + 60);
    const updated = appendCosignatures(served, [newer]);
    expect(updated).toBe(`${logNote}${newer}\n${lines[1]!}\n`);
    expect(verifyCosignatures(updated, [keyOf(W1), keyOf(W2)])).toEqual([
      { name: W1.name, time: T + 60 },
      { name: W2.name, time: T },
    ]);
  });

  it('refuses to append lines that are not cosignatures or would replace the log signature', () => {
    const logLine = logNote.slice(BODY.length + 1, -1);
    // Same name and key ID as the log's signature, shaped like a cosignature.
    const collision = editLine(logLine, (r) =>
      Uint8Array.from([...r.subarray(0, 4), ...new Uint8Array(72)]),
    );
    expectCode(() => appendCosignatures(logNote, [logLine]), 'COSIGNATURE_INVALID');
    expectCode(() => appendCosignatures(logNote, [collision]), 'COSIGNATURE_INVALID');
    expectCode(() => appendCosignatures(logNote, ['not a line']), 'COSIGNATURE_INVALID');
    expectCode(() => appendCosignatures(logNote, [`${lines[0]!}\n`]), 'COSIGNATURE_INVALID');
    expectCode(() => appendCosignatures('not a note', lines), 'NOTE_INVALID');
  });
});

function otherBodyOf(c: typeof CP): string {
  return formatCheckpoint({ ...c, size: c.size + 1 });
}

describe('witness quorum', () => {
  const witnesses = [W1, W2, W3].map(keyOf);
  const v = (name: string, time = T): VerifiedCosignature => ({ name, time });

  it('is met by k distinct known witnesses', () => {
    checkWitnessQuorum([v(W1.name), v(W2.name)], witnesses, 2);
    checkWitnessQuorum([v(W1.name)], witnesses, 1);
    checkWitnessQuorum([], witnesses, 0);
  });

  it('is not met by fewer, by repeats of one witness, or by unknown names', () => {
    expectCode(() => checkWitnessQuorum([v(W1.name)], witnesses, 2), 'WITNESS_QUORUM_UNMET');
    expectCode(
      () => checkWitnessQuorum([v(W1.name), v(W1.name, T + 1)], witnesses, 2),
      'WITNESS_QUORUM_UNMET',
    );
    expectCode(
      () => checkWitnessQuorum([v(W1.name), v('stranger.example/w')], witnesses, 2),
      'WITNESS_QUORUM_UNMET',
    );
    expectCode(() => checkWitnessQuorum([], witnesses, 4), 'WITNESS_QUORUM_UNMET');
  });

  it('rejects a quorum that is not a non-negative integer', () => {
    expectCode(() => checkWitnessQuorum([], witnesses, -1), 'RANGE_INVALID');
    expectCode(() => checkWitnessQuorum([], witnesses, 1.5), 'RANGE_INVALID');
  });

  it('counts verified cosignatures end to end', () => {
    const note = appendCosignatures(
      signCheckpoint(CP, LOG_SEED),
      [W1, W3].map((w) => cosign(BODY, w.name, w.seed, T)),
    );
    const verified = verifyCosignatures(note, witnesses);
    checkWitnessQuorum(verified, witnesses, 2);
    expectCode(() => checkWitnessQuorum(verified, witnesses, 3), 'WITNESS_QUORUM_UNMET');
  });
});
