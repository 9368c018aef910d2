import openapi from '../openapi.json' with { type: 'json' };
import { Query } from '../http/request.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ReadRole } from '@cbm-ledger/ledger';
import { STATEMENT_TYPES, statementSchema } from '@cbm-ledger/protocol';
import type { JsonSchema } from '@cbm-ledger/protocol';
import type { ApiRoute } from './deps.js';

/** The component name of the schema of statements of `type` (`Statement.exercise.notification`). */
export function statementComponent(type: string): string {
  return `Statement.${type}`;
}

/**
 * The served document: openapi.json plus, as components, the statement schemas built from the
 * validators (the same as GET /v1/schemas/{type}), so no copy of them is kept by hand.
 */
export const openApiDocument: typeof openapi = {
  ...openapi,
  components: {
    ...openapi.components,
    schemas: {
      ...openapi.components.schemas,
      ...Object.fromEntries(
        STATEMENT_TYPES.map((type): [string, JsonSchema] => [
          statementComponent(type),
          statementSchema(type),
        ]),
      ),
    },
  },
};

// Serialised once: the document is static for the life of the bundle.
const body = JSON.stringify(openApiDocument);

export const OPENAPI_PATH = '/v1/openapi.json';

/** GET /v1/openapi.json: needs no deps, so the AWS router function serves it (infra). */
export function serveOpenApi(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  new Query(event).allowOnly([]);
  return Promise.resolve({
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
    body,
  });
}

export const openApiRoutes: readonly ApiRoute<ReadRole>[] = [
  { method: 'GET', path: OPENAPI_PATH, handler: ({ event }) => serveOpenApi(event) },
];
