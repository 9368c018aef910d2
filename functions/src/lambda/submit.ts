/**
 * The submit function: POST /v1/statements (admission) and POST /v1/evidence (upload URLs).
 * Its role may write statements and evidence claims; it serves nothing else (404 problem).
 */
import { createRoutesHandler } from '../handler.js';
import type { ApiRoute, LedgerApi } from '../routes/deps.js';
import { evidenceRoutes } from '../routes/evidence.js';
import { statementRoutes } from '../routes/statements.js';
import { buildSubmitService, lazy } from './environment.js';
import { apiEntry, logger } from './observability.js';

export const submitRoutes: readonly ApiRoute[] = [...statementRoutes, ...evidenceRoutes].filter(
  (r) => r.method === 'POST',
);

const built = lazy(() => buildSubmitService(process.env));

const api = createRoutesHandler(
  // These routes call only the methods SubmitApi holds.
  submitRoutes,
  () => Promise.resolve(built().service as LedgerApi),
  { logger, limits: () => built().config },
);

export const handler = apiEntry('submit', (event, context) => api(event, context));
