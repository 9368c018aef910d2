import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../src/bytes.js';
import type { Ed25519 } from '../src/ed25519.js';
import { naclEd25519, nodeEd25519 } from '../src/ed25519.js';
import { isProtocolError } from '../src/errors.js';
import type { NoteVerifierKey } from '../src/keys.js';
import { NoteKeyType, encodeVkey, noteKeyHash, parseVkey } from '../src/keys.js';
import {
  MAX_NOTE_SIGNATURES,
  formatNote,
  parseNote,
  signNoteText,
  verifyNote,
} from '../src/note.js';
import { vectorPath } from './fixtures/vectors.js';

const vector = JSON.parse(readFileSync(vectorPath('c2sp-signed-note.json'), 'utf8')) as {
  vkey: string;
  note: string;
  text: string;
  wantVerified: boolean;
};

const impls: Ed25519[] = [nodeEd25519!, naclEd25519];

function signer(
  name: string,
  fill: number,
): { name: string; seed: Uint8Array; key: NoteVerifierKey } {
  const seed = new Uint8Array(32).fill(fill);
  const key = parseVkey(encodeVkey(name, NoteKeyType.ed25519, naclEd25519.publicKeyFromSeed(seed)));
  return { name, seed, key };
}

const A = signer('example.com/a', 1);
const B = signer('example.com/b', 2);
const TEXT = 'hello\nworld\n';

function expectNoteInvalid(fn: () => unknown): void {
  expect(fn).toThrow(expect.objectContaining({ code: 'NOTE_INVALID' }));
}

/** Re-encodes the base64 of signature line `i` after applying `edit` to its raw bytes. */
function editSignature(note: string, i: number, edit: (raw: Uint8Array) => Uint8Array): string {
  const lines = note.split('\n');
  const sigStart = lines.indexOf('') + 1;
  const line = lines[sigStart + i]!;
  const space = line.lastIndexOf(' ');
  lines[sigStart + i] =
    `${line.slice(0, space)} ${toBase64(edit(fromBase64(line.slice(space + 1))))}`;
  return lines.join('\n');
}

// golang.org/x/mod/sumdb/note package documentation: a note, the vkey that verifies it, the
// signer key that produced it, and the same note re-signed by a second (unpublished) key.
const GO_DOC = {
  vkey: 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
  seed: fromBase64('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz').slice(1),
  text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
  line: '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
  line2:
    '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n',
};

describe('C2SP signed-note test vector', () => {
  for (const impl of impls) {
    it(`verifies the C2SP example note with its vkey (${impl.name})`, () => {
      const key = parseVkey(vector.vkey);
      expect(vector.wantVerified).toBe(true);
      expect(verifyNote(vector.note, [key], impl)).toEqual(['example.com/foo']);
      expect(parseNote(vector.note).text).toBe(vector.text);
    });
  }

  it('rejects the C2SP example note if one byte of its text changes', () => {
    const key = parseVkey(vector.vkey);
    expectNoteInvalid(() => verifyNote(vector.note.replace('example', 'exampla'), [key]));
  });

  it('separates text from signatures at the last blank line (the spec’s poem example)', () => {
    // C2SP signed-note, "Note" example: a text with an internal blank line, signed by a key the
    // spec does not publish.
    const poem =
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n' +
      '— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';
    const n = parseNote(poem);
    expect(n.text).toBe(
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n',
    );
    expect(n.signatures).toHaveLength(1);
    expect(n.signatures[0]!.name).toBe('quasimodo.example/salvatore');
    expect(n.signatures[0]!.signature).toHaveLength(64);
    expect(formatNote(n)).toBe(poem);
    // Its only signature is by a key we do not know: the note must be rejected.
    expectNoteInvalid(() => verifyNote(poem, [A.key]));
  });
});

describe('golang.org/x/mod/sumdb/note documentation example', () => {
  for (const impl of impls) {
    it(`reproduces Go's signature byte for byte from the published seed (${impl.name})`, () => {
      expect(signNoteText(GO_DOC.text, [{ name: 'PeterNeumann', seed: GO_DOC.seed }], impl)).toBe(
        `${GO_DOC.text}\n${GO_DOC.line}`,
      );
    });
  }

  it('verifies the doubly signed note, ignoring the signature by the unknown key', () => {
    const doubly = `${GO_DOC.text}\n${GO_DOC.line}${GO_DOC.line2}`;
    expect(verifyNote(doubly, [parseVkey(GO_DOC.vkey)])).toEqual(['PeterNeumann']);
  });
});

