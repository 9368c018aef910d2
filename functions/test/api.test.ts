import { describe, expect, it } from 'vitest';
import {
  fromBase64,
  leafHash,
  openCheckpoint,
  parseVkey,
  sha256Hex,
  utf8Encode,
  verifyConsistency,
  verifyInclusion,
} from '@cbm-ledger/protocol';
import type { Leaf } from '@cbm-ledger/protocol';
import { callAs } from './reads-fixture.js';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import type { TestLedger } from '@cbm-ledger/functions/testing';
import { document } from '@cbm-ledger/functions/testing';

const riskRequest = (to: string) => ({
  to,
  activity: {
    description: 'Armoured columns moving towards the border',
    // Named by an area and a time window: admission refuses requests that name no activity.
    area: { description: 'The border crossing' },
    start: '2026-01-01T00:00:00Z',
    end: '2026-01-02T00:00:00Z',
  },
  question: 'What is the purpose of this activity?',
});

function body<T = Record<string, unknown>>(r: { body: string }): T {
  return JSON.parse(r.body) as T;
}

function rootOf(ledger: TestLedger, note: string): { size: number; root: Uint8Array } {
  const { checkpoint } = openCheckpoint(note, parseVkey(ledger.logVkey));
  return { size: checkpoint.size, root: checkpoint.rootHash };
}

