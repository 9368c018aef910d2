import { Query } from '../http/request.js';
import { json } from '../http/response.js';
import type { ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';

// Parameter syntax beyond "one canonical value" (party id, measure id, RFC 3339 `at`, treeSize
// against the log) is the domain's to check, so every caller of the facade gets the same codes.
export const complianceRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: '/v1/compliance',
    handler: async ({ event }, { service, viewer }) => {
      const query = new Query(event).allowOnly([
        'party',
        'measure',
        'at',
        'treeSize',
        'rulesVersion',
      ]);
      const party = query.get('party');
      const measure = query.get('measure');
      const at = query.get('at');
      const treeSize = query.optionalInteger('treeSize');
      const rulesVersion = query.get('rulesVersion');
      const { body } = await service.compliance(
        {
          ...(party === undefined ? {} : { party }),
          ...(measure === undefined ? {} : { measure }),
          ...(at === undefined ? {} : { at }),
          ...(treeSize === undefined ? {} : { treeSize }),
          ...(rulesVersion === undefined ? {} : { rulesVersion }),
        },
        viewer,
      );
      // Exactly the canonical (JCS) bytes, not a re-serialisation: observers compare them
      // byte for byte with the report they compute offline.
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body,
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/measures',
    handler: async ({ event }, { service, viewer }) => {
      const at = new Query(event).allowOnly(['at']).get('at');
      return json(200, await service.measures(at, viewer));
    },
  },
  {
    method: 'GET',
    path: '/v1/measures/{id}/timeline',
    handler: async ({ event, params }, { service, viewer }) => {
      const at = new Query(event).allowOnly(['at']).get('at');
      return json(200, await service.timeline(params['id'] ?? '', at, viewer));
    },
  },
];
