/**
 * @cbm-ledger/functions: the thin HTTP layer over the ledger domain. `createApiHandler` is what
 * both the API Lambda and the local runtime's HTTP adapter run. The Lambda entry points are
 * `lambda/api.ts` and `lambda/integrator.ts` (each exports `handler`); they are not re-exported
 * here, so importing this module has no Lambda or AWS side effects.
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
export { drain, SAFETY_MARGIN_MS } from './drain.js';
export type { DrainResult } from './drain.js';
