/**
 * DynamoEvidenceQuota on dynalite: one conditional update per grant, never overshooting the
 * count or byte limit, even under concurrent grants, and a refusal records nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoEvidenceQuota, createDynamoClient, ensureTable } from '../src/index.js';
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

async function freshQuota(): Promise<{ quota: DynamoEvidenceQuota; table: string }> {
  const table = `quota-${randomUUID()}`;
  await ensureTable(client, table);
  return { quota: new DynamoEvidenceQuota({ client, table }), table };
}

const limits = { count: 3, bytes: 100 };
const DAY = '2026-12-06';

describe('DynamoEvidenceQuota', () => {
  it('grants within both limits and refuses beyond either, charging nothing on refusal', async () => {
    const { quota, table } = await freshQuota();
    expect(await quota.reserve('state:JOR', DAY, 60, limits)).toBe(true);
    expect(await quota.reserve('state:JOR', DAY, 41, limits)).toBe(false);
    const item = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: 'evidence-quota#state:JOR' }, sk: { S: DAY } },
        ConsistentRead: true,
      }),
    );
    expect(item.Item?.['grants']).toEqual({ N: '1' });
    expect(item.Item?.['bytes']).toEqual({ N: '60' });
    expect(await quota.reserve('state:JOR', DAY, 40, limits)).toBe(true);
    expect(await quota.reserve('state:JOR', DAY, 0, limits)).toBe(true);
    expect(await quota.reserve('state:JOR', DAY, 0, limits), 'count spent').toBe(false);
    // Per party and per day.
    expect(await quota.reserve('state:EGY', DAY, 100, limits)).toBe(true);
    expect(await quota.reserve('state:JOR', '2026-12-07', 100, limits)).toBe(true);
    expect(await quota.reserve('state:JOR', DAY, 101, { count: 9, bytes: 100 })).toBe(false);
  });

  it('never overshoots under concurrent grants', async () => {
    const { quota } = await freshQuota();
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        quota.reserve('state:ISR', DAY, 10, { count: 5, bytes: 1000 }),
      ),
    );
    expect(results.filter(Boolean).length).toBe(5);
  });

  it('refuses keys that are not a party and a day', async () => {
    const { quota } = await freshQuota();
    for (const [party, day] of [
      ['JOR', DAY],
      ['state:JOR#x', DAY],
      ['state:JOR', '2026-12-6'],
    ] as const) {
      await expect(quota.reserve(party, day, 1, limits)).rejects.toThrow(RangeError);
    }
  });
});
