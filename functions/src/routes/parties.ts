import { LedgerError } from '@cbm-ledger/ledger';
import { isPartyId } from '@cbm-ledger/protocol';
import { Query } from '../http/request.js';
import { json } from '../http/response.js';
import type { ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';

export const partyRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: '/v1/parties',
    handler: async ({ event }, { service }) => {
      new Query(event).allowOnly([]);
      // Wrapped in an object so the answer can grow (paging, asOf) without breaking clients.
      return json(200, { parties: await service.parties() });
    },
  },
  {
    method: 'GET',
    path: '/v1/parties/{id}',
    handler: async ({ event, params }, { service }) => {
      new Query(event).allowOnly([]);
      const id = params['id'] ?? '';
      if (!isPartyId(id)) {
        throw new LedgerError(
          'MALFORMED',
          'a party id is state:<ISO 3166-1 alpha-3>, observer:<slug> or operator:<slug>',
        );
      }
      return json(200, await service.party(id));
    },
  },
];
