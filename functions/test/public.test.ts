/**
 * The public transparency view over HTTP: what each path serves, its caching (ETag, 304,
 * immutable only for answers that never change), its bad-input table, and that serving it never
 * writes.
 */
import { describe, expect, it } from 'vitest';
import {
  cosign,
  fromBase64,
  openCheckpoint,
  parseNote,
  parseVkey,
  sha256,
  statementId,
  utf8Encode,
  verifyCosignatures,
  verifyInclusion,
  leafHash,
  ed25519,
  generateKeyFile,
  toBase64,
} from '@cbm-ledger/protocol';
import type { Leaf } from '@cbm-ledger/protocol';
import { IMMUTABLE, SHORT_LIVED, entityTag, withPublicView } from '../src/index.js';
import { createTestLedger, event } from '@cbm-ledger/functions/testing';
import type { TestLedger } from '@cbm-ledger/functions/testing';
import { json, publicView } from './reads-fixture.js';

const riskRequest = (to: string, question: string) => ({
  to,
  activity: {
    description: 'Armoured columns moving towards the border',
    // Named by an area and a time window: admission refuses requests that name no activity.
    area: { description: 'The border crossing' },
    start: '2026-01-01T00:00:00Z',
    end: '2026-01-02T00:00:00Z',
  },
  question,
});

async function world(): Promise<{ ledger: TestLedger; size: number; ids: string[] }> {
  const ledger = await createTestLedger();
  const jor = await ledger.registerState('state:JOR');
  await ledger.registerState('state:EGY');
  const ids: string[] = [];
  for (const [i, visibility] of (['public', 'participants', 'public'] as const).entries()) {
    const envelope = ledger.sign(jor, 'risk.request', riskRequest('state:EGY', `question ${i}?`), {
      visibility,
    });
    expect((await ledger.submit(envelope)).statusCode).toBe(202);
    ids.push(statementId(fromBase64(envelope.payload)));
  }
  await ledger.integrator.runUntilIdle();
  const size = json<{ treeSize: number }>(await ledger.call('GET', '/v1/ledger')).treeSize;
  return { ledger, size, ids };
}

const cacheControl = (r: { headers?: Record<string, unknown> }): unknown =>
  r.headers?.['cache-control'];

