/**
 * All of the API in one function (every route of `apiRoutes` on the whole LedgerService). The
 * stack deploys the split entries instead (submit.ts, read.ts, cosign.ts, router.ts), each with
 * only its own routes and rights; this one remains as the single-function form the split ones
 * are tested against, and as the stack's fallback entry (infra/src/handlers.ts).
 */
import { createApiHandler } from '../api.js';
import { buildLedgerService, lazy } from './environment.js';
import { apiEntry, logger } from './observability.js';

const ledger = lazy(() => buildLedgerService(process.env));

const api = createApiHandler(() => Promise.resolve(ledger().service), {
  logger,
  // Limits follow the domain's configuration, built with the service on the first request.
  limits: () => ledger().config,
});

export const handler = apiEntry('api', (event, context) => api(event, context));
