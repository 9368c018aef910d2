/**
 * How DynamoDB faults reach the domain, with the SDK mocked (aws-sdk-client-mock): a throttled or
 * timed-out call is STORE_UNAVAILABLE (retryable), never mistaken for a conditional outcome; a
 * conditional-check failure becomes each port's answer; unprocessed batch items are resent.
 */
import { problemStatus } from '@cbm-ledger/contract';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { LogConflictError, LedgerError } from '@cbm-ledger/ledger';
import {
  createDynamoStores,
  StoreUnavailableError,
  isTransient,
  type RetryPolicy,
} from '../src/index.js';
import { head, leaves, snapshot, statement } from './support/fixtures.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const client = new DynamoDBClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});
const ddb = mockClient(client);
const quickRetry: RetryPolicy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };
const stores = (): ReturnType<typeof createDynamoStores> =>
  createDynamoStores({ client, table: 'ledger', retry: quickRetry });

function throttled(): Error {
  return new ProvisionedThroughputExceededException({
    message: 'slow down',
    $metadata: { httpStatusCode: 400 },
  });
}

function timedOut(): Error {
  return Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4567'), { code: 'ECONNREFUSED' });
}

function conditionFailed(item?: Record<string, AttributeValue>): Error {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
    ...(item === undefined ? {} : { Item: item }),
  });
}

async function expectUnavailable(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect(error).toBeInstanceOf(LedgerError);
  expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
  expect(problemStatus((error as LedgerError).code)).toBe(503);
}

beforeEach(() => ddb.reset());
afterEach(() => ddb.reset());

