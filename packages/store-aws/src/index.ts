/**
 * @cbm-ledger/store-aws: the ledger's ports (packages/ledger/src/ports.ts) over DynamoDB and S3,
 * AWS SDK v3, conditional writes only. The item layout is documented in dynamo.ts.
 */
export {
  DynamoLogStore,
  DynamoRegistryStore,
  DynamoReplayGuard,
  DynamoStatementStore,
  INLINE_LEAF_MAX_BYTES,
  LEAF_BUNDLE_SIZE,
  LedgerTable,
  PENDING_SHARDS,
  TILE_HEIGHT,
  TTL_ATTRIBUTE,
  createDynamoStores,
  type DynamoStoreOptions,
  type DynamoStores,
} from './log-store.js';
export { DEFAULT_TABLE, PENDING_INDEX, ensureTable, tableDefinition } from './table.js';
export {
  EVIDENCE_PREFIX,
  S3EvidenceStore,
  ensureBucket,
  evidenceKey,
  type S3EvidenceStoreOptions,
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
