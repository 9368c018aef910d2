import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toBase64, toHex, utf8Encode } from '../src/bytes.js';
import {
  MAX_PAYLOAD_BYTES,
  STATEMENT_PAYLOAD_TYPE,
  checkSignerPolicy,
  envelopeDigest,
  pae,
  parseEnvelope,
  signEnvelope,
  statementId,
  verifyEnvelope,
} from '../src/dsse.js';
import type { Envelope, ParsedEnvelope, SignerPolicy } from '../src/dsse.js';
import { naclEd25519, nodeEd25519 } from '../src/ed25519.js';
import type { Ed25519 } from '../src/ed25519.js';
import { ErrorCode, ProtocolError } from '../src/errors.js';
import { keyId } from '../src/keys.js';

const utf8 = (s: string): Uint8Array => utf8Encode(s);
const latin = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const sha256HexOf = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

function expectCode(f: () => unknown, code: string, path?: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a ProtocolError').toBeInstanceOf(ProtocolError);
  const e = caught as ProtocolError;
  expect(e.code).toBe(code);
  if (path !== undefined) expect(e.path).toBe(path);
}

if (nodeEd25519 === undefined) throw new Error('node:crypto Ed25519 must exist under Node');
const IMPLS: [string, Ed25519][] = [
  ['tweetnacl', naclEd25519],
  ['node:crypto', nodeEd25519],
];

// Keys A and B of the DSSE test vectors are RFC 8032 §7.1 TEST 1 and TEST 2, so signatures are
// deterministic. Source: secure-systems-lab/dsse testvectors/vectors.json (commit 82043ad).
// Every value used below was also reproduced independently (PAE from the protocol.md
// definition, signatures with tweetnacl from the RFC 8032 seeds) before being written here.
const SEED_A = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const PUB_A = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const SEED_B = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
const PUB_B = fromHex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
const IN_TOTO = 'application/vnd.in-toto+json';
const VECTOR_PAYLOAD_B64 = 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==';
const VECTOR_PAYLOAD = utf8('{"_type":"https://in-toto.io/Statement/v1"}');
const SIG_A =
  '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==';
const SIG_B =
  'c1+67/aT0yqEpwx8PsVY3MLHsj9D0CZ014/Fv/QlG59P+9CobUZ7xECJ/V3USG0Ob9CiE5LjReEZUzNF2l7eBw==';
const KEYID_A = keyId(PUB_A);
const KEYID_B = keyId(PUB_B);

/** Deterministic extra seeds for multi-signer tests. */
const seed = (n: number): Uint8Array => createHash('sha256').update(`test seed ${n}`).digest();

function keyMap(
  seeds: readonly Uint8Array[],
  impl: Ed25519 = naclEd25519,
): Map<string, Uint8Array> {
  return new Map(
    seeds.map((s) => {
      const pub = impl.publicKeyFromSeed(s);
      return [keyId(pub), pub];
    }),
  );
}

const STATEMENT = utf8(
  '{"v":1,"ledger":"cbm-ledger.example/mena","type":"risk.request","issuer":"state:JOR"}',
);

