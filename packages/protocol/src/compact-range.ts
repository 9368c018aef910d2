/**
 * Incremental RFC 6962 tree state for a log that persists its node hashes.
 *
 * The store keeps every *perfect* subtree hash (a node covering an aligned power-of-two run of
 * leaves). Every element of an RFC 6962 inclusion or consistency proof is either one such node or
 * the hash of a ragged right edge [k, n), which is folded from the perfect nodes of
 * `subtreeDecomposition(k, n)`. So any proof, and any root, costs O(log n) stored nodes.
 *
 * Sizes and indices are JavaScript numbers (safe integers, up to 2^53 - 1): bit operators work on
 * 32 bits only, so the arithmetic below uses exact division by powers of two instead.
 */
import { ErrorCode, ProtocolError } from './errors.js';
import { emptyRoot, hashChildren } from './tree-hash.js';

const HASH_SIZE = 32;

// Not a type guard on purpose: Array.isArray would narrow a readonly array to any[].
const isList = (value: unknown): boolean => Array.isArray(value);

/** A perfect subtree: the leaves [index·2^level, (index+1)·2^level). Leaves are level 0. */
export interface NodeId {
  level: number;
  index: number;
}

export interface TreeNode extends NodeId {
  hash: Uint8Array;
}

/** `"level/index"`: the key of a node in maps and in the node store. */
export function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

function requireCount(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError(ErrorCode.RANGE_INVALID, `${what} must be a non-negative safe integer`);
  }
  return value;
}

function requireHash(value: Uint8Array, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    throw new ProtocolError(ErrorCode.MALFORMED, `${what} must be a ${HASH_SIZE}-byte hash`);
  }
  return value;
}

function nodeBegin(id: NodeId): number {
  return id.index * 2 ** id.level;
}

function nodeEnd(id: NodeId): number {
  return (id.index + 1) * 2 ** id.level;
}

/**
 * The perfect subtrees that exactly cover the leaves [start, end), left to right: at each
 * position, the largest node aligned there that still fits. For start = 0 these are the binary
 * digits of `end`, largest first — the right frontier of a tree of `end` leaves.
 */
export function subtreeDecomposition(start: number, end: number): NodeId[] {
  requireCount(start, 'start');
  requireCount(end, 'end');
  if (start > end) throw new ProtocolError(ErrorCode.RANGE_INVALID, 'start must not exceed end');
  const ids: NodeId[] = [];
  let pos = start;
  while (pos < end) {
    let level = 0;
    let width = 1;
    while (pos % (width * 2) === 0 && width * 2 <= end - pos) {
      width *= 2;
      level += 1;
    }
    ids.push({ level, index: pos / width });
    pos += width;
  }
  return ids;
}

/** MTH of a run of perfect subtrees listed left to right, largest first: RFC 6962 splits a
 * ragged range at its largest power of two, which is exactly a right fold of the run. */
function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = hashChildren(hashes[i]!, acc);
  return acc;
}

/**
 * The proof for node `start` in a tree of `size` leaves, as groups of node ids: each group is one
 * proof hash (a single perfect node, or the perfect nodes of a ragged right edge to fold), lowest
 * level first — the order of RFC 6962 PATH / SUBPROOF.
 *
 * Climbing from `start`, siblings are perfect nodes while the parent still lies inside the tree.
 * The highest such ancestor (the fork) is a left child whose right sibling is cut off by `size`:
 * that sibling is the ragged edge [fork end, size). Above the fork, every ancestor is ragged and
 * its left child is one node of the decomposition of [0, fork begin).
 */
function proofGroups(start: NodeId, size: number): NodeId[][] {
  const groups: NodeId[][] = [];
  let node = start;
  for (;;) {
    const parent = { level: node.level + 1, index: Math.floor(node.index / 2) };
    if (nodeEnd(parent) > size) break;
    const sibling = node.index % 2 === 0 ? node.index + 1 : node.index - 1;
    groups.push([{ level: node.level, index: sibling }]);
    node = parent;
  }
  const forkEnd = nodeEnd(node);
  if (forkEnd < size) groups.push(subtreeDecomposition(forkEnd, size));
  const left = subtreeDecomposition(0, nodeBegin(node));
  for (let i = left.length - 1; i >= 0; i--) groups.push([left[i]!]);
  return groups;
}

function inclusionGroups(index: number, treeSize: number): NodeId[][] {
  requireCount(index, 'index');
  requireCount(treeSize, 'tree size');
  if (index >= treeSize) {
    throw new ProtocolError(ErrorCode.RANGE_INVALID, 'index must be below the tree size');
  }
  return proofGroups({ level: 0, index }, treeSize);
}

function consistencyGroups(from: number, to: number): NodeId[][] {
  requireCount(from, 'from');
  requireCount(to, 'to');
  if (from > to) throw new ProtocolError(ErrorCode.RANGE_INVALID, 'from must not exceed to');
  if (from === 0 || from === to) return [];
  // The largest perfect subtree ending at `from`; the proof is its own hash (omitted when it is
  // the whole old tree, whose root the verifier already has) and then its path in the new tree.
  let level = 0;
  while ((from / 2 ** level) % 2 === 0) level += 1;
  const last: NodeId = { level, index: from / 2 ** level - 1 };
  const groups = proofGroups(last, to);
  if (last.index !== 0) groups.unshift([last]);
  return groups;
}

