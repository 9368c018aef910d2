/**
 * StatementStore, LogStore and RegistryStore over one DynamoDB table, with conditional writes
 * only: dynalite, the embedded DynamoDB, has no TransactWriteItems and no streams, and none are
 * needed because every decision is a single conditional write on a single item.
 *
 * Cost model (measured on dynalite: ~1,000 single conditional PutItem/s, ~8,000 items/s through
 * BatchWriteItem; per-request overhead dominates): admitting a statement costs exactly one
 * conditional PutItem; its bookkeeping (`link`: id pointer, citations) is coalesced across
 * concurrent submissions into BatchWriteItem requests. Everything the integrator writes per
 * statement goes through BatchWriteItem, and what it writes per batch (leaves, tree tiles, head,
 * checkpoint, registry) is a handful of requests whatever the batch size.
 *
 * Item layout (table keys `pk`, `sk`, both strings; numbers in keys are zero-padded to 16 digits,
 * which covers every safe integer, so string order is numeric order):
 *
 * | item              | pk                  | sk                    | attributes |
 * |-------------------|---------------------|-----------------------|------------|
 * | acceptance        | `issuer#<party>`    | `seq#<seq>`           | id, issuer, seq, prev (S or NULL), type, visibility, audience (L of S), evidence (L of S), envelope (JSON S), envelopeDigest, admittedAt (N), promise (S, the signed admission promise); while pending gpk `pending#<0..3>` + gsk `<admittedAt 15 digits>#<issuer>#<seq>`; once integrated `index` (N) |
 * | id pointer        | `statement#<id>`    | `statement`           | issuer, seq, index (N, once integrated) |
 * | citation          | `evidence#<hex>`    | `cites#<issuer>#<seq>`| issuer, seq: a statement citing evidence object `<hex>` |
 * | leaf bundle       | `leaves`            | `bundle#<index/256>`  | `l<index%256>`: the canonical (JCS) leaf, or `ref:<hex>` for a leaf over 1,400 bytes |
 * | large leaf        | `leafdoc`           | `sha256#<hex>`        | leaf: the canonical leaf whose SHA-256 is `<hex>` |
 * | tree tile         | `tree#<level/8>`    | `tile#<k>`            | `n<r>_<o>` (B, 32 bytes): the node at level 8·(level/8)+r, index k·2^(8−r)+o |
 * | head              | `log`               | `head`                | size (N), root (B), frontier (L of B), checkpoint (S) |
 * | checkpoint        | `checkpoint`        | `<size>`              | note (S) |
 * | cosignature       | `cosignature#<size>`| `<witness>#<time>`    | witness (S), line (S), time (N): one per (size, witness, time), never replaced |
 * | nonce claim       | `replay#<keyid>`    | `<nonce>`             | ttl (N, POSIX s): a signed read's nonce until its signature expires (DynamoDB TTL deletes it) |
 * | registry          | `registry`          | `snapshot`            | asOf (N), snapshot (JSON S) or snapshotZ (gzip B) when large |
 *
 * The GSI `pending` (gpk, gsk; projection ALL) is sparse: only acceptance items still awaiting
 * integration carry gpk/gsk. Four shards (by the id's last hex digit) spread the index's write
 * load over partition keys; `pending()` merges them by gsk (admission time, issuer, seq), paging
 * each shard only as far as the merge needs.
 *
 * Why these shapes:
 * - accept = PutItem `attribute_not_exists(pk)` on (issuer, seq): the claim, the pending mark and
 *   the envelope in one write. A lost race reads the holder (ReturnValuesOnConditionCheckFailure
 *   where supported, a consistent GetItem otherwise).
 * - link writes the id pointer and the citations with unconditional puts (both are functions of
 *   the statement), batched across concurrent callers.
 * - markIntegrated re-puts the acceptance item without gpk/gsk and with `index`, and writes the id
 *   pointer with `index` and the citations (what link writes, which the port asks of it), all
 *   through BatchWriteItem: none needs a condition, because an acceptance item only ever changes
 *   from pending to integrated with a fixed index.
 * - Leaves: one attribute per index inside a 256-leaf bundle, written by conditional UpdateItems
 *   (64 leaves each, in index order) whose condition is, per index, `attribute_not_exists(l) OR
 *   l = :leaf`. That takes each index exactly once, makes rewriting the same leaf a no-op, needs
 *   no read first, and leaves a contiguous prefix after a crash or conflict. Leaves over 1,400
 *   bytes (a statement citing more than a dozen evidence objects) live in their own item under
 *   their hash, so a bundle stays under DynamoDB's 400 KB item limit (256 × 1,400 B ≈ 350 KB).
 * - Tree: tiles of 8 levels (after C2SP tlog-tiles), each node its own attribute, written by
 *   unconditional UpdateItem SET. Node hashes never change, so SET is idempotent and monotone:
 *   concurrent integrators cannot lose each other's nodes, and no read-modify-write is needed.
 *   A batch of 256 leaves costs about five UpdateItems; an inclusion proof reads its O(log n)
 *   nodes from a few tiles in one BatchGetItem.
 * - Head, checkpoints and registry: one item each, conditional on the value they advance from.
 *
 * Every read that decides something is strongly consistent. The pending index (a GSI) cannot be:
 * on AWS it may briefly still list a statement just marked integrated, so the integrator must
 * check the id pointer's index before integrating what `pending()` returns.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  LogConflictError,
  type AcceptOutcome,
  type AdmittedStatement,
  type LogHead,
  type LogStore,
  type RegistrySnapshot,
  type RegistryStore,
  type ReplayGuard,
  type StatementStore,
  type StoredCosignature,
} from '@cbm-ledger/ledger';
import {
  canonicalLeaf,
  nodeKey,
  parseLeaf,
  type Envelope,
  type Leaf,
  type NodeId,
  type TreeNode,
} from '@cbm-ledger/protocol';
import {
  B,
  BL,
  CorruptItemError,
  N,
  NULL,
  S,
  SL,
  getB,
  getBL,
  getN,
  getOptB,
  getOptN,
  getOptS,
  getS,
  getSL,
  getSOrNull,
  pad,
  type Item,
} from './attributes.js';
import { LEAVES_PARTITION, REPLAY_PARTITION } from './layout.js';
import {
  DEFAULT_RETRY,
  WriteCoalescer,
  batchGet,
  batchWrite,
  chunks,
  mapLimited,
  type RetryPolicy,
} from './batch.js';
import { isConditionalCheckFailed, storeFault } from './errors.js';
import { ReadCoalescer } from './read-coalescer.js';
import { DEFAULT_TABLE, PENDING_INDEX } from './table.js';

export const PENDING_SHARDS = 4;
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
/** Registry snapshots larger than this are stored gzipped (item limit 400 KB). */
const REGISTRY_INLINE_MAX_BYTES = 256 * 1024;
const HASH_BYTES = 32;
const WRITE_CONCURRENCY = 4;

