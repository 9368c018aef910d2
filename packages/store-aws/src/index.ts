/**
 * @cbm-ledger/store-aws: the ledger's ports (packages/ledger/src/ports.ts) over DynamoDB and S3,
 * AWS SDK v3, conditional writes only. The table and item layout are documented in layout.ts.
 */
export { LedgerTable } from './ledger-table.js';
export { DynamoStatementStore, PENDING_SHARDS } from './statement-store.js';
export {
  DynamoLogStore,
  INLINE_LEAF_MAX_BYTES,
  LEAF_BUNDLE_SIZE,
  TILE_HEIGHT,
} from './log-store.js';
export { DynamoRegistryStore } from './registry-store.js';
export { DynamoReplayGuard } from './replay-guard.js';
export { createDynamoStores, type DynamoStoreOptions, type DynamoStores } from './stores.js';
export { DEFAULT_TABLE, PENDING_INDEX, TTL_ATTRIBUTE } from './layout.js';
export { ensureTable, tableDefinition } from './table.js';
export {
  EVIDENCE_PREFIX,
  S3EvidenceStore,
  ensureBucket,
  evidenceKey,
  type S3EvidenceStoreOptions,
  DEFAULT_BUCKET,
} from './evidence.js';
export { DynamoEvidenceQuota } from './evidence-quota.js';
export {
  createDynamoClient,
  createS3Client,
  isLocalEndpoint,
  type ClientOptions,
  type S3ClientOptions,
  type StaticCredentials,
} from './clients.js';
export { StoreUnavailableError, isTransient } from './errors.js';
export { CorruptItemError } from './attributes.js';
export * as layout from './layout.js';
export { DEFAULT_RETRY, type RetryPolicy } from './batch.js';
