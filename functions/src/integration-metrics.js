import { parseUtcTimestamp } from '@cbm-ledger/protocol';
export const OLDEST_PENDING_AGE_METRIC = 'OldestPendingAgeSeconds';
export const CHECKPOINT_AGE_METRIC = 'CheckpointAgeSeconds';
/**
 * One per staged leaf whose statement the table lost or holds altered (an item deleted or
 * replaced behind the ledger's back): the integrator carries on and the deployment alarms.
 */
export const INTEGRATION_INCIDENT_METRIC = 'IntegrationIncidents';
/** Seconds from `then` to `now` (ms), never negative: clocks of different machines may disagree. */
function ageSeconds(now, then) {
    return Math.max(0, now - then) / 1000;
}
export async function integrationAges(sources) {
    const [oldest] = await sources.statements.pending(1);
    if (oldest === undefined)
        return { oldestPendingAgeSeconds: 0, checkpointAgeSeconds: 0 };
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
//# sourceMappingURL=integration-metrics.js.map