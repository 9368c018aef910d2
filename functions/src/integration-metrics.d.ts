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
export declare const OLDEST_PENDING_AGE_METRIC = "OldestPendingAgeSeconds";
export declare const CHECKPOINT_AGE_METRIC = "CheckpointAgeSeconds";
/**
 * One per staged leaf whose statement the table lost or holds altered (an item deleted or
 * replaced behind the ledger's back): the integrator carries on and the deployment alarms.
 */
export declare const INTEGRATION_INCIDENT_METRIC = "IntegrationIncidents";
export interface IntegrationAges {
    readonly oldestPendingAgeSeconds: number;
    readonly checkpointAgeSeconds: number;
}
export interface IntegrationAgeSources {
    readonly statements: Pick<StatementStore, 'pending'>;
    readonly log: Pick<LogStore, 'readHead' | 'readLeaves'>;
    readonly clock: Clock;
}
export declare function integrationAges(sources: IntegrationAgeSources): Promise<IntegrationAges>;
//# sourceMappingURL=integration-metrics.d.ts.map