export interface DynamoStoreOptions {
  readonly client: DynamoDBClient;
  /** Table name; default `cbm-ledger`. */
  readonly table?: string;
  /** Retry policy for unprocessed batch items. */
  readonly retry?: RetryPolicy;
  /** Clock of the replay guard, epoch ms; default Date.now. */
  readonly now?: () => number;
}

type PutOutcome = { ok: true } | { ok: false; old: Item | undefined };

/** The table, with the SDK's faults mapped (errors.ts) and conditional failures made values. */
export class LedgerTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
    readonly retry: RetryPolicy,
  ) {}

  async get(key: Item, what: string): Promise<Item | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.name, Key: key, ConsistentRead: true }),
      );
      return out.Item;
    } catch (e) {
      throw storeFault(e, what);
    }
  }

  async put(item: Item, what: string, condition?: Condition): Promise<PutOutcome> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.name,
          Item: item,
          ...(condition === undefined
            ? {}
            : {
                ConditionExpression: condition.expression,
                ...(condition.names === undefined
                  ? {}
                  : { ExpressionAttributeNames: condition.names }),
                ...(condition.values === undefined
                  ? {}
                  : { ExpressionAttributeValues: condition.values }),
                ...(condition.returnOld === true
                  ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }
                  : {}),
              }),
        }),
      );
      return { ok: true };
    } catch (e) {
      if (isConditionalCheckFailed(e)) return { ok: false, old: (e as { Item?: Item }).Item };
      throw storeFault(e, what);
    }
  }

  /** UpdateItem; false when its condition failed. */
  async update(
    key: Item,
    what: string,
    update: string,
    names: Record<string, string> | undefined,
    values: Item,
    condition?: string,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.name,
          Key: key,
          UpdateExpression: update,
          ...(names === undefined ? {} : { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: values,
          ...(condition === undefined ? {} : { ConditionExpression: condition }),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw storeFault(e, what);
    }
  }
}

