/**
 * Authenticated reads over HTTP: who sees which statements, entries and evidence, and the table
 * of bad signed requests, each answered 401 with its code.
 */
import { describe, expect, it } from 'vitest';
import {
  fromBase64,
  generateKeyFile,
  keyFileSeed,
  sha256Hex,
  statementId,
  toBase64,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope } from '@cbm-ledger/protocol';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import type { Party, TestLedger } from '@cbm-ledger/functions/testing';
import { callAs, freshNonce, json } from './reads-fixture.js';

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

interface World {
  ledger: TestLedger;
  jor: Party;
  isr: Party;
  egy: Party;
  tun: Party;
  ids: { public: string; participants: string; restricted: string };
  indices: { public: number; participants: number; restricted: number };
  evidence: string;
}

async function world(): Promise<World> {
  const ledger = await createTestLedger();
  const jor = await ledger.registerState('state:JOR');
  const isr = await ledger.registerState('state:ISR');
  const egy = await ledger.registerState('state:EGY');
  const tun = await ledger.registerState('state:TUN');
  const content = utf8Encode('restricted annex');
  const evidence = sha256Hex(content);
  ledger.stores.evidence.putVerified(evidence, content, 'text/plain', jor.id);
  const submit = async (envelope: Envelope): Promise<string> => {
    const answer = await ledger.submit(envelope);
    expect(answer.statusCode, answer.body).toBe(202);
    return statementId(fromBase64(envelope.payload));
  };
  const ids = {
    public: await submit(ledger.sign(jor, 'risk.request', riskRequest('state:EGY', 'public?'))),
    participants: await submit(
      ledger.sign(jor, 'risk.request', riskRequest('state:EGY', 'participants?'), {
        visibility: 'participants',
      }),
    ),
    restricted: await submit(
      ledger.sign(jor, 'risk.request', riskRequest('state:ISR', 'restricted?'), {
        visibility: 'restricted',
        audience: ['state:ISR'],
        evidence: [{ sha256: evidence, size: content.length, mediaType: 'text/plain' }],
      }),
    ),
  };
  // TUN's only key is revoked: it can no longer sign anything, requests included.
  await ledger.submit(
    ledger.sign(ledger.operator, 'key.revoke', {
      party: 'state:TUN',
      keyid: tun.key.keyid,
      reason: 'compromised',
      effectiveAt: new Date().toISOString(),
    }),
  );
  await ledger.integrator.runUntilIdle();
  const indexOf = async (id: string): Promise<number> =>
    json<{ index: number }>(await ledger.call('GET', `/v1/statements/${id}`)).index;
  const indices = {
    public: await indexOf(ids.public),
    participants: await indexOf(ids.participants),
    restricted: await indexOf(ids.restricted),
  };
  return { ledger, jor, isr, egy, tun, ids, indices, evidence };
}

type Reader = 'anonymous' | 'issuer' | 'audience' | 'other party' | 'operator';

function reader(w: World, who: Reader): Party | undefined {
  switch (who) {
    case 'anonymous':
      return undefined;
    case 'issuer':
      return w.jor;
    case 'audience':
      return w.isr;
    case 'other party':
      return w.egy;
    case 'operator':
      return w.ledger.operator;
  }
}

function get(w: World, who: Reader, path: string, query?: Record<string, string>) {
  const party = reader(w, who);
  const options = query === undefined ? {} : { query };
  return party === undefined
    ? w.ledger.call('GET', path, options)
    : callAs(w.ledger, party, 'GET', path, options);
}

describe('authenticated reads: who reads what', () => {
  // [visibility, reader, may read]
  const matrix: [keyof World['ids'], Reader, boolean][] = [
    ['public', 'anonymous', true],
    ['public', 'other party', true],
    ['participants', 'anonymous', false],
    ['participants', 'issuer', true],
    ['participants', 'audience', true],
    ['participants', 'other party', true],
    ['participants', 'operator', true],
    ['restricted', 'anonymous', false],
    ['restricted', 'issuer', true],
    ['restricted', 'audience', true],
    ['restricted', 'other party', false],
    ['restricted', 'operator', true],
  ];

  it.each(matrix)('%s statement, %s reader: envelope %s', async (visibility, who, mayRead) => {
    const w = await world();
    const id = w.ids[visibility];
    const index = w.indices[visibility];
    const statement = await get(w, who, `/v1/statements/${id}`);
    expect(statement.statusCode).toBe(200);
    expect('envelope' in json(statement)).toBe(mayRead);
    const entry = await get(w, who, `/v1/entries/${index}`);
    expect('envelope' in json(entry)).toBe(mayRead);
    const page = json<{ entries: { index: number; envelope?: unknown }[] }>(
      await get(w, who, '/v1/entries', { start: String(index), limit: '1' }),
    );
    expect(page.entries.map((e) => [e.index, e.envelope !== undefined])).toEqual([
      [index, mayRead],
    ]);
  });

  it.each([
    // One answer for "not yours to read" and "no such evidence" (no existence oracle).
    ['anonymous', 404],
    ['other party', 404],
    ['issuer', 302],
    ['audience', 302],
    ['operator', 302],
  ] as [Reader, number][])(
    'evidence cited only by a restricted statement: %s gets %i',
    async (who, status) => {
      const w = await world();
      const answer = await get(w, who, `/v1/evidence/${w.evidence}`);
      expect(answer.statusCode).toBe(status);
    },
  );
});