describe('pae', () => {
  it('matches the worked example of DSSE protocol.md ("Test Vectors")', () => {
    // secure-systems-lab/dsse protocol.md: PAE of "hello world" as http://example.com/HelloWorld.
    expect(latin(pae('http://example.com/HelloWorld', utf8('hello world')))).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('matches the DSSE test vectors, including an empty body and a non-ASCII type', () => {
    expect(toHex(pae(IN_TOTO, VECTOR_PAYLOAD))).toBe(
      '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d',
    );
    // "... 0 " with a trailing space.
    expect(toHex(pae(IN_TOTO, new Uint8Array(0)))).toBe(
      '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020',
    );
    // LEN(type) counts UTF-8 bytes: 29 for 28 characters.
    expect(toHex(pae('application/vnd.exämple+json', VECTOR_PAYLOAD))).toBe(
      '445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d',
    );
  });

  it('writes byte lengths in decimal without leading zeros', () => {
    const body = new Uint8Array(1000).fill(0x41);
    expect(latin(pae('t', body).subarray(0, 17))).toBe('DSSEv1 1 t 1000 A');
    expect(pae('t', body).length).toBe('DSSEv1 1 t 1000 '.length + 1000);
  });
});

describe('signEnvelope', () => {
  it.each(IMPLS)('reproduces the DSSE vector signatures of RFC 8032 keys (%s)', (_n, impl) => {
    const env = signEnvelope(IN_TOTO, VECTOR_PAYLOAD, [SEED_A, SEED_B], impl);
    expect(env).toEqual({
      payloadType: IN_TOTO,
      payload: VECTOR_PAYLOAD_B64,
      signatures: [
        { keyid: KEYID_A, sig: SIG_A },
        { keyid: KEYID_B, sig: SIG_B },
      ],
    });
  });

  it('refuses no keys and the same key twice', () => {
    expectCode(() => signEnvelope(IN_TOTO, STATEMENT, []), ErrorCode.SCHEMA_VIOLATION);
    expectCode(
      () => signEnvelope(IN_TOTO, STATEMENT, [SEED_A, SEED_A]),
      ErrorCode.SCHEMA_VIOLATION,
    );
  });

  it('refuses a seed that is not 32 bytes', () => {
    expectCode(() => signEnvelope(IN_TOTO, STATEMENT, [new Uint8Array(31)]), ErrorCode.KEY_INVALID);
  });
});

describe('verifyEnvelope', () => {
  const seeds = [seed(1), seed(2), seed(3)];

  for (const [signName, signer] of IMPLS) {
    for (const [verifyName, verifier] of IMPLS) {
      it(`verifies three signatures made with ${signName} using ${verifyName}`, () => {
        const env = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, seeds, signer);
        const parsed = parseEnvelope(JSON.stringify(env));
        const keys = keyMap(seeds, verifier);
        expect(verifyEnvelope(parsed, keys, verifier)).toEqual(env.signatures.map((s) => s.keyid));
      });
    }
  }

  it('verifies the DSSE threshold-two vector with both implementations', () => {
    const parsed = parseEnvelope(
      {
        payload: VECTOR_PAYLOAD_B64,
        payloadType: IN_TOTO,
        signatures: [
          { sig: SIG_A, keyid: KEYID_A },
          { sig: SIG_B, keyid: KEYID_B },
        ],
      },
      { payloadType: IN_TOTO },
    );
    const keys = new Map([
      [KEYID_A, PUB_A],
      [KEYID_B, PUB_B],
    ]);
    for (const [, impl] of IMPLS)
      expect(verifyEnvelope(parsed, keys, impl)).toEqual([KEYID_A, KEYID_B]);
  });

  it('ignores signatures by keys it does not know and returns [] when it knows none', () => {
    const env = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, seeds);
    const parsed = parseEnvelope(env);
    const keys = keyMap([seeds[1]!]);
    expect(verifyEnvelope(parsed, keys)).toEqual([...keys.keys()]);
    expect(verifyEnvelope(parsed, new Map())).toEqual([]);
  });

  it.each(IMPLS)('rejects a payload with one byte changed (%s)', (_n, impl) => {
    const env = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, [seed(1)]);
    const tampered = STATEMENT.slice();
    tampered[10] = tampered[10]! ^ 0x01;
    const parsed = parseEnvelope({ ...env, payload: toBase64(tampered) });
    expectCode(() => verifyEnvelope(parsed, keyMap([seed(1)]), impl), ErrorCode.SIGNATURE_INVALID);
  });

  it.each(IMPLS)(
    'rejects a forged co-signature by a known key even if others verify (%s)',
    (_n, impl) => {
      const env = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, [seed(1), seed(2)]);
      const other = signEnvelope(STATEMENT_PAYLOAD_TYPE, utf8('{"other":1}'), [seed(2)]);
      const forged: Envelope = {
        ...env,
        signatures: [
          env.signatures[0]!,
          { keyid: env.signatures[1]!.keyid, sig: other.signatures[0]!.sig },
        ],
      };
      expectCode(
        () => verifyEnvelope(parseEnvelope(forged), keyMap([seed(1), seed(2)]), impl),
        ErrorCode.SIGNATURE_INVALID,
        '$.signatures[1].sig',
      );
    },
  );

  it('rejects a signature made over another payloadType (DSSE "payload-type-swapped")', () => {
    const other = 'application/vnd.example.other+json';
    const parsed = parseEnvelope(
      {
        payload: VECTOR_PAYLOAD_B64,
        payloadType: other,
        signatures: [{ sig: SIG_A, keyid: KEYID_A }],
      },
      { payloadType: other },
    );
    expectCode(
      () => verifyEnvelope(parsed, new Map([[KEYID_A, PUB_A]])),
      ErrorCode.SIGNATURE_INVALID,
    );
  });

  it('refuses a key map whose key does not hash to its keyid', () => {
    const env = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, [SEED_A]);
    expectCode(
      () => verifyEnvelope(parseEnvelope(env), new Map([[KEYID_A, PUB_B]])),
      ErrorCode.KEY_INVALID,
    );
  });

  it('rejects a signature that is not valid base64 in a hand-built envelope', () => {
    const env = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, [SEED_A]);
    const parsed: ParsedEnvelope = {
      envelope: { ...env, signatures: [{ keyid: KEYID_A, sig: '!!' }] },
      payload: STATEMENT,
    };
    expectCode(
      () => verifyEnvelope(parsed, new Map([[KEYID_A, PUB_A]])),
      ErrorCode.SIGNATURE_INVALID,
    );
  });
});