describe('the public view: content', () => {
  it('serves entries with public statements in full and others as leaves only', async () => {
    const { ledger, size } = await world();
    const view = publicView(ledger);
    const page = json<{
      start: number;
      next: number;
      entries: { leaf: Leaf; envelope?: unknown }[];
    }>(await view.call('/public/v1/entries', { query: { start: String(size - 3), limit: '3' } }));
    expect(page.start).toBe(size - 3);
    expect(page.next).toBe(size);
    expect(page.entries.map((e) => [e.leaf.visibility, e.envelope !== undefined])).toEqual([
      ['public', true],
      ['participants', false],
      ['public', true],
    ]);
  });

  it('serves the checkpoint with cosignatures and proofs that verify against it', async () => {
    const ledger = await createTestLedger();
    const seed = sha256(utf8Encode('public-test witness'));
    const witness = { name: 'w.example/public', publicKey: ed25519.publicKeyFromSeed(seed) };
    const key = generateKeyFile('observer:w');
    const register = ledger.sign(ledger.operator, 'party.register', {
      party: { id: 'observer:w', name: 'Witness', kind: 'observer' },
      keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
      witness: { name: witness.name, publicKey: toBase64(witness.publicKey) },
    });
    expect((await ledger.submit(register)).statusCode).toBe(202);
    await ledger.integrator.runUntilIdle();
    const view = publicView(ledger);
    const note = (await view.call('/public/v1/checkpoint')).body;
    const line = cosign(parseNote(note).text, witness.name, seed, Math.floor(Date.now() / 1000));
    const kept = await ledger.call('POST', '/v1/checkpoint/cosignatures', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkpoint: note, cosignature: line }),
    });
    expect(kept.statusCode, kept.body).toBe(201);
    const served = (await view.call('/public/v1/checkpoint')).body;
    expect(served).toBe(`${note}${line}\n`);
    expect(verifyCosignatures(served, [witness]).map((v) => v.name)).toEqual([witness.name]);
    const { checkpoint } = openCheckpoint(served, parseVkey(ledger.logVkey));
    const status = json<{ cosignatures: unknown[]; checkpoint: string }>(
      await view.call(`/public/v1/checkpoints/${checkpoint.size}`),
    );
    expect(status.checkpoint).toBe(served);
    expect(status.cosignatures).toHaveLength(1);
    const entry = json<{ leaf: Leaf }>(await view.call('/public/v1/entries/1'));
    const proof = json<{ hashes: string[] }>(
      await view.call('/public/v1/proofs/inclusion', {
        query: { index: '1', treeSize: String(checkpoint.size) },
      }),
    );
    expect(() =>
      verifyInclusion(
        1,
        checkpoint.size,
        leafHash(entry.leaf),
        proof.hashes.map((h) => fromBase64(h)),
        checkpoint.rootHash,
      ),
    ).not.toThrow();
  });

  it('ignores signature headers: the public view is the same for everyone', async () => {
    const { ledger, size } = await world();
    const view = publicView(ledger);
    const anonymous = await view.call(`/public/v1/entries/${size - 2}`);
    const garbled = await view.call(`/public/v1/entries/${size - 2}`, {
      headers: { 'signature-input': 'cbm=garbage', signature: 'cbm=:AA==:' },
    });
    expect(garbled.statusCode).toBe(200);
    expect(garbled.body).toBe(anonymous.body);
  });

  it('routes /public/v1/ to the public view and everything else to the API', async () => {
    const { ledger } = await world();
    const view = publicView(ledger);
    const both = withPublicView(ledger.api, view.handler);
    const pub = await both(event('GET', '/public/v1/checkpoint'));
    expect(pub.headers?.['etag']).toBeDefined();
    const api = await both(event('GET', '/v1/checkpoint'));
    expect(api.headers?.['etag']).toBeUndefined();
    expect(api.body).toBe(pub.body);
    expect((await both(event('GET', '/public/v2/checkpoint'))).statusCode).toBe(404);
  });

  it('never writes, whatever it is asked', async () => {
    const { ledger, size } = await world();
    const view = publicView(ledger);
    const before = ledger.dump();
    for (const path of [
      '/public/v1/ledger',
      '/public/v1/checkpoint',
      '/public/v1/entries',
      `/public/v1/entries/${size - 1}`,
      '/public/v1/feed.json',
      '/public/v1/measures',
      '/public/v1/compliance',
    ]) {
      expect((await view.call(path)).statusCode).toBe(200);
    }
    expect(
      (await view.handler(event('POST', '/public/v1/entries', { body: '{}' }))).statusCode,
    ).toBe(405);
    expect(ledger.dump()).toBe(before);
  });
});

describe('the public view: caching', () => {
  it('makes closed pages, entries and pinned proofs immutable; everything else short-lived', async () => {
    const { ledger, size } = await world();
    const view = publicView(ledger);
    const at = new Date().toISOString();
    const rows: [string, Record<string, string>, string][] = [
      ['/public/v1/checkpoint', {}, SHORT_LIVED],
      ['/public/v1/ledger', {}, SHORT_LIVED],
      ['/public/v1/entries', {}, SHORT_LIVED],
      ['/public/v1/entries', { start: '0' }, SHORT_LIVED],
      ['/public/v1/entries', { start: '0', limit: String(size) }, IMMUTABLE],
      ['/public/v1/entries', { start: '0', limit: String(size + 1) }, SHORT_LIVED],
      [`/public/v1/entries/${size - 1}`, {}, IMMUTABLE],
      ['/public/v1/proofs/inclusion', { index: '0', treeSize: String(size) }, IMMUTABLE],
      ['/public/v1/proofs/consistency', { from: '1', to: String(size) }, IMMUTABLE],
      ['/public/v1/feed.json', {}, SHORT_LIVED],
      ['/public/v1/feed.json', { before: String(size) }, IMMUTABLE],
      ['/public/v1/measures', { at }, SHORT_LIVED],
      ['/public/v1/compliance', {}, SHORT_LIVED],
      ['/public/v1/compliance', { at }, SHORT_LIVED],
      ['/public/v1/compliance', { at, treeSize: String(size) }, IMMUTABLE],
    ];
    for (const [path, query, expected] of rows) {
      const answer = await view.call(path, { query });
      expect(answer.statusCode, `${path} ${JSON.stringify(query)}`).toBe(200);
      expect(cacheControl(answer), `${path} ${JSON.stringify(query)}`).toBe(expected);
      expect(answer.headers?.['etag']).toBe(entityTag(answer.body));
    }
  });

  it('serves an immutable page byte for byte the same after the log grew', async () => {
    const { ledger, size } = await world();
    const view = publicView(ledger);
    const query = { start: '0', limit: String(size) };
    const before = await view.call('/public/v1/entries', { query });
    const feedBefore = await view.call('/public/v1/feed.json', { query: { before: String(size) } });
    await ledger.registerState('state:SAU');
    expect((await view.call('/public/v1/entries', { query })).body).toBe(before.body);
    expect(
      (await view.call('/public/v1/feed.json', { query: { before: String(size) } })).body,
    ).toBe(feedBefore.body);
  });

  it('answers If-None-Match with 304 when a tag matches, weakly compared', async () => {
    const { ledger, size } = await world();
    const view = publicView(ledger);
    const path = `/public/v1/entries/${size - 1}`;
    const first = await view.call(path);
    const tag = String(first.headers?.['etag']);
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    for (const ifNoneMatch of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
      const again = await view.call(path, { headers: { 'if-none-match': ifNoneMatch } });
      expect(again.statusCode, ifNoneMatch).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers?.['etag']).toBe(tag);
      expect(cacheControl(again)).toBe(IMMUTABLE);
      expect(again.headers?.['content-type']).toBeUndefined();
    }
    const other = await view.call(path, { headers: { 'if-none-match': '"other"' } });
    expect(other.statusCode).toBe(200);
    expect(other.body).toBe(first.body);
  });

  it('never caches an error', async () => {
    const { ledger, size } = await world();
    const view = publicView(ledger);
    const answer = await view.call(`/public/v1/entries/${size + 5}`);
    expect(answer.statusCode).toBe(404);
    expect(cacheControl(answer)).toBe('no-store');
    expect(answer.headers?.['etag']).toBeUndefined();
  });
});

