/**
 * The API as one function from an API Gateway REST proxy event to its result. The Lambda entry
 * point wraps it in middy; the local runtime's HTTP adapter calls it directly with events it
 * builds, so both run exactly this code.
 */
import { createRoutesHandler } from './handler.js';
import type { ApiHandler, RoutesHandlerOptions } from './handler.js';
import { checkpointRoutes } from './routes/checkpoint.js';
import { complianceRoutes } from './routes/compliance.js';
import { cosignatureRoutes } from './routes/cosignatures.js';
import type { ApiRoute, LedgerApi } from './routes/deps.js';
import { entryRoutes } from './routes/entries.js';
import { evidenceRoutes } from './routes/evidence.js';
import { ledgerRoutes } from './routes/ledger.js';
import { openApiRoutes } from './routes/openapi.js';
import { partyRoutes } from './routes/parties.js';
import { proofRoutes } from './routes/proofs.js';
import { schemaRoutes } from './routes/schemas.js';
import { statementRoutes } from './routes/statements.js';

/** Every route of the API, by concern. */
export const apiRoutes: readonly ApiRoute[] = [
  ...ledgerRoutes,
  ...statementRoutes,
  ...entryRoutes,
  ...checkpointRoutes,
  ...cosignatureRoutes,
  ...proofRoutes,
  ...evidenceRoutes,
  ...partyRoutes,
  ...complianceRoutes,
  ...openApiRoutes,
  ...schemaRoutes,
];

export type { ApiHandler } from './handler.js';

export interface ApiHandlerOptions extends RoutesHandlerOptions {
  /** A subset of {@link apiRoutes}, for a function that serves only some paths. */
  readonly routes?: readonly ApiRoute[];
}

/**
 * `service` is the domain facade, or a function that builds it on first use (the Lambda's lazy
 * singleton: a cold start that fails to configure answers 500 instead of crashing the runtime).
 */
export function createApiHandler(
  service: LedgerApi | (() => Promise<LedgerApi>),
  options: ApiHandlerOptions = {},
): ApiHandler {
  return createRoutesHandler(options.routes ?? apiRoutes, service, options);
}
