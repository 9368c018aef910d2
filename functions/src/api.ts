/**
 * The API as one function from an API Gateway REST proxy event to its result. The Lambda entry
 * point wraps it in middy; the local runtime's HTTP adapter calls it directly with events it
 * builds, so both run exactly this code.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { defaultLedgerConfig } from '@cbm-ledger/ledger';
import { errorResponse } from './http/problem.js';
import type { ApiLogger } from './http/problem.js';
import { createRouter } from './http/router.js';
import { checkpointRoutes } from './routes/checkpoint.js';
import type { ApiDeps, ApiLimits, ApiRoute, LedgerApi } from './routes/deps.js';
import { entryRoutes } from './routes/entries.js';
import { evidenceRoutes } from './routes/evidence.js';
import { ledgerRoutes } from './routes/ledger.js';
import { openApiRoutes } from './routes/openapi.js';
import { partyRoutes } from './routes/parties.js';
import { proofRoutes } from './routes/proofs.js';
import { statementRoutes } from './routes/statements.js';

/** Every route of the API, by concern. */
export const apiRoutes: readonly ApiRoute[] = [
  ...ledgerRoutes,
  ...statementRoutes,
  ...entryRoutes,
  ...checkpointRoutes,
  ...proofRoutes,
  ...evidenceRoutes,
  ...partyRoutes,
  ...openApiRoutes,
];

export type ApiHandler = (
  event: APIGatewayProxyEvent,
  context?: { readonly awsRequestId?: string },
) => Promise<APIGatewayProxyResult>;

export interface ApiHandlerOptions {
  /**
   * Defaults to the domain's defaults (defaultLedgerConfig). A function is called per request,
   * so limits can come from configuration that is itself built lazily.
   */
  readonly limits?: ApiLimits | (() => ApiLimits);
  /** Where unexpected errors are logged; defaults to console. */
  readonly logger?: ApiLogger;
  /** A subset of {@link apiRoutes}, for a function that serves only some paths. */
  readonly routes?: readonly ApiRoute[];
}

// The domain's own defaults; the origin plays no part in the limits.
const DEFAULT_LIMITS: ApiLimits = defaultLedgerConfig('cbm-ledger.invalid/default');

/**
 * `service` is the domain facade, or a function that builds it on first use (the Lambda's lazy
 * singleton: a cold start that fails to configure answers 500 instead of crashing the runtime).
 */
export function createApiHandler(
  service: LedgerApi | (() => Promise<LedgerApi>),
  options: ApiHandlerOptions = {},
): ApiHandler {
  const route = createRouter<ApiDeps>(options.routes ?? apiRoutes);
  const limitsOption = options.limits ?? DEFAULT_LIMITS;
  const limits = typeof limitsOption === 'function' ? limitsOption : () => limitsOption;
  const logger = options.logger ?? console;
  const resolve = typeof service === 'function' ? service : () => Promise.resolve(service);
  return async (event, context) => {
    const requestId = context?.awsRequestId ?? event.requestContext?.requestId;
    try {
      // Routing first: an unknown path or a wrong method needs no domain, and no cold start.
      const run = route(event, requestId);
      return await run({ service: await resolve(), limits: limits() });
    } catch (error) {
      return errorResponse(error, logger, requestId);
    }
  };
}
