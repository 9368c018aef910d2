import type * as NodeCryptoModule from 'node:crypto';
import nacl from 'tweetnacl';
import { toHex } from './bytes.js';
import { ErrorCode, ProtocolError } from './errors.js';

/**
 * Ed25519 (RFC 8032) behind one interface with two implementations: node:crypto (OpenSSL, the
 * server's hot path: audits verify ~10^5 signatures) and tweetnacl (portable, for browsers).
 *
 * The two must give the same answer on every input, or a browser verifier and the server could
 * disagree about what the ledger contains. Measured differences and how they are closed:
 *
 * - OpenSSL rejects a signature whose scalar S is >= L (the group order); tweetnacl reduces S and
 *   accepts, so (R, S + L) is a second valid signature for the same message (malleability).
 *   `passesStrictChecks` rejects S >= L before either implementation runs.
 * - Both use the cofactorless equation and compare R byte-for-byte with the canonical encoding of
 *   [S]B - [h]A, so a non-canonical R is rejected by both.
 * - Both decode public keys leniently (y >= p, and x = 0 with the sign bit set, are reduced
 *   rather than rejected) and both accept small-order keys. We reject these before either runs:
 *   RFC 8032 §5.1.3 says such encodings fail to decode, and a small-order key lets anyone forge
 *   "signatures" that verify for a fraction of all messages. No honestly generated key is one.
 *
 * A test (ed25519.test.ts) drives both implementations over these edge cases and random inputs
 * and asserts they agree.
 */
export interface Ed25519 {
  readonly name: 'node:crypto' | 'tweetnacl';
  /** 32-byte seed (the RFC 8032 private key) -> 32-byte public key. */
  publicKeyFromSeed(seed: Uint8Array): Uint8Array;
  /** Deterministic 64-byte signature. Throws KEY_INVALID if the seed is not 32 bytes. */
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** Never throws: any malformed input (wrong lengths, non-canonical values) gives false. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

export const ED25519_SEED_LENGTH = 32;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const GROUP_ORDER_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

// The canonical encodings of the eight points of small order (identity, order 2, 4 and 8).
const SMALL_ORDER_KEYS = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
]);

/** S < L, comparing the little-endian scalar from its most significant byte. */
function scalarIsCanonical(sig: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = sig[32 + i]!;
    const l = GROUP_ORDER_LE[i]!;
    if (s < l) return true;
    if (s > l) return false;
  }
  return false; // S == L
}

/**
 * The y coordinate (the low 255 bits) is < p = 2^255 - 19, and x = 0 is not paired with a set
 * sign bit (x = 0 exactly when y = 1 or y = p - 1).
 */
function publicKeyIsCanonical(pk: Uint8Array): boolean {
  const top = pk[31]! & 0x7f;
  let middleAllOnes = true;
  for (let i = 1; i < 31; i++) {
    if (pk[i] !== 0xff) {
      middleAllOnes = false;
      break;
    }
  }
  if (top === 0x7f && middleAllOnes && pk[0]! >= 0xed) return false; // y >= p
  if ((pk[31]! & 0x80) !== 0) {
    let middleZero = true;
    for (let i = 1; i < 31; i++) {
      if (pk[i] !== 0) {
        middleZero = false;
        break;
      }
    }
    const yIsOne = pk[0] === 1 && middleZero && top === 0;
    const yIsPMinusOne = pk[0] === 0xec && middleAllOnes && top === 0x7f;
    if (yIsOne || yIsPMinusOne) return false;
  }
  return true;
}

