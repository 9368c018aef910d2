/**
 * LogStore over the ledger table (layout.ts): leaf bundles and large leaves, tree tiles, the
 * head, signed checkpoints and witness cosignatures.
 */
import { createHash } from 'node:crypto';
import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  LogConflictError,
  type LogHead,
  type LogStore,
  type StoredCosignature,
} from '@cbm-ledger/ledger';
import {
  canonicalLeaf,
  nodeKey,
  parseLeaf,
  type Leaf,
  type NodeId,
  type TreeNode,
} from '@cbm-ledger/protocol';
import {
  B,
  BL,
  CorruptItemError,
  N,
  S,
  getB,
  getBL,
  getN,
  getOptB,
  getOptS,
  getS,
  pad,
  type Item,
} from './attributes.js';
import { batchGet, batchWrite, chunks, mapLimited } from './batch.js';
import { storeFault } from './errors.js';
import type { LedgerTable } from './ledger-table.js';
import { absentOrAt, requireCount } from './ledger-table.js';
import { LEAVES_PARTITION } from './layout.js';

export const LEAF_BUNDLE_SIZE = 256;
/** Leaves longer than this (UTF-8 bytes) are stored in their own item; see the module comment. */
export const INLINE_LEAF_MAX_BYTES = 1400;
/** Leaves per conditional UpdateItem: 4 operators each keeps under DynamoDB's 300 per expression,
 * and the condition under its 4 KB expression limit. */
const LEAF_CHUNK = 64;
export const TILE_HEIGHT = 8;
/** Nodes per UpdateItem: `n0_255=:n0_255,` is 15 characters, so this stays far under 4 KB;
 * moto's expression parser recurses per clause and fails somewhere between 150 and 200. */
const NODE_CHUNK = 128;
/** Above this many characters a BatchGetItem projection would pass the 4 KB limit: read whole items. */
const MAX_PROJECTION_CHARS = 3500;
const HASH_BYTES = 32;
const WRITE_CONCURRENCY = 4;

const LEAVES_PK = LEAVES_PARTITION;
const LEAF_REF = 'ref:';

function leafBundleKey(bundle: number): Item {
  return { pk: S(LEAVES_PK), sk: S(`bundle#${pad(bundle)}`) };
}

function leafDocKey(hex: string): Item {
  return { pk: S('leafdoc'), sk: S(`sha256#${hex}`) };
}

const leafAttr = (offset: number): string => `l${offset}`;

interface TileSlot {
  readonly pk: string;
  readonly sk: string;
  readonly attr: string;
}

function tileSlot(id: NodeId): TileSlot {
  requireCount(id.level, 'node level');
  requireCount(id.index, 'node index');
  const tileLevel = Math.floor(id.level / TILE_HEIGHT);
  const r = id.level % TILE_HEIGHT;
  const width = 2 ** (TILE_HEIGHT - r);
  const tile = Math.floor(id.index / width);
  return {
    pk: `tree#${tileLevel}`,
    sk: `tile#${pad(tile)}`,
    attr: `n${r}_${id.index - tile * width}`,
  };
}

const slotId = (slot: { pk: string; sk: string }): string => `${slot.pk}|${slot.sk}`;

function itemId(item: Item): string {
  return `${getS(item, 'pk')}|${getS(item, 'sk')}`;
}

/** A projection over `attrs` plus the keys, or undefined when it would be too long. */
function projection(attrs: Iterable<string>): {
  projection?: string;
  names?: Record<string, string>;
} {
  const list = ['#pk', '#sk', ...attrs];
  const text = list.join(',');
  if (text.length > MAX_PROJECTION_CHARS) return {};
  return { projection: text, names: { '#pk': 'pk', '#sk': 'sk' } };
}

export class DynamoLogStore implements LogStore {
  constructor(private readonly table: LedgerTable) {}