describe('the API over the ledger service', () => {
  it('describes the ledger at GET /v1/ledger', async () => {
    const ledger = await createTestLedger();
    const answer = await ledger.call('GET', '/v1/ledger');
    expect(answer.statusCode).toBe(200);
    expect(body(answer)).toMatchObject({
      origin: ledger.config.origin,
      logVkey: ledger.logVkey,
      operator: 'operator:test',
      treeSize: 1,
    });
  });

  it('accepts a statement with 202, then serves its receipt once integrated', async () => {
    const ledger = await createTestLedger();
    const jor = await ledger.registerState('state:JOR');
    const envelope = ledger.sign(jor, 'risk.request', riskRequest('state:EGY'));
    const accepted = await ledger.submit(envelope);
    expect(accepted.statusCode).toBe(202);
    const { statement, status } = body<{ statement: string; status: string }>(accepted);
    expect(status).toBe('pending');
    expect(accepted.headers?.['location']).toBe(`/v1/statements/${statement}`);

    const pending = await ledger.call('GET', `/v1/statements/${statement}`);
    expect(body(pending)).toMatchObject({ statement, status: 'pending', issuer: 'state:JOR' });

    await ledger.integrator.runUntilIdle();
    // The colon of the id may arrive percent-encoded.
    const path = `/v1/statements/${statement.replace(':', '%3A')}`;
    const integrated = await ledger.call('GET', path);
    const view = body<{
      status: string;
      envelope: unknown;
      receipt: {
        leaf: Leaf;
        inclusion: { index: number; treeSize: number; hashes: string[] };
        checkpoint: string;
      };
    }>(integrated);
    expect(view.status).toBe('integrated');
    expect(view.envelope).toEqual(envelope);
    const { leaf, inclusion, checkpoint } = view.receipt;
    const { size, root } = rootOf(ledger, checkpoint);
    expect(size).toBe(inclusion.treeSize);
    expect(() =>
      verifyInclusion(
        leaf.index,
        size,
        leafHash(leaf),
        inclusion.hashes.map((h) => fromBase64(h)),
        root,
      ),
    ).not.toThrow();
  });

  it('waits for integration with Prefer: wait=N and answers 201 with the receipt', async () => {
    const ledger = await createTestLedger();
    const jor = await ledger.registerState('state:JOR');
    ledger.autoIntegrate();
    const answer = await ledger.submit(ledger.sign(jor, 'risk.request', riskRequest('state:EGY')), {
      prefer: 'respond-async, wait=5',
    });
    expect(answer.statusCode).toBe(201);
    expect(answer.headers?.['preference-applied']).toBe('wait=5');
    const result = body<{ status: string; index: number; receipt: { leaf: Leaf } }>(answer);
    expect(result.status).toBe('integrated');
    expect(result.receipt.leaf.index).toBe(result.index);
  });

  it('answers 200 for the same statement again and never adds a second leaf', async () => {
    const ledger = await createTestLedger();
    const jor = await ledger.registerState('state:JOR');
    const envelope = ledger.sign(jor, 'risk.request', riskRequest('state:EGY'));
    expect((await ledger.submit(envelope)).statusCode).toBe(202);
    const again = await ledger.submit(envelope);
    expect(again.statusCode).toBe(200);
    expect(body(again)['status']).toBe('pending');
    await ledger.integrator.runUntilIdle();
    const once = body<{ treeSize: number }>(await ledger.call('GET', '/v1/ledger')).treeSize;
    const third = await ledger.submit(envelope);
    expect(third.statusCode).toBe(200);
    expect(body(third)).toMatchObject({ status: 'integrated', index: once - 1 });
    await ledger.integrator.runUntilIdle();
    expect(body<{ treeSize: number }>(await ledger.call('GET', '/v1/ledger')).treeSize).toBe(once);
  });

  it("answers 409 SEQ_CONFLICT with the issuer's head for another statement on a used seq", async () => {
    const ledger = await createTestLedger();
    const jor = await ledger.registerState('state:JOR');
    const first = ledger.sign(jor, 'risk.request', riskRequest('state:EGY'));
    const accepted = body<{ statement: string }>(await ledger.submit(first));
    jor.seq = 0;
    jor.prev = null;
    const rival = ledger.sign(jor, 'risk.request', riskRequest('state:SYR'));
    const conflict = await ledger.submit(rival);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.headers?.['content-type']).toBe('application/problem+json');
    expect(body(conflict)).toMatchObject({
      code: 'SEQ_CONFLICT',
      status: 409,
      type: 'urn:cbm-ledger:problem:seq-conflict',
      head: { seq: 1, statement: accepted.statement },
    });
  });

  it('reads base64-encoded bodies exactly as API Gateway delivers binary media types', async () => {
    const ledger = await createTestLedger();
    const jor = await ledger.registerState('state:JOR');
    const envelope = ledger.sign(jor, 'risk.request', riskRequest('state:EGY'));
    const answer = await ledger.call('POST', '/v1/statements', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(envelope),
      base64: true,
    });
    expect(answer.statusCode).toBe(202);
  });

  it('pages entries and serves single entries, the checkpoint and verifiable proofs', async () => {
    const ledger = await createTestLedger();
    const jor = await ledger.registerState('state:JOR');
    for (let i = 0; i < 5; i++) {
      await ledger.submit(ledger.sign(jor, 'risk.request', riskRequest('state:EGY')));
    }
    await ledger.integrator.runUntilIdle();
    const first = body<{
      entries: { index: number; leafHash: string }[];
      treeSize: number;
      next: number;
    }>(await ledger.call('GET', '/v1/entries', { query: { start: '0', limit: '3' } }));
    expect(first.treeSize).toBe(7);
    expect(first.entries.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(first.next).toBe(3);
    const rest = body<{ entries: { index: number }[]; next?: number }>(
      await ledger.call('GET', '/v1/entries', { query: { start: String(first.next) } }),
    );
    expect(rest.entries.map((e) => e.index)).toEqual([3, 4, 5, 6]);
    expect(rest.next).toBeUndefined();

    const entry = body<{ leaf: Leaf; leafHash: string; envelope: unknown }>(
      await ledger.call('GET', '/v1/entries/4'),
    );
    expect(entry.leaf.index).toBe(4);
    expect(entry.envelope).toBeDefined();

    const checkpoint = await ledger.call('GET', '/v1/checkpoint');
    expect(checkpoint.headers?.['content-type']).toBe('text/plain; charset=utf-8');
    const { size, root } = rootOf(ledger, checkpoint.body);
    expect(size).toBe(7);

    const inclusion = body<{ leafHash: string; hashes: string[] }>(
      await ledger.call('GET', '/v1/proofs/inclusion', { query: { index: '4', treeSize: '7' } }),
    );
    expect(inclusion.leafHash).toBe(entry.leafHash);
    expect(() =>
      verifyInclusion(
        4,
        7,
        fromBase64(inclusion.leafHash),
        inclusion.hashes.map((h) => fromBase64(h)),
        root,
      ),
    ).not.toThrow();

    const older = (await ledger.call('GET', '/v1/checkpoint')).body;
    const jorMore = ledger.sign(jor, 'risk.request', riskRequest('state:EGY'));
    await ledger.submit(jorMore);
    await ledger.integrator.runUntilIdle();
    const newer = rootOf(ledger, (await ledger.call('GET', '/v1/checkpoint')).body);
    const consistency = body<{ hashes: string[] }>(
      await ledger.call('GET', '/v1/proofs/consistency', { query: { from: '7', to: '8' } }),
    );
    expect(() =>
      verifyConsistency(
        7,
        8,
        rootOf(ledger, older).root,
        newer.root,
        consistency.hashes.map((h) => fromBase64(h)),
      ),
    ).not.toThrow();
  });

  it('lists parties and serves one with its keys and chain head', async () => {
    const ledger = await createTestLedger();
    const jor = await ledger.registerState('state:JOR');
    const accepted = body<{ statement: string }>(
      await ledger.submit(ledger.sign(jor, 'risk.request', riskRequest('state:EGY'))),
    );
    const list = body<{ parties: { id: string }[] }>(await ledger.call('GET', '/v1/parties'));
    expect(list.parties.map((p) => p.id).sort()).toEqual(['operator:test', 'state:JOR']);
    const party = body<{ keys: { keyid: string }[]; head: unknown }>(
      await ledger.call('GET', '/v1/parties/state%3AJOR'),
    );
    expect(party.keys.map((k) => k.keyid)).toEqual([jor.key.keyid]);
    expect(party.head).toEqual({ seq: 1, statement: accepted.statement });
  });

  it('hands out evidence uploads to the signing party and redirects downloads of cited evidence', async () => {
    const ledger = await createTestLedger();
    const jor = await ledger.registerState('state:JOR');
    const content = utf8Encode('satellite imagery, 2025-03-01');
    const sha256 = sha256Hex(content);
    const request = { sha256, size: content.length, mediaType: 'text/plain' };
    const options = {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(request),
    };
    const post = (): ReturnType<TestLedger['call']> =>
      callAs(ledger, jor, 'POST', '/v1/evidence', options);
    const upload = body<{ stored: boolean; upload: { method: string; url: string } }>(await post());
    expect(upload.stored).toBe(false);
    expect(upload.upload.method).toBe('PUT');
    expect((await ledger.call('POST', '/v1/evidence', options)).statusCode).toBe(401);

    ledger.stores.evidence.putVerified(sha256, content, 'text/plain', jor.id);
    expect(body(await post())).toMatchObject({ stored: true, sha256 });

    // Not cited by any statement yet: nobody may download it.
    expect((await ledger.call('GET', `/v1/evidence/${sha256}`)).statusCode).toBe(404);
    await ledger.submit(
      ledger.sign(jor, 'risk.request', riskRequest('state:EGY'), {
        evidence: [{ sha256, size: content.length, mediaType: 'text/plain' }],
      }),
    );
    const download = await ledger.call('GET', `/v1/evidence/${sha256}`);
    expect(download.statusCode).toBe(302);
    expect(download.headers?.['location']).toContain(sha256);
  });

  it('serves its OpenAPI document', async () => {
    const ledger = await createTestLedger();
    const answer = await ledger.call('GET', '/v1/openapi.json');
    expect(JSON.parse(answer.body)).toEqual(document);
  });
});
