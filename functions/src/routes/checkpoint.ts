import { Query } from '../http/request.js';
import { text } from '../http/response.js';
import type { ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';

export const checkpointRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: '/v1/checkpoint',
    handler: async ({ event }, { service }) => {
      new Query(event).allowOnly([]);
      return text(200, await service.checkpoint());
    },
  },
];
