import { Query, parseNonNegativeInteger } from '../http/request.js';
import { json } from '../http/response.js';
import type { CosignRole, ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';
import { readJsonBody } from './evidence.js';

/** A checkpoint note with a hundred signatures and one cosignature line fit in far less. */
export const MAX_COSIGNATURE_REQUEST_BYTES = 64 * 1024;

export const cosignatureIntakeRoutes: readonly ApiRoute<CosignRole>[] = [
  {
    // Unauthenticated by design: the cosignature line itself is the witness's signature.
    method: 'POST',
    path: '/v1/checkpoint/cosignatures',
    handler: async ({ event }, { service }) => {
      new Query(event).allowOnly([]);
      const request = readJsonBody(event, MAX_COSIGNATURE_REQUEST_BYTES);
      const receipt = await service.addCosignature(request);
      return json(receipt.stored ? 201 : 200, receipt);
    },
  },
];

export const cosignatureReadRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: '/v1/checkpoints/{size}',
    handler: async ({ event, params }, { service }) => {
      new Query(event).allowOnly([]);
      const size = parseNonNegativeInteger(params['size'] ?? '', 'checkpoint size');
      return json(200, await service.checkpointStatus(size));
    },
  },
];

/** Both, for the functions that serve every route (lambda/api.ts, the local runtime). */
export const cosignatureRoutes: readonly ApiRoute[] = [
  ...cosignatureIntakeRoutes,
  ...cosignatureReadRoutes,
];