  async readHead(): Promise<LogHead | undefined> {
    const item = await this.table.get({ pk: S('log'), sk: S('head') }, 'readHead');
    if (item === undefined) return undefined;
    return {
      size: getN(item, 'size'),
      rootHash: getB(item, 'root'),
      frontier: getBL(item, 'frontier'),
      checkpoint: getS(item, 'checkpoint'),
    };
  }

  async commitHead(expectedSize: number | undefined, head: LogHead): Promise<boolean> {
    requireCount(head.size, 'head size');
    const item: Item = {
      pk: S('log'),
      sk: S('head'),
      size: N(head.size),
      root: B(head.rootHash),
      frontier: BL(head.frontier),
      checkpoint: S(head.checkpoint),
    };
    const out = await this.table.put(
      item,
      'commitHead',
      absentOrAt('size', expectedSize, 'expected size'),
    );
    return out.ok;
  }

  async writeLeaves(start: number, leaves: readonly Leaf[]): Promise<void> {
    requireCount(start, 'start');
    if (leaves.length === 0) return;
    requireCount(start + leaves.length, 'end');
    const stored: string[] = [];
    const docs = new Map<string, Item>();
    leaves.forEach((leaf, i) => {
      if (leaf.index !== start + i) {
        throw new RangeError(`leaf at position ${start + i} carries index ${leaf.index}`);
      }
      const canonical = canonicalLeaf(leaf);
      if (Buffer.byteLength(canonical, 'utf8') <= INLINE_LEAF_MAX_BYTES) {
        stored.push(canonical);
      } else {
        const hex = createHash('sha256').update(canonical, 'utf8').digest('hex');
        docs.set(hex, { ...leafDocKey(hex), leaf: S(canonical) });
        stored.push(LEAF_REF + hex);
      }
    });
    // A bundle must never point at a document that is not there yet. Documents are addressed by
    // their hash, so writing them unconditionally (even for a write that then conflicts) is safe.
    if (docs.size > 0) {
      await batchWrite(
        this.table.client,
        this.table.name,
        [...docs.values()].map((Item) => ({ PutRequest: { Item } })),
        this.table.retry,
      );
    }
    // In index order, one conditional write per run of leaves within a bundle: a crash or a
    // conflict part-way leaves a contiguous prefix staged, never a gap.
    let i = 0;
    while (i < stored.length) {
      const index = start + i;
      const bundle = Math.floor(index / LEAF_BUNDLE_SIZE);
      const bundleEnd = (bundle + 1) * LEAF_BUNDLE_SIZE;
      const count = Math.min(LEAF_CHUNK, bundleEnd - index, stored.length - i);
      const sets: string[] = [];
      const conditions: string[] = [];
      const values: Item = {};
      for (let j = 0; j < count; j++) {
        const offset = index + j - bundle * LEAF_BUNDLE_SIZE;
        const attr = leafAttr(offset);
        sets.push(`${attr}=:${offset}`);
        conditions.push(`(attribute_not_exists(${attr}) OR ${attr}=:${offset})`);
        values[`:${offset}`] = S(stored[i + j] as string);
      }
      const written = await this.table.update(
        leafBundleKey(bundle),
        'writeLeaves',
        `SET ${sets.join(',')}`,
        undefined,
        values,
        conditions.join(' AND '),
      );
      if (!written) {
        throw new LogConflictError(
          `a different leaf already holds an index in [${index}, ${index + count})`,
        );
      }
      i += count;
    }
  }

