import { Query } from '../http/request.js';
import { json } from '../http/response.js';
import type { ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';

// The relations between parameters (index < treeSize ≤ log size, from ≤ to) are the domain's to
// check, so Lambda, local runtime and any other caller get the same codes in the same order.
export const proofRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: '/v1/proofs/inclusion',
    handler: async ({ event }, { service }) => {
      const query = new Query(event).allowOnly(['index', 'treeSize']);
      return json(
        200,
        await service.inclusionProof(query.integer('index'), query.integer('treeSize')),
      );
    },
  },
  {
    method: 'GET',
    path: '/v1/proofs/consistency',
    handler: async ({ event }, { service }) => {
      const query = new Query(event).allowOnly(['from', 'to']);
      return json(200, await service.consistencyProof(query.integer('from'), query.integer('to')));
    },
  },
];
