import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/bytes.js';
import { ErrorCode, ProtocolError } from '../src/errors.js';
import {
  consistencyProof,
  inclusionProof,
  merkleRoot,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../src/merkle.js';
import { emptyRoot, hashChildren, hashLeaf } from '../src/tree-hash.js';

// The reference tree of the Certificate Transparency test suite (also in transparency-dev/merkle
// proof/verify_test.go): eight leaves, the roots of every prefix, and some proofs.
const ctLeaves = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => hashLeaf(fromHex(h)));
const ctRoots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const ctInclusion: [index: number, size: number, proof: string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const ctConsistency: [from: number, to: number, proof: string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const MAX_LEAVES = 300;
const leaves = Array.from({ length: MAX_LEAVES }, (_, i) =>
  hashLeaf(new TextEncoder().encode(`leaf ${i}`)),
);
const rootCache = new Map<number, Uint8Array>();
const rootOf = (size: number): Uint8Array => {
  let r = rootCache.get(size);
  if (r === undefined) {
    r = merkleRoot(leaves.slice(0, size));
    rootCache.set(size, r);
  }
  return r;
};

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectCode(f: () => unknown, code: ErrorCode): void {
  const e = errorOf(f);
  expect(e).toBeInstanceOf(ProtocolError);
  expect((e as ProtocolError).code).toBe(code);
}

const accepts = (f: () => void): boolean => {
  const e = errorOf(f);
  if (e === undefined) return true;
  // A verifier that rejects must do so with a ProtocolError, never a crash.
  expect(e).toBeInstanceOf(ProtocolError);
  return false;
};

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[(bit >> 3) % c.length]! ^= 1 << (bit & 7);
  return c;
}

const bitLength = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));

/** The shape of an inclusion proof (which side each hash goes on) depends only on the index and
 * on where the paths to the index and to the last leaf diverge (transparency-dev's
 * decompInclProof). Two sizes with the same divergence point give indistinguishable proofs. */
const inclusionShape = (index: number, size: number): number => bitLength(index ^ (size - 1));

const someHash = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456');

