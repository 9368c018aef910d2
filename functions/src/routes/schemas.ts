/**
 * GET /v1/schemas and GET /v1/schemas/{type}: the JSON Schema (draft 2020-12) of every statement
 * type, built from the validators themselves (@cbm-ledger/protocol statementSchema), so what is
 * published is what POST /v1/statements checks. Static for the life of a deployment and read by
 * editors and code generators over and over: each answer carries a strong ETag and is cacheable
 * like the OpenAPI document. Not `immutable`: the URL names a type, not a version, and an
 * additive extension (docs/registry.md) may add a member to a type on a later deployment.
 */
import { LedgerError } from '@cbm-ledger/ledger';
import type { ReadRole } from '@cbm-ledger/ledger';
import {
  STATEMENT_SCHEMA_DIALECT,
  STATEMENT_TYPES,
  isStatementType,
  statementSchema,
  statementSchemaId,
} from '@cbm-ledger/protocol';
import type { StatementType } from '@cbm-ledger/protocol';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { withEntityTag } from '../http/entity-tag.js';
import { Query } from '../http/request.js';
import type { ApiRoute } from './deps.js';

export const SCHEMAS_PATH = '/v1/schemas';

/** The media type of a JSON Schema document (JSON Schema 2020-12 core, §14.1). */
export const SCHEMA_CONTENT_TYPE = 'application/schema+json';

/** Same lifetime as the OpenAPI document: both change only with a deployment. */
export const SCHEMA_CACHE_CONTROL = 'public, max-age=300';

/** Where the schema of `type` is served. */
export function schemaHref(type: StatementType): string {
  return `${SCHEMAS_PATH}/${type}`;
}

// Serialised once: the schemas are static for the life of the bundle.
const schemaBodies = new Map<string, string>(
  STATEMENT_TYPES.map((type) => [type, JSON.stringify(statementSchema(type))]),
);

const listBody = JSON.stringify({
  dialect: STATEMENT_SCHEMA_DIALECT,
  schemas: STATEMENT_TYPES.map((type) => ({
    type,
    id: statementSchemaId(type),
    href: schemaHref(type),
  })),
});

function cacheable(
  event: APIGatewayProxyEvent,
  contentType: string,
  body: string,
): APIGatewayProxyResult {
  return withEntityTag(event, {
    statusCode: 200,
    headers: { 'content-type': contentType, 'cache-control': SCHEMA_CACHE_CONTROL },
    body,
  });
}

/** The list of statement schemas: `{dialect, schemas: [{type, id, href}]}`. */
export function serveSchemaList(event: APIGatewayProxyEvent): APIGatewayProxyResult {
  new Query(event).allowOnly([]);
  return cacheable(event, 'application/json', listBody);
}

/** The schema of one statement type; 404 NOT_FOUND for a type the ledger does not have. */
export function serveStatementSchema(
  event: APIGatewayProxyEvent,
  type: string,
): APIGatewayProxyResult {
  new Query(event).allowOnly([]);
  const body = isStatementType(type) ? schemaBodies.get(type) : undefined;
  if (body === undefined) {
    // An attacker's segment may be long; the detail only has to point at it.
    const shown = type.length > 64 ? `${type.slice(0, 64)}…` : type;
    throw new LedgerError(
      'NOT_FOUND',
      `no statement type ${JSON.stringify(shown)}; GET ${SCHEMAS_PATH} lists them`,
    );
  }
  return cacheable(event, SCHEMA_CONTENT_TYPE, body);
}

export const schemaRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: SCHEMAS_PATH,
    handler: ({ event }) => Promise.resolve(serveSchemaList(event)),
  },
  {
    method: 'GET',
    path: `${SCHEMAS_PATH}/{type}`,
    handler: ({ event, params }) =>
      Promise.resolve().then(() => serveStatementSchema(event, params['type'] ?? '')),
  },
];