describe('authenticated reads: bad signed requests', () => {
  const now = (): number => Math.floor(Date.now() / 1000);
  type Case = [string, (w: World) => ReturnType<TestLedger['call']>, string];
  const table: Case[] = [
    [
      'a bad signature',
      (w) =>
        callAs(w.ledger, w.jor, 'GET', '/v1/entries', {
          after: (h) => ({ ...h, signature: `cbm=:${toBase64(new Uint8Array(64).fill(1))}:` }),
        }),
      'AUTH_INVALID',
    ],
    [
      'Signature-Input without Signature',
      (w) =>
        callAs(w.ledger, w.jor, 'GET', '/v1/entries', {
          after: (h) => ({ 'signature-input': h['signature-input']! }),
        }),
      'AUTH_INVALID',
    ],
    [
      'an unknown keyid',
      (w) => callAs(w.ledger, keyFileSeed(generateKeyFile('state:OMN')), 'GET', '/v1/entries'),
      'AUTH_INVALID',
    ],
    ['a revoked key', (w) => callAs(w.ledger, w.tun, 'GET', '/v1/entries'), 'AUTH_INVALID'],
    [
      'an expired signature',
      (w) =>
        callAs(w.ledger, w.jor, 'GET', '/v1/entries', {
          created: now() - 400,
          expires: now() - 100,
        }),
      'AUTH_EXPIRED',
    ],
    [
      'created in the future',
      (w) => callAs(w.ledger, w.jor, 'GET', '/v1/entries', { created: now() + 120 }),
      'AUTH_INVALID',
    ],
    [
      'a window over 300 s',
      (w) => callAs(w.ledger, w.jor, 'GET', '/v1/entries', { expires: now() + 301 }),
      'AUTH_INVALID',
    ],
    [
      'another ledger’s tag (origin)',
      (w) => callAs(w.ledger, w.jor, 'GET', '/v1/entries', { tag: 'cbm-ledger.test/other' }),
      'AUTH_INVALID',
    ],
    [
      'a replayed nonce',
      async (w) => {
        const nonce = freshNonce();
        const first = await callAs(w.ledger, w.jor, 'GET', '/v1/entries', { nonce });
        expect(first.statusCode).toBe(200);
        return callAs(w.ledger, w.jor, 'GET', '/v1/entries', { nonce });
      },
      'AUTH_REPLAYED',
    ],
    [
      'a tampered path',
      (w) =>
        callAs(w.ledger, w.jor, 'GET', `/v1/statements/${w.ids.restricted}`, {
          signedPath: `/v1/statements/${w.ids.public}`,
        }),
      'AUTH_INVALID',
    ],
    [
      'a tampered query',
      (w) =>
        callAs(w.ledger, w.jor, 'GET', '/v1/entries', {
          query: { start: '0', limit: '5' },
          signedQuery: { start: '0', limit: '1' },
        }),
      'AUTH_INVALID',
    ],
    [
      'a tampered body (digest of another)',
      (w) =>
        callAs(w.ledger, w.jor, 'POST', '/v1/checkpoint/cosignatures', {
          headers: { 'content-type': 'application/json' },
          body: '{"checkpoint":"a","cosignature":"b"}',
          signedBody: '{"checkpoint":"a","cosignature":"c"}',
        }),
      'AUTH_INVALID',
    ],
  ];

  it.each(table)('answers %s with 401 %s… and the public view never', async (_name, send, code) => {
    const w = await world();
    const answer = await send(w);
    expect(answer.statusCode, answer.body).toBe(401);
    expect(json(answer)['code']).toBe(code);
    expect(answer.body).not.toContain('restricted?');
  });

  it('answers an unsigned request with the public view', async () => {
    const w = await world();
    const answer = await w.ledger.call('GET', `/v1/statements/${w.ids.restricted}`);
    expect(answer.statusCode).toBe(200);
    expect(json(answer)['envelope']).toBeUndefined();
  });

  it('answers a wrong method or an unknown path before looking at signature headers', async () => {
    const w = await world();
    const garbled = { after: () => ({ 'signature-input': 'x', signature: 'y' }) };
    expect((await callAs(w.ledger, w.jor, 'DELETE', '/v1/entries', garbled)).statusCode).toBe(405);
    expect((await callAs(w.ledger, w.jor, 'GET', '/v1/nothing', garbled)).statusCode).toBe(404);
    expect((await callAs(w.ledger, w.jor, 'GET', '/v1/ledger', garbled)).statusCode).toBe(401);
  });

  it('verifies a signed request with a body against its digest', async () => {
    const w = await world();
    const answer = await callAs(w.ledger, w.jor, 'POST', '/v1/checkpoint/cosignatures', {
      headers: { 'content-type': 'application/json' },
      body: '{"checkpoint":"a","cosignature":"b"}',
    });
    // Authenticated, then refused on its merits: the checkpoint is no note.
    expect(answer.statusCode).toBe(422);
    expect(json(answer)['code']).toBe('CHECKPOINT_UNKNOWN');
  });
});
