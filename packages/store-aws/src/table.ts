/**
 * The ledger's single DynamoDB table. The local runtime creates it from `tableDefinition`; the CDK
 * stack declares it from the same layout.ts, so both runtimes read and write one layout.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { sleep } from './batch.js';
import { errorName, storeFault } from './errors.js';
import {
  DEFAULT_TABLE,
  PARTITION_KEY,
  PENDING_INDEX,
  PENDING_INDEX_KEY,
  PENDING_INDEX_SORT_KEY,
  SORT_KEY,
} from './layout.js';

export function tableDefinition(name: string = DEFAULT_TABLE): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: SORT_KEY, AttributeType: 'S' },
      { AttributeName: PENDING_INDEX_KEY, AttributeType: 'S' },
      { AttributeName: PENDING_INDEX_SORT_KEY, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: PENDING_INDEX,
        KeySchema: [
          { AttributeName: PENDING_INDEX_KEY, KeyType: 'HASH' },
          { AttributeName: PENDING_INDEX_SORT_KEY, KeyType: 'RANGE' },
        ],
        // The integrator reads whole statements from the index; only pending ones are in it.
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

function isActive(table: TableDescription | undefined): boolean {
  if (table?.TableStatus !== 'ACTIVE') return false;
  return (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
}

async function describe(
  client: DynamoDBClient,
  name: string,
): Promise<TableDescription | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    return out.Table;
  } catch (e) {
    if (errorName(e) === 'ResourceNotFoundException') return undefined;
    throw storeFault(e, 'DescribeTable');
  }
}

/**
 * Creates the table when it is missing (another process creating it at the same moment is fine)
 * and waits until it and its index are ACTIVE.
 */
export async function ensureTable(
  client: DynamoDBClient,
  name: string = DEFAULT_TABLE,
  options: { timeoutMs?: number; /** Longest pause between polls. */ pollMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxPollMs = options.pollMs ?? 1000;
  let table = await describe(client, name);
  if (table === undefined) {
    try {
      const out = await client.send(new CreateTableCommand(tableDefinition(name)));
      table = out.TableDescription;
    } catch (e) {
      if (errorName(e) !== 'ResourceInUseException') throw storeFault(e, 'CreateTable');
    }
  }
  const deadline = Date.now() + timeoutMs;
  // Emulators activate a table within milliseconds, AWS within seconds: poll fast, then back off.
  for (let wait = 10; !isActive(table); wait = Math.min(wait * 2, maxPollMs)) {
    if (Date.now() > deadline)
      throw new Error(`table ${name} did not become ACTIVE within ${timeoutMs} ms`);
    await sleep(wait);
    table = await describe(client, name);
  }
}
