/** The four DynamoDB adapters of the ledger's ports over one table (layout.ts). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_RETRY, type RetryPolicy } from './batch.js';
import { DEFAULT_TABLE } from './layout.js';
import { LedgerTable } from './ledger-table.js';
import { DynamoLogStore } from './log-store.js';
import { DynamoRegistryStore } from './registry-store.js';
import { DynamoReplayGuard } from './replay-guard.js';
import { DynamoStatementStore } from './statement-store.js';

export interface DynamoStoreOptions {
  readonly client: DynamoDBClient;
  /** Table name; default `cbm-ledger`. */
  readonly table?: string;
  /** Retry policy for unprocessed batch items. */
  readonly retry?: RetryPolicy;
  /** Clock of the replay guard, epoch ms; default Date.now. */
  readonly now?: () => number;
}

export interface DynamoStores {
  readonly statements: DynamoStatementStore;
  readonly log: DynamoLogStore;
  readonly registry: DynamoRegistryStore;
  readonly replay: DynamoReplayGuard;
}

export function createDynamoStores(options: DynamoStoreOptions): DynamoStores {
  const table = new LedgerTable(
    options.client,
    options.table ?? DEFAULT_TABLE,
    options.retry ?? DEFAULT_RETRY,
  );
  return {
    statements: new DynamoStatementStore(table),
    log: new DynamoLogStore(table),
    registry: new DynamoRegistryStore(table),
    replay: new DynamoReplayGuard(table, options.now),
  };
}
