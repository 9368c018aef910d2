/**
 * The DynamoDB adapters against dynalite (the embedded DynamoDB of the local runtime): the port
 * conformance suite, plus what is particular to this layout — request counts on the hot paths,
 * oversized leaves, table creation.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeTableCommand,
  GetItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CompactRange, hashLeaf, inclusionProofNodeIds, type TreeNode } from '@cbm-ledger/protocol';
import {
  createDynamoClient,
  createDynamoStores,
  ensureTable,
  tableDefinition,
  INLINE_LEAF_MAX_BYTES,
} from '../src/index.js';
import { describePortConformance } from './support/conformance.js';
import { leaves, statement } from './support/fixtures.js';
import { startDynalite, type Endpoint } from './support/servers.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

let endpoint: Endpoint;
let client: DynamoDBClient;

beforeAll(async () => {
  endpoint = await startDynalite();
  client = createDynamoClient({ endpoint: endpoint.url });
});

afterAll(async () => {
  client.destroy();
  await endpoint.stop();
});

async function freshTable(): Promise<string> {
  const name = `t-${randomUUID()}`;
  await ensureTable(client, name);
  return name;
}

describePortConformance('dynalite', async () =>
  createDynamoStores({ client, table: await freshTable() }),
);

/** Counts the commands `client` sends, by name, while `run` runs. */
async function countRequests(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const send = client.send.bind(client);
  const counting = (command: { constructor: { name: string } }, ...rest: unknown[]): unknown => {
    const name = command.constructor.name.replace(/Command$/, '');
    counts[name] = (counts[name] ?? 0) + 1;
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  };
  client.send = counting as typeof client.send;
  try {
    await run();
  } finally {
    client.send = send;
  }
  return counts;
}

describe('dynalite: cost of the hot paths', () => {
  it('admits a statement with one conditional PutItem', async () => {
    const { statements } = createDynamoStores({ client, table: await freshTable() });
    const st = statement();
    expect(await countRequests(() => statements.accept(st))).toEqual({ PutItem: 1 });
  });

  it('answers a lost claim from the same request or one consistent read', async () => {
    const { statements } = createDynamoStores({ client, table: await freshTable() });
    const st = statement();
    await statements.accept(st);
    const counts = await countRequests(() => statements.accept(statement({ seq: st.seq })));
    expect(counts['PutItem']).toBe(1);
    expect(counts['GetItem'] ?? 0).toBeLessThanOrEqual(1);
  });

  it('coalesces the links of 200 concurrent submissions into a few batch writes', async () => {
    const { statements } = createDynamoStores({ client, table: await freshTable() });
    const all = Array.from({ length: 200 }, (_, i) =>
      statement({ issuer: `observer:o${i}`, evidence: ['aa'.repeat(32)] }),
    );
    await Promise.all(all.map((st) => statements.accept(st)));
    const counts = await countRequests(() => Promise.all(all.map((st) => statements.link(st))));
    expect(Object.keys(counts)).toEqual(['BatchWriteItem']);
    // 400 items need at least 16 requests of 25; far fewer than one request per statement.
    expect(counts['BatchWriteItem']).toBeLessThan(60);
    expect(await Promise.all(all.map((st) => statements.getById(st.id)))).toEqual(all);
    expect(await statements.citing('aa'.repeat(32), 500)).toHaveLength(200);
  });

  it('stages a 256-leaf batch and its tree nodes in a handful of requests', async () => {
    const { log } = createDynamoStores({ client, table: await freshTable() });
    const batch = leaves(0, 256);
    expect(await countRequests(() => log.writeLeaves(0, batch))).toEqual({ UpdateItem: 4 });
    const range = CompactRange.empty();
    const nodes: TreeNode[] = [];
    for (let i = 0; i < 256; i++) nodes.push(...range.append(hashLeaf(Buffer.from(`leaf ${i}`))));
    expect(nodes).toHaveLength(511);
    const written = await countRequests(() => log.writeNodes(nodes));
    // 510 nodes in the first tile (levels 0-7) at 128 per request, 1 in the next.
    expect(written).toEqual({ UpdateItem: 5 });
    const read = await countRequests(() => log.readNodes(inclusionProofNodeIds(77, 256)));
    expect(read).toEqual({ BatchGetItem: 1 });
  });
});

describe('dynalite: layout details', () => {
  it('stores a leaf over the inline limit in its own item and reads it back', async () => {
    const { log } = createDynamoStores({ client, table: await freshTable() });
    const [big] = leaves(0, 1, 'big', 300);
    expect(JSON.stringify(big).length).toBeGreaterThan(INLINE_LEAF_MAX_BYTES * 10);
    await log.writeLeaves(0, [big!]);
    await log.writeLeaves(0, [big!]);
    expect(await log.readLeaves(0, 5)).toEqual([big]);
  });

  it('keeps a full bundle of the largest inline leaves under the item size limit', async () => {
    const { log } = createDynamoStores({ client, table: await freshTable() });
    // Leaves padded with evidence up to just under the inline limit: 256 of them fit one item.
    const padded = leaves(0, 256, 'pad', 13);
    expect(Math.max(...padded.map((l) => JSON.stringify(l).length))).toBeLessThanOrEqual(
      INLINE_LEAF_MAX_BYTES,
    );
    await log.writeLeaves(0, padded);
    expect(await log.readLeaves(0, 256)).toEqual(padded);
  });

  it('writes each admitted statement once, keyed by issuer and seq, with the pending marks', async () => {
    const table = await freshTable();
    const { statements } = createDynamoStores({ client, table });
    const st = statement({ issuer: 'state:MAR', seq: 3, admittedAt: 1_760_000_000_123 });
    await statements.accept(st);
    const out = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: 'issuer#state:MAR' }, sk: { S: 'seq#0000000000000003' } },
      }),
    );
    expect(out.Item?.['gsk']?.S).toBe('001760000000123#state:MAR#0000000000000003');
    expect(out.Item?.['gpk']?.S).toMatch(/^pending#[0-3]$/);
    await statements.markIntegrated([{ statement: st, index: 0 }]);
    const after = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: 'issuer#state:MAR' }, sk: { S: 'seq#0000000000000003' } },
      }),
    );
    expect(after.Item?.['gpk']).toBeUndefined();
    expect(after.Item?.['index']?.N).toBe('0');
  });

  it('creates the table once, with the pending index, and accepts a second ensureTable', async () => {
    const name = `t-${randomUUID()}`;
    await Promise.all([ensureTable(client, name), ensureTable(client, name)]);
    await ensureTable(client, name);
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(out.Table?.TableStatus).toBe('ACTIVE');
    expect(out.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['pending']);
    expect(tableDefinition(name).TableName).toBe(name);
    expect(tableDefinition().TableName).toBe('cbm-ledger');
  });
});
