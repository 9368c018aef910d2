import openapi from '../openapi.json' with { type: 'json' };
import { Query } from '../http/request.js';
import type { ApiRoute } from './deps.js';

export const openApiDocument: unknown = openapi;

// Serialised once: the document is static for the life of the bundle.
const body = JSON.stringify(openapi);

export const openApiRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    path: '/v1/openapi.json',
    handler: ({ event }) => {
      new Query(event).allowOnly([]);
      return Promise.resolve({
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
        body,
      });
    },
  },
];
