import { problemStatus } from '@cbm-ledger/contract';
import {
  envelopeDigest,
  fromBase64,
  fromHex,
  generateKeyFile,
  leafHash,
  openCheckpoint,
  parseStatement,
  parseVkey,
  sha256Hex,
  toBase64,
  utf8Encode,
  verifyConsistency,
  verifyInclusion,
} from '@cbm-ledger/protocol';
import { describe, expect, it } from 'vitest';
import { InProcessIntegrationSignal, LedgerError, createGenesis } from '@cbm-ledger/ledger';
import { dumpMemoryStores } from '@cbm-ledger/ledger/testing';
import type { Receipt } from '@cbm-ledger/ledger';
import {
  Harness,
  LOG_SEED,
  OPERATOR,
  checkInvariants,
  infoExchangeBody,
  sign,
  testKey,
} from '@cbm-ledger/ledger/testing';

/** Verifies a receipt offline, from the documented formats and the log's vkey only. */
function verifyReceipt(receipt: Receipt, logVkey: string): void {
  const { checkpoint } = openCheckpoint(receipt.checkpoint, parseVkey(logVkey));
  expect(receipt.leaf.statement).toBe(receipt.statement);
  expect(receipt.inclusion.index).toBe(receipt.leaf.index);
  expect(receipt.inclusion.treeSize).toBe(checkpoint.size);
  expect(receipt.inclusion.leafHash).toBe(toBase64(leafHash(receipt.leaf)));
  verifyInclusion(
    receipt.inclusion.index,
    receipt.inclusion.treeSize,
    leafHash(receipt.leaf),
    receipt.inclusion.hashes.map((h) => fromBase64(h)),
    checkpoint.rootHash,
  );
}

async function rejection(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw e;
  }
  throw new Error('expected a LedgerError');
}

describe('a ledger from genesis to receipts', () => {
  it('admits genesis, registers two states, integrates their statements and issues receipts that verify offline', async () => {
    const h = new Harness();
    expect((await h.service.info()).treeSize).toBe(0);
    await h.genesis();
    expect(await h.integrate()).toBe(1);
    const info = await h.service.info();
    expect(info).toMatchObject({ origin: h.config.origin, operator: OPERATOR, treeSize: 1 });
    expect(info.logVkey).toBe(h.signer.vkey);

    const witness = testKey('state:EGY', 'witness');
    await h.register('state:JOR');
    await h.register('state:EGY', {
      witness: { name: 'egy.example/witness', publicKey: witness.publicKey },
    });
    await h.integrate();
    expect((await h.service.info()).witnesses).toEqual([
      expect.objectContaining({ party: 'state:EGY', name: 'egy.example/witness' }),
    ]);

    const { outcome, envelope } = await h.issue('state:JOR', 'info.exchange', infoExchangeBody());
    expect(outcome).toEqual({
      status: 202,
      body: {
        statement: outcome.body.statement,
        status: 'pending',
        promise: expect.stringMatching(/^cbm-ledger\/promise\/v1\n/) as unknown,
      },
    });
    const pendingView = await h.service.statement(outcome.body.statement, {});
    expect(pendingView.status).toBe('pending');
    expect(pendingView.receipt).toBeUndefined();

    await h.integrate();
    const view = await h.service.statement(outcome.body.statement, {});
    expect(view.status).toBe('integrated');
    expect(view.index).toBe(3);
    expect(view.envelope).toEqual(envelope);
    verifyReceipt(view.receipt!, info.logVkey);
    // A promised statement's leaf is v2 and commits to the promise's times (docs/promises.md).
    expect(view.receipt!.promise).toBe(outcome.body.promise);
    expect(view.receipt!.leaf).toMatchObject({
      v: 2,
      acceptedAt: '2026-03-01T09:30:00.000Z',
      integrateBy: '2026-03-02T09:30:00.000Z',
      index: 3,
      type: 'info.exchange',
      issuer: 'state:JOR',
      seq: 1,
      visibility: 'public',
      envelope: envelopeDigest(envelope),
      evidence: [],
    });

    const parties = await h.service.parties();
    expect(parties.map((p) => p.id)).toEqual([OPERATOR, 'state:JOR', 'state:EGY']);
    const jor = await h.service.party('state:JOR');
    expect(jor.head).toEqual({ seq: 1, statement: outcome.body.statement });
    expect(jor.keys).toEqual([
      expect.objectContaining({
        keyid: h.key('state:JOR').keyid,
        status: 'active',
        validFromIndex: 1,
      }),
    ]);
    await checkInvariants(h.memory, h.signer.vkey);
  });

  it('answers 201 with a receipt when the statement is integrated within Prefer: wait', async () => {
    const signal = new InProcessIntegrationSignal();
    const h = new Harness({ integration: signal });
    await h.bootstrap(['state:JOR']);
    const integrator = h.newIntegrator({ onIntegrated: (ids) => signal.integrated(ids) });
    const stop = signal.onWork(() => void integrator.runOnce());
    const started = Date.now();
    const { outcome } = await h.issue('state:JOR', 'info.exchange', infoExchangeBody(), {
      waitSeconds: 10,
    });
    stop();
    // Woken by the integrator, not by the timeout.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(signal.waiting).toBe(0);
    expect(outcome.status).toBe(201);
    expect(outcome.body.status).toBe('integrated');
    verifyReceipt(outcome.body.receipt!, h.signer.vkey);
  });

  it('polls the store when there is no integration signal, and answers 202 when the wait runs out', async () => {
    const h = new Harness({ config: { maxWaitSeconds: 1 } });
    await h.bootstrap(['state:JOR']);
    const started = Date.now();
    const { outcome } = await h.issue('state:JOR', 'info.exchange', infoExchangeBody(), {
      waitSeconds: 30,
    });
    expect(outcome.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(3000);

    const timer = setTimeout(() => void h.integrator.runOnce(), 150);
    const second = await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2027), {
      waitSeconds: 1,
    });
    clearTimeout(timer);
    expect(second.outcome.status).toBe(201);
    verifyReceipt(second.outcome.body.receipt!, h.signer.vkey);
  });
});

