import { Query } from '../http/request.js';
import { json } from '../http/response.js';
import type { ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';

export const ledgerRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: '/v1/ledger',
    handler: async ({ event }, { service }) => {
      new Query(event).allowOnly([]);
      return json(200, await service.info());
    },
  },
];