describe('parseEnvelope', () => {
  const good = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, [seed(1), seed(2)]);
  const sig0 = good.signatures[0]!;
  const with_ = (patch: Record<string, unknown>): Record<string, unknown> => ({
    ...good,
    ...patch,
  });
  const withSig = (patch: Record<string, unknown>): Record<string, unknown> =>
    with_({ signatures: [{ ...sig0, ...patch }] });
  const without = (field: string): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...good };
    delete copy[field];
    return copy;
  };

  it('accepts JSON text and parsed values alike and decodes the payload', () => {
    const fromText = parseEnvelope(JSON.stringify(good));
    expect(fromText.envelope).toEqual(good);
    expect(fromText.payload).toEqual(STATEMENT);
    expect(parseEnvelope(good)).toEqual(fromText);
  });

  it('returns a copy that later changes to the input cannot reach', () => {
    const input = structuredClone(good);
    const parsed = parseEnvelope(input);
    input.signatures[0]!.sig = 'changed';
    input.payload = 'changed';
    expect(parsed.envelope).toEqual(good);
  });

  it('accepts a payload of exactly the limit and rejects one byte more', () => {
    const max = new Uint8Array(MAX_PAYLOAD_BYTES).fill(0x20);
    expect(parseEnvelope(with_({ payload: toBase64(max) })).payload.length).toBe(MAX_PAYLOAD_BYTES);
    const over = new Uint8Array(MAX_PAYLOAD_BYTES + 1).fill(0x20);
    expectCode(
      () => parseEnvelope(with_({ payload: toBase64(over) })),
      ErrorCode.TOO_LARGE,
      '$.payload',
    );
    expectCode(
      () => parseEnvelope(JSON.stringify(with_({ payload: toBase64(over) }))),
      ErrorCode.TOO_LARGE,
      '$.payload',
    );
    expectCode(
      () => parseEnvelope(good, { maxPayloadBytes: STATEMENT.length - 1 }),
      ErrorCode.TOO_LARGE,
    );
  });

  it('rejects envelope text far beyond any valid envelope before parsing it', () => {
    expectCode(() => parseEnvelope(' '.repeat(10_000_000)), ErrorCode.TOO_LARGE);
  });

  const fakeKeyid = (n: number): string => n.toString(16).padStart(64, '0');
  const bad: [string, unknown, string, string?][] = [
    ['non-JSON text', '{"payloadType":', ErrorCode.MALFORMED],
    [
      'JSON text with a duplicate key',
      `{"payload":"","payload":"","payloadType":"x","signatures":[]}`,
      ErrorCode.MALFORMED,
      '$.payload',
    ],
    ['not an object: null', null, ErrorCode.SCHEMA_VIOLATION, '$'],
    ['not an object: an array', [good], ErrorCode.SCHEMA_VIOLATION, '$'],
    ['not an object: a number', 42, ErrorCode.SCHEMA_VIOLATION, '$'],
    ['not an object: JSON text of a string', '"envelope"', ErrorCode.SCHEMA_VIOLATION, '$'],
    ['missing payloadType', without('payloadType'), ErrorCode.SCHEMA_VIOLATION, '$.payloadType'],
    ['missing payload', without('payload'), ErrorCode.SCHEMA_VIOLATION, '$.payload'],
    ['missing signatures', without('signatures'), ErrorCode.SCHEMA_VIOLATION, '$.signatures'],
    ['an extra top-level field', with_({ extra: 1 }), ErrorCode.UNKNOWN_FIELD, '$.extra'],
    [
      'an extra signature field',
      withSig({ cert: 'x' }),
      ErrorCode.UNKNOWN_FIELD,
      '$.signatures[0].cert',
    ],
    [
      'a wrong payloadType',
      with_({ payloadType: IN_TOTO }),
      ErrorCode.PAYLOAD_TYPE_INVALID,
      '$.payloadType',
    ],
    [
      'an upper-case payloadType',
      with_({ payloadType: STATEMENT_PAYLOAD_TYPE.toUpperCase() }),
      ErrorCode.PAYLOAD_TYPE_INVALID,
    ],
    [
      'an empty payloadType (DSSE "empty-payload-type")',
      with_({ payloadType: '' }),
      ErrorCode.PAYLOAD_TYPE_INVALID,
    ],
    [
      'a payloadType that is not a string',
      with_({ payloadType: 1 }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.payloadType',
    ],
    [
      'a payload that is not a string',
      with_({ payload: [1] }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.payload',
    ],
    [
      'a payload with non-zero trailing bits',
      with_({ payload: 'QR==' }),
      ErrorCode.MALFORMED,
      '$.payload',
    ],
    ['a payload without padding', with_({ payload: 'QQ' }), ErrorCode.MALFORMED, '$.payload'],
    [
      'a payload with whitespace',
      with_({ payload: 'QUJD\nREVG' }),
      ErrorCode.MALFORMED,
      '$.payload',
    ],
    [
      'a payload in URL-safe base64 (DSSE "url-safe-base64")',
      with_({ payload: '-_-_Pj8=' }),
      ErrorCode.MALFORMED,
      '$.payload',
    ],
    [
      'signatures not an array',
      with_({ signatures: sig0 }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.signatures',
    ],
    ['empty signatures', with_({ signatures: [] }), ErrorCode.SCHEMA_VIOLATION, '$.signatures'],
    [
      'a signature that is not an object',
      with_({ signatures: ['sig'] }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.signatures[0]',
    ],
    [
      'a signature without keyid (DSSE "threshold-two-without-keyids")',
      with_({ signatures: [{ sig: sig0.sig }] }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.signatures[0].keyid',
    ],
    [
      'a signature without sig',
      with_({ signatures: [{ keyid: sig0.keyid }] }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.signatures[0].sig',
    ],
    [
      'a keyid that is not a string',
      withSig({ keyid: 7 }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.signatures[0].keyid',
    ],
    [
      'an upper-case keyid',
      withSig({ keyid: sig0.keyid.toUpperCase() }),
      ErrorCode.MALFORMED,
      '$.signatures[0].keyid',
    ],
    [
      'a 63-digit keyid',
      withSig({ keyid: sig0.keyid.slice(1) }),
      ErrorCode.MALFORMED,
      '$.signatures[0].keyid',
    ],
    [
      'a keyid that is a name',
      withSig({ keyid: 'A' }),
      ErrorCode.MALFORMED,
      '$.signatures[0].keyid',
    ],
    [
      'a duplicate keyid (DSSE "threshold-two-one-key-twice")',
      with_({ signatures: [sig0, sig0] }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.signatures[1].keyid',
    ],
    [
      'a duplicate keyid with another sig',
      with_({ signatures: [sig0, { ...good.signatures[1]!, keyid: sig0.keyid }] }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.signatures[1].keyid',
    ],
    [
      'a 63-byte sig',
      withSig({ sig: toBase64(new Uint8Array(63)) }),
      ErrorCode.MALFORMED,
      '$.signatures[0].sig',
    ],
    [
      'a 65-byte sig',
      withSig({ sig: toBase64(new Uint8Array(65)) }),
      ErrorCode.MALFORMED,
      '$.signatures[0].sig',
    ],
    [
      'a sig in URL-safe base64',
      withSig({ sig: SIG_A.replace(/\+/g, '-').replace(/\//g, '_') }),
      ErrorCode.MALFORMED,
      '$.signatures[0].sig',
    ],
    [
      'a sig that is not a string',
      withSig({ sig: null }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.signatures[0].sig',
    ],
    [
      'too many signatures',
      with_({
        signatures: Array.from({ length: 101 }, (_, i) => ({ keyid: fakeKeyid(i), sig: sig0.sig })),
      }),
      ErrorCode.TOO_LARGE,
      '$.signatures',
    ],
  ];

  it.each(bad)('rejects %s', (_name, input, code, path) => {
    expectCode(() => parseEnvelope(input), code, path);
  });

  it('accepts another payloadType only when asked to', () => {
    const env = signEnvelope(IN_TOTO, VECTOR_PAYLOAD, [SEED_A]);
    expectCode(() => parseEnvelope(env), ErrorCode.PAYLOAD_TYPE_INVALID);
    expect(parseEnvelope(env, { payloadType: IN_TOTO }).payload).toEqual(VECTOR_PAYLOAD);
  });

  it('throws only ProtocolError on arbitrary values and on mutated envelope text', () => {
    const onlyProtocolErrors = (input: unknown): void => {
      try {
        parseEnvelope(input);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    };
    fc.assert(fc.property(fc.anything(), onlyProtocolErrors), { numRuns: 300 });
    const text = JSON.stringify(good);
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.string({ maxLength: 2 }), (at, ins) => {
        onlyProtocolErrors(text.slice(0, at) + ins + text.slice(at + 1));
      }),
      { numRuns: 300 },
    );
  });
});

describe('checkSignerPolicy', () => {
  const a = KEYID_A;
  const b = KEYID_B;
  const c = 'c'.repeat(64);
  const consensus: SignerPolicy = {
    groups: [
      { label: 'state:JOR', keyids: [a, c] },
      { label: 'state:EGY', keyids: [b] },
    ],
  };

  it('is met when every group has a verified key', () => {
    expect(() => checkSignerPolicy([a, b], consensus)).not.toThrow();
    expect(() => checkSignerPolicy([c, b], consensus)).not.toThrow();
  });

  it('names the first group without a verified key', () => {
    let err: unknown;
    try {
      checkSignerPolicy([a], consensus);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(ErrorCode.SIGNER_POLICY_UNMET);
    expect((err as ProtocolError).message).toContain('state:EGY');
    expectCode(() => checkSignerPolicy([], consensus), ErrorCode.SIGNER_POLICY_UNMET);
  });

  it('needs both the current and the new key for a rotation', () => {
    const rotate: SignerPolicy = {
      groups: [
        { label: 'current key', keyids: [a] },
        { label: 'new key', keyids: [b] },
      ],
    };
    expectCode(() => checkSignerPolicy([a], rotate), ErrorCode.SIGNER_POLICY_UNMET);
    expectCode(() => checkSignerPolicy([b], rotate), ErrorCode.SIGNER_POLICY_UNMET);
    expect(() => checkSignerPolicy([b, a], rotate)).not.toThrow();
  });

  it('fails closed on a policy with no groups or an empty group', () => {
    expectCode(() => checkSignerPolicy([a], { groups: [] }), ErrorCode.SIGNER_POLICY_UNMET);
    expectCode(
      () => checkSignerPolicy([a], { groups: [{ label: 'nobody', keyids: [] }] }),
      ErrorCode.SIGNER_POLICY_UNMET,
    );
  });
});

describe('envelopeDigest and statementId', () => {
  it('is the SHA-256 of the JCS envelope with signatures sorted by keyid', () => {
    const env = signEnvelope(IN_TOTO, VECTOR_PAYLOAD, [SEED_B, SEED_A]);
    // KEYID_A (21fe31df…) sorts before KEYID_B (39f713d0…); JCS members sort payload,
    // payloadType, signatures and keyid before sig.
    expect(KEYID_A < KEYID_B).toBe(true);
    const jcs =
      `{"payload":"${VECTOR_PAYLOAD_B64}","payloadType":"${IN_TOTO}","signatures":[` +
      `{"keyid":"${KEYID_A}","sig":"${SIG_A}"},{"keyid":"${KEYID_B}","sig":"${SIG_B}"}]}`;
    expect(envelopeDigest(env)).toBe(`sha256:${sha256HexOf(jcs)}`);
  });

  it('does not depend on signature order', () => {
    const seeds = [seed(1), seed(2), seed(3), seed(4)];
    const env = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, seeds);
    const digest = envelopeDigest(env);
    fc.assert(
      fc.property(fc.shuffledSubarray(env.signatures, { minLength: 4, maxLength: 4 }), (sigs) => {
        expect(envelopeDigest({ ...env, signatures: sigs })).toBe(digest);
      }),
      { numRuns: 30 },
    );
  });

  it('changes when a signature is added or differs', () => {
    const one = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, [seed(1)]);
    const two = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, [seed(1), seed(2)]);
    expect(envelopeDigest(one)).not.toBe(envelopeDigest(two));
    const otherSig = {
      ...one,
      signatures: [{ ...one.signatures[0]!, sig: toBase64(new Uint8Array(64)) }],
    };
    expect(envelopeDigest(one)).not.toBe(envelopeDigest(otherSig));
  });

  it('ignores properties outside the envelope format', () => {
    const env = signEnvelope(STATEMENT_PAYLOAD_TYPE, STATEMENT, [seed(1)]);
    const extended = { ...env, extra: 1, signatures: [{ ...env.signatures[0]!, extra: 2 }] };
    expect(envelopeDigest(extended)).toBe(envelopeDigest(env));
  });

  it('identifies a statement by the SHA-256 of its exact payload bytes', () => {
    expect(statementId(new Uint8Array(0))).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(statementId(utf8('abc'))).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    // Re-serialising the same JSON value differently gives a different statement.
    expect(statementId(utf8('{"a":1}'))).not.toBe(statementId(utf8('{ "a":1}')));
  });
});
