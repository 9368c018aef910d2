/**
 * The router function: API Gateway sends it what no other function serves, a known path with a
 * method it does not have (the resource's ANY method), and GET /v1/openapi.json. It answers 405
 * with `Allow`, or 404, the same problems as the local runtime, from the route table alone: no
 * domain, no store, no data access (its role grants none).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiRoutes } from '../api.js';
import { errorResponse } from '../http/problem.js';
import { createRouter } from '../http/router.js';
import type { Route } from '../http/router.js';
import { OPENAPI_PATH, serveOpenApi } from '../routes/openapi.js';
import { publicRoutes } from '../routes/public.js';
import { apiEntry, logger } from './observability.js';

/**
 * Every route's method and path. A request a route does serve was sent here by mistake (API
 * Gateway gives each served method to its own function): answered 500, which the stage's 5xx
 * alarm reports, rather than served without that function's checks and rights.
 */
export const routerTable: readonly Route<undefined>[] = [...apiRoutes, ...publicRoutes].map(
  ({ method, path }) => ({
    method,
    path,
    // The OpenAPI document is static and needs no data access: served here, which keeps the
    // read function's bundle under its size budget (DESIGN.md §10).
    handler:
      method === 'GET' && path === OPENAPI_PATH
        ? ({ event }) => serveOpenApi(event)
        : () => Promise.reject(new Error(`${method} ${path} was routed to the router function`)),
  }),
);

// HEAD is not served here: API Gateway must give HEAD to the function serving the path's GET
// (infra), since this function has no data access. Until then HEAD answers 405 in AWS.
const route = createRouter<undefined>(routerTable, { head: false });

export async function routeOnly(
  event: APIGatewayProxyEvent,
  requestId: string | undefined,
): Promise<APIGatewayProxyResult> {
  try {
    return await route(event, requestId)(undefined);
  } catch (error) {
    return errorResponse(error, logger, requestId);
  }
}

export const handler = apiEntry('router', (event, context) =>
  routeOnly(event, context.awsRequestId),
);
