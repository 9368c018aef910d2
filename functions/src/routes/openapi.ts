import openapi from '../openapi.json' with { type: 'json' };
import { Query } from '../http/request.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';

export const openApiDocument: unknown = openapi;

// Serialised once: the document is static for the life of the bundle.
const body = JSON.stringify(openapi);

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