describe('idempotency', () => {
  it('answers the same statement again with 200 and its current status, writing nothing', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR']);
    const { envelope, outcome } = await h.issue('state:JOR', 'info.exchange', infoExchangeBody());
    const before = dumpMemoryStores(h.memory);
    const again = await h.submitEnvelope(envelope);
    // The stored promise again, byte for byte: one statement never gets two promises.
    expect(outcome.body.promise).toMatch(/^cbm-ledger\/promise\/v1\n/);
    expect(again).toEqual({
      status: 200,
      body: {
        statement: outcome.body.statement,
        status: 'pending',
        promise: outcome.body.promise,
      },
    });
    expect(dumpMemoryStores(h.memory)).toBe(before);

    await h.integrate();
    const afterIntegration = await h.submitEnvelope(envelope);
    expect(afterIntegration.status).toBe(200);
    expect(afterIntegration.body.status).toBe('integrated');
    verifyReceipt(afterIntegration.body.receipt!, h.signer.vkey);
    await h.integrate();
    const leaves = await checkInvariants(h.memory, h.signer.vkey);
    expect(leaves.filter((l) => l.statement === outcome.body.statement)).toHaveLength(1);
  });

  it('rejects a different statement reusing a seq with 409 SEQ_CONFLICT and the issuer head', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR']);
    const first = await h.issue('state:JOR', 'info.exchange', infoExchangeBody());
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2027));
    const before = dumpMemoryStores(h.memory);
    const rival = h.statement('state:JOR', 'info.exchange', infoExchangeBody(2028), {
      seq: 2,
      prev: first.outcome.body.statement,
    });
    const err = await rejection(h.submitEnvelope(sign(rival, [h.key('state:JOR')])));
    expect(err.code).toBe('SEQ_CONFLICT');
    expect(problemStatus(err.code)).toBe(409);
    expect(err.extensions).toEqual({ head: { seq: 2, statement: h.chains.get('state:JOR')!.id } });
    expect(dumpMemoryStores(h.memory)).toBe(before);
  });

  it('finishes an earlier attempt that was accepted but never linked', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR']);
    const statement = h.statement('state:JOR', 'info.exchange', infoExchangeBody());
    const envelope = sign(statement, [h.key('state:JOR')]);
    const original = h.memory.statements.link.bind(h.memory.statements);
    h.memory.statements.link = () => Promise.reject(new Error('crash before link'));
    await expect(h.submitEnvelope(envelope)).rejects.toThrow('crash before link');
    h.memory.statements.link = original;
    const retry = await h.submitEnvelope(envelope);
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('pending');
    expect(await h.service.statement(retry.body.statement, {})).toMatchObject({ seq: 1 });
  });
});