/** A DynamoDB condition expression with its placeholders. */
interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Item;
  /** Ask DynamoDB to return the item that failed the condition (saves a read). */
  returnOld?: boolean;
}

function requireCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  }
}

/**
 * The condition of a single-item compare-and-set: the item is absent (`expected` undefined) or
 * its numeric `attribute` still holds `expected`. The head and the registry snapshot advance so.
 */
function absentOrAt(attribute: string, expected: number | undefined, what: string): Condition {
  if (expected === undefined) return { expression: 'attribute_not_exists(pk)' };
  requireCount(expected, what);
  return {
    expression: `#${attribute} = :expected`,
    names: { [`#${attribute}`]: attribute },
    values: { ':expected': N(expected) },
  };
}

// ---------------------------------------------------------------------------------------------
// Statements

function statementKey(issuer: string, seq: number): Item {
  return { pk: S(`issuer#${issuer}`), sk: S(`seq#${pad(seq)}`) };
}

function pointerKey(id: string): Item {
  return { pk: S(`statement#${id}`), sk: S('statement') };
}

function pendingShard(id: string): number {
  const digit = Number.parseInt(id.slice(-1), 16);
  return Number.isNaN(digit) ? 0 : digit % PENDING_SHARDS;
}

function statementItem(st: AdmittedStatement, index: number | undefined): Item {
  requireCount(st.seq, 'seq');
  requireCount(st.admittedAt, 'admittedAt');
  const item: Item = {
    ...statementKey(st.issuer, st.seq),
    id: S(st.id),
    issuer: S(st.issuer),
    seq: N(st.seq),
    prev: st.prev === null ? NULL : S(st.prev),
    type: S(st.type),
    visibility: S(st.visibility),
    audience: SL(st.audience),
    evidence: SL(st.evidence),
    envelope: S(JSON.stringify(st.envelope)),
    envelopeDigest: S(st.envelopeDigest),
    admittedAt: N(st.admittedAt),
  };
  // The signed admission promise rides on the accepting write itself (docs/promises.md).
  if (st.promise !== undefined) item['promise'] = S(st.promise);
  if (index === undefined) {
    item['gpk'] = S(`pending#${pendingShard(st.id)}`);
    // Admission time, then (issuer, seq): a total order, and the memory adapter's. Party ids use
    // only [a-z0-9.:-], all above '#', so the separator cannot reorder two issuers.
    item['gsk'] = S(`${pad(st.admittedAt, 15)}#${st.issuer}#${pad(st.seq)}`);
  } else {
    requireCount(index, 'index');
    item['index'] = N(index);
  }
  return item;
}

function parseStatement(item: Item, pointerIndex?: number): AdmittedStatement {
  const index = getOptN(item, 'index') ?? pointerIndex;
  const st: AdmittedStatement = {
    id: getS(item, 'id'),
    issuer: getS(item, 'issuer'),
    seq: getN(item, 'seq'),
    prev: getSOrNull(item, 'prev'),
    type: getS(item, 'type') as AdmittedStatement['type'],
    visibility: getS(item, 'visibility') as AdmittedStatement['visibility'],
    audience: getSL(item, 'audience'),
    evidence: getSL(item, 'evidence'),
    envelope: JSON.parse(getS(item, 'envelope')) as Envelope,
    envelopeDigest: getS(item, 'envelopeDigest'),
    admittedAt: getN(item, 'admittedAt'),
  };
  const promise = getOptS(item, 'promise');
  const withPromise = promise === undefined ? st : { ...st, promise };
  return index === undefined ? withPromise : { ...withPromise, index };
}

