/**
 * The per-party daily evidence budget (ledger EvidenceQuota) on the ledger table: one item per
 * (party, UTC day), `pk = evidence-quota#<party>`, `sk = <YYYY-MM-DD>`, holding the grants and
 * bytes charged so far, and a TTL a few days out (a day is never consulted once past).
 *
 * One conditional UpdateItem per grant: the ADD happens only if both totals stay within the
 * limits afterwards, so concurrent uploads by one party can never overshoot, and a refused grant
 * changes nothing.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EvidenceQuota, EvidenceQuotaLimits } from '@cbm-ledger/ledger';
import { N, S } from './attributes.js';
import { DEFAULT_RETRY } from './batch.js';
import { DEFAULT_TABLE, EVIDENCE_QUOTA_PARTITION, TTL_ATTRIBUTE } from './layout.js';
import { LedgerTable } from './ledger-table.js';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const PARTY_ID_RE = /^(?:state:[A-Z]{3}|(?:observer|operator):[a-z0-9][a-z0-9.-]{0,63})$/;
/** How long a day's counter item is kept after the day began. */
const KEEP_SECONDS = 3 * 86_400;

export class DynamoEvidenceQuota implements EvidenceQuota {
  readonly #table: LedgerTable;

  constructor(options: { client: DynamoDBClient; table?: string }) {
    this.#table = new LedgerTable(options.client, options.table ?? DEFAULT_TABLE, DEFAULT_RETRY);
  }

  async reserve(
    party: string,
    day: string,
    bytes: number,
    limits: EvidenceQuotaLimits,
  ): Promise<boolean> {
    // Security: party and day come from the authenticated viewer and the ledger clock; checked
    // anyway before they become a key.
    if (!PARTY_ID_RE.test(party) || !DAY_RE.test(day)) throw new RangeError('bad quota key');
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError('bytes must be a count');
    if (bytes > limits.bytes || limits.count < 1) return false;
    const ttl = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + KEEP_SECONDS;
    return this.#table.update(
      { pk: S(`${EVIDENCE_QUOTA_PARTITION}${party}`), sk: S(day) },
      'evidenceQuota.reserve',
      'ADD #count :one, #bytes :bytes SET #ttl = :ttl',
      { '#count': 'grants', '#bytes': 'bytes', '#ttl': TTL_ATTRIBUTE },
      {
        ':one': N(1),
        ':bytes': N(bytes),
        ':ttl': N(ttl),
        ':maxCount': N(limits.count - 1),
        ':maxBytes': N(limits.bytes - bytes),
      },
      'attribute_not_exists(#count) OR (#count <= :maxCount AND #bytes <= :maxBytes)',
    );
  }
}
