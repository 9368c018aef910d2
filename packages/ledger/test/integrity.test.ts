/**
 * Issue 9 §3: a store item edited behind the ledger's back answers a clear problem naming the
 * entry (STORE_INTEGRITY with `index`), not a bare 500 INTERNAL for the whole range.
 */
import { problemStatus } from '@cbm-ledger/contract';
import { describe, expect, it } from 'vitest';
import { LedgerError, PublicLedger, createLedger } from '@cbm-ledger/ledger';
import type { LedgerService } from '@cbm-ledger/ledger';
import type { LogStore } from '@cbm-ledger/ledger';
import { Harness, infoExchangeBody } from '@cbm-ledger/ledger/testing';

async function rejection(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** The log as a store whose item for entry `bad` was edited (its decoder throws, as store-aws's do). */
function corruptAt(log: LogStore, bad: number, fault: () => Error): LogStore {
  return withReadLeaves(log, async (start, limit) => {
    if (start <= bad && bad < start + limit) throw fault();
    return log.readLeaves(start, limit);
  });
}

function withReadLeaves(log: LogStore, readLeaves: LogStore['readLeaves']): LogStore {
  return {
    readHead: () => log.readHead(),
    writeLeaves: (start, leaves) => log.writeLeaves(start, leaves),
    readLeaves,
    writeNodes: (nodes) => log.writeNodes(nodes),
    readNodes: (ids) => log.readNodes(ids),
    commitHead: (expected, head) => log.commitHead(expected, head),
    putCheckpoint: (size, note) => log.putCheckpoint(size, note),
    getCheckpoint: (size) => log.getCheckpoint(size),
    putCosignature: (size, witness, line, time) => log.putCosignature(size, witness, line, time),
    listCosignatures: (size) => log.listCosignatures(size),
  };
}

async function ledger(): Promise<Harness> {
  const h = new Harness();
  await h.bootstrap(['state:JOR', 'state:EGY']);
  for (let i = 0; i < 4; i++)
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2020 + i));
  await h.integrate();
  return h;
}

function serviceOver(h: Harness, log: LogStore): LedgerService {
  return createLedger({
    ...h.memory,
    log,
    clock: h.clock,
    config: h.config,
    logVkey: h.signer.vkey,
  });
}

describe('reads of an entry that fails its integrity check', () => {
  it('name the entry, for a page and for the entry itself', async () => {
    const h = await ledger();
    const service = serviceOver(
      h,
      corruptAt(h.memory.log, 5, () => new Error('item lacks attribute leaf')),
    );
    for (const read of [
      service.entries(0, 100, {}),
      service.entries(5, 1, {}),
      service.entry(5, {}),
    ]) {
      const err = await rejection(read);
      expect({
        code: err.code,
        status: problemStatus(err.code),
        extensions: err.extensions,
      }).toEqual({
        code: 'STORE_INTEGRITY',
        status: 500,
        extensions: { index: 5 },
      });
      expect(err.detail).toContain('entry 5');
      expect(err.detail).toContain('item lacks attribute leaf');
    }
    // Entries before it still read.
    expect((await service.entries(0, 5, {})).entries).toHaveLength(5);
  });

  it('name a leaf stored under another index', async () => {
    const h = await ledger();
    const log = h.memory.log;
    const shifted = withReadLeaves(log, async (start, limit) =>
      (await log.readLeaves(start, limit)).map((leaf) =>
        leaf.index === 3 ? { ...leaf, index: 2 } : leaf,
      ),
    );
    const err = await rejection(serviceOver(h, shifted).entries(0, 10, {}));
    expect(err.code).toBe('STORE_INTEGRITY');
    expect(err.extensions).toEqual({ index: 3 });
  });

  it('pass store outages through as STORE_UNAVAILABLE', async () => {
    const h = await ledger();
    const down = corruptAt(
      h.memory.log,
      0,
      () => new LedgerError('STORE_UNAVAILABLE', 'throttled'),
    );
    expect((await rejection(serviceOver(h, down).entries(0, 10, {}))).code).toBe(
      'STORE_UNAVAILABLE',
    );
  });
});

function withReadNodes(log: LogStore, readNodes: LogStore['readNodes']): LogStore {
  return { ...withReadLeaves(log, (s, l) => log.readLeaves(s, l)), readNodes };
}