describe('the public view: bad input', () => {
  const table: [string, string, Record<string, string>, number, string][] = [
    ['an unknown query parameter', '/public/v1/entries', { foo: '1' }, 400, 'MALFORMED'],
    ['limit 0', '/public/v1/entries', { limit: '0' }, 400, 'RANGE_INVALID'],
    ['limit over the page limit', '/public/v1/entries', { limit: '1001' }, 400, 'RANGE_INVALID'],
    ['a non-canonical start', '/public/v1/entries', { start: '01' }, 400, 'MALFORMED'],
    ['an entry index that is no integer', '/public/v1/entries/x', {}, 400, 'MALFORMED'],
    ['an entry beyond the log', '/public/v1/entries/999', {}, 404, 'NOT_FOUND'],
    [
      'an inclusion proof without treeSize',
      '/public/v1/proofs/inclusion',
      { index: '0' },
      400,
      'MALFORMED',
    ],
    [
      'a treeSize beyond the log',
      '/public/v1/proofs/inclusion',
      { index: '0', treeSize: '999' },
      400,
      'TREE_SIZE_BEYOND_LOG',
    ],
    [
      'a consistency proof backwards',
      '/public/v1/proofs/consistency',
      { from: '3', to: '2' },
      400,
      'RANGE_INVALID',
    ],
    [
      'a feed position beyond the log',
      '/public/v1/feed.json',
      { before: '999' },
      400,
      'RANGE_INVALID',
    ],
    ['a feed limit of 0', '/public/v1/feed.json', { limit: '0' }, 400, 'RANGE_INVALID'],
    ['a malformed at', '/public/v1/compliance', { at: 'yesterday' }, 400, 'AT_INVALID'],
    [
      'a compliance treeSize beyond the log',
      '/public/v1/compliance',
      { treeSize: '999' },
      400,
      'TREE_SIZE_BEYOND_LOG',
    ],
    ['a malformed at for measures', '/public/v1/measures', { at: '2026-01-01' }, 400, 'AT_INVALID'],
    ['an unknown measure', '/public/v1/measures/no-such/timeline', {}, 404, 'NOT_FOUND'],
    ['a malformed measure id', '/public/v1/measures/NO!/timeline', {}, 400, 'MALFORMED'],
    ['a checkpoint size the log never signed', '/public/v1/checkpoints/999', {}, 404, 'NOT_FOUND'],
    ['an unknown path', '/public/v1/statements', {}, 404, 'NOT_FOUND'],
  ];

  it.each(table)('answers %s with %i %s', async (_name, path, query, status, code) => {
    const { ledger } = await world();
    const before = ledger.dump();
    const answer = await publicView(ledger).call(path, { query });
    expect(answer.statusCode, answer.body).toBe(status);
    expect(json(answer)['code']).toBe(code);
    expect(ledger.dump()).toBe(before);
  });
});
