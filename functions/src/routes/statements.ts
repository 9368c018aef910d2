import { LedgerError } from '@cbm-ledger/ledger';
import { isStatementId } from '@cbm-ledger/protocol';
import { Query, bodyBytes, header, preferWaitSeconds } from '../http/request.js';
import { json } from '../http/response.js';
import type { SubmitRole, ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';

export const statementSubmitRoutes: readonly ApiRoute<SubmitRole>[] = [
  {
    method: 'POST',
    path: '/v1/statements',
    handler: async ({ event }, { service, limits }) => {
      new Query(event).allowOnly([]);
      // Parsed before the body so a bad header costs no signature verification.
      const waitSeconds = preferWaitSeconds(header(event, 'prefer'), limits.maxWaitSeconds);
      const outcome = await service.submit({
        body: bodyBytes(event),
        contentType: header(event, 'content-type'),
        ...(waitSeconds === undefined ? {} : { waitSeconds }),
      });
      const headers: Record<string, string> = {
        location: `/v1/statements/${outcome.body.statement}`,
      };
      if (waitSeconds !== undefined) headers['preference-applied'] = `wait=${waitSeconds}`;
      return json(outcome.status, outcome.body, headers);
    },
  },
];

export const statementReadRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: '/v1/statements/{id}',
    handler: async ({ event, params }, { service, viewer }) => {
      new Query(event).allowOnly([]);
      const id = params['id'] ?? '';
      if (!isStatementId(id)) {
        throw new LedgerError(
          'MALFORMED',
          'a statement id is sha256: followed by 64 lowercase hex',
        );
      }
      return json(200, await service.statement(id, viewer));
    },
  },
];

/** Both, for the functions that serve every route (lambda/api.ts, the local runtime). */
export const statementRoutes: readonly ApiRoute[] = [
  ...statementSubmitRoutes,
  ...statementReadRoutes,
];
