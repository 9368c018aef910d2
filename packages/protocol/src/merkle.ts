/**
 * RFC 6962 §2.1 Merkle tree hashes and proofs over a list of leaf hashes, and the RFC 9162
 * §2.1.3.2 / §2.1.4.2 verification algorithms. The generators here are the plain recursive
 * definitions (MTH, PATH, SUBPROOF), O(n) in the number of leaves; the log serves proofs from
 * stored nodes in O(log n) with compact-range.ts, whose answers must equal these.
 */
import { bytesEqual } from './bytes.js';
import { ErrorCode, ProtocolError } from './errors.js';
import { emptyRoot, hashChildren } from './tree-hash.js';

export * from './compact-range.js';

const HASH_SIZE = 32;

// Not a type guard on purpose: Array.isArray would narrow a readonly array to any[].
const isList = (value: unknown): boolean => Array.isArray(value);

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function requireCount(value: number, what: string): void {
  if (!isCount(value)) {
    throw new ProtocolError(ErrorCode.RANGE_INVALID, `${what} must be a non-negative safe integer`);
  }
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** Checks the first `count` leaf hashes, which are all a tree of that size reads. */
function requireLeafHashes(leafHashes: readonly Uint8Array[], count: number): void {
  if (!isList(leafHashes)) {
    throw new ProtocolError(ErrorCode.MALFORMED, 'leaf hashes must be an array');
  }
  if (count > leafHashes.length) {
    throw new ProtocolError(ErrorCode.RANGE_INVALID, `tree size exceeds ${leafHashes.length}`);
  }
  for (let i = 0; i < count; i++) {
    if (!isHash(leafHashes[i])) {
      throw new ProtocolError(
        ErrorCode.MALFORMED,
        `must be a ${HASH_SIZE}-byte hash`,
        `leafHashes[${i}]`,
      );
    }
  }
}

/** The largest power of two strictly below n (n >= 2): where RFC 6962 splits a tree. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) for hi > lo. */
function subtreeHash(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return leaves[lo]!;
  const k = splitPoint(hi - lo);
  return hashChildren(subtreeHash(leaves, lo, lo + k), subtreeHash(leaves, lo + k, hi));
}

/** MTH(D[n]) of RFC 6962 §2.1; the hash of the empty string for no leaves.
 * Throws MALFORMED unless every leaf hash is 32 bytes. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  requireLeafHashes(leafHashes, isList(leafHashes) ? leafHashes.length : 0);
  if (leafHashes.length === 0) return emptyRoot();
  return subtreeHash(leafHashes, 0, leafHashes.length).slice();
}

/**
 * PATH(index, D[treeSize]) of RFC 6962 §2.1.1 over the first `treeSize` leaf hashes, lowest
 * level first. Throws RANGE_INVALID unless 0 <= index < treeSize <= leafHashes.length.
 */
export function inclusionProof(
  leafHashes: readonly Uint8Array[],
  index: number,
  treeSize: number,
): Uint8Array[] {
  requireCount(index, 'index');
  requireCount(treeSize, 'tree size');
  requireLeafHashes(leafHashes, treeSize);
  if (index >= treeSize) {
    throw new ProtocolError(ErrorCode.RANGE_INVALID, 'index must be below the tree size');
  }
  const proof: Uint8Array[] = [];
  const path = (lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      path(lo, mid);
      proof.push(subtreeHash(leafHashes, mid, hi));
    } else {
      path(mid, hi);
      proof.push(subtreeHash(leafHashes, lo, mid));
    }
  };
  path(0, treeSize);
  return proof.map((h) => h.slice());
}

/**
 * PROOF(from, D[to]) of RFC 6962 §2.1.2 over the first `to` leaf hashes. Empty when from = 0 or
 * from = to, as the RFC defines. Throws RANGE_INVALID unless 0 <= from <= to <= leafHashes.length.
 */
export function consistencyProof(
  leafHashes: readonly Uint8Array[],
  from: number,
  to: number,
): Uint8Array[] {
  requireCount(from, 'from');
  requireCount(to, 'to');
  requireLeafHashes(leafHashes, to);
  if (from > to) throw new ProtocolError(ErrorCode.RANGE_INVALID, 'from must not exceed to');
  if (from === 0 || from === to) return [];
  const proof: Uint8Array[] = [];
  // SUBPROOF(m, D[lo:hi], b), with m counted from lo.
  const subproof = (m: number, lo: number, hi: number, wholeOldTree: boolean): void => {
    if (m === hi - lo) {
      if (!wholeOldTree) proof.push(subtreeHash(leafHashes, lo, hi));
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      subproof(m, lo, lo + k, wholeOldTree);
      proof.push(subtreeHash(leafHashes, lo + k, hi));
    } else {
      subproof(m - k, lo + k, hi, false);
      proof.push(subtreeHash(leafHashes, lo, lo + k));
    }
  };
  subproof(from, 0, to, true);
  return proof.map((h) => h.slice());
}

// Security: everything below reads attacker-controlled proofs (from the network, receipts, the
// conformance harness). Bad input of any shape must end as a ProtocolError with the verifier's
// code, never as a TypeError or RangeError.
function guard<T>(code: ErrorCode, verify: () => T): T {
  try {
    return verify();
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw new ProtocolError(code, 'malformed proof input');
  }
}

function requireProofHashes(proof: readonly Uint8Array[], code: ErrorCode): void {
  if (!isList(proof)) throw new ProtocolError(code, 'proof must be an array of hashes');
  for (let i = 0; i < proof.length; i++) {
    if (!isHash(proof[i])) {
      throw new ProtocolError(code, `must be a ${HASH_SIZE}-byte hash`, `proof[${i}]`);
    }
  }
}

