import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../src/errors.js';
import {
  CompactRange,
  consistencyProof,
  consistencyProofFromNodes,
  consistencyProofNodeIds,
  inclusionProof,
  inclusionProofFromNodes,
  inclusionProofNodeIds,
  merkleRoot,
  nodeKey,
  rootFromNodes,
  subtreeDecomposition,
  verifyConsistency,
  verifyInclusion,
} from '../src/merkle.js';
import type { NodeId, TreeNode } from '../src/merkle.js';
import { emptyRoot, hashChildren, hashLeaf } from '../src/tree-hash.js';

const MAX_LEAVES = 300;
const leaves = Array.from({ length: MAX_LEAVES }, (_, i) =>
  hashLeaf(new TextEncoder().encode(`entry ${i}`)),
);

function expectCode(f: () => unknown, code: ErrorCode): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ProtocolError);
  expect((err as ProtocolError).code).toBe(code);
}

const ids = (nodes: readonly NodeId[]): string[] => nodes.map(nodeKey);
const hashOfRange = (id: NodeId): Uint8Array =>
  merkleRoot(leaves.slice(id.index * 2 ** id.level, (id.index + 1) * 2 ** id.level));

/** Appends all leaves once, keeping every node `append` returns: the log's node store. */
const store = new Map<string, Uint8Array>();
const appendedPerStep: TreeNode[][] = [];
const rootsPerSize: Uint8Array[] = [emptyRoot()];
{
  const range = CompactRange.empty();
  for (const leaf of leaves) {
    const completed = range.append(leaf);
    appendedPerStep.push(completed);
    for (const n of completed) store.set(nodeKey(n), n.hash);
    rootsPerSize.push(range.root());
  }
}

/** A `get` over the store that fails loudly on a missing node and counts its reads. */
function countingGet(): { get: (id: NodeId) => Uint8Array; reads: string[] } {
  const reads: string[] = [];
  const get = (id: NodeId): Uint8Array => {
    const h = store.get(nodeKey(id));
    if (h === undefined) throw new Error(`node ${nodeKey(id)} is not in the store`);
    reads.push(nodeKey(id));
    return h;
  };
  return { get, reads };
}

const readBound = (n: number): number => 2 * Math.ceil(Math.log2(n)) + 2;

// ---- An independent reference in BigInt: transparency-dev/merkle's compact.Decompose /
// RangeNodes and proof.nodes, which find the fork by XOR rather than by climbing.

const bitLen = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);
const trailingZeros = (x: bigint): number => {
  let n = 0;
  for (let y = x; (y & 1n) === 0n; y >>= 1n) n++;
  return n;
};
const id = (level: number, index: bigint): string => `${level}/${index}`;

function refRangeNodes(begin: bigint, end: bigint): string[] {
  let left: bigint;
  let right: bigint;
  if (begin === 0n) {
    [left, right] = [0n, end];
  } else {
    const d = bitLen((begin - 1n) ^ end) - 1;
    const mask = (1n << BigInt(d)) - 1n;
    [left, right] = [~(begin - 1n) & mask, end & mask];
  }
  const out: string[] = [];
  let pos = begin;
  while (left !== 0n) {
    const level = trailingZeros(left);
    out.push(id(level, pos >> BigInt(level)));
    pos += 1n << BigInt(level);
    left ^= 1n << BigInt(level);
  }
  while (right !== 0n) {
    const level = bitLen(right) - 1;
    out.push(id(level, pos >> BigInt(level)));
    pos += 1n << BigInt(level);
    right ^= 1n << BigInt(level);
  }
  return out;
}

/** proof.nodes(index, level, size) without the starting node; ragged-edge nodes left to right. */
function refPathNodes(index: bigint, level: number, size: bigint): string[] {
  const inner = bitLen(index ^ (size >> BigInt(level))) - 1;
  const forkLevel = level + inner;
  const forkIndex = index >> BigInt(inner);
  const begin = forkIndex << BigInt(forkLevel);
  const end = begin + (1n << BigInt(forkLevel));
  const out: string[] = [];
  for (let l = level, i = index; l < forkLevel; l++, i >>= 1n) out.push(id(l, i ^ 1n));
  out.push(...refRangeNodes(end, size));
  out.push(...refRangeNodes(0n, begin).reverse());
  return out;
}

