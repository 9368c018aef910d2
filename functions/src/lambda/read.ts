/**
 * The read function: every GET under /v1 (ledger, statements, entries, checkpoints, proofs,
 * evidence downloads, parties, measures, compliance, statement schemas; the OpenAPI document is the router's). Its role reads, and
 * writes nothing but the nonce claims of signed requests; other methods answer 404 problem.
 */
import { createRoutesHandler } from '../handler.js';
import { checkpointRoutes } from '../routes/checkpoint.js';
import { complianceRoutes } from '../routes/compliance.js';
import { cosignatureReadRoutes } from '../routes/cosignatures.js';
import type { ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from '../routes/deps.js';
import { entryRoutes } from '../routes/entries.js';
import { evidenceReadRoutes } from '../routes/evidence.js';
import { ledgerRoutes } from '../routes/ledger.js';
import { partyRoutes } from '../routes/parties.js';
import { proofRoutes } from '../routes/proofs.js';
import { schemaRoutes } from '../routes/schemas.js';
import { statementReadRoutes } from '../routes/statements.js';
import { buildReadService, lazy } from './environment.js';
import { apiEntry, logger } from './observability.js';

export const readRoutes: readonly ApiRoute<ReadRole>[] = [
  ...ledgerRoutes,
  ...statementReadRoutes,
  ...entryRoutes,
  ...checkpointRoutes,
  ...cosignatureReadRoutes,
  ...proofRoutes,
  ...evidenceReadRoutes,
  ...partyRoutes,
  ...complianceRoutes,
  ...schemaRoutes,
];

const built = lazy(() => buildReadService(process.env));

const api = createRoutesHandler(readRoutes, () => Promise.resolve(built().service), {
  logger,
  limits: () => built().config,
});

export const handler = apiEntry('read', (event, context) => api(event, context));