describe('receipts and proofs over a store that fails its integrity check', () => {
  it("name the entry when a statement's leaf was edited", async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR', 'state:EGY']);
    const { outcome } = await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2030));
    const statement = outcome.body.statement;
    await h.integrate();
    const admitted = await h.memory.statements.getById(statement);
    const index = admitted!.index!;
    const service = serviceOver(
      h,
      corruptAt(h.memory.log, index, () => new Error('item lacks attribute leaf')),
    );
    const err = await rejection(service.statement(statement, {}));
    expect({ code: err.code, extensions: err.extensions }).toEqual({
      code: 'STORE_INTEGRITY',
      extensions: { index },
    });
    expect(err.detail).toContain(`entry ${index}`);
  });

  it('name the node and the entry when a proof node is missing', async () => {
    const h = await ledger();
    const log = h.memory.log;
    const holed = withReadNodes(log, async (ids) => {
      const found = await log.readNodes(ids);
      found.delete('0/4');
      return found;
    });
    const service = serviceOver(h, holed);
    const inclusion = await rejection(service.inclusionProof(5, 6));
    expect({ code: inclusion.code, extensions: inclusion.extensions }).toEqual({
      code: 'STORE_INTEGRITY',
      extensions: { node: '0/4', index: 5 },
    });
    const consistency = await rejection(service.consistencyProof(5, 6));
    expect({ code: consistency.code, extensions: consistency.extensions }).toEqual({
      code: 'STORE_INTEGRITY',
      extensions: { node: '0/4' },
    });
  });

  it('name the nodes when the node store cannot decode them', async () => {
    const h = await ledger();
    const broken = withReadNodes(h.memory.log, () =>
      Promise.reject(new Error('item lacks attribute hash')),
    );
    const err = await rejection(serviceOver(h, broken).inclusionProof(1, 6));
    expect(err.code).toBe('STORE_INTEGRITY');
    expect(err.extensions?.['index']).toBe(1);
    expect(err.detail).toContain('item lacks attribute hash');
  });
});

describe('compliance and the public feed over a store that fails its integrity check', () => {
  /** The statements as a store whose item behind entry `bad` was edited (its decoder throws). */
  function statementsBrokenAt(h: Harness, bad: { issuer: string; seq: number }) {
    const statements = h.memory.statements;
    return Object.assign(Object.create(statements) as typeof statements, {
      getBySeq: (issuer: string, seq: number) =>
        issuer === bad.issuer && seq === bad.seq
          ? Promise.reject(new Error('item lacks attribute envelope'))
          : statements.getBySeq(issuer, seq),
    });
  }

  it('name the entry whose leaf cannot be read', async () => {
    const h = await ledger();
    const log = corruptAt(h.memory.log, 5, () => new Error('item lacks attribute leaf'));
    const compliance = await rejection(serviceOver(h, log).compliance({}, {}));
    expect({ code: compliance.code, extensions: compliance.extensions }).toEqual({
      code: 'STORE_INTEGRITY',
      extensions: { index: 5 },
    });
    const view = new PublicLedger({
      ...h.memory,
      log,
      clock: h.clock,
      config: h.config,
      logVkey: h.signer.vkey,
    });
    const feed = await rejection(view.feed(undefined, 10));
    expect({ code: feed.code, extensions: feed.extensions }).toEqual({
      code: 'STORE_INTEGRITY',
      extensions: { index: 5 },
    });
  });

  it('name the entry whose statement cannot be read', async () => {
    const h = await ledger();
    const entry = (await h.memory.log.readLeaves(5, 1))[0]!;
    const statements = statementsBrokenAt(h, entry);
    const deps = {
      ...h.memory,
      statements,
      clock: h.clock,
      config: h.config,
      logVkey: h.signer.vkey,
    };
    const compliance = await rejection(createLedger(deps).compliance({}, {}));
    expect({ code: compliance.code, extensions: compliance.extensions }).toEqual({
      code: 'STORE_INTEGRITY',
      extensions: { index: 5 },
    });
    const feed = await rejection(new PublicLedger(deps).feed(undefined, 10));
    expect({ code: feed.code, extensions: feed.extensions }).toEqual({
      code: 'STORE_INTEGRITY',
      extensions: { index: 5 },
    });
    expect(feed.detail).toContain('item lacks attribute envelope');
  });
});