describe('reads', () => {
  it('pages entries within the committed head and shows envelopes only to allowed viewers', async () => {
    const h = new Harness({ config: { pageLimit: 3 } });
    await h.bootstrap(['state:JOR', 'state:EGY', 'state:TUN']);
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(), {
      extra: { visibility: 'restricted', audience: ['state:EGY'] },
    });
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2027), {
      extra: { visibility: 'participants' },
    });
    await h.integrate();
    // A statement staged but not committed is invisible.
    await h.issue('state:EGY', 'info.exchange', infoExchangeBody());

    const first = await h.service.entries(0, 100, {});
    expect(first.entries.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(first).toMatchObject({ treeSize: 6, next: 3 });
    const second = await h.service.entries(3, 100, {});
    expect(second.entries.map((e) => e.index)).toEqual([3, 4, 5]);
    expect(second.next).toBeUndefined();
    expect(second.entries[0]!.envelope).toBeDefined(); // party.register is public
    expect(second.entries[1]!.envelope).toBeUndefined(); // restricted, anonymous
    expect(second.entries[2]!.envelope).toBeUndefined(); // participants, anonymous
    expect((await h.service.entries(6, 10, {})).entries).toEqual([]);

    expect((await h.service.entry(4, { party: 'state:EGY' })).envelope).toBeDefined();
    expect((await h.service.entry(4, { party: 'state:TUN' })).envelope).toBeUndefined();
    expect((await h.service.entry(4, { party: OPERATOR })).envelope).toBeDefined();
    expect((await h.service.entry(5, { party: 'state:TUN' })).envelope).toBeDefined();
    expect(second.entries[1]!.leaf.visibility).toBe('restricted');
    expect((await rejection(h.service.entry(6, {}))).code).toBe('NOT_FOUND');
  });

  it('serves inclusion and consistency proofs from stored nodes for any size up to the head', async () => {
    const h = new Harness({ config: { integrationBatchSize: 3 } });
    await h.bootstrap(['state:JOR', 'state:EGY']);
    const roots = new Map<number, Uint8Array>();
    for (let i = 0; i < 9; i++) {
      await h.issue(
        i % 2 === 0 ? 'state:JOR' : 'state:EGY',
        'info.exchange',
        infoExchangeBody(2000 + i),
      );
      await h.integrator.runOnce();
      const head = (await h.memory.log.readHead())!;
      roots.set(head.size, head.rootHash);
    }
    const head = (await h.memory.log.readHead())!;
    const leaves = await h.memory.log.readLeaves(0, head.size);
    for (const [size, root] of roots) {
      for (let index = 0; index < size; index++) {
        const p = await h.service.inclusionProof(index, size);
        expect(p.leafHash).toBe(toBase64(leafHash(leaves[index]!)));
        verifyInclusion(
          index,
          size,
          leafHash(leaves[index]!),
          p.hashes.map((x) => fromBase64(x)),
          root,
        );
      }
      const c = await h.service.consistencyProof(size, head.size);
      verifyConsistency(
        size,
        head.size,
        root,
        head.rootHash,
        c.hashes.map((x) => fromBase64(x)),
      );
    }
  });

  it('offers evidence uploads to the signing party and downloads only to viewers of a citing statement', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR', 'state:EGY']);
    const bytes = utf8Encode('lab report');
    const hex = sha256Hex(bytes);
    const jor = { party: 'state:JOR' };
    const announce = { sha256: hex, size: bytes.length, mediaType: 'application/pdf' };
    const offer = await h.service.createEvidenceUpload(announce, jor);
    expect(offer).toMatchObject({ sha256: hex, stored: false, upload: { method: 'PUT' } });
    expect(offer.upload!.url).toContain('state:JOR');
    expect(offer.upload!.headers['x-amz-checksum-sha256']).toBe(toBase64(fromHex(hex)));
    h.memory.evidence.putVerified(hex, bytes, 'application/pdf', 'state:JOR');
    expect(await h.service.createEvidenceUpload(announce, jor)).toEqual({
      ...announce,
      stored: true,
    });
    // Another party is told nothing of JOR's copy: it gets its own upload to make.
    expect(await h.service.createEvidenceUpload(announce, { party: 'state:EGY' })).toMatchObject({
      stored: false,
      upload: { method: 'PUT' },
    });
    expect((await rejection(h.service.evidenceDownload(hex, {}))).code).toBe('NOT_FOUND');

    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(), {
      extra: {
        visibility: 'restricted',
        audience: ['state:EGY'],
        evidence: [{ sha256: hex, size: bytes.length, mediaType: 'application/pdf' }],
      },
    });
    // One answer for "not readable by you" and "no such evidence": no existence oracle.
    const unknown = sha256Hex(utf8Encode('nothing'));
    for (const [sha, viewer] of [
      [hex, {}],
      [hex, { party: 'state:TUN' }],
      [unknown, {}],
      [unknown, { party: 'state:EGY' }],
    ] as const) {
      const err = await rejection(h.service.evidenceDownload(sha, viewer));
      expect({ code: err.code, status: problemStatus(err.code) }).toEqual({
        code: 'NOT_FOUND',
        status: 404,
      });
    }
    expect((await h.service.evidenceDownload(hex, { party: 'state:EGY' })).url).toContain(hex);
    await h.integrate();
    const leaves = await checkInvariants(h.memory, h.signer.vkey);
    expect(leaves.at(-1)!.evidence).toEqual([`sha256:${hex}`]);
  });

  it('refuses evidence upload requests that are unsigned, malformed or too large', async () => {
    const h = new Harness({ config: { maxEvidenceBytes: 1000 } });
    const hex = sha256Hex(utf8Encode('x'));
    const jor = { party: 'state:JOR' };
    const cases: [unknown, { party?: string }, string][] = [
      [{ sha256: hex, size: 1, mediaType: 'text/plain' }, {}, 'AUTH_REQUIRED'],
      [null, jor, 'SCHEMA_VIOLATION'],
      [[], jor, 'SCHEMA_VIOLATION'],
      [{ sha256: hex, size: 1, mediaType: 'text/plain', extra: 1 }, jor, 'UNKNOWN_FIELD'],
      [{ sha256: hex.toUpperCase(), size: 1, mediaType: 'text/plain' }, jor, 'SCHEMA_VIOLATION'],
      [{ sha256: hex, size: 0, mediaType: 'text/plain' }, jor, 'SCHEMA_VIOLATION'],
      [{ sha256: hex, size: 1.5, mediaType: 'text/plain' }, jor, 'SCHEMA_VIOLATION'],
      [{ sha256: hex, size: 1001, mediaType: 'text/plain' }, jor, 'EVIDENCE_TOO_LARGE'],
      [{ sha256: hex, size: 1, mediaType: 'text/plain; charset=utf-8' }, jor, 'SCHEMA_VIOLATION'],
      [{ sha256: hex, size: 1 }, jor, 'SCHEMA_VIOLATION'],
    ];
    for (const [body, viewer, code] of cases) {
      const err = await rejection(h.service.createEvidenceUpload(body, viewer));
      expect(err.code, JSON.stringify(body)).toBe(code);
      expect(problemStatus(err.code)).toBeLessThan(500);
    }
  });
});