function hashesFromGroups(groups: NodeId[][], get: (id: NodeId) => Uint8Array): Uint8Array[] {
  return groups.map((group) => foldRight(group.map((id) => fetchNode(get, id))));
}

function fetchNode(get: (id: NodeId) => Uint8Array, id: NodeId): Uint8Array {
  return requireHash(get({ level: id.level, index: id.index }), `stored node ${nodeKey(id)}`);
}

/** The perfect nodes an inclusion proof for leaf `index` in a tree of `treeSize` is built from,
 * in proof order (the nodes of a ragged edge left to right), without repeats: at most
 * 2·log2(treeSize) + 1 reads. Throws RANGE_INVALID unless 0 <= index < treeSize. */
export function inclusionProofNodeIds(index: number, treeSize: number): NodeId[] {
  return inclusionGroups(index, treeSize).flat();
}

/** RFC 6962 PATH(index, D[treeSize]) from stored perfect nodes (`get` must return each node's
 * 32-byte hash; a shorter or longer one is MALFORMED). Same answer as `inclusionProof`. */
export function inclusionProofFromNodes(
  index: number,
  treeSize: number,
  get: (id: NodeId) => Uint8Array,
): Uint8Array[] {
  return hashesFromGroups(inclusionGroups(index, treeSize), get);
}

/** The perfect nodes a consistency proof from `from` to `to` is built from (none when from = 0
 * or from = to). Throws RANGE_INVALID unless 0 <= from <= to. */
export function consistencyProofNodeIds(from: number, to: number): NodeId[] {
  return consistencyGroups(from, to).flat();
}

/** RFC 6962 PROOF(from, D[to]) from stored perfect nodes. Same answer as `consistencyProof`. */
export function consistencyProofFromNodes(
  from: number,
  to: number,
  get: (id: NodeId) => Uint8Array,
): Uint8Array[] {
  return hashesFromGroups(consistencyGroups(from, to), get);
}

/** MTH(D[treeSize]) from the stored nodes of the tree's right frontier. */
export function rootFromNodes(treeSize: number, get: (id: NodeId) => Uint8Array): Uint8Array {
  const ids = subtreeDecomposition(0, treeSize);
  if (ids.length === 0) return emptyRoot();
  return foldRight(ids.map((id) => fetchNode(get, id)));
}

/**
 * The right frontier of a tree of `size` leaves: the hashes of `subtreeDecomposition(0, size)`.
 * That is all the state needed to append leaves and compute the root; the log persists the nodes
 * `append` returns so proofs can be served from the store.
 */
export class CompactRange {
  #size: number;
  /** Strictly decreasing levels, left to right. */
  #nodes: TreeNode[];

  private constructor(size: number, nodes: TreeNode[]) {
    this.#size = size;
    this.#nodes = nodes;
  }

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** Restores the state of a tree of `size` leaves; `frontier` holds the hashes of
   * `subtreeDecomposition(0, size)` in order (RANGE_INVALID / MALFORMED otherwise). */
  static fromNodes(size: number, frontier: readonly Uint8Array[]): CompactRange {
    const ids = subtreeDecomposition(0, size);
    if (!isList(frontier) || frontier.length !== ids.length) {
      throw new ProtocolError(
        ErrorCode.MALFORMED,
        `a tree of ${size} leaves has a frontier of ${ids.length} nodes`,
      );
    }
    const nodes = ids.map((id, i) => ({
      ...id,
      hash: requireHash(frontier[i]!, `frontier node ${nodeKey(id)}`).slice(),
    }));
    return new CompactRange(size, nodes);
  }

  get size(): number {
    return this.#size;
  }

  frontier(): TreeNode[] {
    return this.#nodes.map(copyNode);
  }

  /**
   * Appends one leaf hash. Returns every perfect node this append completes — the leaf itself
   * (level 0) and each parent that now has both children — so a store that saves them all holds
   * every perfect node of the tree. O(log n) hashes.
   */
  append(leafHash: Uint8Array): TreeNode[] {
    requireHash(leafHash, 'leaf hash');
    if (this.#size >= Number.MAX_SAFE_INTEGER) {
      throw new ProtocolError(ErrorCode.RANGE_INVALID, 'tree size would exceed 2^53 - 1');
    }
    let node: TreeNode = { level: 0, index: this.#size, hash: leafHash.slice() };
    const completed: TreeNode[] = [copyNode(node)];
    // Equal levels at the end of the frontier merge, like carries in binary addition.
    while (this.#nodes.length > 0 && this.#nodes[this.#nodes.length - 1]!.level === node.level) {
      const left = this.#nodes.pop()!;
      node = {
        level: node.level + 1,
        index: left.index / 2,
        hash: hashChildren(left.hash, node.hash),
      };
      completed.push(copyNode(node));
    }
    this.#nodes.push(node);
    this.#size += 1;
    return completed;
  }

  /** MTH of the tree so far; the empty tree's root for size 0. */
  root(): Uint8Array {
    if (this.#nodes.length === 0) return emptyRoot();
    return foldRight(this.#nodes.map((n) => n.hash)).slice();
  }
}

// Callers get copies so they cannot alter the range's state through a returned hash.
function copyNode(node: TreeNode): TreeNode {
  return { level: node.level, index: node.index, hash: node.hash.slice() };
}
