/**
 * The ledger's one DynamoDB table as the adapters use it: the SDK's faults mapped (errors.ts),
 * conditional failures made values, and the checks every adapter shares. The item layout is
 * documented in layout.ts.
 */
import {
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { N, type Item } from './attributes.js';
import type { RetryPolicy } from './batch.js';
import { isConditionalCheckFailed, storeFault } from './errors.js';

export type PutOutcome = { ok: true } | { ok: false; old: Item | undefined };

/** The table, with the SDK's faults mapped (errors.ts) and conditional failures made values. */
export class LedgerTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
    readonly retry: RetryPolicy,
  ) {}

  async get(key: Item, what: string): Promise<Item | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.name, Key: key, ConsistentRead: true }),
      );
      return out.Item;
    } catch (e) {
      throw storeFault(e, what);
    }
  }

  async put(item: Item, what: string, condition?: Condition): Promise<PutOutcome> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.name,
          Item: item,
          ...(condition === undefined
            ? {}
            : {
                ConditionExpression: condition.expression,
                ...(condition.names === undefined
                  ? {}
                  : { ExpressionAttributeNames: condition.names }),
                ...(condition.values === undefined
                  ? {}
                  : { ExpressionAttributeValues: condition.values }),
                ...(condition.returnOld === true
                  ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }
                  : {}),
              }),
        }),
      );
      return { ok: true };
    } catch (e) {
      if (isConditionalCheckFailed(e)) return { ok: false, old: (e as { Item?: Item }).Item };
      throw storeFault(e, what);
    }
  }

  /** UpdateItem; false when its condition failed. */
  async update(
    key: Item,
    what: string,
    update: string,
    names: Record<string, string> | undefined,
    values: Item,
    condition?: string,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.name,
          Key: key,
          UpdateExpression: update,
          ...(names === undefined ? {} : { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: values,
          ...(condition === undefined ? {} : { ConditionExpression: condition }),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw storeFault(e, what);
    }
  }
}

/** A DynamoDB condition expression with its placeholders. */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Item;
  /** Ask DynamoDB to return the item that failed the condition (saves a read). */
  returnOld?: boolean;
}

export function requireCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  }
}

/**
 * The condition of a single-item compare-and-set: the item is absent (`expected` undefined) or
 * its numeric `attribute` still holds `expected`. The head and the registry snapshot advance so.
 */
export function absentOrAt(
  attribute: string,
  expected: number | undefined,
  what: string,
): Condition {
  if (expected === undefined) return { expression: 'attribute_not_exists(pk)' };
  requireCount(expected, what);
  return {
    expression: `#${attribute} = :expected`,
    names: { [`#${attribute}`]: attribute },
    values: { ':expected': N(expected) },
  };
}

/**
 * Security: ids and party ids in lookups can come straight from a request path. One too long to
 * be a key (DynamoDB allows 2,048 bytes) names nothing, rather than failing the request as a
 * ValidationException, i.e. a 5xx.
 */
export const unkeyable = (value: string): boolean => Buffer.byteLength(value, 'utf8') > 1024;
