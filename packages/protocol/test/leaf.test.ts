import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../src/bytes.js';
import { ErrorCode, ProtocolError } from '../src/errors.js';
import { parseJsonStrict } from '../src/json.js';
import {
  GENESIS_PREV,
  canonicalLeaf,
  leafHash,
  leafHashHex,
  parseLeaf,
  verifyLeafChain,
} from '../src/leaf.js';
import type { Leaf } from '../src/leaf.js';

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

const hex = (c: string): string => c.repeat(64);

/** Written by hand, fields in an arbitrary (not canonical) order. */
const LEAF: Leaf = {
  v: 1,
  index: 7,
  prev: hex('a'),
  integratedAt: '2026-03-01T12:00:00.123Z',
  statement: `sha256:${hex('b')}`,
  envelope: `sha256:${hex('c')}`,
  type: 'exercise.notification',
  issuer: 'state:JOR',
  seq: 3,
  visibility: 'public',
  evidence: [`sha256:${hex('d')}`, `sha256:${hex('e')}`],
};

// RFC 8785: members sorted by UTF-16 code units (envelope < evidence < index < integratedAt <
// issuer < prev < seq < statement < type < v < visibility), no whitespace, integers bare.
const LEAF_JCS =
  `{"envelope":"sha256:${hex('c')}","evidence":["sha256:${hex('d')}","sha256:${hex('e')}"],` +
  `"index":7,"integratedAt":"2026-03-01T12:00:00.123Z","issuer":"state:JOR","prev":"${hex('a')}",` +
  `"seq":3,"statement":"sha256:${hex('b')}","type":"exercise.notification","v":1,"visibility":"public"}`;

const rfc6962LeafHash = (s: string): string =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.of(0), Buffer.from(s, 'utf8')]))
    .digest('hex');

describe('canonicalLeaf and leafHash', () => {
  it('serialises a hand-written leaf to the expected JCS string', () => {
    expect(canonicalLeaf(LEAF)).toBe(LEAF_JCS);
  });

  it('hashes as an RFC 6962 leaf: SHA-256(0x00 ‖ canonical bytes)', () => {
    expect(leafHashHex(LEAF)).toBe(rfc6962LeafHash(LEAF_JCS));
    expect(toHex(leafHash(LEAF))).toBe(leafHashHex(LEAF));
    // Without the 0x00 prefix it would be a different value: the domain separation is there.
    expect(leafHashHex(LEAF)).not.toBe(createHash('sha256').update(LEAF_JCS).digest('hex'));
  });

  it('serialises a leaf without evidence with an empty list', () => {
    expect(canonicalLeaf({ ...LEAF, evidence: [] })).toContain('"evidence":[],"index":7,');
  });

  it('ignores properties outside the leaf format', () => {
    const extended = { ...LEAF, extra: 'x' } as Leaf;
    expect(canonicalLeaf(extended)).toBe(LEAF_JCS);
  });
});

