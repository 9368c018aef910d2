/**
 * The port conformance suite against moto_server, a second DynamoDB emulator, when it is on PATH
 * (it is on the project's CI machines; the README's commands never need it). Without it this
 * file registers no tests and says so, rather than reporting skipped ones.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, createDynamoStores, ensureTable } from '../src/index.js';
import { describePortConformance } from './support/conformance.js';
import { statement } from './support/fixtures.js';
import { motoAvailable, startMoto, type Endpoint } from './support/servers.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

if (!motoAvailable()) {
  console.log('moto_server is not on PATH: the moto conformance suite did not run');
} else {
  let endpoint: Endpoint;
  let client: DynamoDBClient;

  beforeAll(async () => {
    endpoint = await startMoto();
    client = createDynamoClient({ endpoint: endpoint.url });
  });

  afterAll(async () => {
    client.destroy();
    await endpoint.stop();
  });

  const fresh = async (): Promise<ReturnType<typeof createDynamoStores>> => {
    const table = `t-${randomUUID()}`;
    await ensureTable(client, table);
    return createDynamoStores({ client, table });
  };

  describePortConformance('moto', fresh, { linearizable: false });

  describe('moto: conditional-failure details', () => {
    it('returns the holder of a lost claim', async () => {
      const { statements } = await fresh();
      const holder = statement();
      await statements.accept(holder);
      expect(await statements.accept(statement({ seq: holder.seq }))).toEqual({
        accepted: false,
        existing: holder,
      });
    });
  });
}
