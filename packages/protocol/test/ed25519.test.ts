import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/bytes.js';
import type { Ed25519 } from '../src/ed25519.js';
import { vectorPath } from './fixtures/vectors.js';
import {
  ed25519,
  isAcceptablePublicKey,
  naclEd25519,
  nodeEd25519,
  randomSeed,
} from '../src/ed25519.js';

interface Rfc8032Vector {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}

const rfc8032 = JSON.parse(readFileSync(vectorPath('rfc8032-ed25519.json'), 'utf8')) as {
  vectors: Rfc8032Vector[];
};

if (nodeEd25519 === undefined) throw new Error('tests run on Node: node:crypto must be present');
const node: Ed25519 = nodeEd25519;
const impls: Ed25519[] = [node, naclEd25519];

// L = 2^252 + 27742317777372353535851937790883648493
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const P = (1n << 255n) - 19n;

function le32(n: bigint): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    b[i] = Number(n & 255n);
    n >>= 8n;
  }
  return b;
}

function leToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const out = b.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const messageArb = fc.uint8Array({ maxLength: 200 });

describe('Ed25519 implementations', () => {
  it('uses node:crypto by default on Node', () => {
    expect(ed25519).toBe(nodeEd25519);
    expect(node.name).toBe('node:crypto');
    expect(naclEd25519.name).toBe('tweetnacl');
  });

  for (const impl of impls) {
    describe(impl.name, () => {
      for (const v of rfc8032.vectors) {
        it(`reproduces RFC 8032 ${v.name}: public key, signature, verification`, () => {
          const seed = fromHex(v.secretKey);
          const message = fromHex(v.message);
          expect(toHex(impl.publicKeyFromSeed(seed))).toBe(v.publicKey);
          expect(toHex(impl.sign(seed, message))).toBe(v.signature);
          expect(impl.verify(fromHex(v.publicKey), message, fromHex(v.signature))).toBe(true);
        });
      }

      it('returns plain Uint8Arrays of the right lengths', () => {
        const seed = new Uint8Array(32).fill(3);
        const pk = impl.publicKeyFromSeed(seed);
        const sig = impl.sign(seed, new Uint8Array(0));
        expect(pk.constructor).toBe(Uint8Array);
        expect(sig.constructor).toBe(Uint8Array);
        expect(pk.length).toBe(32);
        expect(sig.length).toBe(64);
      });

      it('throws KEY_INVALID for a seed that is not 32 bytes', () => {
        for (const seed of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(64)]) {
          expect(() => impl.sign(seed, new Uint8Array(1))).toThrow(
            expect.objectContaining({ code: 'KEY_INVALID' }),
          );
          expect(() => impl.publicKeyFromSeed(seed)).toThrow(
            expect.objectContaining({ code: 'KEY_INVALID' }),
          );
        }
      });

      it('answers false, never throws, for malformed inputs', () => {
        const v = rfc8032.vectors[0]!;
        const pk = fromHex(v.publicKey);
        const sig = fromHex(v.signature);
        const msg = fromHex(v.message);
        const bad: [unknown, unknown, unknown][] = [
          [pk.subarray(0, 31), msg, sig],
          [new Uint8Array(33), msg, sig],
          [pk, msg, sig.subarray(0, 63)],
          [pk, msg, new Uint8Array(65)],
          [pk, msg, new Uint8Array(0)],
          ['not bytes', msg, sig],
          [pk, 'not bytes', sig],
          [pk, msg, null],
          [undefined, undefined, undefined],
        ];
        for (const [a, m, s] of bad) {
          expect(impl.verify(a as Uint8Array, m as Uint8Array, s as Uint8Array)).toBe(false);
        }
      });
    });
  }

  it('rejects a signature whose scalar S is not below the group order L (malleability)', () => {
    for (const v of rfc8032.vectors) {
      const pk = fromHex(v.publicKey);
      const msg = fromHex(v.message);
      const sig = fromHex(v.signature);
      const s = leToBigInt(sig.subarray(32));
      const malleated = sig.slice();
      malleated.set(le32(s + L), 32);
      // Raw tweetnacl accepts (R, S + L): the shared pre-check is what makes the two agree.
      expect(nacl.sign.detached.verify(msg, malleated, pk)).toBe(true);
      expect(node.verify(pk, msg, malleated)).toBe(false);
      expect(naclEd25519.verify(pk, msg, malleated)).toBe(false);
      const atL = sig.slice();
      atL.set(le32(L), 32);
      for (const impl of impls) expect(impl.verify(pk, msg, atL)).toBe(false);
    }
  });

  // Small-order points (identity, order 2, 4, 8) and non-canonical encodings (y >= p, or x = 0
  // with the sign bit set). Raw tweetnacl and OpenSSL accept "signatures" under some of them.
  const weakKeys: [string, Uint8Array][] = [
    ['identity', le32(1n)],
    ['order 2', le32(P - 1n)],
    ['order 4', le32(0n)],
    ['order 4, sign bit', Uint8Array.from([...le32(0n).subarray(0, 31), 0x80])],
    ['order 8 (a)', fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05')],
    ['order 8 (b)', fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85')],
    ['order 8 (c)', fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')],
    ['order 8 (d)', fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa')],
    ['identity with sign bit (x = 0)', Uint8Array.from([1, ...new Uint8Array(30), 0x80])],
    ['y = p (non-canonical 0)', le32(P)],
    ['y = p + 1 (non-canonical identity)', le32(P + 1n)],
    ['y = 2^255 - 1', le32((1n << 255n) - 1n)],
  ];

  it('rejects small-order and non-canonical public keys in both implementations', () => {
    const identity = le32(1n);
    const forged = new Uint8Array(64);
    forged.set(identity, 0); // R = identity, S = 0
    const msg = Uint8Array.of(1, 2, 3);
    // Under the identity key, (R = identity, S = 0) "verifies" for every message in raw tweetnacl.
    expect(nacl.sign.detached.verify(msg, forged, identity)).toBe(true);
    for (const [name, key] of weakKeys) {
      expect(isAcceptablePublicKey(key), name).toBe(false);
      for (const impl of impls) expect(impl.verify(key, msg, forged), name).toBe(false);
    }
  });

  it('accepts the public keys of real seeds', () => {
    fc.assert(
      fc.property(seedArb, (seed) => isAcceptablePublicKey(node.publicKeyFromSeed(seed))),
      { numRuns: 50 },
    );
  });

  it('agrees between node:crypto and tweetnacl on keys and (deterministic) signatures', () => {
    fc.assert(
      fc.property(seedArb, messageArb, (seed, msg) => {
        const pkNode = node.publicKeyFromSeed(seed);
        const pkNacl = naclEd25519.publicKeyFromSeed(seed);
        expect(pkNode).toEqual(pkNacl);
        const sigNode = node.sign(seed, msg);
        expect(sigNode).toEqual(naclEd25519.sign(seed, msg));
        expect(node.verify(pkNode, msg, sigNode)).toBe(true);
        expect(naclEd25519.verify(pkNode, msg, sigNode)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects any single-bit change of message, public key or signature, in both', () => {
    fc.assert(
      fc.property(
        seedArb,
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.nat(),
        fc.constantFrom('message', 'publicKey', 'signature'),
        (seed, msg, n, part) => {
          const pk = naclEd25519.publicKeyFromSeed(seed);
          const sig = node.sign(seed, msg);
          let p: Uint8Array = pk;
          let m: Uint8Array = msg;
          let s: Uint8Array = sig;
          if (part === 'message') m = flipBit(msg, n % (msg.length * 8));
          else if (part === 'publicKey') p = flipBit(pk, n % 256);
          else s = flipBit(sig, n % 512);
          expect(node.verify(p, m, s)).toBe(false);
          expect(naclEd25519.verify(p, m, s)).toBe(false);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('agrees on arbitrary (mostly invalid) keys and signatures', () => {
    const keyArb = fc.oneof(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.constantFrom(...weakKeys.map(([, k]) => k)),
      seedArb.map((s) => naclEd25519.publicKeyFromSeed(s)),
    );
    const rArb = fc.oneof(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.constantFrom(...weakKeys.map(([, k]) => k)),
    );
    const sArb = fc.oneof(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.constantFrom(le32(0n), le32(1n), le32(L - 1n), le32(L), le32(L + 1n)),
    );
    fc.assert(
      fc.property(keyArb, messageArb, rArb, sArb, (pk, msg, r, s) => {
        const sig = new Uint8Array(64);
        sig.set(r, 0);
        sig.set(s, 32);
        expect(node.verify(pk, msg, sig)).toBe(naclEd25519.verify(pk, msg, sig));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps verifying correctly after its bounded key cache has been cleared', () => {
    const msg = Uint8Array.of(42);
    const first = new Uint8Array(32).fill(1);
    const firstPk = node.publicKeyFromSeed(first);
    const firstSig = node.sign(first, msg);
    expect(node.verify(firstPk, msg, firstSig)).toBe(true);
    // Distinct (random, mostly undecodable) keys fill the 4096-entry cache past its bound.
    for (let i = 0; i < 4200; i++) {
      const pk = new Uint8Array(32);
      new DataView(pk.buffer).setUint32(0, i + 7);
      pk[31] = 0x11;
      expect(node.verify(pk, msg, firstSig)).toBe(false);
    }
    expect(node.verify(firstPk, msg, firstSig)).toBe(true);
    expect(node.verify(firstPk, Uint8Array.of(43), firstSig)).toBe(false);
  });

  it('draws distinct 32-byte random seeds', () => {
    const a = randomSeed();
    const b = randomSeed();
    expect(a.length).toBe(32);
    expect(toHex(a)).not.toBe(toHex(b));
  });
});