interface PendingShard {
  readonly shard: number;
  buffer: Item[];
  next: number;
  start: Record<string, AttributeValue> | undefined;
  /** No page left to fetch (the buffer may still hold items). */
  done: boolean;
}

const gskAt = (s: PendingShard): string => getS(s.buffer[s.next] as Item, 'gsk');

function citingKey(sha256: string, issuer: string, seq: number): Item {
  return { pk: S(`evidence#${sha256}`), sk: S(`cites#${issuer}#${pad(seq)}`) };
}

const SHA256_HEX_RE = /^[0-9a-f]{64}$/;

/**
 * Security: ids and party ids in lookups can come straight from a request path. One too long to
 * be a key (DynamoDB allows 2,048 bytes) names nothing, rather than failing the request as a
 * ValidationException, i.e. a 5xx.
 */
const unkeyable = (value: string): boolean => Buffer.byteLength(value, 'utf8') > 1024;

export class DynamoStatementStore implements StatementStore {
  readonly #links: WriteCoalescer;
  /** The integrator looks up every statement of a batch (and its predecessor) at once. */
  readonly #slots: ReadCoalescer;

  constructor(private readonly table: LedgerTable) {
    this.#links = new WriteCoalescer(table.client, table.name, table.retry);
    this.#slots = new ReadCoalescer(table.client, table.name, 'getBySeq', table.retry);
  }

  async accept(statement: AdmittedStatement): Promise<AcceptOutcome> {
    // A new claim is always pending, whatever `index` the caller's object carries.
    const out = await this.table.put(statementItem(statement, undefined), 'accept', {
      expression: 'attribute_not_exists(pk)',
      returnOld: true,
    });
    if (out.ok) return { accepted: true };
    // Items are never deleted, so the holder is still there to read.
    const holder =
      out.old ?? (await this.table.get(statementKey(statement.issuer, statement.seq), 'accept'));
    if (holder === undefined) throw new CorruptItemError('the (issuer, seq) holder vanished');
    return { accepted: false, existing: parseStatement(holder) };
  }

  /**
   * Writes the id pointer and one evidence → statement entry per cited object. Admission calls
   * this for every statement, so the writes go through the coalescer (batch.ts) rather than
   * costing a request each. A pointer put without `index` may overwrite one markIntegrated
   * wrote; that is harmless, because the acceptance item, which getById reads, has it too.
   */
  async link(statement: AdmittedStatement): Promise<void> {
    requireCount(statement.seq, 'seq');
    const pointer: Item = {
      ...pointerKey(statement.id),
      issuer: S(statement.issuer),
      seq: N(statement.seq),
    };
    if (statement.index !== undefined) pointer['index'] = N(statement.index);
    const items = [
      { key: `statement#${statement.id}`, request: { PutRequest: { Item: pointer } } },
    ];
    for (const sha256 of new Set(statement.evidence)) {
      const key = citingKey(sha256, statement.issuer, statement.seq);
      items.push({
        key: `evidence#${sha256}|${key['sk']?.S ?? ''}`,
        request: {
          PutRequest: { Item: { ...key, issuer: S(statement.issuer), seq: N(statement.seq) } },
        },
      });
    }
    await this.#links.write(items);
  }

