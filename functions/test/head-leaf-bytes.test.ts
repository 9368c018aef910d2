/**
 * Small API contract points (issue 11 §5): HEAD answered on every GET path as GET is (no body),
 * each entry served with its leaf's canonical bytes, and no consistency proof from the empty tree.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalLeaf,
  fromBase64,
  hashLeaf,
  parseLeaf,
  toBase64,
  utf8Decode,
} from '@cbm-ledger/protocol';
import type { Leaf } from '@cbm-ledger/protocol';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createTestLedger, event } from '@cbm-ledger/functions/testing';
import type { TestLedger } from '@cbm-ledger/functions/testing';
import { publicView } from './reads-fixture.js';
import type { PublicView } from './reads-fixture.js';

let ledger: TestLedger;
let view: PublicView;
/** The API or the public view, by path, as the local runtime dispatches. */
const send = (e: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
  e.path.startsWith('/public/') ? view.handler(e) : ledger.api(e);
let statementId: string;

beforeAll(async () => {
  ledger = await createTestLedger();
  view = publicView(ledger);
  const jor = await ledger.registerState('state:JOR');
  const answer = await ledger.submit(
    ledger.sign(jor, 'risk.request', {
      to: 'operator:test',
      activity: {
        description: 'Columns moving',
        area: { description: 'Border crossing' },
        start: '2026-02-28T22:00:00Z',
        end: '2026-03-01T06:00:00Z',
      },
      question: 'Why?',
    }),
  );
  statementId = (JSON.parse(answer.body) as { statement: string }).statement;
  await ledger.integrator.runUntilIdle();
});

describe('HEAD on GET paths', () => {
  const paths: [string, Record<string, string>?][] = [
    ['/v1/ledger'],
    ['/v1/checkpoint'],
    ['/v1/entries', { start: '0' }],
    ['/v1/entries/0'],
    ['/v1/proofs/inclusion', { index: '0', treeSize: '2' }],
    ['/v1/proofs/consistency', { from: '1', to: '2' }],
    ['/v1/parties'],
    ['/v1/parties/state:JOR'],
    ['/v1/measures'],
    ['/v1/compliance'],
    ['/v1/openapi.json'],
    ['/public/v1/checkpoint'],
    ['/public/v1/entries/1'],
    // A GET that fails fails the same way under HEAD.
    ['/v1/entries/99'],
    ['/v1/proofs/consistency', { from: '0', to: '1' }],
    ['/public/v1/proofs/consistency', { from: '0', to: '1' }],
  ];
  it.each(paths)('HEAD %s answers as GET does, without a body', async (path, query) => {
    const get = await send(event('GET', path, query === undefined ? {} : { query }));
    const head = await send(event('HEAD', path, query === undefined ? {} : { query }));
    expect(head.statusCode).toBe(get.statusCode);
    expect(head.body).toBe('');
    expect(head.headers?.['content-type']).toBe(get.headers?.['content-type']);
    expect(head.headers?.['content-length']).toBe(String(Buffer.byteLength(get.body)));
  });

  it('HEAD of the statement path answers as its GET does', async () => {
    const path = `/v1/statements/${statementId}`;
    const get = await send(event('GET', path));
    const head = await send(event('HEAD', path));
    expect([head.statusCode, head.body]).toEqual([get.statusCode, '']);
  });

  const refused: [string, string, string][] = [
    ['HEAD', '/v1/statements', 'POST'],
    ['HEAD', '/v1/checkpoint/cosignatures', 'POST'],
    ['DELETE', '/v1/ledger', 'GET, HEAD'],
    ['POST', '/public/v1/checkpoint', 'GET, HEAD'],
  ];
  it.each(refused)('%s %s → 405, Allow: %s, nothing written', async (method, path, allow) => {
    const before = ledger.dump();
    const answer = await send(event(method, path));
    expect(answer.statusCode).toBe(405);
    expect(answer.headers?.['allow']).toBe(allow);
    if (method === 'HEAD') expect(answer.body).toBe('');
    else expect(JSON.parse(answer.body)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    expect(ledger.dump()).toBe(before);
  });
});

describe('no consistency proof from the empty tree', () => {
  it.each(['/v1/proofs/consistency', '/public/v1/proofs/consistency'])(
    '%s?from=0 → 400 RANGE_INVALID',
    async (path) => {
      for (const to of ['0', '1', '2']) {
        const answer = await send(event('GET', path, { query: { from: '0', to } }));
        expect(answer.statusCode).toBe(400);
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'RANGE_INVALID' });
      }
    },
  );
});

describe('entries carry their canonical leaf bytes', () => {
  interface Entry {
    leaf: Leaf;
    leafHash: string;
    leafBytes: string;
  }
  const check = (e: Entry): void => {
    const bytes = fromBase64(e.leafBytes);
    // What a verifier without JCS does: hash the bytes, then read the fields from them.
    expect(toBase64(hashLeaf(bytes))).toBe(e.leafHash);
    expect(parseLeaf(JSON.parse(utf8Decode(bytes)))).toEqual(e.leaf);
    expect(utf8Decode(bytes)).toBe(canonicalLeaf(e.leaf));
  };

  const get = (path: string, query?: Record<string, string>): Promise<APIGatewayProxyResult> =>
    path.startsWith('/public/')
      ? view.call(path, query === undefined ? {} : { query })
      : ledger.call('GET', path, query === undefined ? {} : { query });

  it.each(['/v1/entries/1', '/public/v1/entries/1'])('%s', async (path) => {
    const answer = await get(path);
    check(JSON.parse(answer.body) as Entry);
  });

  it.each(['/v1/entries', '/public/v1/entries'])('%s pages', async (path) => {
    const answer = await get(path, { start: '0' });
    const page = JSON.parse(answer.body) as { entries: Entry[] };
    expect(page.entries.length).toBeGreaterThanOrEqual(3);
    page.entries.forEach(check);
  });
});
