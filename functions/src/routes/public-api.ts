/**
 * The public view's handler: its own router over `publicRoutes`, fed a PublicLedger (read-only
 * stores), so the function serving `/public/v1/…` has no way to write, by type and by IAM.
 * Adds a strong ETag (SHA-256 of the body) to every 200 and answers a matching If-None-Match
 * with 304.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse } from '../http/problem.js';
import type { ApiLogger } from '../http/problem.js';
import { withEntityTag } from '../http/entity-tag.js';
import { answerFor, createRouter } from '../http/router.js';
import { PUBLIC_PREFIX, publicRoutes } from './public.js';
import type { PublicApi, PublicDeps, PublicLimits } from './public.js';

export interface PublicHandlerOptions {
  /** Defaults to the domain's page limit (1000). */
  readonly limits?: PublicLimits | (() => PublicLimits);
  readonly logger?: ApiLogger;
}

const DEFAULT_LIMITS: PublicLimits = { pageLimit: 1000 };

/**
 * Structurally the API's handler type, declared here so the public function's bundle does not
 * pull in the API's routes.
 */
export type PublicHandler = (
  event: APIGatewayProxyEvent,
  context?: { readonly awsRequestId?: string },
) => Promise<APIGatewayProxyResult>;

// The ETag rules are shared with the API's static reads (routes/schemas.ts).
export { entityTag, ifNoneMatch } from '../http/entity-tag.js';

export function createPublicHandler(
  ledger: PublicApi | (() => Promise<PublicApi>),
  options: PublicHandlerOptions = {},
): PublicHandler {
  const route = createRouter<PublicDeps>(publicRoutes);
  const limitsOption = options.limits ?? DEFAULT_LIMITS;
  const limits = typeof limitsOption === 'function' ? limitsOption : () => limitsOption;
  const logger = options.logger ?? console;
  const resolve = typeof ledger === 'function' ? ledger : () => Promise.resolve(ledger);
  return async (event, context) => {
    const requestId = context?.awsRequestId ?? event.requestContext?.requestId;
    try {
      const run = route(event, requestId);
      return answerFor(
        event,
        withEntityTag(event, await run({ ledger: await resolve(), limits: limits() })),
      );
    } catch (error) {
      return answerFor(event, errorResponse(error, logger, requestId));
    }
  };
}

/** Whether `path` belongs to the public view. */
export function isPublicPath(path: string): boolean {
  return path.startsWith(PUBLIC_PREFIX) || path === PUBLIC_PREFIX.slice(0, -1);
}

/**
 * One handler for a runtime serving both (the local runtime): `/public/v1/…` to the public
 * handler, everything else to the API.
 */
export function withPublicView(api: PublicHandler, publicView: PublicHandler): PublicHandler {
  return (event, context) =>
    isPublicPath(event.path) ? publicView(event, context) : api(event, context);
}