describe('transient faults surface as STORE_UNAVAILABLE', () => {
  it.each([
    ['throttling', throttled],
    ['a timeout', timedOut],
    ['a refused connection', refused],
  ])('a claim that meets %s is unavailable, not a lost race', async (_what, fault) => {
    ddb.on(PutItemCommand).rejects(fault());
    await expectUnavailable(stores().statements.accept(statement()));
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('a head commit that is throttled is unavailable, not refused', async () => {
    ddb.on(PutItemCommand).rejects(throttled());
    await expectUnavailable(stores().log.commitHead(3, head(4)));
  });

  it('a leaf write that times out is unavailable, not a conflict', async () => {
    ddb.on(UpdateItemCommand).rejects(timedOut());
    await expectUnavailable(stores().log.writeLeaves(0, leaves(0, 3)));
  });

  it('a registry write that is throttled is unavailable, not refused', async () => {
    ddb.on(PutItemCommand).rejects(throttled());
    await expectUnavailable(stores().registry.write(snapshot(2), 1));
  });

  it.each([
    ['readHead', () => stores().log.readHead()],
    ['getBySeq', () => stores().statements.getBySeq('state:JOR', 1)],
    ['getCheckpoint', () => stores().log.getCheckpoint(1)],
  ])('a read (%s) that meets a 503 is unavailable', async (_what, read) => {
    ddb.on(GetItemCommand).rejects(
      Object.assign(new Error('Service Unavailable'), {
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    await expectUnavailable(read());
  });

  it('a pending query that is throttled is unavailable', async () => {
    ddb.on(QueryCommand).rejects(throttled());
    await expectUnavailable(stores().statements.pending(10));
  });

  it('a validation error is a bug, and propagates unchanged', async () => {
    const invalid = Object.assign(new Error('One or more parameter values were invalid'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    ddb.on(GetItemCommand).rejects(invalid);
    await expect(stores().log.readHead()).rejects.toBe(invalid);
    expect(isTransient(invalid)).toBe(false);
  });
});

describe('conditional-check failures become port outcomes', () => {
  /** Accepts `st` against the mock and returns the item DynamoDB would have stored. */
  async function storedItem(
    st: ReturnType<typeof statement>,
  ): Promise<Record<string, AttributeValue>> {
    let stored: Record<string, AttributeValue> | undefined;
    ddb.on(PutItemCommand).callsFakeOnce((input: { Item: Record<string, AttributeValue> }) => {
      stored = input.Item;
      return {};
    });
    expect(await stores().statements.accept(st)).toEqual({ accepted: true });
    ddb.reset();
    return stored as Record<string, AttributeValue>;
  }

  it('a lost claim returns the holder the failure carried, without another read', async () => {
    const holder = statement();
    const stored = await storedItem(holder);
    ddb.on(PutItemCommand).rejects(conditionFailed(stored));
    const outcome = await stores().statements.accept(statement({ seq: holder.seq }));
    expect(outcome).toEqual({ accepted: false, existing: holder });
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
    expect(
      ddb.commandCalls(PutItemCommand)[0]?.args[0].input.ReturnValuesOnConditionCheckFailure,
    ).toBe('ALL_OLD');
  });

  it('a lost claim without the holder attached reads it consistently', async () => {
    const holder = statement();
    const stored = await storedItem(holder);
    ddb.on(PutItemCommand).rejects(conditionFailed());
    ddb.on(GetItemCommand).callsFake(() => ({ Item: stored }));
    const outcome = await stores().statements.accept(statement({ seq: holder.seq }));
    expect(outcome).toEqual({ accepted: false, existing: holder });
    const reads = ddb.commandCalls(GetItemCommand);
    expect(reads).toHaveLength(1);
    expect(reads[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it('a head commit from a stale size returns false', async () => {
    ddb.on(PutItemCommand).rejects(conditionFailed());
    expect(await stores().log.commitHead(3, head(4))).toBe(false);
    const put = ddb.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.ConditionExpression).toBe('#size = :expected');
    expect(put?.ExpressionAttributeValues?.[':expected']).toEqual({ N: '3' });
  });

  it('a registry write from a stale asOf returns false', async () => {
    ddb.on(PutItemCommand).rejects(conditionFailed());
    expect(await stores().registry.write(snapshot(5), 4)).toBe(false);
  });

  it('a leaf write over different leaves is a LogConflictError', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(stores().log.writeLeaves(0, leaves(0, 3))).rejects.toBeInstanceOf(
      LogConflictError,
    );
  });

  it('a second checkpoint for one size is refused unless it is the same note', async () => {
    ddb
      .on(PutItemCommand)
      .rejects(conditionFailed({ pk: { S: 'checkpoint' }, sk: { S: '7' }, note: { S: 'kept\n' } }));
    await expect(stores().log.putCheckpoint(7, 'kept\n')).resolves.toBeUndefined();
    await expect(stores().log.putCheckpoint(7, 'other\n')).rejects.toBeInstanceOf(LogConflictError);
  });
});

describe('batch writes and reads resend what DynamoDB left unprocessed', () => {
  it('markIntegrated resends unprocessed items until none remain', async () => {
    const batch = Array.from({ length: 5 }, (_, i) => ({
      statement: statement({ seq: i + 1 }),
      index: i,
    }));
    let leftOver: WriteRequest[] = [];
    ddb
      .on(BatchWriteItemCommand)
      .callsFakeOnce((input: { RequestItems: Record<string, WriteRequest[]> }) => {
        leftOver = (input.RequestItems['ledger'] ?? []).slice(0, 3);
        return { UnprocessedItems: { ledger: leftOver } };
      })
      .callsFakeOnce(() => ({ UnprocessedItems: { ledger: leftOver.slice(0, 1) } }))
      .resolves({ UnprocessedItems: {} });
    await stores().statements.markIntegrated(batch);
    const calls = ddb
      .commandCalls(BatchWriteItemCommand)
      .map((c) => c.args[0].input.RequestItems?.['ledger']);
    expect(calls.map((c) => c?.length)).toEqual([10, 3, 1]);
    expect(calls[1]).toEqual(leftOver);
  });

  it('gives up as STORE_UNAVAILABLE when items stay unprocessed', async () => {
    ddb
      .on(BatchWriteItemCommand)
      .callsFake((input: { RequestItems: Record<string, WriteRequest[]> }) => ({
        UnprocessedItems: input.RequestItems,
      }));
    await expectUnavailable(
      stores().statements.markIntegrated([{ statement: statement(), index: 0 }]),
    );
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(quickRetry.attempts);
  });

  it('a throttled batch write is unavailable', async () => {
    ddb.on(BatchWriteItemCommand).rejects(throttled());
    await expectUnavailable(stores().statements.link(statement()));
  });

  it('readNodes resends unprocessed keys', async () => {
    const hash = new Uint8Array(32).fill(7);
    ddb
      .on(BatchGetItemCommand)
      .callsFakeOnce((input: { RequestItems: Record<string, { Keys: unknown[] }> }) => ({
        Responses: { ledger: [] },
        UnprocessedKeys: input.RequestItems,
      }))
      .callsFake(() => ({
        Responses: {
          ledger: [{ pk: { S: 'tree#0' }, sk: { S: 'tile#0000000000000000' }, n0_3: { B: hash } }],
        },
      }));
    const nodes = await stores().log.readNodes([{ level: 0, index: 3 }]);
    expect(nodes.get('0/3')).toEqual(hash);
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(2);
  });
});
