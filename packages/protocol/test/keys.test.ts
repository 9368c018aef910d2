import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toBase64, toHex } from '../src/bytes.js';
import { naclEd25519, nodeEd25519 } from '../src/ed25519.js';
import type { KeyFile } from '../src/keys.js';
import {
  NoteKeyType,
  encodeVkey,
  generateKeyFile,
  isValidKeyName,
  keyFilePublicKey,
  keyFileSeed,
  keyId,
  noteKeyHash,
  parseKeyFile,
  parseVkey,
} from '../src/keys.js';

const SEED = new Uint8Array(32).map((_, i) => i + 1);

function expectKeyInvalid(fn: () => unknown, path?: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a KEY_INVALID error').toMatchObject({ code: 'KEY_INVALID' });
  if (path !== undefined) expect(thrown).toMatchObject({ path });
}

/** A Go note signer key `PRIVATE+KEY+<name>+<hash>+base64(0x01 ‖ seed)` -> the seed. */
function seedOfGoSignerKey(skey: string): Uint8Array {
  // The base64 key data may itself contain '+': it is everything after the fourth separator.
  const keyData = skey.split('+').slice(4).join('+');
  const raw = fromBase64(keyData);
  expect(raw[0]).toBe(1);
  return raw.slice(1);
}

describe('keyId', () => {
  it('is the lowercase hex SHA-256 of the 32 raw public-key bytes', () => {
    const pk = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(keyId(pk)).toBe(createHash('sha256').update(pk).digest('hex'));
  });

  it('refuses a key that is not 32 bytes', () => {
    expectKeyInvalid(() => keyId(new Uint8Array(31)));
  });
});

describe('key files', () => {
  it('generates a file whose fields belong together', () => {
    const k = generateKeyFile('state:JOR', SEED);
    const pk = naclEd25519.publicKeyFromSeed(SEED);
    expect(k).toEqual({
      type: 'ed25519',
      party: 'state:JOR',
      keyid: keyId(pk),
      publicKey: toBase64(pk),
      seed: toBase64(SEED),
    });
    expect(keyFileSeed(k)).toEqual(SEED);
    expect(keyFilePublicKey(k)).toEqual(pk);
  });

  it('generates a fresh random key when no seed is given', () => {
    const a = generateKeyFile('observer:un-unidir');
    const b = generateKeyFile('observer:un-unidir');
    expect(a.seed).not.toBe(b.seed);
    expect(parseKeyFile(JSON.stringify(a))).toEqual(a);
  });

  it('round-trips through JSON text and through a parsed object', () => {
    const k = generateKeyFile('operator:cbm-ledger.example', SEED);
    expect(parseKeyFile(JSON.stringify(k))).toEqual(k);
    expect(parseKeyFile({ ...k })).toEqual(k);
  });

  it('refuses to generate a file for a malformed party id', () => {
    expectKeyInvalid(() => generateKeyFile('state:jor', SEED), '$.party');
    expectKeyInvalid(() => generateKeyFile('state:JOR', new Uint8Array(16)), '$.seed');
  });

  const good = generateKeyFile('state:JOR', SEED);
  const other = generateKeyFile('state:JOR', new Uint8Array(32).fill(9));
  const nonCanonicalSeed = `${good.seed.slice(0, -2)}${String.fromCharCode(good.seed.charCodeAt(good.seed.length - 2) + 1)}=`;
  const table: [string, unknown, string][] = [
    ['text that is not JSON', '{"type":', '$'],
    ['a JSON array', '[]', '$'],
    ['JSON null', 'null', '$'],
    ['a number', 42, '$'],
    ['an unknown field', { ...good, comment: 'x' }, '$.comment'],
    ['a __proto__ field', `{"__proto__":{},${JSON.stringify(good).slice(1)}`, '$.__proto__'],
    ['a missing seed', { ...good, seed: undefined }, '$.seed'],
    [
      'a missing keyid',
      { type: good.type, party: good.party, publicKey: good.publicKey, seed: good.seed },
      '$.keyid',
    ],
    ['a non-string party', { ...good, party: 7 }, '$.party'],
    ['another key type', { ...good, type: 'rsa' }, '$.type'],
    ['a lowercase state code', { ...good, party: 'state:jor' }, '$.party'],
    ['an unknown party kind', { ...good, party: 'witness:x' }, '$.party'],
    ['a 31-byte seed', { ...good, seed: toBase64(SEED.subarray(0, 31)) }, '$.seed'],
    ['a 33-byte seed', { ...good, seed: toBase64(new Uint8Array(33)) }, '$.seed'],
    ['a non-canonical base64 seed', { ...good, seed: nonCanonicalSeed }, '$.seed'],
    ['an unpadded seed', { ...good, seed: good.seed.replace(/=+$/, '') }, '$.seed'],
    ['a hex seed', { ...good, seed: toHex(SEED) }, '$.seed'],
    ['another key’s publicKey', { ...good, publicKey: other.publicKey }, '$.publicKey'],
    ['a 31-byte publicKey', { ...good, publicKey: toBase64(new Uint8Array(31)) }, '$.publicKey'],
    ['an uppercase keyid', { ...good, keyid: good.keyid.toUpperCase() }, '$.keyid'],
    ['another key’s keyid', { ...good, keyid: other.keyid }, '$.keyid'],
    ['a sha256:-prefixed keyid', { ...good, keyid: `sha256:${good.keyid}` }, '$.keyid'],
  ];
  for (const [what, input, path] of table) {
    it(`rejects ${what} with KEY_INVALID at ${path}`, () => {
      expectKeyInvalid(() => parseKeyFile(input), path);
    });
  }

  it('rejects a seed or publicKey that is not canonical base64 when read back', () => {
    const broken: KeyFile = { ...good, seed: 'AAAA' };
    expectKeyInvalid(() => keyFileSeed(broken), '$.seed');
    expectKeyInvalid(() => keyFilePublicKey({ ...good, publicKey: '!' }), '$.publicKey');
  });
});

