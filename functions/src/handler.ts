/**
 * The API handler over a given set of routes, without importing any route. `api.ts` serves all of
 * them (local runtime, tests); each Lambda entry serves only the routes API Gateway sends it, so
 * its bundle holds only the code those routes need (no OpenAPI document in admission, no
 * compliance engine in cosigning).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { defaultLedgerConfig } from '@cbm-ledger/ledger';
import { requestViewer } from './http/auth.js';
import { errorResponse } from './http/problem.js';
import type { ApiLogger } from './http/problem.js';
import { answerFor, createRouter } from './http/router.js';
import type { Route } from './http/router.js';
import type { ApiDeps, ApiLimits, ApiRoute, Authenticating } from './routes/deps.js';

export type ApiHandler = (
  event: APIGatewayProxyEvent,
  context?: { readonly awsRequestId?: string },
) => Promise<APIGatewayProxyResult>;

export interface RoutesHandlerOptions {
  /**
   * Defaults to the domain's defaults (defaultLedgerConfig). A function is called per request,
   * so limits can come from configuration that is itself built lazily.
   */
  readonly limits?: ApiLimits | (() => ApiLimits);
  /** Where unexpected errors are logged; defaults to console. */
  readonly logger?: ApiLogger;
}

/** What the router hands a route before authentication adds the viewer. */
type RouterDeps<S extends Authenticating> = Omit<ApiDeps<S>, 'viewer'>;

/**
 * Each route behind the authentication middleware (http/auth.ts): bad signature headers answer
 * 401 on every route, whether or not it reads the viewer. Only matched routes authenticate, so
 * a 404 or 405 (the router function, which has no data access) never touches the registry.
 */
function authenticated<S extends Authenticating>(
  routes: readonly ApiRoute<S>[],
): Route<RouterDeps<S>>[] {
  return routes.map((r) => ({
    ...r,
    handler: async (request, deps) =>
      r.handler(request, { ...deps, viewer: await requestViewer(request.event, deps.service) }),
  }));
}

// The domain's own defaults; the origin plays no part in the limits.
const DEFAULT_LIMITS: ApiLimits = defaultLedgerConfig('cbm-ledger.invalid/default');

/**
 * `service` is the domain facade, or a function that builds it on first use (the Lambda's lazy
 * singleton: a cold start that fails to configure answers 500 instead of crashing the runtime).
 * A path no route of `routes` has answers 404 problem, before the service is built.
 */
export function createRoutesHandler<S extends Authenticating>(
  routes: readonly ApiRoute<S>[],
  service: S | (() => Promise<S>),
  options: RoutesHandlerOptions = {},
): ApiHandler {
  const route = createRouter<RouterDeps<S>>(authenticated(routes));
  const limitsOption = options.limits ?? DEFAULT_LIMITS;
  const limits = typeof limitsOption === 'function' ? limitsOption : () => limitsOption;
  const logger = options.logger ?? console;
  const resolve = typeof service === 'function' ? service : () => Promise.resolve(service);
  return async (event, context) => {
    const requestId = context?.awsRequestId ?? event.requestContext?.requestId;
    try {
      // Routing first: an unknown path or a wrong method needs no domain, and no cold start.
      const run = route(event, requestId);
      return answerFor(event, await run({ service: await resolve(), limits: limits() }));
    } catch (error) {
      return answerFor(event, errorResponse(error, logger, requestId));
    }
  };
}
