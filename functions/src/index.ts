/**
 * @cbm-ledger/functions: the thin HTTP layer over the ledger domain. `createApiHandler` (every
 * route) is what the local runtime's HTTP adapter runs; each API Lambda runs the same handler
 * over its own routes only (handler.ts). The Lambda entry points are `lambda/submit.ts`,
 * `read.ts`, `cosign.ts`, `router.ts`, `public.ts`, `integrator.ts` and the all-routes `api.ts`
 * (each exports `handler`); they are not re-exported here, so importing this module has no
 * Lambda or AWS side effects.
 */
export { apiRoutes, createApiHandler } from './api.js';
export type { ApiHandler, ApiHandlerOptions } from './api.js';
export type { ApiDeps, ApiLimits, ApiRoute, LedgerApi } from './routes/deps.js';
export {
  PROBLEM_CONTENT_TYPE,
  errorResponse,
  problemBody,
  problemResponse,
  problemType,
} from './http/problem.js';
export type { ApiLogger, Problem } from './http/problem.js';
export { parseNonNegativeInteger, preferWaitSeconds } from './http/request.js';
export { openApiDocument } from './routes/openapi.js';
export {
  createPublicHandler,
  entityTag,
  isPublicPath,
  withPublicView,
} from './routes/public-api.js';
export type { PublicHandler, PublicHandlerOptions } from './routes/public-api.js';
export { IMMUTABLE, SHORT_LIVED, publicRoutes } from './routes/public.js';
export type { PublicApi, PublicDeps, PublicLimits, PublicRoute } from './routes/public.js';
export { canonicalQuery, requestViewer, signedRequest } from './http/auth.js';
export { isDotSegment } from './http/router.js';
export { drain, SAFETY_MARGIN_MS } from './drain.js';
export type { DrainResult } from './drain.js';