  async citing(sha256: string, limit: number): Promise<AdmittedStatement[]> {
    requireCount(limit, 'limit');
    // Security: `sha256` comes from a request path; anything but a digest cites nothing.
    if (limit === 0 || !SHA256_HEX_RE.test(sha256)) return [];
    const refs: Item[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      try {
        const out = await this.table.client.send(
          new QueryCommand({
            TableName: this.table.name,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': 'pk' },
            ExpressionAttributeValues: { ':pk': S(`evidence#${sha256}`) },
            Limit: limit - refs.length,
            ConsistentRead: true,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        refs.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } catch (e) {
        throw storeFault(e, 'citing');
      }
    } while (start !== undefined && refs.length < limit);
    const keys = refs.map((ref) => statementKey(getS(ref, 'issuer'), getN(ref, 'seq')));
    const items = await batchGet(this.table.client, this.table.name, keys, {}, this.table.retry);
    return items.map((item) => parseStatement(item));
  }

  async getById(id: string): Promise<AdmittedStatement | undefined> {
    if (unkeyable(id)) return undefined;
    const pointer = await this.table.get(pointerKey(id), 'getById');
    if (pointer === undefined) return undefined;
    const item = await this.table.get(
      statementKey(getS(pointer, 'issuer'), getN(pointer, 'seq')),
      'getById',
    );
    if (item === undefined) return undefined;
    // A pointer to another statement's slot is impossible unless the table was edited by hand.
    if (getS(item, 'id') !== id)
      throw new CorruptItemError(`id pointer ${id} names another statement`);
    // markIntegrated's batch writes are not atomic: the pointer may carry the index first.
    return parseStatement(item, getOptN(pointer, 'index'));
  }

  async getBySeq(issuer: string, seq: number): Promise<AdmittedStatement | undefined> {
    requireCount(seq, 'seq');
    if (unkeyable(issuer)) return undefined;
    const item = await this.#slots.get(statementKey(issuer, seq));
    return item === undefined ? undefined : parseStatement(item);
  }

  async head(issuer: string): Promise<AdmittedStatement | undefined> {
    if (unkeyable(issuer)) return undefined;
    try {
      const out = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.name,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :seq)',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': S(`issuer#${issuer}`), ':seq': S('seq#') },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      const item = out.Items?.[0];
      return item === undefined ? undefined : parseStatement(item);
    } catch (e) {
      throw storeFault(e, 'head');
    }
  }

  /**
   * A k-way merge of the shards by gsk, paging each shard only as far as the merge needs: the
   * first round asks each shard for about a quarter of `limit`, and a shard is asked again only
   * when its buffer runs dry before the merge is done. So a batch reads about `limit` items,
   * not `limit` per shard.
   */
  async pending(limit: number): Promise<AdmittedStatement[]> {
    requireCount(limit, 'limit');
    const shards: PendingShard[] = Array.from({ length: PENDING_SHARDS }, (_, shard) => ({
      shard,
      buffer: [],
      next: 0,
      start: undefined,
      done: false,
    }));
    const out: AdmittedStatement[] = [];
    while (out.length < limit) {
      const dry = shards.filter((s) => !s.done && s.next === s.buffer.length);
      if (dry.length > 0) {
        const page = Math.ceil((limit - out.length) / PENDING_SHARDS) + 8;
        await Promise.all(dry.map((s) => this.refill(s, page)));
        continue;
      }
      let oldest: PendingShard | undefined;
      for (const s of shards) {
        if (s.next === s.buffer.length) continue;
        if (oldest === undefined || gskAt(s) < gskAt(oldest)) oldest = s;
      }
      if (oldest === undefined) break;
      out.push(parseStatement(oldest.buffer[oldest.next++] as Item));
    }
    return out;
  }

  /** Replaces a shard's buffer with its next page (a page also stops at 1 MB). */
  private async refill(s: PendingShard, pageSize: number): Promise<void> {
    try {
      const out = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.name,
          IndexName: PENDING_INDEX,
          KeyConditionExpression: 'gpk = :gpk',
          ExpressionAttributeValues: { ':gpk': S(`pending#${s.shard}`) },
          ScanIndexForward: true,
          Limit: pageSize,
          ...(s.start === undefined ? {} : { ExclusiveStartKey: s.start }),
        }),
      );
      s.buffer = out.Items ?? [];
      s.next = 0;
      s.start = out.LastEvaluatedKey;
      s.done = s.start === undefined;
    } catch (e) {
      throw storeFault(e, 'pending');
    }
  }

  async markIntegrated(
    entries: readonly { statement: AdmittedStatement; index: number }[],
  ): Promise<void> {
    const byId = new Map<string, { statement: AdmittedStatement; index: number }>();
    for (const entry of entries) {
      requireCount(entry.index, 'index');
      const seen = byId.get(entry.statement.id);
      if (seen !== undefined && seen.index !== entry.index) {
        throw new RangeError(`statement ${entry.statement.id} given two indices`);
      }
      byId.set(entry.statement.id, entry);
    }
    const requests: WriteRequest[] = [];
    for (const { statement, index } of byId.values()) {
      requests.push({ PutRequest: { Item: statementItem(statement, index) } });
      requests.push({
        PutRequest: {
          Item: {
            ...pointerKey(statement.id),
            issuer: S(statement.issuer),
            seq: N(statement.seq),
            index: N(index),
          },
        },
      });
      for (const sha256 of new Set(statement.evidence)) {
        requests.push({
          PutRequest: {
            Item: {
              ...citingKey(sha256, statement.issuer, statement.seq),
              issuer: S(statement.issuer),
              seq: N(statement.seq),
            },
          },
        });
      }
    }
    await batchWrite(this.table.client, this.table.name, requests, this.table.retry);
  }
}

