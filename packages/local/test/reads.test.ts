/**
 * Authenticated reads and the public view on the local runtime, over real HTTP: the adapter must
 * hand the handler the path and query the client signed, and /public/v1/ must be mounted.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatQuery,
  generateKeyFile,
  keyFileSeed,
  signRequestHeaders,
  toBase64Url,
} from '@cbm-ledger/protocol';
import type { KeyFile } from '@cbm-ledger/protocol';
import { build, call, next, operatorOf, start, stop } from './harness.js';
import type { Issuer, Runtime } from './harness.js';

const ORIGIN = 'cbm-ledger.local/dev';
const SECRET = 'only-participants-may-read-this-question';

let runtime: Runtime;
let jor: Issuer;
let participantsId: string;
let nonce = 0;

function signed(
  key: KeyFile,
  path: string,
  query: Record<string, string> = {},
  fixedNonce?: string,
) {
  const created = Math.floor(Date.now() / 1000);
  const raw = formatQuery(Object.entries(query));
  const headers = signRequestHeaders(
    { method: 'GET', path, query: raw },
    {
      seed: keyFileSeed(key),
      tag: ORIGIN,
      created,
      expires: created + 60,
      nonce: fixedNonce ?? toBase64Url(new Uint8Array(16).fill(++nonce)),
    },
  );
  return { target: raw === '' ? path : `${path}?${raw}`, headers };
}

beforeAll(async () => {
  build();
  const dataDir = await mkdtemp(join(tmpdir(), 'cbm-local-reads-'));
  runtime = await start(dataDir);
  const operator = await operatorOf(runtime, dataDir);
  const key = generateKeyFile('state:JOR');
  const register = next(ORIGIN, operator, 'party.register', {
    party: { id: 'state:JOR', name: 'Jordan', kind: 'state' },
    keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
  });
  const registered = await call(runtime, 'POST', '/v1/statements', {
    headers: { 'content-type': 'application/json', prefer: 'wait=10' },
    body: JSON.stringify(register.envelope),
  });
  expect(registered.status, registered.text).toBe(201);
  register.commit();
  jor = { id: 'state:JOR', key, seq: 0, prev: null };
  const statement = next(
    ORIGIN,
    jor,
    'risk.request',
    {
      to: 'state:EGY',
      activity: {
        description: 'Armoured columns moving towards the border',
        // Named by an area and a time window: admission refuses requests that name no activity.
        area: { description: 'The border crossing' },
        start: '2026-01-01T00:00:00Z',
        end: '2026-01-02T00:00:00Z',
      },
      question: SECRET,
    },
    { visibility: 'participants' },
  );
  const answer = await call(runtime, 'POST', '/v1/statements', {
    headers: { 'content-type': 'application/json', prefer: 'wait=10' },
    body: JSON.stringify(statement.envelope),
  });
  expect(answer.status, answer.text).toBe(201);
  statement.commit();
  participantsId = statement.id;
}, 300_000);

afterAll(async () => {
  if (runtime !== undefined) await stop(runtime);
});

describe('the local runtime: authenticated reads and the public view', () => {
  it('reads a participants statement as a signed party, over real HTTP', async () => {
    const anonymous = await call(runtime, 'GET', `/v1/statements/${participantsId}`);
    expect(anonymous.json()['envelope']).toBeUndefined();
    const { target, headers } = signed(jor.key, `/v1/statements/${participantsId}`);
    const answer = await call(runtime, 'GET', target, { headers });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json()['envelope']).toBeDefined();
  });

  it('verifies the signed query as the adapter passes it, and refuses a replay', async () => {
    const fixed = toBase64Url(new Uint8Array(16).fill(200));
    const { target, headers } = signed(jor.key, '/v1/entries', { start: '0', limit: '10' }, fixed);
    const first = await call(runtime, 'GET', target, { headers });
    expect(first.status, first.text).toBe(200);
    const entries = first.json<{ entries: { envelope?: unknown }[] }>().entries;
    expect(entries.every((e) => e.envelope !== undefined)).toBe(true);
    const replay = await call(runtime, 'GET', target, { headers });
    expect(replay.status).toBe(401);
    expect(replay.json()['code']).toBe('AUTH_REPLAYED');
  });

  it('serves the public view, cacheable, without the participants statement', async () => {
    const checkpoint = await call(runtime, 'GET', '/public/v1/checkpoint');
    expect(checkpoint.status).toBe(200);
    expect(checkpoint.headers.get('cache-control')).toBe('public, max-age=5');
    const size = (await call(runtime, 'GET', '/public/v1/ledger')).json<{ treeSize: number }>()
      .treeSize;
    const page = await call(runtime, 'GET', `/public/v1/entries?start=0&limit=${size}`);
    expect(page.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const tag = page.headers.get('etag')!;
    expect(page.text).toContain(participantsId);
    expect(page.text).not.toContain(SECRET);
    const feed = await call(runtime, 'GET', '/public/v1/feed.json');
    expect(feed.headers.get('content-type')).toBe('application/feed+json');
    expect(feed.text).not.toContain(SECRET);
    const again = await fetch(`${runtime.url}/public/v1/entries?start=0&limit=${size}`, {
      headers: { 'if-none-match': tag },
    });
    expect(again.status).toBe(304);
  });
});
