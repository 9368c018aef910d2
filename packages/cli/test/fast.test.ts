/**
 * The audit's fast paths give exactly the protocol's answers: same canonical leaf and hashes,
 * same envelope digest, same accept/reject decisions, same Merkle roots.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  STATEMENT_PAYLOAD_TYPE,
  canonicalLeaf,
  envelopeDigest,
  isAcceptablePublicKey,
  leafHash,
  merkleRoot,
  parseEnvelope,
  parseLeaf,
  sha256,
  statementId,
  toBase64,
} from '@cbm-ledger/protocol';
import type { Leaf } from '@cbm-ledger/protocol';
import {
  MerkleFrontier,
  canonicalLeafFast,
  checkEnvelopeFast,
  checkLeafFast,
  decodeBase64Canonical,
  envelopeDigestFast,
  leafHashFast,
  statementIdFast,
} from '../src/audit/fast.js';
import { PAYLOAD_TYPE, acceptablePublicKey } from '../src/audit/keys.js';

const hex64 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString('hex'));
const id = hex64.map((h) => `sha256:${h}`);
const instant = fc
  .integer({ min: 0, max: 253402300799000 })
  .map((ms) => new Date(ms).toISOString());

const leafArb: fc.Arbitrary<Leaf> = fc.record({
  v: fc.constant(1 as const),
  index: fc.nat(),
  prev: hex64,
  integratedAt: instant,
  statement: id,
  envelope: id,
  type: fc.constantFrom('exercise.notification', 'party.register', 'a.b', 'x-1.y.z'),
  issuer: fc.constantFrom('state:JOR', 'observer:un-team', 'operator:local'),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  visibility: fc.constantFrom('public' as const, 'participants' as const, 'restricted' as const),
  evidence: fc.array(id, { maxLength: 4 }),
});

function accepts(fn: () => unknown): boolean {
  try {
    return fn() !== undefined;
  } catch {
    return false;
  }
}

describe('fast leaf paths', () => {
  it('serialise and hash every valid leaf as the protocol does', () => {
    fc.assert(
      fc.property(leafArb, (leaf) => {
        expect(canonicalLeafFast(leaf)).toBe(canonicalLeaf(leaf));
        expect(Buffer.from(leafHashFast(leaf))).toEqual(Buffer.from(leafHash(leaf)));
        expect(checkLeafFast(leaf)).toBe(leaf);
      }),
    );
  });

  it('accept exactly the leaves parseLeaf accepts', () => {
    const mutation = fc.record({
      key: fc.constantFrom(
        'v',
        'index',
        'prev',
        'integratedAt',
        'statement',
        'envelope',
        'type',
        'issuer',
        'seq',
        'visibility',
        'evidence',
        'extra',
      ),
      value: fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc.integer(),
        fc.double(),
        fc.string(),
        fc.constantFrom(
          '2026-02-30T00:00:00.000Z',
          '2026-01-01T00:00:00Z',
          'STATE:JOR',
          -0,
          0,
          '0',
        ),
        fc.array(fc.string(), { maxLength: 2 }),
      ),
    });
    fc.assert(
      fc.property(leafArb, mutation, (leaf, { key, value }) => {
        const changed: Record<string, unknown> = { ...leaf };
        if (value === undefined) delete changed[key];
        else changed[key] = value;
        expect(accepts(() => checkLeafFast(changed))).toBe(accepts(() => parseLeaf(changed)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fast envelope paths', () => {
  const sig = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => toBase64(b));
  const envelopeArb = fc.record({
    payloadType: fc.constant(STATEMENT_PAYLOAD_TYPE),
    payload: fc.uint8Array({ minLength: 1, maxLength: 600 }).map((b) => toBase64(b)),
    signatures: fc.uniqueArray(fc.record({ keyid: hex64, sig }), {
      minLength: 1,
      maxLength: 5,
      selector: (s) => s.keyid,
    }),
  });

  it('digest and decode every valid envelope as the protocol does', () => {
    fc.assert(
      fc.property(envelopeArb, (env) => {
        const fast = checkEnvelopeFast(env);
        const reference = parseEnvelope(env);
        expect(fast).toBeDefined();
        expect(Buffer.from(fast!.payload)).toEqual(Buffer.from(reference.payload));
        expect(envelopeDigestFast(env)).toBe(envelopeDigest(env));
        expect(statementIdFast(fast!.payload)).toBe(statementId(reference.payload));
      }),
    );
  });

  it('accept exactly the envelopes parseEnvelope accepts', () => {
    const tweak = fc.oneof(
      fc.constant((e: Record<string, unknown>) => void (e.payload = `${String(e.payload)}=`)),
      fc.constant(
        (e: Record<string, unknown>) => void (e.payload = String(e.payload).replace(/=+$/, '')),
      ),
      fc.constant((e: Record<string, unknown>) => void (e.payloadType = 'application/json')),
      fc.constant((e: Record<string, unknown>) => void (e.extra = 1)),
      fc.constant((e: Record<string, unknown>) => void (e.signatures = [])),
      fc.constant((e: Record<string, unknown>) => {
        const s = e.signatures as { keyid: string; sig: string }[];
        s.push({ ...s[0]! });
      }),
      fc.constant((e: Record<string, unknown>) => {
        const s = e.signatures as { keyid: string; sig: string }[];
        s[0]!.sig = s[0]!.sig.slice(0, 84) + 'AAA=';
      }),
      fc.constant((e: Record<string, unknown>) => {
        const s = e.signatures as { keyid: string; sig: string }[];
        s[0]!.keyid = s[0]!.keyid.toUpperCase();
      }),
      fc.constant((e: Record<string, unknown>) => {
        // a last base64 character with non-zero trailing bits
        const p = String(e.payload);
        const i = p.search(/=/);
        if (i > 1) e.payload = `${p.slice(0, i - 1)}${p[i - 1] === 'B' ? 'C' : 'B'}${p.slice(i)}`;
      }),
      fc.constant(() => undefined),
    );
    fc.assert(
      fc.property(envelopeArb, tweak, (env, change) => {
        const e = structuredClone(env) as unknown as Record<string, unknown>;
        change(e);
        expect(accepts(() => checkEnvelopeFast(e))).toBe(accepts(() => parseEnvelope(e)));
      }),
      { numRuns: 1000 },
    );
  });

  it('decode only canonical base64', () => {
    expect(decodeBase64Canonical('AAE=')).toEqual(Buffer.from([0, 1]));
    expect(decodeBase64Canonical('AAF=')).toBeUndefined(); // non-zero trailing bits
    expect(decodeBase64Canonical('AAE')).toBeUndefined(); // missing padding
    expect(decodeBase64Canonical('AA E=')).toBeUndefined();
    expect(decodeBase64Canonical('AA-_')).toBeUndefined(); // URL-safe alphabet
  });
});

describe('MerkleFrontier', () => {
  it('gives the RFC 6962 root for every size, also when restored from a frontier', () => {
    const leaves = Array.from({ length: 300 }, (_, i) => sha256(Uint8Array.of(i & 255, i >> 8)));
    const frontier = new MerkleFrontier();
    const range = CompactRange.empty();
    expect(Buffer.from(frontier.root())).toEqual(Buffer.from(merkleRoot([])));
    for (let n = 1; n <= leaves.length; n++) {
      frontier.append(leaves[n - 1]!);
      range.append(leaves[n - 1]!);
      expect(Buffer.from(frontier.root())).toEqual(Buffer.from(merkleRoot(leaves.slice(0, n))));
      const restored = new MerkleFrontier(n, frontier.frontier());
      expect(frontier.frontier().map((h) => Buffer.from(h))).toEqual(
        range.frontier().map((node) => Buffer.from(node.hash)),
      );
      if (n < leaves.length) {
        restored.append(leaves[n]!);
        expect(Buffer.from(restored.root())).toEqual(
          Buffer.from(merkleRoot(leaves.slice(0, n + 1))),
        );
      }
    }
  });

  it('refuses a frontier of the wrong length', () => {
    expect(() => new MerkleFrontier(3, [])).toThrow(/frontier of 2 hashes/);
  });
});

describe("the signature worker's copy of the protocol rules", () => {
  it('has the statement payload type', () => {
    expect(PAYLOAD_TYPE).toBe(STATEMENT_PAYLOAD_TYPE);
  });

  it('accepts exactly the public keys the protocol accepts', () => {
    const special = [
      '0100000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000080',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0000000000000000000000000000000000000000000000000000000000000080',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    ].map((h) => Buffer.from(h, 'hex'));
    for (const key of special) expect(acceptablePublicKey(key)).toBe(isAcceptablePublicKey(key));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        expect(acceptablePublicKey(key)).toBe(isAcceptablePublicKey(key));
      }),
      { numRuns: 2000 },
    );
  });
});