// ---------------------------------------------------------------------------------------------
// Log: leaves, tree tiles, head, checkpoints

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

// ---------------------------------------------------------------------------------------------
// Replay guard (signed reads)

/** The attribute DynamoDB's TTL must be configured on (epoch seconds). */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * Claims a signed request's nonce with one conditional put. A claim whose `ttl` has passed may be
 * taken again: DynamoDB deletes expired items only eventually (within days), and an expired
 * claim protects nothing, since the signature it came with is refused as expired.
 */
export class DynamoReplayGuard implements ReplayGuard {
  constructor(
    private readonly table: LedgerTable,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(keyid: string, nonce: string, expiresAt: number): Promise<boolean> {
    requireCount(expiresAt, 'expiresAt');
    // Security: keyid and nonce were checked by the signature verifier (hex, base64url, bounded),
    // so they fit in a key.
    if (unkeyable(keyid) || unkeyable(nonce)) return false;
    const out = await this.table.put(
      { pk: S(`${REPLAY_PARTITION}${keyid}`), sk: S(nonce), [TTL_ATTRIBUTE]: N(expiresAt) },
      'replay.claim',
      {
        expression: 'attribute_not_exists(pk) OR #ttl <= :now',
        names: { '#ttl': TTL_ATTRIBUTE },
        values: { ':now': N(Math.floor(this.now() / 1000)) },
      },
    );
    return out.ok;
  }
}

// ---------------------------------------------------------------------------------------------
// Registry

const REGISTRY_KEY: Item = { pk: S('registry'), sk: S('snapshot') };

export class DynamoRegistryStore implements RegistryStore {
  constructor(private readonly table: LedgerTable) {}

  async read(): Promise<RegistrySnapshot | undefined> {
    const item = await this.table.get(REGISTRY_KEY, 'registry.read');
    if (item === undefined) return undefined;
    const zipped = getOptB(item, 'snapshotZ');
    const json =
      zipped === undefined ? getS(item, 'snapshot') : gunzipSync(zipped).toString('utf8');
    return JSON.parse(json) as RegistrySnapshot;
  }

  async write(snapshot: RegistrySnapshot, expectedAsOf: number | undefined): Promise<boolean> {
    requireCount(snapshot.asOf, 'asOf');
    const json = JSON.stringify(snapshot);
    const item: Item = { ...REGISTRY_KEY, asOf: N(snapshot.asOf) };
    if (Buffer.byteLength(json, 'utf8') <= REGISTRY_INLINE_MAX_BYTES) item['snapshot'] = S(json);
    else item['snapshotZ'] = B(gzipSync(json));
    const out = await this.table.put(
      item,
      'registry.write',
      absentOrAt('asOf', expectedAsOf, 'expected asOf'),
    );
    return out.ok;
  }
}

export interface DynamoStores {
  readonly statements: DynamoStatementStore;
  readonly log: DynamoLogStore;
  readonly registry: DynamoRegistryStore;
  readonly replay: DynamoReplayGuard;
}

export function createDynamoStores(options: DynamoStoreOptions): DynamoStores {
  const table = new LedgerTable(
    options.client,
    options.table ?? DEFAULT_TABLE,
    options.retry ?? DEFAULT_RETRY,
  );
  return {
    statements: new DynamoStatementStore(table),
    log: new DynamoLogStore(table),
    registry: new DynamoRegistryStore(table),
    replay: new DynamoReplayGuard(table, options.now),
  };
}