describe('signing and verifying notes', () => {
  it('round-trips a note signed with a deterministic seed', () => {
    const note = signNoteText(TEXT, [{ name: A.name, seed: A.seed }]);
    expect(note.startsWith(`${TEXT}\n— example.com/a `)).toBe(true);
    expect(note.endsWith('\n')).toBe(true);
    expect(verifyNote(note, [A.key])).toEqual([A.name]);
    expect(verifyNote(parseNote(note), [A.key])).toEqual([A.name]);
    expect(formatNote(parseNote(note))).toBe(note);
  });

  it('produces identical notes with either implementation, each verifying with the other', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { minLength: 1, maxLength: 4 }),
        (lines) => {
          const text = lines.map((l) => `${l.replace(/\p{Cc}/gu, '')}\n`).join('');
          const signers = [A, B].map(({ name, seed }) => ({ name, seed }));
          const byNode = signNoteText(text, signers, nodeEd25519);
          const byNacl = signNoteText(text, signers, naclEd25519);
          expect(byNode).toBe(byNacl);
          expect(verifyNote(byNode, [A.key, B.key], naclEd25519)).toEqual([A.name, B.name]);
          expect(verifyNote(byNacl, [A.key, B.key], nodeEd25519)).toEqual([A.name, B.name]);
          expect(parseNote(byNode).text).toBe(text);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('returns only the known keys that signed, ignoring unknown signers', () => {
    const note = signNoteText(TEXT, [A, B]);
    expect(verifyNote(note, [A.key])).toEqual([A.name]);
    expect(verifyNote(note, [B.key])).toEqual([B.name]);
    expect(verifyNote(note, [B.key, A.key])).toEqual([A.name, B.name]);
  });

  it('treats a key with the signer’s name but another public key as unknown', () => {
    const impostor = signer(A.name, 7);
    const note = signNoteText(TEXT, [A, B]);
    expect(verifyNote(note, [impostor.key, B.key])).toEqual([B.name]);
    expectNoteInvalid(() => verifyNote(signNoteText(TEXT, [A]), [impostor.key]));
  });

  it('does not verify ordinary signatures with a cosignature (0x04) key of the same key', () => {
    const cosigKey = parseVkey(
      encodeVkey(A.name, NoteKeyType.cosignatureV1, naclEd25519.publicKeyFromSeed(A.seed)),
    );
    expectNoteInvalid(() => verifyNote(signNoteText(TEXT, [A]), [cosigKey]));
  });

  it('rejects a caller key whose key ID does not match it (KEY_INVALID)', () => {
    const wrong = { ...A.key, keyHash: Uint8Array.of(0, 0, 0, 0) };
    expect(() => verifyNote(signNoteText(TEXT, [A]), [wrong])).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
  });

  it('refuses to sign text that is not a valid note text', () => {
    expectNoteInvalid(() => signNoteText('no newline', [A]));
    expectNoteInvalid(() => signNoteText('tab\there\n', [A]));
    expectNoteInvalid(() => signNoteText(TEXT, []));
    expect(() => signNoteText(TEXT, [{ name: 'a b', seed: A.seed }])).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
    expectNoteInvalid(() => signNoteText(TEXT, [A, A]));
  });
});

describe('malformed notes', () => {
  const noteA = signNoteText(TEXT, [A]);
  const noteAB = signNoteText(TEXT, [A, B]);
  const lineA = noteA.slice(TEXT.length + 1);
  const b64A = lineA.slice(lineA.lastIndexOf(' ') + 1, -1);
  const fakeLine = (name: string, n: number): string =>
    `— ${name} ${toBase64(Uint8Array.from({ length: 68 }, (_, i) => (i + n) & 255))}\n`;
  // 68 bytes encode as 90 characters and "=": the last character carries 2 unused low bits.
  const setPaddingBit = (b64: string): string => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const v = alphabet.indexOf(b64.at(-2)!);
    return `${b64.slice(0, -2)}${alphabet[v | 1]!}=`;
  };
  const flipLast = (raw: Uint8Array): Uint8Array => {
    const out = raw.slice();
    out[out.length - 1]! ^= 1;
    return out;
  };
  const table: [string, string][] = [
    ['a missing blank line', `${TEXT}${lineA}`],
    ['no trailing newline', noteA.slice(0, -1)],
    ['an empty signature block', `${TEXT}\n`],
    ['bad base64', noteA.replace(b64A, `${b64A.slice(0, -4)}!!!!`)],
    ['non-canonical base64 (a padding bit set)', noteA.replace(b64A, setPaddingBit(b64A))],
    ['base64 without padding', noteA.replace(b64A, b64A.replace(/=+$/, ''))],
    [
      'a wrong key ID (so: no known signer)',
      editSignature(noteA, 0, (r) => {
        const o = r.slice();
        o[0]! ^= 0xff;
        return o;
      }),
    ],
    ['a signature by an unknown key only', signNoteText(TEXT, [signer('example.com/c', 3)])],
    [
      'a signature by a known name with an unknown key only',
      signNoteText(TEXT, [signer(A.name, 9)]),
    ],
    ['duplicate signature lines', `${noteA}${lineA}`],
    [
      'two signatures by one key',
      `${noteA}${editSignature(noteA, 0, flipLast).slice(TEXT.length + 1)}`,
    ],
    ['an invalid signature by a known key next to a valid one', editSignature(noteAB, 1, flipLast)],
    ['a truncated signature by a known key', editSignature(noteA, 0, (r) => r.slice(0, -1))],
    ['a changed text', noteA.replace('world', 'World')],
    ['garbage before the note', `x${noteA}`],
    ['a garbage line after the signatures', `${noteA}garbage\n`],
    ['a blank line inside the signature block', `${noteA}\n${fakeLine('example.com/z', 1)}`],
    ['a hyphen instead of an em dash', noteA.replace('— ', '- ')],
    ['an en dash instead of an em dash', noteA.replace('— ', '– ')],
    ['no space after the em dash', noteA.replace('— ', '—')],
    ['two spaces before the signature', noteA.replace(`${A.name} `, `${A.name}  `)],
    ['a missing signature', `${TEXT}\n— ${A.name}\n`],
    ['an empty signature', `${TEXT}\n— ${A.name} \n`],
    [
      'a signature shorter than 5 bytes',
      `${TEXT}\n— ${A.name} ${toBase64(Uint8Array.of(1, 2, 3, 4))}\n`,
    ],
    ['a key name with a plus', noteA.replace(A.name, 'example.com/a+b')],
    ['a carriage return', noteA.replace('hello\n', 'hello\r\n')],
    ['a tab', noteA.replace('hello', 'hel\tlo')],
    ['a NUL', noteA.replace('hello', 'hel\u0000lo')],
    ['an unpaired surrogate', noteA.replace('hello', 'hel\ud800lo')],
    [
      'too many signatures',
      `${noteA}${Array.from({ length: MAX_NOTE_SIGNATURES }, (_, i) => fakeLine(`n${i}`, i)).join('')}`,
    ],
    ['the empty string', ''],
    ['just a blank line', '\n\n'],
  ];
  for (const [what, note] of table) {
    it(`rejects a note with ${what}`, () => {
      expectNoteInvalid(() => verifyNote(note, [A.key, B.key]));
    });
  }

  it('accepts the maximum number of signatures', () => {
    const many = `${noteA}${Array.from({ length: MAX_NOTE_SIGNATURES - 1 }, (_, i) => fakeLine(`n${i}`, i)).join('')}`;
    expect(verifyNote(many, [A.key])).toEqual([A.name]);
  });

  it('rejects notes that are not strings, and Note objects that would not round-trip', () => {
    expectNoteInvalid(() => parseNote(42 as unknown as string));
    expectNoteInvalid(() => verifyNote({ text: 'x', signatures: [] }, [A.key]));
    expectNoteInvalid(() => formatNote({ text: TEXT, signatures: [] }));
    expectNoteInvalid(() => formatNote(null as unknown as Parameters<typeof formatNote>[0]));
    expectNoteInvalid(() =>
      formatNote({
        text: TEXT,
        signatures: [{ name: A.name, keyHash: new Uint8Array(3), signature: new Uint8Array(64) }],
      }),
    );
  });

  it('never throws anything but NOTE_INVALID on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        try {
          parseNote(s);
        } catch (e) {
          expect(e).toMatchObject({ code: 'NOTE_INVALID' });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('accepts a mutated note only if its text is exactly the signed text', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.constantFrom('delete', 'insert', 'replace'),
        fc.constantFrom('\n', ' ', 'A', '—', '=', '+', 'h'),
        (n, op, ch) => {
          const i = n % noteAB.length;
          const mutated =
            op === 'delete'
              ? noteAB.slice(0, i) + noteAB.slice(i + 1)
              : op === 'insert'
                ? noteAB.slice(0, i) + ch + noteAB.slice(i)
                : noteAB.slice(0, i) + ch + noteAB.slice(i + 1);
          try {
            verifyNote(mutated, [A.key, B.key]);
            expect(parseNote(mutated).text).toBe(TEXT);
          } catch (e) {
            expect(isProtocolError(e)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('note key IDs', () => {
  it('puts SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4] before each Ed25519 signature', () => {
    const n = parseNote(signNoteText(TEXT, [A]));
    expect(n.signatures[0]!.keyHash).toEqual(
      noteKeyHash(A.name, NoteKeyType.ed25519, naclEd25519.publicKeyFromSeed(A.seed)),
    );
    expect(n.signatures[0]!.signature).toHaveLength(64);
  });
});