/**
 * The checks both implementations share, so they agree (see the module comment). Exported for
 * callers that vet a public key before registering it.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  return (
    publicKey instanceof Uint8Array &&
    publicKey.length === ED25519_PUBLIC_KEY_LENGTH &&
    publicKeyIsCanonical(publicKey) &&
    !SMALL_ORDER_KEYS.has(toHex(publicKey))
  );
}

function passesStrictChecks(publicKey: unknown, message: unknown, signature: unknown): boolean {
  return (
    message instanceof Uint8Array &&
    signature instanceof Uint8Array &&
    signature.length === ED25519_SIGNATURE_LENGTH &&
    publicKey instanceof Uint8Array &&
    isAcceptablePublicKey(publicKey) &&
    scalarIsCanonical(signature)
  );
}

function checkSeed(seed: unknown): asserts seed is Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_LENGTH) {
    throw new ProtocolError(ErrorCode.KEY_INVALID, 'Ed25519 seed must be 32 bytes');
  }
}

function checkMessage(message: unknown): asserts message is Uint8Array {
  if (!(message instanceof Uint8Array)) {
    throw new ProtocolError(ErrorCode.MALFORMED, 'message must be bytes');
  }
}

/** Portable implementation (tweetnacl), used in browsers and as the cross-check. */
export const naclEd25519: Ed25519 = {
  name: 'tweetnacl',
  publicKeyFromSeed(seed) {
    checkSeed(seed);
    return nacl.sign.keyPair.fromSeed(seed).publicKey;
  },
  sign(seed, message) {
    checkSeed(seed);
    checkMessage(message);
    return nacl.sign.detached(message, nacl.sign.keyPair.fromSeed(seed).secretKey);
  },
  verify(publicKey, message, signature) {
    if (!passesStrictChecks(publicKey, message, signature)) return false;
    try {
      return nacl.sign.detached.verify(message, signature, publicKey);
    } catch {
      return false;
    }
  },
};

type NodeCrypto = typeof NodeCryptoModule;
type KeyObject = NodeCryptoModule.KeyObject;

// Reached through process.getBuiltinModule so browser bundles never see node:crypto.
const nodeCrypto: NodeCrypto | undefined = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;

// DER prefixes that wrap a raw key as PKCS#8 (seed) or SPKI (public key), OID 1.3.101.112.
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const SPKI_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

function withPrefix(prefix: Uint8Array, key: Uint8Array): Uint8Array {
  const der = new Uint8Array(prefix.length + key.length);
  der.set(prefix, 0);
  der.set(key, prefix.length);
  return der;
}

function makeNodeEd25519(crypto: NodeCrypto): Ed25519 {
  // Audits verify many signatures by few keys, and importing a key costs nearly as much as a
  // verification (about 75 µs against 110 µs, measured on the machine this was written on), so
  // keep them. Bounded so a stream of distinct keys cannot grow memory without limit.
  const MAX_CACHED_KEYS = 4096;
  const publicKeys = new Map<string, KeyObject>();

  function publicKeyObject(publicKey: Uint8Array): KeyObject {
    const id = toHex(publicKey);
    let key = publicKeys.get(id);
    if (key === undefined) {
      key = crypto.createPublicKey({
        key: Buffer.from(withPrefix(SPKI_PREFIX, publicKey)),
        format: 'der',
        type: 'spki',
      });
      if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
      publicKeys.set(id, key);
    }
    return key;
  }

  function privateKeyObject(seed: Uint8Array): KeyObject {
    return crypto.createPrivateKey({
      key: Buffer.from(withPrefix(PKCS8_PREFIX, seed)),
      format: 'der',
      type: 'pkcs8',
    });
  }

  return {
    name: 'node:crypto',
    publicKeyFromSeed(seed) {
      checkSeed(seed);
      const spki = crypto.createPublicKey(privateKeyObject(seed)).export({
        format: 'der',
        type: 'spki',
      });
      return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
    },
    sign(seed, message) {
      checkSeed(seed);
      checkMessage(message);
      return new Uint8Array(crypto.sign(null, message, privateKeyObject(seed)));
    },
    verify(publicKey, message, signature) {
      if (!passesStrictChecks(publicKey, message, signature)) return false;
      try {
        return crypto.verify(null, message, publicKeyObject(publicKey), signature);
      } catch {
        return false;
      }
    },
  };
}

/** node:crypto implementation; undefined where node:crypto is unavailable (browsers). */
export const nodeEd25519: Ed25519 | undefined = nodeCrypto
  ? makeNodeEd25519(nodeCrypto)
  : undefined;

/** The implementation to use by default: node:crypto on Node, tweetnacl elsewhere. */
export const ed25519: Ed25519 = nodeEd25519 ?? naclEd25519;

/** A fresh 32-byte Ed25519 seed from the platform CSPRNG. */
export function randomSeed(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(ED25519_SEED_LENGTH));
}