describe('parseLeaf', () => {
  it('accepts a valid leaf and its JCS text parsed back', () => {
    expect(parseLeaf(LEAF)).toEqual(LEAF);
    expect(parseLeaf(parseJsonStrict(LEAF_JCS))).toEqual(LEAF);
  });

  it('accepts leaf 0 with the genesis prev and every visibility', () => {
    for (const visibility of ['public', 'participants', 'restricted'] as const) {
      expect(parseLeaf({ ...LEAF, index: 0, prev: GENESIS_PREV, visibility }).visibility).toBe(
        visibility,
      );
    }
  });

  it('returns a copy', () => {
    const input = structuredClone(LEAF);
    const parsed = parseLeaf(input);
    input.evidence.push('x');
    expect(parsed).toEqual(LEAF);
  });

  const without = (field: keyof Leaf): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...LEAF };
    delete copy[field];
    return copy;
  };
  const set = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...LEAF, ...patch });
  const bad: [string, unknown, string, string][] = [
    ['null', null, ErrorCode.SCHEMA_VIOLATION, '$'],
    ['an array', [LEAF], ErrorCode.SCHEMA_VIOLATION, '$'],
    ['a string', LEAF_JCS, ErrorCode.SCHEMA_VIOLATION, '$'],
    ['an unknown field', set({ extra: 1 }), ErrorCode.UNKNOWN_FIELD, '$.extra'],
    ['a missing v', without('v'), ErrorCode.SCHEMA_VIOLATION, '$.v'],
    ['a missing evidence', without('evidence'), ErrorCode.SCHEMA_VIOLATION, '$.evidence'],
    [
      'a missing integratedAt',
      without('integratedAt'),
      ErrorCode.SCHEMA_VIOLATION,
      '$.integratedAt',
    ],
    ['v 3', set({ v: 3 }), ErrorCode.SCHEMA_VIOLATION, '$.v'],
    // v2 (docs/promises.md) is defined, but only with acceptedAt and integrateBy.
    ['v 2 without its promise times', set({ v: 2 }), ErrorCode.SCHEMA_VIOLATION, '$.acceptedAt'],
    ['v "1"', set({ v: '1' }), ErrorCode.SCHEMA_VIOLATION, '$.v'],
    ['a negative index', set({ index: -1 }), ErrorCode.SCHEMA_VIOLATION, '$.index'],
    ['a fractional index', set({ index: 1.5 }), ErrorCode.SCHEMA_VIOLATION, '$.index'],
    ['an unsafe index', set({ index: 2 ** 53 }), ErrorCode.SCHEMA_VIOLATION, '$.index'],
    ['an index as a string', set({ index: '7' }), ErrorCode.SCHEMA_VIOLATION, '$.index'],
    ['seq 0', set({ seq: 0 }), ErrorCode.SCHEMA_VIOLATION, '$.seq'],
    ['a fractional seq', set({ seq: 2.5 }), ErrorCode.SCHEMA_VIOLATION, '$.seq'],
    ['an upper-case prev', set({ prev: hex('A') }), ErrorCode.SCHEMA_VIOLATION, '$.prev'],
    ['a short prev', set({ prev: 'a'.repeat(63) }), ErrorCode.SCHEMA_VIOLATION, '$.prev'],
    ['a prefixed prev', set({ prev: `sha256:${hex('a')}` }), ErrorCode.SCHEMA_VIOLATION, '$.prev'],
    [
      'integratedAt without ms',
      set({ integratedAt: '2026-03-01T12:00:00Z' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.integratedAt',
    ],
    [
      'integratedAt with µs',
      set({ integratedAt: '2026-03-01T12:00:00.123456Z' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.integratedAt',
    ],
    [
      'integratedAt with an offset',
      set({ integratedAt: '2026-03-01T12:00:00.123+00:00' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.integratedAt',
    ],
    [
      'integratedAt with a lower-case z',
      set({ integratedAt: '2026-03-01T12:00:00.123z' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.integratedAt',
    ],
    [
      'integratedAt with a space',
      set({ integratedAt: '2026-03-01 12:00:00.123Z' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.integratedAt',
    ],
    [
      'integratedAt on 30 February',
      set({ integratedAt: '2026-02-30T12:00:00.123Z' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.integratedAt',
    ],
    [
      'integratedAt at 24:00',
      set({ integratedAt: '2026-03-01T24:00:00.000Z' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.integratedAt',
    ],
    [
      'integratedAt as epoch ms',
      set({ integratedAt: 1772366400123 }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.integratedAt',
    ],
    [
      'a statement id without prefix',
      set({ statement: hex('b') }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.statement',
    ],
    [
      'a statement id with another algorithm',
      set({ statement: `sha512:${hex('b')}` }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.statement',
    ],
    [
      'an upper-case envelope digest',
      set({ envelope: `sha256:${hex('C')}` }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.envelope',
    ],
    ['an empty type', set({ type: '' }), ErrorCode.SCHEMA_VIOLATION, '$.type'],
    ['a type without a dot', set({ type: 'exercise' }), ErrorCode.SCHEMA_VIOLATION, '$.type'],
    [
      'a type with upper case',
      set({ type: 'Exercise.notification' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.type',
    ],
    [
      'an issuer that is not a party id',
      set({ issuer: 'JOR' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.issuer',
    ],
    [
      'an issuer with a lower-case country',
      set({ issuer: 'state:jor' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.issuer',
    ],
    [
      'an unknown visibility',
      set({ visibility: 'secret' }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.visibility',
    ],
    [
      'evidence not an array',
      set({ evidence: `sha256:${hex('d')}` }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.evidence',
    ],
    [
      'evidence with a bare hash',
      set({ evidence: [`sha256:${hex('d')}`, hex('e')] }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.evidence[1]',
    ],
    [
      'evidence with an object',
      set({ evidence: [{ sha256: hex('d') }] }),
      ErrorCode.SCHEMA_VIOLATION,
      '$.evidence[0]',
    ],
  ];

  it.each(bad)('rejects %s', (_name, input, code, path) => {
    expectCode(() => parseLeaf(input), code, path);
  });

  const leafArb: fc.Arbitrary<Leaf> = fc.record({
    v: fc.constant(1 as const),
    index: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    prev: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex),
    integratedAt: fc
      .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(9999, 11, 31) })
      .map((ms) => new Date(ms).toISOString()),
    statement: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${toHex(b)}`),
    envelope: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${toHex(b)}`),
    type: fc.constantFrom('ledger.genesis', 'key.rotate', 'datashare.alert', 'observer.report'),
    issuer: fc.constantFrom('state:JOR', 'observer:un-team.1', 'operator:ledger'),
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    visibility: fc.constantFrom('public' as const, 'participants' as const, 'restricted' as const),
    evidence: fc.array(
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${toHex(b)}`),
      { maxLength: 3 },
    ),
  });

  it('round-trips random valid leaves through their canonical text', () => {
    fc.assert(
      fc.property(leafArb, (leaf) => {
        const text = canonicalLeaf(leaf);
        const back = parseLeaf(parseJsonStrict(text));
        expect(back).toEqual(leaf);
        expect(canonicalLeaf(back)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('throws only ProtocolError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        try {
          parseLeaf(input);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 300 },
    );
    const throwing = Object.defineProperty({ ...LEAF }, 'index', {
      enumerable: true,
      get(): never {
        throw new Error('boom');
      },
    });
    expectCode(() => parseLeaf(throwing), ErrorCode.SCHEMA_VIOLATION);
  });
});

describe('verifyLeafChain', () => {
  const leaf0: Leaf = {
    ...LEAF,
    index: 0,
    prev: GENESIS_PREV,
    type: 'ledger.genesis',
    issuer: 'operator:ledger',
    seq: 1,
  };
  const leaf1: Leaf = { ...LEAF, index: 1, prev: leafHashHex(leaf0) };
  const leaf2: Leaf = { ...LEAF, index: 2, prev: leafHashHex(leaf1), seq: 4 };

  it('accepts a genesis leaf and a correctly linked chain', () => {
    expect(() => verifyLeafChain(undefined, leaf0)).not.toThrow();
    expect(() => verifyLeafChain(leaf0, leaf1)).not.toThrow();
    expect(() => verifyLeafChain(leaf1, leaf2)).not.toThrow();
  });

  it('rejects leaf 0 whose prev is not 64 zeros', () => {
    expectCode(
      () => verifyLeafChain(undefined, { ...leaf0, prev: hex('1') }),
      ErrorCode.LEAF_INVALID,
      '$.prev',
    );
  });

  it('rejects a first leaf that is not leaf 0', () => {
    expectCode(() => verifyLeafChain(undefined, leaf1), ErrorCode.LEAF_INVALID, '$.index');
  });

  it('rejects a gap, a repeat and a step backwards in the index', () => {
    expectCode(
      () => verifyLeafChain(leaf0, { ...leaf2, prev: leafHashHex(leaf0) }),
      ErrorCode.LEAF_INVALID,
      '$.index',
    );
    expectCode(() => verifyLeafChain(leaf1, { ...leaf1 }), ErrorCode.LEAF_INVALID, '$.index');
    expectCode(() => verifyLeafChain(leaf2, { ...leaf1 }), ErrorCode.LEAF_INVALID, '$.index');
  });

  it('rejects a prev that is not the hash of the previous leaf', () => {
    expectCode(
      () => verifyLeafChain(leaf1, { ...leaf2, prev: leafHashHex(leaf0) }),
      ErrorCode.LEAF_INVALID,
      '$.prev',
    );
    expectCode(
      () => verifyLeafChain(leaf1, { ...leaf2, prev: GENESIS_PREV }),
      ErrorCode.LEAF_INVALID,
      '$.prev',
    );
  });

  it('notices any change to the previous leaf', () => {
    // Rewriting history (here: backdating leaf 1) breaks the link to leaf 2.
    const rewritten = { ...leaf1, integratedAt: '2026-03-01T11:59:59.123Z' };
    expectCode(() => verifyLeafChain(rewritten, leaf2), ErrorCode.LEAF_INVALID, '$.prev');
  });
});
