/** ReplayGuard over the ledger table (layout.ts): nonce claims of signed requests. */
import { N, S } from './attributes.js';
import type { LedgerTable } from './ledger-table.js';
import { requireCount, unkeyable } from './ledger-table.js';
import { REPLAY_PARTITION, TTL_ATTRIBUTE } from './layout.js';
import type { ReplayGuard } from '@cbm-ledger/ledger';

/**
 * Claims a signed request's nonce with one conditional put. A claim whose `ttl` has passed may be
 * taken again: DynamoDB deletes expired items only eventually (within days), and an expired
 * claim protects nothing, since the signature it came with is refused as expired.
 */
export class DynamoReplayGuard implements ReplayGuard {
  constructor(
    private readonly table: LedgerTable,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(keyid: string, nonce: string, expiresAt: number): Promise<boolean> {
    requireCount(expiresAt, 'expiresAt');
    // Security: keyid and nonce were checked by the signature verifier (hex, base64url, bounded),
    // so they fit in a key.
    if (unkeyable(keyid) || unkeyable(nonce)) return false;
    const out = await this.table.put(
      { pk: S(`${REPLAY_PARTITION}${keyid}`), sk: S(nonce), [TTL_ATTRIBUTE]: N(expiresAt) },
      'replay.claim',
      {
        expression: 'attribute_not_exists(pk) OR #ttl <= :now',
        names: { '#ttl': TTL_ATTRIBUTE },
        values: { ':now': N(Math.floor(this.now() / 1000)) },
      },
    );
    return out.ok;
  }
}