  async readLeaves(start: number, limit: number): Promise<Leaf[]> {
    requireCount(start, 'start');
    requireCount(limit, 'limit');
    const end = start + limit;
    requireCount(end, 'end');
    const texts: string[] = [];
    // Read a window of bundles at a time and stop at the first index that holds no leaf, so a
    // huge `limit` past the end of the log costs one round trip, not one per bundle.
    const WINDOW = 16;
    let bundle = Math.floor(start / LEAF_BUNDLE_SIZE);
    outer: while (start + texts.length < end) {
      const lastBundle = Math.min(bundle + WINDOW, Math.floor((end - 1) / LEAF_BUNDLE_SIZE) + 1);
      const keys: Item[] = [];
      for (let b = bundle; b < lastBundle; b++) keys.push(leafBundleKey(b));
      const attrs = new Set<string>();
      for (
        let index = start + texts.length;
        index < Math.min(end, lastBundle * LEAF_BUNDLE_SIZE);
        index++
      ) {
        attrs.add(leafAttr(index % LEAF_BUNDLE_SIZE));
        if (attrs.size === LEAF_BUNDLE_SIZE) break;
      }
      const items = await batchGet(
        this.table.client,
        this.table.name,
        keys,
        projection(attrs),
        this.table.retry,
      );
      const bySk = new Map(items.map((item) => [getS(item, 'sk'), item]));
      for (let b = bundle; b < lastBundle; b++) {
        const item = bySk.get(`bundle#${pad(b)}`);
        while (start + texts.length < Math.min(end, (b + 1) * LEAF_BUNDLE_SIZE)) {
          const text =
            item === undefined
              ? undefined
              : getOptS(item, leafAttr((start + texts.length) % LEAF_BUNDLE_SIZE));
          if (text === undefined) break outer;
          texts.push(text);
        }
      }
      bundle = lastBundle;
    }
    const refs = [
      ...new Set(texts.filter((t) => t.startsWith(LEAF_REF)).map((t) => t.slice(LEAF_REF.length))),
    ];
    const docs = new Map<string, string>();
    if (refs.length > 0) {
      const items = await batchGet(
        this.table.client,
        this.table.name,
        refs.map(leafDocKey),
        {},
        this.table.retry,
      );
      for (const item of items)
        docs.set(getS(item, 'sk').slice('sha256#'.length), getS(item, 'leaf'));
    }
    return texts.map((text, i) => {
      let canonical = text;
      if (text.startsWith(LEAF_REF)) {
        const doc = docs.get(text.slice(LEAF_REF.length));
        if (doc === undefined)
          throw new CorruptItemError(`leaf ${start + i} refers to a missing document`);
        canonical = doc;
      }
      const leaf = parseLeaf(JSON.parse(canonical));
      if (leaf.index !== start + i)
        throw new CorruptItemError(`leaf stored at ${start + i} says index ${leaf.index}`);
      return leaf;
    });
  }

  async writeNodes(nodes: readonly TreeNode[]): Promise<void> {
    const tiles = new Map<string, { pk: string; sk: string; nodes: Map<string, Uint8Array> }>();
    for (const node of nodes) {
      if (!(node.hash instanceof Uint8Array) || node.hash.length !== HASH_BYTES) {
        throw new RangeError(`node ${nodeKey(node)} does not carry a ${HASH_BYTES}-byte hash`);
      }
      const slot = tileSlot(node);
      const id = slotId(slot);
      let tile = tiles.get(id);
      if (tile === undefined) {
        tile = { pk: slot.pk, sk: slot.sk, nodes: new Map() };
        tiles.set(id, tile);
      }
      tile.nodes.set(slot.attr, node.hash);
    }
    // Tiles in parallel; one tile's parts in turn (an emulator may not serialise two updates of
    // one item, and DynamoDB gains nothing from overlapping them).
    await mapLimited([...tiles.values()], WRITE_CONCURRENCY, async (tile) => {
      const key = { pk: S(tile.pk), sk: S(tile.sk) };
      for (const part of chunks([...tile.nodes], NODE_CHUNK)) {
        const values: Item = {};
        for (const [attr, hash] of part) values[`:${attr}`] = B(hash);
        await this.table.update(
          key,
          'writeNodes',
          `SET ${part.map(([attr]) => `${attr}=:${attr}`).join(',')}`,
          undefined,
          values,
        );
      }
    });
  }

