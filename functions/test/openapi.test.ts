import { describe, expect, it } from 'vitest';
import { apiRoutes, publicRoutes } from '../src/index.js';
import {
  checkResponse,
  document,
  validateDocument,
  validateValue,
} from '@cbm-ledger/functions/testing';

const operations = (): { method: string; path: string }[] =>
  Object.entries(document['paths'] as Record<string, Record<string, unknown>>).flatMap(
    ([path, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
  );

describe('the OpenAPI document', () => {
  it('is a structurally valid OpenAPI 3.1 document', () => {
    expect(validateDocument()).toEqual([]);
  });

  it('documents exactly the routes the API and the public view serve', () => {
    const served = [...apiRoutes, ...publicRoutes].map((r) => `${r.method} ${r.path}`).sort();
    const documented = operations()
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    expect(documented).toEqual(served);
  });

  it('lists every stable error code in the Problem schema', () => {
    const problem = (
      document['components'] as {
        schemas: Record<string, { properties: { code: { enum: string[] } } }>;
      }
    ).schemas['Problem']!;
    expect(problem.properties.code.enum).toEqual(
      expect.arrayContaining([
        'BODY_EMPTY',
        'SEQ_CONFLICT',
        'TREE_SIZE_BEYOND_LOG',
        'INTERNAL',
        'STORE_UNAVAILABLE',
      ]),
    );
  });
});

describe('the response checker', () => {
  // The checker guards every other test; these show it can fail.
  it('rejects values that break the schema', () => {
    const leaf = { $ref: '#/components/schemas/Leaf' };
    expect(validateValue({ v: 1 }, leaf).length).toBeGreaterThan(0);
    expect(validateValue('x', { type: 'integer' })).toEqual(['$: expected "integer", got string']);
    expect(
      validateValue({ parties: [], extra: 1 }, { $ref: '#/components/schemas/PartyList' }),
    ).toEqual(['$: unexpected property extra']);
  });

  it('rejects undocumented statuses, media types and bodies', () => {
    const ok = {
      method: 'GET',
      path: '/v1/checkpoint',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'note',
    };
    expect(checkResponse({ ...ok, status: 200 })).toEqual([]);
    expect(checkResponse({ ...ok, status: 201 })).toEqual([
      'GET /v1/checkpoint → 201: status not documented',
    ]);
    expect(
      checkResponse({ ...ok, status: 200, headers: { 'content-type': 'application/json' } }).length,
    ).toBe(1);
    expect(checkResponse({ ...ok, path: '/v1/unknown', status: 200 }).length).toBe(1);
    expect(
      checkResponse({
        method: 'GET',
        path: '/v1/ledger',
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).length,
    ).toBeGreaterThan(0);
    expect(
      checkResponse({
        method: 'DELETE',
        path: '/v1/ledger',
        status: 405,
        headers: { 'content-type': 'application/problem+json' },
        body: '{}',
      }),
    ).toEqual(['DELETE /v1/ledger → 405: 405 without Allow']);
  });
});
