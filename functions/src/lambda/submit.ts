/**
 * The submit function: POST /v1/statements (admission) and POST /v1/evidence (upload URLs).
 * Its role may write statements and evidence claims; it serves nothing else (404 problem).
 */
import { createRoutesHandler } from '../handler.js';
import type { SubmitRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from '../routes/deps.js';
import { evidenceSubmitRoutes } from '../routes/evidence.js';
import { statementSubmitRoutes } from '../routes/statements.js';
import { buildSubmitService, lazy, lazyAsync, readSettings } from './environment.js';
import { readLogKeyFile } from './log-key.js';
import { apiEntry, logger } from './observability.js';

export const submitRoutes: readonly ApiRoute<SubmitRole>[] = [
  ...statementSubmitRoutes,
  ...evidenceSubmitRoutes,
];

// The log key signs admission promises (docs/promises.md); read once per execution environment,
// a failed read is retried by the next invocation.
const built = lazyAsync(async () =>
  buildSubmitService(process.env, await readLogKeyFile(process.env)),
);
const settings = lazy(() => readSettings(process.env));

const api = createRoutesHandler(submitRoutes, async () => (await built()).service, {
  logger,
  limits: () => settings().config,
});

export const handler = apiEntry('submit', (event, context) => api(event, context));
