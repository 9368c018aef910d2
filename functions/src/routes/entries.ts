import { LedgerError } from '@cbm-ledger/ledger';
import { Query, parseNonNegativeInteger } from '../http/request.js';
import { json } from '../http/response.js';
import type { ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';

/** Page size when the client names none: small enough for any client, large enough to audit. */
export const DEFAULT_PAGE_SIZE = 100;

export const entryRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: '/v1/entries',
    handler: async ({ event }, { service, limits, viewer }) => {
      const query = new Query(event).allowOnly(['start', 'limit']);
      const start = query.optionalInteger('start') ?? 0;
      const limit = query.optionalInteger('limit') ?? Math.min(DEFAULT_PAGE_SIZE, limits.pageLimit);
      if (limit < 1 || limit > limits.pageLimit) {
        throw new LedgerError('RANGE_INVALID', `limit must be between 1 and ${limits.pageLimit}`, {
          parameter: 'limit',
        });
      }
      return json(200, await service.entries(start, limit, viewer));
    },
  },
  {
    method: 'GET',
    path: '/v1/entries/{index}',
    handler: async ({ event, params }, { service, viewer }) => {
      new Query(event).allowOnly([]);
      const index = parseNonNegativeInteger(params['index'] ?? '', 'entry index');
      return json(200, await service.entry(index, viewer));
    },
  },
];