describe('key names', () => {
  const valid = ['example.com/foo', 'cbm-ledger.example/mena', 'état.example', 'w1', '🔑'];
  const invalid = [
    '',
    'a b',
    'a+b',
    '+',
    'a\tb',
    'a\nb',
    'a\u00a0b', // no-break space
    'a\u2003b', // em space
    'a\u0085b', // next line
    'a\u3000b', // ideographic space
    'a\u2028b', // line separator
    'a\u0001b', // control character
    'a\ud800b', // lone surrogate: not encodable as UTF-8
  ];
  for (const n of valid)
    it(`accepts ${JSON.stringify(n)}`, () => expect(isValidKeyName(n)).toBe(true));
  for (const n of invalid) {
    it(`rejects ${JSON.stringify(n)}`, () => expect(isValidKeyName(n)).toBe(false));
  }
});

describe('verifier keys (vkeys)', () => {
  // Ed25519 (0x01) vkeys from public sources:
  const noteVkeys = [
    // C2SP signed-note v1.0.0, "Verifier keys" example (fixtures/vectors/c2sp-signed-note.json).
    'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
    // golang.org/x/mod/sumdb/note package documentation.
    'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    // transparency-dev/formats note/note_cosigv1_test.go; the key data contains a '+'.
    'TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6',
    // transparency-dev/witness internal/witness/witness_test.go.
    'monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT',
  ];
  // A cosignature/v1 (0x04) vkey: transparency-dev/formats note/note_cosigv1_test.go.
  const cosignatureVkey = 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2';

  for (const v of noteVkeys) {
    it(`parses and re-encodes ${v.slice(0, v.indexOf('+'))} (type 0x01)`, () => {
      const k = parseVkey(v);
      expect(k.type).toBe(NoteKeyType.ed25519);
      expect(k.publicKey.length).toBe(32);
      expect(toHex(k.keyHash)).toBe(v.split('+')[1]);
      expect(encodeVkey(k.name, k.type, k.publicKey)).toBe(v);
    });
  }

  it('parses and re-encodes a cosignature/v1 (type 0x04) vkey', () => {
    const k = parseVkey(cosignatureVkey);
    expect(k).toMatchObject({ name: 'remora.n621.de', type: NoteKeyType.cosignatureV1 });
    expect(encodeVkey(k.name, k.type, k.publicKey)).toBe(cosignatureVkey);
  });

  it('derives the published vkeys from the published Go signer keys', () => {
    // golang.org/x/mod/sumdb/note docs and transparency-dev/witness tests publish both halves.
    const pairs: [string, string][] = [
      [
        'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
        'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      ],
      [
        'PRIVATE+KEY+monkeys+db4d9f7e+ATWIAF3yVBG+Hv1rZFQoNt/BaURkLPtOFMAM2HrEeIr6',
        'monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT',
      ],
      [
        'PRIVATE+KEY+witness+f13a86db+AaLa/dfyBhyo/m0Z7WCi98ENVZWtrP8pxgRNrx7tIWiA',
        'witness+f13a86db+AdYV1Ztajd9BvyjP2HgpwrqYL6TjOwIjGMOq8Bu42xbN',
      ],
    ];
    for (const [skey, vkey] of pairs) {
      const name = vkey.slice(0, vkey.indexOf('+'));
      for (const impl of [nodeEd25519!, naclEd25519]) {
        const pk = impl.publicKeyFromSeed(seedOfGoSignerKey(skey));
        expect(encodeVkey(name, NoteKeyType.ed25519, pk)).toBe(vkey);
      }
    }
  });

  it('computes the key ID as SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]', () => {
    const k = parseVkey(noteVkeys[0]!);
    const expected = createHash('sha256')
      .update('example.com/foo\n')
      .update(Uint8Array.of(1))
      .update(k.publicKey)
      .digest()
      .subarray(0, 4);
    expect(noteKeyHash('example.com/foo', 1, k.publicKey)).toEqual(new Uint8Array(expected));
    // The type byte separates a note key from a cosignature key of the same name and key.
    expect(toHex(noteKeyHash('example.com/foo', 4, k.publicKey))).not.toBe('530d903a');
  });

  const ecdsaKey =
    'AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=';
  const c2sp = noteVkeys[0]!;
  const badVkeys: [string, string][] = [
    ['two parts only', 'bananas.sigstore.dev+12344556'],
    ['no separators', 'example.com/foo'],
    ['an empty name', c2sp.slice(c2sp.indexOf('+'))],
    ['a name with a space', `example.com/ foo${c2sp.slice(c2sp.indexOf('+'))}`],
    ['invalid base64', 'rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!'],
    ['non-canonical base64 (trailing bits)', c2sp.replace(/k$/, 'l')],
    ['padding after a full base64 quantum', `${c2sp}=`],
    ['an unknown type byte (0x03)', 'rekor.sigstore.dev+12345678+AwEB'],
    ['an ECDSA (0x02) key', `rekor.sigstore.dev+c0d23d6a+${ecdsaKey}`],
    ['a key ID that is not hex', `rekor.sigstore.dev+NOT_A_NUMBER+${ecdsaKey}`],
    ['a wrong key ID', c2sp.replace('530d903a', '00000000')],
    ['an uppercase key ID', c2sp.replace('530d903a', '530D903A')],
    ['a 7-digit key ID', c2sp.replace('530d903a', '530d903')],
    ['another name', c2sp.replace('example.com/foo', 'example.com/bar')],
    ['a 31-byte key', `x+00000000+${toBase64(Uint8Array.of(1, ...new Uint8Array(31)))}`],
    ['a 33-byte key', `x+00000000+${toBase64(Uint8Array.of(1, ...new Uint8Array(33)))}`],
    ['empty key data', 'x+00000000+'],
  ];
  for (const [what, v] of badVkeys) {
    it(`rejects a vkey with ${what}`, () => expectKeyInvalid(() => parseVkey(v)));
  }

  it('refuses to encode an unsupported type, a bad name or a wrong-size key', () => {
    const pk = new Uint8Array(32).fill(5);
    expectKeyInvalid(() => encodeVkey('x', 0x02, pk));
    expectKeyInvalid(() => encodeVkey('a b', 0x01, pk));
    expectKeyInvalid(() => encodeVkey('x', 0x01, pk.subarray(1)));
  });

  it('round-trips any valid name, type and key', () => {
    const nameArb = fc
      .string({ minLength: 1, maxLength: 30, unit: 'grapheme' })
      .filter((n) => isValidKeyName(n));
    fc.assert(
      fc.property(
        nameArb,
        fc.constantFrom(NoteKeyType.ed25519, NoteKeyType.cosignatureV1),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (name, type, pk) => {
          const k = parseVkey(encodeVkey(name, type, pk));
          expect(k).toEqual({ name, type, publicKey: pk, keyHash: noteKeyHash(name, type, pk) });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('throws only KEY_INVALID on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          parseVkey(s);
        } catch (e) {
          expect(e).toMatchObject({ code: 'KEY_INVALID' });
        }
      }),
      { numRuns: 300 },
    );
  });
});
