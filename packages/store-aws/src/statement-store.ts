/**
 * StatementStore over the ledger table (layout.ts): acceptance items, id pointers, citations and
 * the sparse `pending` index.
 */
import { QueryCommand, type AttributeValue, type WriteRequest } from '@aws-sdk/client-dynamodb';
import {
  type AcceptOutcome,
  type AdmittedStatement,
  type StatementStore,
} from '@cbm-ledger/ledger';
import type { Envelope } from '@cbm-ledger/protocol';
import {
  CorruptItemError,
  N,
  NULL,
  S,
  SL,
  getN,
  getOptN,
  getOptS,
  getS,
  getSL,
  getSOrNull,
  pad,
  type Item,
} from './attributes.js';
import { WriteCoalescer, batchGet, batchWrite } from './batch.js';
import { storeFault } from './errors.js';
import type { LedgerTable } from './ledger-table.js';
import { requireCount, unkeyable } from './ledger-table.js';
import { PENDING_INDEX } from './layout.js';
import { ReadCoalescer } from './read-coalescer.js';

export const PENDING_SHARDS = 4;

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
