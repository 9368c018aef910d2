/**
 * The integrator's health as two ages, published as metrics on every run (infra's
 * observability.ts alarms on them):
 *
 * - OldestPendingAgeSeconds: how long the oldest statement admitted but not integrated has
 *   waited; 0 when none is pending.
 * - CheckpointAgeSeconds: while statements are pending, the age of the newest signed checkpoint;
 *   0 when none is pending (an idle log signs nothing new, and that is healthy).
 *
 * The checkpoint's time is the `integratedAt` of the log's last leaf: the checkpoint of size n is
 * signed by the run that stages leaf n-1, at that leaf's integratedAt, and the time is part of
 * the signed log rather than a store attribute. (A run that adopts leaves a crashed run staged
 * signs a little later than their integratedAt; the age then errs by at most that delay, on the
 * side of alarming.) Kept free of AWS imports so it can be tested on the memory stores.
 */
import type { Clock, LogStore, StatementStore } from '@cbm-ledger/ledger';
import { parseUtcTimestamp } from '@cbm-ledger/protocol';

export const OLDEST_PENDING_AGE_METRIC = 'OldestPendingAgeSeconds';
export const CHECKPOINT_AGE_METRIC = 'CheckpointAgeSeconds';
/**
 * One per staged leaf whose statement the table lost or holds altered (an item deleted or
 * replaced behind the ledger's back): the integrator carries on and the deployment alarms.
 */
export const INTEGRATION_INCIDENT_METRIC = 'IntegrationIncidents';

export interface IntegrationAges {
  readonly oldestPendingAgeSeconds: number;
  readonly checkpointAgeSeconds: number;
}

export interface IntegrationAgeSources {
  readonly statements: Pick<StatementStore, 'pending'>;
  readonly log: Pick<LogStore, 'readHead' | 'readLeaves'>;
  readonly clock: Clock;
}

/** Seconds from `then` to `now` (ms), never negative: clocks of different machines may disagree. */
function ageSeconds(now: number, then: number): number {
  return Math.max(0, now - then) / 1000;
}

export async function integrationAges(sources: IntegrationAgeSources): Promise<IntegrationAges> {
  const [oldest] = await sources.statements.pending(1);
  if (oldest === undefined) return { oldestPendingAgeSeconds: 0, checkpointAgeSeconds: 0 };
  const now = sources.clock.now();
  const oldestPendingAgeSeconds = ageSeconds(now, oldest.admittedAt);
  const head = await sources.log.readHead();
  // No checkpoint yet (the genesis is pending): the log has had no public state for at least as
  // long as its oldest statement has waited.
  if (head === undefined || head.size === 0) {
    return { oldestPendingAgeSeconds, checkpointAgeSeconds: oldestPendingAgeSeconds };
  }
  const [last] = await sources.log.readLeaves(head.size - 1, 1);
  const signedAt = parseUtcTimestamp(last?.integratedAt);
  if (signedAt === undefined) {
    throw new Error(`leaf ${head.size - 1} below the head is missing or has no integratedAt`);
  }
  return { oldestPendingAgeSeconds, checkpointAgeSeconds: ageSeconds(now, signedAt) };
}