const half = (x: number): number => Math.floor(x / 2);
const isOdd = (x: number): boolean => x % 2 === 1;

function isPowerOfTwo(x: number): boolean {
  let y = x;
  while (y > 1 && !isOdd(y)) y = half(y);
  return y === 1;
}

/**
 * The root that an inclusion proof for `leafHash` at `index` implies for a tree of `treeSize`
 * (RFC 9162 §2.1.3.2, without the final comparison). Throws INCLUSION_PROOF_INVALID when
 * index >= treeSize, a size or hash is malformed, or the proof has the wrong length.
 */
export function rootFromInclusionProof(
  index: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  const code = ErrorCode.INCLUSION_PROOF_INVALID;
  return guard(code, () => {
    if (!isCount(index) || !isCount(treeSize)) {
      throw new ProtocolError(code, 'index and tree size must be non-negative safe integers');
    }
    if (index >= treeSize) throw new ProtocolError(code, 'index must be below the tree size');
    if (!isHash(leafHash)) throw new ProtocolError(code, `leaf hash must be ${HASH_SIZE} bytes`);
    requireProofHashes(proof, code);
    let fn = index;
    let sn = treeSize - 1;
    let r = leafHash;
    for (const p of proof) {
      // sn reaching 0 means the path is complete: anything further is padding.
      if (sn === 0) throw new ProtocolError(code, 'proof is too long');
      if (isOdd(fn) || fn === sn) {
        r = hashChildren(p, r);
        // On the right edge a node may have no right sibling: skip the levels where it is
        // promoted unchanged.
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      } else {
        r = hashChildren(r, p);
      }
      fn = half(fn);
      sn = half(sn);
    }
    if (sn !== 0) throw new ProtocolError(code, 'proof is too short');
    return r.slice();
  });
}

/**
 * Verifies an RFC 6962 inclusion proof (RFC 9162 §2.1.3.2). Returns normally when the proof shows
 * `leafHash` at `index` in the tree of `treeSize` leaves with root `root`; otherwise throws
 * ProtocolError INCLUSION_PROOF_INVALID (index >= treeSize, hashes not 32 bytes, wrong proof
 * length, root mismatch). Never throws anything else.
 */
export function verifyInclusion(
  index: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  const code = ErrorCode.INCLUSION_PROOF_INVALID;
  guard(code, () => {
    if (!isHash(root)) throw new ProtocolError(code, `root must be ${HASH_SIZE} bytes`);
    const computed = rootFromInclusionProof(index, treeSize, leafHash, proof);
    if (!bytesEqual(computed, root)) throw new ProtocolError(code, 'root does not match');
  });
}

/**
 * Verifies an RFC 6962 consistency proof between the tree of `from` leaves with root `root1` and
 * the tree of `to` leaves with root `root2` (RFC 9162 §2.1.4.2). Returns normally when it holds;
 * otherwise throws ProtocolError CONSISTENCY_PROOF_INVALID. Never throws anything else.
 *
 * - from > to: rejected.
 * - from = to: the proof must be empty and root1 must equal root2 (byte for byte).
 * - from = 0 < to, or from = to = 0: rejected. A proof from the empty tree proves nothing, and
 *   the transparency-dev vectors require rejection; a verifier with no earlier checkpoint has
 *   nothing to check and must not call this.
 * - otherwise hashes must be 32 bytes and the proof exactly as long as RFC 6962 PROOF produces.
 */
export function verifyConsistency(
  from: number,
  to: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  const code = ErrorCode.CONSISTENCY_PROOF_INVALID;
  guard(code, () => {
    if (!isCount(from) || !isCount(to)) {
      throw new ProtocolError(code, 'tree sizes must be non-negative safe integers');
    }
    if (from > to) throw new ProtocolError(code, 'from must not exceed to');
    if (!isList(proof)) throw new ProtocolError(code, 'proof must be an array of hashes');
    if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) {
      throw new ProtocolError(code, 'roots must be byte arrays');
    }
    if (from === 0) throw new ProtocolError(code, 'a proof from the empty tree proves nothing');
    if (from === to) {
      if (proof.length !== 0) throw new ProtocolError(code, 'proof must be empty when from = to');
      if (!bytesEqual(root1, root2)) throw new ProtocolError(code, 'roots differ at equal sizes');
      return;
    }
    if (!isHash(root1) || !isHash(root2)) {
      throw new ProtocolError(code, `roots must be ${HASH_SIZE} bytes`);
    }
    requireProofHashes(proof, code);
    if (proof.length === 0) throw new ProtocolError(code, 'proof is empty');

    // The old root is the first node when `from` is a power of two (RFC 6962 omits it).
    const path = isPowerOfTwo(from) ? [root1, ...proof] : [...proof];
    let fn = from - 1;
    let sn = to - 1;
    while (isOdd(fn)) {
      fn = half(fn);
      sn = half(sn);
    }
    let fr = path[0]!;
    let sr = path[0]!;
    for (const c of path.slice(1)) {
      if (sn === 0) throw new ProtocolError(code, 'proof is too long');
      if (isOdd(fn) || fn === sn) {
        fr = hashChildren(c, fr);
        sr = hashChildren(c, sr);
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      } else {
        sr = hashChildren(sr, c);
      }
      fn = half(fn);
      sn = half(sn);
    }
    if (sn !== 0) throw new ProtocolError(code, 'proof is too short');
    if (!bytesEqual(fr, root1)) throw new ProtocolError(code, 'old root does not match');
    if (!bytesEqual(sr, root2)) throw new ProtocolError(code, 'new root does not match');
  });
}