const refInclusion = (index: number, size: number): string[] =>
  refPathNodes(BigInt(index), 0, BigInt(size));

function refConsistency(from: number, to: number): string[] {
  if (from === 0 || from === to) return [];
  const level = trailingZeros(BigInt(from));
  const index = (BigInt(from) - 1n) >> BigInt(level);
  const rest = refPathNodes(index, level, BigInt(to));
  return index === 0n ? rest : [id(level, index), ...rest];
}

// ----

describe('nodeKey', () => {
  it('is "level/index"', () => {
    expect(nodeKey({ level: 3, index: 17 })).toBe('3/17');
    expect(nodeKey({ level: 0, index: 2 ** 53 - 1 })).toBe('0/9007199254740991');
  });
});

describe('subtreeDecomposition', () => {
  it('covers [start, end) with the largest aligned subtrees, left to right', () => {
    expect(ids(subtreeDecomposition(3, 13))).toEqual(['0/3', '2/1', '2/2', '0/12']);
    expect(ids(subtreeDecomposition(0, 13))).toEqual(['3/0', '2/2', '0/12']);
    expect(ids(subtreeDecomposition(8, 16))).toEqual(['3/1']);
    expect(ids(subtreeDecomposition(5, 5))).toEqual([]);
    expect(ids(subtreeDecomposition(0, 0))).toEqual([]);
  });

  it('gives the binary digits of the size for a whole tree, even past 2^32', () => {
    const size = 2 ** 53 - 1;
    const nodes = subtreeDecomposition(0, size);
    expect(nodes.map((n) => n.level)).toEqual(Array.from({ length: 53 }, (_, i) => 52 - i));
    expect(ids(subtreeDecomposition(0, 2 ** 40 + 5))).toEqual([
      '40/0',
      '2/274877906944',
      '0/1099511627780',
    ]);
  });

  it('matches the transparency-dev decomposition for any safe range', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.maxSafeNat(), (a, b) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        expect(ids(subtreeDecomposition(start, end))).toEqual(
          refRangeNodes(BigInt(start), BigInt(end)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('tiles the range exactly with aligned perfect subtrees, growing then shrinking', () => {
    fc.assert(
      fc.property(fc.nat(5000), fc.nat(5000), (a, b) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        const nodes = subtreeDecomposition(start, end);
        let pos = start;
        let peaked = false;
        nodes.forEach((n, i) => {
          expect(n.index * 2 ** n.level).toBe(pos);
          pos += 2 ** n.level;
          const prev = nodes[i - 1];
          if (prev !== undefined && n.level < prev.level) peaked = true;
          if (prev !== undefined && peaked) expect(n.level).toBeLessThan(prev.level);
        });
        expect(pos).toBe(end);
        expect(nodes.length).toBeLessThanOrEqual(
          2 * Math.max(1, Math.ceil(Math.log2(end - start + 1))),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('rejects reversed or non-integer bounds with RANGE_INVALID', () => {
    for (const [s, e] of [
      [5, 4],
      [-1, 4],
      [0, 2 ** 53],
      [0.5, 2],
      [0, Number.NaN],
    ]) {
      expectCode(() => subtreeDecomposition(s!, e!), ErrorCode.RANGE_INVALID);
    }
  });
});

describe('CompactRange', () => {
  it('starts empty with the empty-tree root', () => {
    const r = CompactRange.empty();
    expect(r.size).toBe(0);
    expect(r.frontier()).toEqual([]);
    expect(r.root()).toEqual(emptyRoot());
  });

  it('has the root of merkleRoot after every append, up to 300 leaves', () => {
    const range = CompactRange.empty();
    for (let n = 1; n <= MAX_LEAVES; n++) {
      range.append(leaves[n - 1]!);
      expect(range.size).toBe(n);
      expect(range.root()).toEqual(merkleRoot(leaves.slice(0, n)));
      expect(ids(range.frontier())).toEqual(ids(subtreeDecomposition(0, n)));
    }
  });

  it('has the root of merkleRoot after every append, for random leaves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 80 }),
        (hashes) => {
          const range = CompactRange.empty();
          hashes.forEach((h, i) => {
            range.append(h);
            expect(range.root()).toEqual(merkleRoot(hashes.slice(0, i + 1)));
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('returns the leaf and then each parent the append completes', () => {
    appendedPerStep.forEach((completed, size) => {
      expect(completed[0]).toEqual({ level: 0, index: size, hash: leaves[size] });
      // A leaf completes one parent per trailing one bit of its index.
      let carries = 0;
      for (let s = size; s % 2 === 1; s = Math.floor(s / 2)) carries++;
      expect(completed).toHaveLength(1 + carries);
      completed.forEach((n, i) => {
        expect(n.level).toBe(i);
        expect((n.index + 1) * 2 ** n.level).toBe(size + 1);
      });
    });
  });

  it('returns, over all appends, every perfect node of the tree exactly once with its true hash', () => {
    const all = appendedPerStep.flat();
    let expected = 0;
    for (let level = 0; 2 ** level <= MAX_LEAVES; level++) {
      expected += Math.floor(MAX_LEAVES / 2 ** level);
    }
    expect(all).toHaveLength(expected);
    expect(store.size).toBe(expected);
    for (const n of all) expect(n.hash).toEqual(hashOfRange(n));
  });

  it('restores from its frontier and carries on identically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_LEAVES - 1 }), (k) => {
        const frontier = subtreeDecomposition(0, k).map((n) => store.get(nodeKey(n))!);
        const restored = CompactRange.fromNodes(k, frontier);
        expect(restored.size).toBe(k);
        expect(restored.root()).toEqual(rootsPerSize[k]);
        for (let n = k; n < Math.min(MAX_LEAVES, k + 40); n++) {
          expect(restored.append(leaves[n]!)).toEqual(appendedPerStep[n]);
          expect(restored.root()).toEqual(rootsPerSize[n + 1]);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('rejects a frontier of the wrong length or with malformed hashes', () => {
    const h = leaves[0]!;
    expectCode(() => CompactRange.fromNodes(3, [h]), ErrorCode.MALFORMED);
    expectCode(() => CompactRange.fromNodes(4, [h, h]), ErrorCode.MALFORMED);
    expectCode(() => CompactRange.fromNodes(3, [h, new Uint8Array(31)]), ErrorCode.MALFORMED);
    expectCode(
      () => CompactRange.fromNodes(0, null as unknown as Uint8Array[]),
      ErrorCode.MALFORMED,
    );
    expectCode(() => CompactRange.fromNodes(-1, []), ErrorCode.RANGE_INVALID);
    expectCode(() => CompactRange.fromNodes(1.5, [h]), ErrorCode.RANGE_INVALID);
  });

  it('rejects a leaf hash that is not 32 bytes and stays unchanged', () => {
    const range = CompactRange.fromNodes(3, [store.get('1/0')!, store.get('0/2')!]);
    expectCode(() => range.append(new Uint8Array(33)), ErrorCode.MALFORMED);
    expectCode(() => range.append('x' as unknown as Uint8Array), ErrorCode.MALFORMED);
    expect(range.size).toBe(3);
    expect(range.root()).toEqual(rootsPerSize[3]);
  });

  it('refuses to grow past 2^53 - 1 leaves', () => {
    const max = 2 ** 53 - 1;
    const range = CompactRange.fromNodes(
      max,
      Array.from({ length: 53 }, () => leaves[0]!),
    );
    expect(range.frontier().map((n) => n.level)[0]).toBe(52);
    expectCode(() => range.append(leaves[1]!), ErrorCode.RANGE_INVALID);
  });

  it('does not let callers alter its state through hashes it was given or returned', () => {
    const leaf = leaves[0]!.slice();
    const range = CompactRange.empty();
    const [node] = range.append(leaf);
    leaf[0]! ^= 1;
    node!.hash[0]! ^= 1;
    range.frontier()[0]!.hash[0]! ^= 1;
    range.root()[0]! ^= 1;
    expect(range.root()).toEqual(leaves[0]);
  });
});

describe('proofs from stored nodes', () => {
  it('rootFromNodes equals merkleRoot for every size', () => {
    for (let n = 0; n <= MAX_LEAVES; n++) {
      const { get, reads } = countingGet();
      expect(rootFromNodes(n, get)).toEqual(rootsPerSize[n]);
      expect(reads.length).toBeLessThanOrEqual(Math.max(1, Math.ceil(Math.log2(n + 1))));
    }
  });

  it('inclusion proofs equal the direct RFC 6962 proofs and read O(log n) nodes', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: MAX_LEAVES })
          .chain((n) => fc.tuple(fc.nat(n - 1), fc.constant(n))),
        ([index, size]) => {
          const { get, reads } = countingGet();
          const proof = inclusionProofFromNodes(index, size, get);
          expect(proof).toEqual(inclusionProof(leaves, index, size));
          const nodeIds = inclusionProofNodeIds(index, size);
          expect(reads).toEqual(ids(nodeIds));
          expect(new Set(reads).size).toBe(reads.length);
          expect(reads.length).toBeLessThanOrEqual(readBound(size));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('consistency proofs equal the direct RFC 6962 proofs and read O(log n) nodes', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: MAX_LEAVES })
          .chain((to) => fc.tuple(fc.nat(to), fc.constant(to))),
        ([from, to]) => {
          const { get, reads } = countingGet();
          const proof = consistencyProofFromNodes(from, to, get);
          expect(proof).toEqual(consistencyProof(leaves, from, to));
          expect(reads).toEqual(ids(consistencyProofNodeIds(from, to)));
          expect(new Set(reads).size).toBe(reads.length);
          expect(reads.length).toBeLessThanOrEqual(readBound(Math.max(to, 1)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('match the direct proofs for every index and size pair up to 40 leaves', () => {
    for (let to = 1; to <= 40; to++) {
      for (let k = 0; k <= to; k++) {
        const { get } = countingGet();
        if (k < to)
          expect(inclusionProofFromNodes(k, to, get)).toEqual(inclusionProof(leaves, k, to));
        expect(consistencyProofFromNodes(k, to, get)).toEqual(consistencyProof(leaves, k, to));
      }
    }
  });

  it('request the same nodes as the transparency-dev algorithm, for any safe size', () => {
    const pair = fc
      .tuple(fc.maxSafeNat(), fc.maxSafeNat())
      .map(([a, b]) => (a <= b ? [a, b] : [b, a]));
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(ids(consistencyProofNodeIds(a!, b!))).toEqual(refConsistency(a!, b!));
        if (a! < b!) {
          const nodeIds = inclusionProofNodeIds(a!, b!);
          expect(ids(nodeIds)).toEqual(refInclusion(a!, b!));
          expect(nodeIds.length).toBeLessThanOrEqual(readBound(b!));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('serve verifiable proofs in a tree of almost 2^53 leaves', () => {
    // Every leaf the same: each level has one hash, so the store is consistent at any size.
    const level = [hashLeaf(new Uint8Array([7]))];
    for (let l = 1; l <= 53; l++) level.push(hashChildren(level[l - 1]!, level[l - 1]!));
    const get = (n: NodeId): Uint8Array => level[n.level]!;
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 1, max: 2 ** 53 - 1 }),
          fc.integer({ min: 1, max: 2 ** 53 - 1 }),
        ),
        ([a, b]) => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          const [r1, r2] = [rootFromNodes(from, get), rootFromNodes(to, get)];
          verifyConsistency(from, to, r1, r2, consistencyProofFromNodes(from, to, get));
          const index = from - 1;
          verifyInclusion(index, to, level[0]!, inclusionProofFromNodes(index, to, get), r2);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reject out-of-range arguments with RANGE_INVALID and bad stored hashes with MALFORMED', () => {
    const { get } = countingGet();
    expectCode(() => inclusionProofNodeIds(5, 5), ErrorCode.RANGE_INVALID);
    expectCode(() => inclusionProofNodeIds(0, 0), ErrorCode.RANGE_INVALID);
    expectCode(() => inclusionProofFromNodes(-1, 5, get), ErrorCode.RANGE_INVALID);
    expectCode(() => consistencyProofNodeIds(6, 5), ErrorCode.RANGE_INVALID);
    expectCode(() => consistencyProofFromNodes(1, 2 ** 53, get), ErrorCode.RANGE_INVALID);
    expectCode(() => rootFromNodes(-1, get), ErrorCode.RANGE_INVALID);
    const bad = (): Uint8Array => new Uint8Array(16);
    expectCode(() => inclusionProofFromNodes(1, 5, bad), ErrorCode.MALFORMED);
    expectCode(() => rootFromNodes(5, bad), ErrorCode.MALFORMED);
  });
});
