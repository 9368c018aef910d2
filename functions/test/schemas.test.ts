/**
 * GET /v1/schemas and /v1/schemas/{type} through the API handler (as the local runtime and the
 * read function serve them), and the statement schemas in the served OpenAPI document. Bad inputs
 * of these paths are rows of bad-input.test.ts.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  STATEMENT_SCHEMA_DIALECT,
  STATEMENT_TYPES,
  exampleBody,
  exampleIssuer,
  statementSchema,
  statementSchemaId,
  toBase64Url,
} from '@cbm-ledger/protocol';
import { readRoutes } from '../src/lambda/read.js';
import { statementComponent } from '../src/routes/openapi.js';
import { SCHEMA_CACHE_CONTROL, SCHEMA_CONTENT_TYPE } from '../src/routes/schemas.js';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import type { TestLedger } from '@cbm-ledger/functions/testing';
import { document } from '@cbm-ledger/functions/testing';

interface SchemaList {
  dialect: string;
  schemas: { type: string; id: string; href: string }[];
}

describe('statement schemas over HTTP', () => {
  let ledger: TestLedger;

  beforeAll(async () => {
    ledger = await createTestLedger();
  });

  it('lists one schema per statement type, each fetchable at its href', async () => {
    const answer = await ledger.call('GET', '/v1/schemas');
    expect(answer.statusCode).toBe(200);
    const list = JSON.parse(answer.body) as SchemaList;
    expect(list.dialect).toBe(STATEMENT_SCHEMA_DIALECT);
    expect(list.schemas.map((s) => s.type)).toEqual([...STATEMENT_TYPES]);
    for (const { type, id, href } of list.schemas) {
      expect(id).toBe(statementSchemaId(type as (typeof STATEMENT_TYPES)[number]));
      const one = await ledger.call('GET', href);
      expect(one.statusCode, href).toBe(200);
      expect(one.headers?.['content-type']).toBe(SCHEMA_CONTENT_TYPE);
      expect((JSON.parse(one.body) as { $id: string }).$id).toBe(id);
    }
  });

  it.each([...STATEMENT_TYPES])(
    'serves the schema of %s, which accepts its example statement',
    async (type) => {
      const answer = await ledger.call('GET', `/v1/schemas/${type}`);
      const schema = JSON.parse(answer.body) as Record<string, unknown>;
      expect(schema).toEqual(statementSchema(type));
      const ajv = new Ajv2020({
        strict: true,
        strictTuples: false,
        strictRequired: false,
        validateFormats: false,
      });
      const statement = {
        v: 1,
        ledger: 'cbm-ledger.example/mena',
        type,
        issuer: exampleIssuer(type),
        seq: 1,
        prev: null,
        issuedAt: '2026-03-01T09:30:00.000Z',
        nonce: toBase64Url(new Uint8Array(16).fill(7)),
        visibility: 'public',
        body: exampleBody(type),
      };
      expect(ajv.validate(schema, statement), ajv.errorsText()).toBe(true);
    },
  );

  it('tags each answer and answers a matching If-None-Match with 304', async () => {
    for (const path of ['/v1/schemas', '/v1/schemas/exercise.notification']) {
      const answer = await ledger.call('GET', path);
      const tag = String(answer.headers?.['etag']);
      expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(answer.headers?.['cache-control']).toBe(SCHEMA_CACHE_CONTROL);
      for (const ifNoneMatch of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
        const again = await ledger.call('GET', path, { headers: { 'if-none-match': ifNoneMatch } });
        expect(again.statusCode, ifNoneMatch).toBe(304);
        expect(again.body).toBe('');
        expect(again.headers?.['etag']).toBe(tag);
        expect(again.headers?.['content-type']).toBeUndefined();
      }
      const other = await ledger.call('GET', path, { headers: { 'if-none-match': '"other"' } });
      expect(other.statusCode).toBe(200);
    }
  });

  it('is served by the read function', () => {
    const paths = readRoutes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(expect.arrayContaining(['GET /v1/schemas', 'GET /v1/schemas/{type}']));
  });
});

describe('statement schemas in the OpenAPI document', () => {
  const schemas = (document['components'] as { schemas: Record<string, unknown> }).schemas;

  it.each([...STATEMENT_TYPES])('has the schema of %s as a component', (type) => {
    expect(schemas[statementComponent(type)]).toEqual(statementSchema(type));
  });

  it('keeps the hand-written components beside them', () => {
    expect(schemas['Problem']).toBeDefined();
    expect(schemas['FieldError']).toBeDefined();
  });
});
