/**
 * The Lambda entry points: configuration from the environment, the integrator's drain loop, and
 * both handlers wired to DynamoDB (an in-memory dynalite standing in for it).
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCheckpointSigner, createGenesis } from '@cbm-ledger/ledger';
import { generateKeyFile, keyFileSeed, parseKeyFile } from '@cbm-ledger/protocol';
import { createDynamoClient, ensureTable } from '@cbm-ledger/store-aws';
import { drain } from '../src/index.js';
import { ConfigurationError, readLogVkey, readSettings } from '../src/lambda/environment.js';
import { checked, event } from './fixture.js';

const ORIGIN = 'cbm-ledger.test/lambda';
// dynalite ships no types; this is the one call the test makes.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: {
  createTableMs?: number;
}) => Server;

function context(remainingMs = 60_000): Context {
  return {
    awsRequestId: 'lambda-test',
    functionName: 'cbm-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:cbm-test',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/cbm-test',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('configuration from the environment', () => {
  it('requires the origin and applies the documented defaults', () => {
    expect(() => readSettings({})).toThrow(ConfigurationError);
    expect(readSettings({ CBM_ORIGIN: ORIGIN })).toMatchObject({
      origin: ORIGIN,
      table: 'cbm-ledger',
      bucket: 'cbm-ledger-evidence',
      dynamoEndpoint: undefined,
      s3Endpoint: undefined,
    });
    expect(
      readSettings({
        CBM_ORIGIN: ORIGIN,
        CBM_TABLE: 't',
        CBM_BUCKET: 'b',
        CBM_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
      }),
    ).toMatchObject({
      table: 't',
      bucket: 'b',
      dynamoEndpoint: 'http://127.0.0.1:1',
    });
  });

  it('checks that the log vkey parses and is named by the origin', () => {
    const vkey = createCheckpointSigner(ORIGIN, new Uint8Array(32).fill(2)).vkey;
    expect(readLogVkey({ CBM_LOG_VKEY: vkey }, ORIGIN)).toBe(vkey);
    expect(() => readLogVkey({}, ORIGIN)).toThrow(/CBM_LOG_VKEY is not set/);
    expect(() => readLogVkey({ CBM_LOG_VKEY: 'nonsense' }, ORIGIN)).toThrow(/not a verifier key/);
    expect(() => readLogVkey({ CBM_LOG_VKEY: vkey }, 'other.example/x')).toThrow(/not the origin/);
  });
});

describe('the integrator drain loop', () => {
  it('runs batches until one integrates nothing', async () => {
    const results = [5, 3, 0, 9];
    const integrator = {
      runOnce: vi.fn(() => Promise.resolve({ integrated: results.shift()!, treeSize: 10 })),
    };
    expect(await drain(integrator, () => 60_000)).toEqual({
      integrated: 8,
      treeSize: 10,
      batches: 3,
      outOfTime: false,
    });
  });

  it('stops before starting a batch it may not have time to finish', async () => {
    let remaining = 25_000;
    const integrator = {
      runOnce: vi.fn(() => {
        remaining -= 10_000;
        return Promise.resolve({ integrated: 1, treeSize: 1 });
      }),
    };
    const result = await drain(integrator, () => remaining, 10_000);
    expect(result).toMatchObject({ batches: 2, outOfTime: true, integrated: 2 });
  });
});

describe('the Lambda handlers against DynamoDB', () => {
  let server: Server;
  const operatorKey = generateKeyFile('operator:lambda');
  const logKey = generateKeyFile('operator:lambda', new Uint8Array(32).fill(1));

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await ensureTable(createDynamoClient({ endpoint }), 'cbm-lambda-test');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('CBM_ORIGIN', ORIGIN);
    vi.stubEnv('CBM_TABLE', 'cbm-lambda-test');
    vi.stubEnv('CBM_DYNAMODB_ENDPOINT', endpoint);
    vi.stubEnv('CBM_S3_ENDPOINT', 'http://127.0.0.1:9');
    vi.stubEnv(
      'CBM_LOG_VKEY',
      createCheckpointSigner(ORIGIN, keyFileSeed(parseKeyFile(logKey))).vkey,
    );
    vi.stubEnv('CBM_LOG_KEY', JSON.stringify(logKey));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('admits the genesis through the API handler and integrates it with the integrator handler', async () => {
    const { handler: api } = await import('../src/lambda/api.js');
    const { handler: integrate } = await import('../src/lambda/integrator.js');

    const before = checked('GET', '/v1/ledger', await api(event('GET', '/v1/ledger'), context()));
    expect(JSON.parse(before.body)).toMatchObject({ origin: ORIGIN, treeSize: 0, operator: null });

    const genesis = createGenesis({
      origin: ORIGIN,
      operatorKeyFile: operatorKey,
      logSeed: keyFileSeed(logKey),
      now: Date.now(),
    });
    const accepted = checked(
      'POST',
      '/v1/statements',
      await api(
        event('POST', '/v1/statements', {
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(genesis),
          base64: true,
        }),
        context(),
      ),
    );
    expect(accepted.statusCode).toBe(202);

    expect(await integrate({}, context())).toMatchObject({
      integrated: 1,
      treeSize: 1,
      outOfTime: false,
    });
    const checkpoint = checked(
      'GET',
      '/v1/checkpoint',
      await api(event('GET', '/v1/checkpoint'), context()),
    );
    expect(checkpoint.body.startsWith(`${ORIGIN}\n1\n`)).toBe(true);
  });
});
