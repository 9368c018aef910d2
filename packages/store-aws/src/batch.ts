/**
 * BatchWriteItem and BatchGetItem with DynamoDB's partial-success contract handled: a batch call
 * may succeed while leaving some items unprocessed (throttling, a busy partition), and those must
 * be resent, with backoff, until none remain. Dropping them would silently lose an id pointer or
 * leave a statement pending forever, so after the retry budget the call fails as
 * STORE_UNAVAILABLE instead.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type KeysAndAttributes,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { Item } from './attributes.js';
import { StoreUnavailableError, storeFault } from './errors.js';

/** DynamoDB's per-request limits. */
export const MAX_BATCH_WRITE = 25;
export const MAX_BATCH_GET = 100;

export interface RetryPolicy {
  /** Attempts per batch request, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 20, maxDelayMs: 1000 };

/** Parallel batch requests in flight per call: enough to hide latency, few enough not to throttle. */
const CONCURRENCY = 4;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Full-jitter exponential backoff (AWS architecture blog), so retrying writers spread out. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(Math.random() * ceiling);
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `task` over `inputs` with at most `limit` in flight; rejects on the first failure. */
export async function mapLimited<T, R>(
  inputs: readonly T[],
  limit: number,
  task: (input: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      results[i] = await task(inputs[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}

/**
 * Writes every request (puts and deletes without conditions), 25 per BatchWriteItem. Requests for
 * the same key must not appear twice: DynamoDB rejects such a batch.
 */
export async function batchWrite(
  client: DynamoDBClient,
  table: string,
  requests: readonly WriteRequest[],
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  await mapLimited(chunks(requests, MAX_BATCH_WRITE), CONCURRENCY, async (chunk) => {
    let pending: WriteRequest[] = chunk;
    for (let attempt = 0; ; attempt++) {
      let unprocessed: WriteRequest[] | undefined;
      try {
        const out = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
        );
        unprocessed = out.UnprocessedItems?.[table];
      } catch (e) {
        throw storeFault(e, 'BatchWriteItem');
      }
      if (unprocessed === undefined || unprocessed.length === 0) return;
      if (attempt + 1 >= policy.attempts) {
        throw new StoreUnavailableError(
          `BatchWriteItem left ${unprocessed.length} items unprocessed after ${policy.attempts} attempts`,
        );
      }
      pending = unprocessed;
      await sleep(backoffMs(policy, attempt));
    }
  });
}

interface QueuedWrite {
  readonly key: string;
  readonly request: WriteRequest;
  readonly done: (error?: unknown) => void;
}

/**
 * Coalesces unconditional writes from concurrent callers into BatchWriteItem requests. A write
 * goes out at once when a request slot is free; while every slot is busy, writes queue and
 * leave together, up to 25 per request. So a lone caller waits one round trip, and under load
 * (many submissions at once) per-statement bookkeeping costs a fraction of a request each.
 * `write` resolves only once every one of its items is stored.
 */
export class WriteCoalescer {
  readonly #queue: QueuedWrite[] = [];
  readonly #busyKeys = new Set<string>();
  #inFlight = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly slots = CONCURRENCY,
  ) {}

  /** Stores `items` (each with a unique key string, e.g. `pk|sk`). */
  write(items: readonly { key: string; request: WriteRequest }[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let remaining = items.length;
      let failed = false;
      const done = (error?: unknown): void => {
        if (failed) return;
        if (error !== undefined) {
          failed = true;
          reject(
            error instanceof Error ? error : new Error('BatchWriteItem failed', { cause: error }),
          );
          return;
        }
        if (--remaining === 0) resolve();
      };
      for (const item of items) this.#queue.push({ ...item, done });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.slots && this.#queue.length > 0) {
      // One request must not name a key twice (DynamoDB rejects it), and a key must not be in
      // two requests at once: a repeated key waits, which keeps writes to one key in call order.
      const batch: QueuedWrite[] = [];
      for (let i = 0; i < this.#queue.length && batch.length < MAX_BATCH_WRITE;) {
        const queued = this.#queue[i] as QueuedWrite;
        if (this.#busyKeys.has(queued.key)) {
          i++;
          continue;
        }
        this.#busyKeys.add(queued.key);
        batch.push(queued);
        this.#queue.splice(i, 1);
      }
      if (batch.length === 0) return;
      this.#inFlight++;
      batchWrite(
        this.client,
        this.table,
        batch.map((q) => q.request),
        this.policy,
      ).then(
        () => this.#settle(batch),
        (error: unknown) => this.#settle(batch, error ?? new Error('BatchWriteItem failed')),
      );
    }
  }

  #settle(batch: readonly QueuedWrite[], error?: unknown): void {
    this.#inFlight--;
    for (const queued of batch) {
      this.#busyKeys.delete(queued.key);
      queued.done(error);
    }
    this.#pump();
  }
}

/**
 * Strongly consistent reads of `keys`, 100 per BatchGetItem. Returns the items found, in no
 * particular order. `projection` (with `names`) narrows what each item returns.
 */
export async function batchGet(
  client: DynamoDBClient,
  table: string,
  keys: readonly Item[],
  options: { projection?: string; names?: Record<string, string> } = {},
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<Item[]> {
  const found: Item[] = [];
  await mapLimited(chunks(keys, MAX_BATCH_GET), CONCURRENCY, async (chunk) => {
    let request: KeysAndAttributes = {
      Keys: chunk,
      ConsistentRead: true,
      ...(options.projection === undefined ? {} : { ProjectionExpression: options.projection }),
      ...(options.names === undefined ? {} : { ExpressionAttributeNames: options.names }),
    };
    for (let attempt = 0; ; attempt++) {
      let unprocessed: KeysAndAttributes | undefined;
      try {
        const out = await client.send(
          new BatchGetItemCommand({ RequestItems: { [table]: request } }),
        );
        found.push(...(out.Responses?.[table] ?? []));
        unprocessed = out.UnprocessedKeys?.[table];
      } catch (e) {
        throw storeFault(e, 'BatchGetItem');
      }
      if (unprocessed?.Keys === undefined || unprocessed.Keys.length === 0) return;
      if (attempt + 1 >= policy.attempts) {
        throw new StoreUnavailableError(
          `BatchGetItem left ${unprocessed.Keys.length} keys unprocessed after ${policy.attempts} attempts`,
        );
      }
      request = { ...request, Keys: unprocessed.Keys };
      await sleep(backoffMs(policy, attempt));
    }
  });
  return found;
}