  async readNodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
    const result = new Map<string, Uint8Array>();
    if (ids.length === 0) return result;
    const slots = ids.map((id) => ({ id, slot: tileSlot(id) }));
    const keys = new Map<string, Item>();
    const attrs = new Set<string>();
    for (const { slot } of slots) {
      keys.set(slotId(slot), { pk: S(slot.pk), sk: S(slot.sk) });
      attrs.add(slot.attr);
    }
    const items = await batchGet(
      this.table.client,
      this.table.name,
      [...keys.values()],
      projection(attrs),
      this.table.retry,
    );
    const byId = new Map(items.map((item) => [itemId(item), item]));
    for (const { id, slot } of slots) {
      const item = byId.get(slotId(slot));
      const hash = item === undefined ? undefined : getOptB(item, slot.attr);
      if (hash === undefined) continue;
      if (hash.length !== HASH_BYTES)
        throw new CorruptItemError(`node ${nodeKey(id)} is not ${HASH_BYTES} bytes`);
      result.set(nodeKey(id), hash);
    }
    return result;
  }

  async putCheckpoint(size: number, note: string): Promise<void> {
    requireCount(size, 'size');
    const key = { pk: S('checkpoint'), sk: S(pad(size)) };
    const out = await this.table.put({ ...key, note: S(note) }, 'putCheckpoint', {
      expression: 'attribute_not_exists(pk)',
      returnOld: true,
    });
    if (out.ok) return;
    // Rerunning a batch signs the same note again (Ed25519 is deterministic): a no-op. A
    // different note for one size would mean two inconsistent checkpoints, which the log must
    // never sign, so it fails loudly and the first note stays.
    const old = out.old ?? (await this.table.get(key, 'putCheckpoint'));
    if (old === undefined || getS(old, 'note') !== note) {
      throw new LogConflictError(`a different checkpoint for size ${size} is already kept`);
    }
  }

  async getCheckpoint(size: number): Promise<string | undefined> {
    requireCount(size, 'size');
    const item = await this.table.get({ pk: S('checkpoint'), sk: S(pad(size)) }, 'getCheckpoint');
    return item === undefined ? undefined : getS(item, 'note');
  }

  /**
   * One item per (size, witness, time), put only if absent: a witness's later cosignature of the
   * same checkpoint is a new item, so nothing kept is ever overwritten. The sort key ends in the
   * fixed-width time, so it names (witness, time) unambiguously whatever the witness name holds.
   */
  async putCosignature(
    size: number,
    witness: string,
    line: string,
    time: number,
  ): Promise<boolean> {
    requireCount(size, 'size');
    requireCount(time, 'time');
    const item: Item = {
      pk: S(`cosignature#${pad(size)}`),
      sk: S(`${witness}#${pad(time)}`),
      witness: S(witness),
      line: S(line),
      time: N(time),
    };
    const out = await this.table.put(item, 'putCosignature', {
      expression: 'attribute_not_exists(pk)',
    });
    return out.ok;
  }

  async listCosignatures(size: number): Promise<StoredCosignature[]> {
    requireCount(size, 'size');
    const found: StoredCosignature[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      try {
        const out = await this.table.client.send(
          new QueryCommand({
            TableName: this.table.name,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': 'pk' },
            ExpressionAttributeValues: { ':pk': S(`cosignature#${pad(size)}`) },
            ConsistentRead: true,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        for (const item of out.Items ?? []) {
          found.push({
            size,
            witness: getS(item, 'witness'),
            line: getS(item, 'line'),
            time: getN(item, 'time'),
          });
        }
        start = out.LastEvaluatedKey;
      } catch (e) {
        throw storeFault(e, 'listCosignatures');
      }
    } while (start !== undefined);
    // Code-unit order, as the memory store sorts (DynamoDB orders sort keys by UTF-8 bytes).
    return found.sort(
      (a, b) => (a.witness < b.witness ? -1 : a.witness > b.witness ? 1 : 0) || a.time - b.time,
    );
  }
}
