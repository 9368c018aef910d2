/**
 * The cosigning function: POST /v1/checkpoint/cosignatures, witness cosignatures verified before
 * they are kept. Its role may add cosignatures; it serves nothing else (404 problem).
 */
import { createRoutesHandler } from '../handler.js';
import type { CosignRole } from '@cbm-ledger/ledger';
import { cosignatureIntakeRoutes } from '../routes/cosignatures.js';
import type { ApiRoute } from '../routes/deps.js';
import { buildCosignService, lazy } from './environment.js';
import { apiEntry, logger } from './observability.js';

export const cosignRoutes: readonly ApiRoute<CosignRole>[] = cosignatureIntakeRoutes;

const built = lazy(() => buildCosignService(process.env));

const api = createRoutesHandler(cosignRoutes, () => Promise.resolve(built().service), {
  logger,
  limits: () => built().config,
});

export const handler = apiEntry('cosign', (event, context) => api(event, context));