describe('createGenesis', () => {
  it('builds the operator’s signed genesis, which an empty ledger admits and integrates as entry 0', async () => {
    const h = new Harness();
    const operatorKeyFile = generateKeyFile('operator:local', testKey('operator:local').seed);
    const envelope = createGenesis({
      origin: h.config.origin,
      operatorKeyFile: JSON.stringify(operatorKeyFile),
      logSeed: LOG_SEED,
      now: new Date(h.clock.now()),
      operatorName: 'Local operator',
    });
    expect(envelope.signatures.map((s) => s.keyid)).toEqual([operatorKeyFile.keyid]);
    const statement = parseStatement(fromBase64(envelope.payload));
    expect(statement).toMatchObject({
      type: 'ledger.genesis',
      issuer: 'operator:local',
      seq: 1,
      prev: null,
      visibility: 'public',
      body: { origin: h.config.origin, logVkey: h.signer.vkey },
    });
    expect((await h.submitEnvelope(envelope)).status).toBe(202);
    await h.integrate();
    expect(await h.service.info()).toMatchObject({ operator: 'operator:local', treeSize: 1 });
    expect(() =>
      createGenesis({
        origin: h.config.origin,
        operatorKeyFile: generateKeyFile('state:JOR'),
        logSeed: LOG_SEED,
        now: h.clock.now(),
      }),
    ).toThrow(/operator/);
  });
});
