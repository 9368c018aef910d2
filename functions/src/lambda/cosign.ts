/**
 * The cosigning function: POST /v1/checkpoint/cosignatures, witness cosignatures verified before
 * they are kept. Its role may add cosignatures; it serves nothing else (404 problem).
 */
import { createRoutesHandler } from '../handler.js';
import { cosignatureRoutes } from '../routes/cosignatures.js';
import type { ApiRoute, LedgerApi } from '../routes/deps.js';
import { buildCosignService, lazy } from './environment.js';
import { apiEntry, logger } from './observability.js';

export const cosignRoutes: readonly ApiRoute[] = cosignatureRoutes.filter(
  (r) => r.method === 'POST',
);

const built = lazy(() => buildCosignService(process.env));

const api = createRoutesHandler(
  // This route calls only the methods CosignApi holds.
  cosignRoutes,
  () => Promise.resolve(built().service as LedgerApi),
  { logger, limits: () => built().config },
);

export const handler = apiEntry('cosign', (event, context) => api(event, context));