describe('merkleRoot', () => {
  it('is the hash of the empty string for no leaves', () => {
    expect(toHex(merkleRoot([]))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(merkleRoot([])).toEqual(emptyRoot());
  });

  it('matches the Certificate Transparency reference roots for 1..8 leaves', () => {
    for (let n = 1; n <= 8; n++)
      expect(toHex(merkleRoot(ctLeaves.slice(0, n)))).toBe(ctRoots[n - 1]);
  });

  it('splits at the largest power of two below the size (RFC 6962 MTH)', () => {
    const [a, b, c, d, e] = leaves as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const ab = hashChildren(a, b);
    const cd = hashChildren(c, d);
    expect(merkleRoot([a])).toEqual(a);
    expect(merkleRoot([a, b, c])).toEqual(hashChildren(ab, c));
    expect(merkleRoot([a, b, c, d, e])).toEqual(hashChildren(hashChildren(ab, cd), e));
  });

  it('rejects leaf hashes that are not 32 bytes', () => {
    expectCode(() => merkleRoot([leaves[0]!, new Uint8Array(31)]), ErrorCode.MALFORMED);
    expectCode(() => merkleRoot([new Uint8Array(33)]), ErrorCode.MALFORMED);
    expectCode(() => merkleRoot('nope' as unknown as Uint8Array[]), ErrorCode.MALFORMED);
  });

  it('returns a root the caller may mutate without touching the leaves', () => {
    const one = [leaves[0]!.slice()];
    merkleRoot(one)[0]! ^= 1;
    expect(one[0]).toEqual(leaves[0]);
  });
});

describe('inclusionProof and consistencyProof', () => {
  it('match the Certificate Transparency reference proofs', () => {
    for (const [index, size, proof] of ctInclusion) {
      expect(inclusionProof(ctLeaves, index, size).map(toHex)).toEqual(proof);
    }
    for (const [from, to, proof] of ctConsistency) {
      expect(consistencyProof(ctLeaves, from, to).map(toHex)).toEqual(proof);
    }
  });

  it('give the empty proof for a one-leaf tree, from = 0 and from = to', () => {
    expect(inclusionProof(leaves, 0, 1)).toEqual([]);
    expect(consistencyProof(leaves, 0, 7)).toEqual([]);
    expect(consistencyProof(leaves, 7, 7)).toEqual([]);
    expect(consistencyProof([], 0, 0)).toEqual([]);
  });

  it('reject out-of-range indices and sizes with RANGE_INVALID', () => {
    const bad: [number, number][] = [
      [0, 0],
      [5, 5],
      [6, 5],
      [-1, 5],
      [0.5, 5],
      [0, 301],
      [0, Number.NaN],
      [2 ** 53, 2 ** 53 + 1],
    ];
    for (const [index, size] of bad) {
      expectCode(() => inclusionProof(leaves, index, size), ErrorCode.RANGE_INVALID);
    }
    for (const [from, to] of [
      [6, 5],
      [-1, 5],
      [1, 301],
      [1, 1.5],
      [Number.POSITIVE_INFINITY, 5],
    ] as [number, number][]) {
      expectCode(() => consistencyProof(leaves, from, to), ErrorCode.RANGE_INVALID);
    }
  });

  it('reject malformed leaf hashes inside the tree', () => {
    const broken = [...leaves.slice(0, 4), new Uint8Array(5)];
    expectCode(() => inclusionProof(broken, 0, 5), ErrorCode.MALFORMED);
    expectCode(() => consistencyProof(broken, 2, 5), ErrorCode.MALFORMED);
    // Only the first treeSize leaves belong to the tree.
    expect(inclusionProof(broken, 0, 4)).toHaveLength(2);
  });
});

describe('verifyInclusion', () => {
  it('accepts the reference proofs and returns their roots', () => {
    for (const [index, size, hex] of ctInclusion) {
      const proof = hex.map((h) => fromHex(h));
      const root = fromHex(ctRoots[size - 1]!);
      expect(() => verifyInclusion(index, size, ctLeaves[index]!, proof, root)).not.toThrow();
      expect(rootFromInclusionProof(index, size, ctLeaves[index]!, proof)).toEqual(root);
    }
  });

  it('computes no root from a proof of the wrong length', () => {
    fc.assert(
      fc.property(treeAndIndex, ({ size, index }) => {
        const proof = inclusionProof(leaves, index, size);
        const rootFrom = (p: Uint8Array[]) => () =>
          rootFromInclusionProof(index, size, leaves[index]!, p);
        expectCode(rootFrom([...proof, someHash]), ErrorCode.INCLUSION_PROOF_INVALID);
        if (proof.length > 0) {
          expectCode(rootFrom(proof.slice(1)), ErrorCode.INCLUSION_PROOF_INVALID);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('rejects an index at or beyond the tree size, including the empty tree', () => {
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [1, 1],
      [2, 1],
    ]) {
      expectCode(
        () => verifyInclusion(index!, size!, someHash, [], emptyRoot()),
        ErrorCode.INCLUSION_PROOF_INVALID,
      );
    }
  });

  it('rejects sizes and indices that are not safe integers', () => {
    for (const [index, size] of [
      [0, 2 ** 53],
      [-1, 3],
      [0.5, 3],
      [0, Number.NaN],
      [0, Number.POSITIVE_INFINITY],
      ['0', 3],
      [0n, 3],
    ] as unknown as [number, number][]) {
      expectCode(
        () => verifyInclusion(index, size, leaves[0]!, [], leaves[0]!),
        ErrorCode.INCLUSION_PROOF_INVALID,
      );
    }
  });

  it('rejects a leaf, root or proof hash that is not 32 bytes', () => {
    const proof = inclusionProof(leaves, 3, 10);
    const root = rootOf(10);
    const short = new Uint8Array(31);
    const long = new Uint8Array(33);
    for (const args of [
      [leaves[3]!, proof, short],
      [long, proof, root],
      [leaves[3]!, [...proof.slice(0, -1), long], root],
      [leaves[3]!, [short, ...proof.slice(1)], root],
    ] as [Uint8Array, Uint8Array[], Uint8Array][]) {
      expectCode(() => verifyInclusion(3, 10, ...args), ErrorCode.INCLUSION_PROOF_INVALID);
    }
  });

  it('never throws anything but INCLUSION_PROOF_INVALID for arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.anything(),
        fc.anything(),
        fc.anything(),
        fc.anything(),
        (a, b, c, d, e) => {
          const err = errorOf(() =>
            verifyInclusion(
              a as number,
              b as number,
              c as Uint8Array,
              d as Uint8Array[],
              e as Uint8Array,
            ),
          );
          expect(err).toBeInstanceOf(ProtocolError);
          expect((err as ProtocolError).code).toBe(ErrorCode.INCLUSION_PROOF_INVALID);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers well-typed garbage (huge sizes, odd hash lengths, long proofs) with INCLUSION_PROOF_INVALID', () => {
    const size = fc.oneof(fc.nat(40), fc.maxSafeNat(), fc.double());
    const hash = fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array());
    fc.assert(
      fc.property(
        size,
        size,
        hash,
        fc.array(hash, { maxLength: 80 }),
        hash,
        (index, treeSize, leaf, proof, root) => {
          const err = errorOf(() => verifyInclusion(index, treeSize, leaf, proof, root));
          expect(err).toBeInstanceOf(ProtocolError);
          expect((err as ProtocolError).code).toBe(ErrorCode.INCLUSION_PROOF_INVALID);
        },
      ),
      { numRuns: 300 },
    );
  });
});

const treeAndIndex = fc
  .integer({ min: 1, max: MAX_LEAVES })
  .chain((size) => fc.record({ size: fc.constant(size), index: fc.nat(size - 1) }));

describe('inclusion proofs over random trees', () => {
  it('every generated proof verifies against the root', () => {
    fc.assert(
      fc.property(treeAndIndex, ({ size, index }) => {
        const proof = inclusionProof(leaves, index, size);
        verifyInclusion(index, size, leaves[index]!, proof, rootOf(size));
        expect(rootFromInclusionProof(index, size, leaves[index]!, proof)).toEqual(rootOf(size));
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(size)));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects the proof after any single bit flip in a proof hash, the leaf hash or the root', () => {
    fc.assert(
      fc.property(treeAndIndex, fc.nat(255), ({ size, index }, bit) => {
        const proof = inclusionProof(leaves, index, size);
        const leaf = leaves[index]!;
        const root = rootOf(size);
        const ok = (l: Uint8Array, p: Uint8Array[], r: Uint8Array): boolean =>
          accepts(() => verifyInclusion(index, size, l, p, r));
        expect(ok(flipBit(leaf, bit), proof, root)).toBe(false);
        expect(ok(leaf, proof, flipBit(root, bit))).toBe(false);
        for (let i = 0; i < proof.length; i++) {
          const bad = proof.slice();
          bad[i] = flipBit(bad[i]!, bit);
          expect(ok(leaf, bad, root)).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a truncated, extended or reordered proof', () => {
    fc.assert(
      fc.property(treeAndIndex, ({ size, index }) => {
        const proof = inclusionProof(leaves, index, size);
        const leaf = leaves[index]!;
        const ok = (p: Uint8Array[]): boolean =>
          accepts(() => verifyInclusion(index, size, leaf, p, rootOf(size)));
        expect(ok([...proof, someHash])).toBe(false);
        expect(ok([someHash, ...proof])).toBe(false);
        expect(ok([...proof, rootOf(size)])).toBe(false);
        expect(ok([...proof, new Uint8Array(0)])).toBe(false);
        if (proof.length > 0) {
          expect(ok(proof.slice(0, -1))).toBe(false);
          expect(ok(proof.slice(1))).toBe(false);
        }
        if (proof.length > 1) expect(ok([...proof].reverse())).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects the proof for a neighbouring index', () => {
    fc.assert(
      fc.property(treeAndIndex, ({ size, index }) => {
        const proof = inclusionProof(leaves, index, size);
        for (const other of [index - 1, index + 1, index ^ 2]) {
          if (other === index) continue;
          expect(
            accepts(() => verifyInclusion(other, size, leaves[index]!, proof, rootOf(size))),
          ).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  // A proof does not bind the tree size: the size is bound by the signed checkpoint that carries
  // the root. E.g. leaf 0's proof in a 4-leaf tree, [h1, MTH(h2,h3)], is also a valid-shaped proof
  // for "leaf 0 of 3 leaves" and gives the same root. The verifier must accept exactly then.
  it('accepts a size changed by ±1 only when the proof shape is identical', () => {
    fc.assert(
      fc.property(treeAndIndex, ({ size, index }) => {
        const proof = inclusionProof(leaves, index, size);
        for (const other of [size - 1, size + 1, size * 2, Math.floor(size / 2)]) {
          if (other === size) continue;
          const same =
            index < other && inclusionShape(index, size) === inclusionShape(index, other);
          expect(
            accepts(() => verifyInclusion(index, other, leaves[index]!, proof, rootOf(size))),
          ).toBe(same);
        }
      }),
      { numRuns: 200 },
    );
    // The example from the comment above, spelled out.
    const proof4 = inclusionProof(leaves, 0, 4);
    expect(() => verifyInclusion(0, 3, leaves[0]!, proof4, rootOf(4))).not.toThrow();
    expect(accepts(() => verifyInclusion(0, 3, leaves[0]!, proof4, rootOf(3)))).toBe(false);
  });

  it('checks every index of every tree up to 40 leaves', () => {
    for (let size = 1; size <= 40; size++) {
      for (let index = 0; index < size; index++) {
        verifyInclusion(
          index,
          size,
          leaves[index]!,
          inclusionProof(leaves, index, size),
          rootOf(size),
        );
      }
    }
  });
});

describe('verifyConsistency', () => {
  it('accepts the reference proofs', () => {
    for (const [from, to, hex] of ctConsistency) {
      const proof = hex.map((h) => fromHex(h));
      const [r1, r2] = [fromHex(ctRoots[from - 1]!), fromHex(ctRoots[to - 1]!)];
      expect(() => verifyConsistency(from, to, r1, r2, proof)).not.toThrow();
    }
  });

  it('accepts equal sizes only with an empty proof and equal roots', () => {
    const r = rootOf(5);
    expect(() => verifyConsistency(5, 5, r, r.slice(), [])).not.toThrow();
    expectCode(
      () => verifyConsistency(5, 5, r, rootOf(4), []),
      ErrorCode.CONSISTENCY_PROOF_INVALID,
    );
    expectCode(() => verifyConsistency(5, 5, r, r, [r]), ErrorCode.CONSISTENCY_PROOF_INVALID);
  });

  it('rejects every proof from the empty tree (as the transparency-dev vectors do)', () => {
    const e = emptyRoot();
    for (const [to, r2, proof] of [
      [0, e, []],
      [0, e, [e]],
      [1, leaves[0]!, []],
      [1, leaves[0]!, [leaves[0]!]],
      [3, rootOf(3), []],
    ] as [number, Uint8Array, Uint8Array[]][]) {
      expectCode(() => verifyConsistency(0, to, e, r2, proof), ErrorCode.CONSISTENCY_PROOF_INVALID);
    }
  });

  it('rejects from > to, non-integer sizes and malformed hashes', () => {
    const p = consistencyProof(leaves, 3, 7);
    const [r3, r7] = [rootOf(3), rootOf(7)];
    const cases: [number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
      [7, 3, r3, r7, p],
      [3, 2 ** 53, r3, r7, p],
      [-3, 7, r3, r7, p],
      [3.5, 7, r3, r7, p],
      [3, Number.NaN, r3, r7, p],
      [3, 7, r3.subarray(1), r7, p],
      [3, 7, r3, new Uint8Array(64), p],
      [3, 7, r3, r7, [...p.slice(0, -1), new Uint8Array(0)]],
      [3, 7, r3, r7, []],
    ];
    for (const args of cases) {
      expectCode(() => verifyConsistency(...args), ErrorCode.CONSISTENCY_PROOF_INVALID);
    }
  });

  it('never throws anything but CONSISTENCY_PROOF_INVALID for arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.anything(),
        fc.anything(),
        fc.anything(),
        fc.anything(),
        (a, b, c, d, e) => {
          const err = errorOf(() =>
            verifyConsistency(
              a as number,
              b as number,
              c as Uint8Array,
              d as Uint8Array,
              e as Uint8Array[],
            ),
          );
          expect(err).toBeInstanceOf(ProtocolError);
          expect((err as ProtocolError).code).toBe(ErrorCode.CONSISTENCY_PROOF_INVALID);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers well-typed garbage with CONSISTENCY_PROOF_INVALID', () => {
    const size = fc.oneof(fc.nat(40), fc.maxSafeNat(), fc.double());
    const hash = fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array());
    fc.assert(
      fc.property(
        size,
        size,
        hash,
        hash,
        fc.array(hash, { minLength: 1, maxLength: 80 }),
        (from, to, r1, r2, proof) => {
          const err = errorOf(() => verifyConsistency(from, to, r1, r2, proof));
          expect(err).toBeInstanceOf(ProtocolError);
          expect((err as ProtocolError).code).toBe(ErrorCode.CONSISTENCY_PROOF_INVALID);
        },
      ),
      { numRuns: 300 },
    );
  });
});

const sizePair = fc
  .integer({ min: 2, max: MAX_LEAVES })
  .chain((to) => fc.record({ to: fc.constant(to), from: fc.integer({ min: 1, max: to - 1 }) }));

/** As for inclusion: a consistency proof's shape depends on `from` and on where the paths to
 * leaves from-1 and to-1 diverge, so `to` is bound only by the signed root2. */
const consistencyShape = (from: number, to: number): number => bitLength((from - 1) ^ (to - 1));

describe('consistency proofs over random trees', () => {
  it('every generated proof verifies', () => {
    fc.assert(
      fc.property(sizePair, ({ from, to }) => {
        verifyConsistency(from, to, rootOf(from), rootOf(to), consistencyProof(leaves, from, to));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects the proof after any single bit flip in a proof hash or either root', () => {
    fc.assert(
      fc.property(sizePair, fc.nat(255), ({ from, to }, bit) => {
        const proof = consistencyProof(leaves, from, to);
        const [r1, r2] = [rootOf(from), rootOf(to)];
        const ok = (a: Uint8Array, b: Uint8Array, p: Uint8Array[]): boolean =>
          accepts(() => verifyConsistency(from, to, a, b, p));
        expect(ok(flipBit(r1, bit), r2, proof)).toBe(false);
        expect(ok(r1, flipBit(r2, bit), proof)).toBe(false);
        expect(ok(r2, r1, proof)).toBe(false);
        for (let i = 0; i < proof.length; i++) {
          const bad = proof.slice();
          bad[i] = flipBit(bad[i]!, bit);
          expect(ok(r1, r2, bad)).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a truncated, extended or reordered proof', () => {
    fc.assert(
      fc.property(sizePair, ({ from, to }) => {
        const proof = consistencyProof(leaves, from, to);
        const [r1, r2] = [rootOf(from), rootOf(to)];
        const ok = (p: Uint8Array[]): boolean =>
          accepts(() => verifyConsistency(from, to, r1, r2, p));
        for (const bad of [
          [...proof, someHash],
          [someHash, ...proof],
          [r1, ...proof],
          [r2, ...proof],
          [...proof, r1],
          [proof[0]!, ...proof],
          proof.slice(0, -1),
          proof.slice(1),
          [],
        ]) {
          expect(ok(bad)).toBe(false);
        }
        if (proof.length > 1 && toHex(proof[0]!) !== toHex(proof[proof.length - 1]!)) {
          expect(ok([...proof].reverse())).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects the proof for a different old size', () => {
    fc.assert(
      fc.property(sizePair, ({ from, to }) => {
        const proof = consistencyProof(leaves, from, to);
        for (const other of [from - 1, from + 1, from ^ 2]) {
          if (other === from) continue;
          expect(accepts(() => verifyConsistency(other, to, rootOf(from), rootOf(to), proof))).toBe(
            false,
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it('accepts a new size changed by ±1 only when the proof shape is identical', () => {
    fc.assert(
      fc.property(sizePair, ({ from, to }) => {
        const proof = consistencyProof(leaves, from, to);
        for (const other of [to - 1, to + 1, to * 2, Math.floor(to / 2)]) {
          if (other === to) continue;
          const same = other > from && consistencyShape(from, to) === consistencyShape(from, other);
          expect(
            accepts(() => verifyConsistency(from, other, rootOf(from), rootOf(to), proof)),
          ).toBe(same);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('checks every pair of sizes up to 40 leaves', () => {
    for (let to = 1; to <= 40; to++) {
      for (let from = 1; from <= to; from++) {
        verifyConsistency(from, to, rootOf(from), rootOf(to), consistencyProof(leaves, from, to));
      }
    }
  });

  it('verifies proofs between trees of any content, not only the fixed leaves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 2, maxLength: 64 }),
        fc.nat(),
        (hashes, pick) => {
          const to = hashes.length;
          const from = 1 + (pick % (to - 1));
          const index = pick % to;
          verifyConsistency(
            from,
            to,
            merkleRoot(hashes.slice(0, from)),
            merkleRoot(hashes),
            consistencyProof(hashes, from, to),
          );
          verifyInclusion(
            index,
            to,
            hashes[index]!,
            inclusionProof(hashes, index, to),
            merkleRoot(hashes),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
