/**
 * Coalesces strongly consistent point reads from concurrent callers into BatchGetItem requests,
 * as WriteCoalescer (batch.ts) does for writes. A read goes out at once, as a GetItem, when a
 * request slot is free; while every slot is busy, reads queue and leave together, up to 100 per
 * BatchGetItem. So a lone caller waits one round trip, and an integrator batch that looks up
 * 2 × 256 statements at once costs about ten requests instead of 512 (each request costs an
 * emulator about a millisecond, whatever it carries).
 *
 * A read joins only a queued read of the same key, never one already sent: a caller must see
 * every write that completed before it asked.
 */
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Item } from './attributes.js';
import { DEFAULT_RETRY, MAX_BATCH_GET, batchGet, type RetryPolicy } from './batch.js';
import { storeFault } from './errors.js';

interface QueuedRead {
  readonly key: Item;
  readonly waiters: { resolve: (item: Item | undefined) => void; reject: (e: unknown) => void }[];
}

const idOf = (key: Item): string => `${key['pk']?.S ?? ''}|${key['sk']?.S ?? ''}`;

export class ReadCoalescer {
  readonly #queue = new Map<string, QueuedRead>();
  #inFlight = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly what: string,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly slots = 4,
  ) {}

  /** The item under `key` (string `pk` and `sk`), read strongly consistently after this call. */
  get(key: Item): Promise<Item | undefined> {
    return new Promise((resolve, reject) => {
      const id = idOf(key);
      let queued = this.#queue.get(id);
      if (queued === undefined) {
        queued = { key, waiters: [] };
        this.#queue.set(id, queued);
      }
      queued.waiters.push({ resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.slots && this.#queue.size > 0) {
      const batch: [string, QueuedRead][] = [];
      for (const entry of this.#queue) {
        batch.push(entry);
        if (batch.length === MAX_BATCH_GET) break;
      }
      for (const [id] of batch) this.#queue.delete(id);
      this.#inFlight++;
      this.#read(batch.map(([, q]) => q.key)).then(
        (found) => this.#settle(batch, found),
        (error: unknown) => this.#settle(batch, undefined, error),
      );
    }
  }

  async #read(keys: readonly Item[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    if (keys.length === 1) {
      let item: Item | undefined;
      try {
        const out = await this.client.send(
          new GetItemCommand({ TableName: this.table, Key: keys[0], ConsistentRead: true }),
        );
        item = out.Item;
      } catch (e) {
        throw storeFault(e, this.what);
      }
      if (item !== undefined) found.set(idOf(keys[0] as Item), item);
      return found;
    }
    for (const item of await batchGet(this.client, this.table, keys, {}, this.policy)) {
      found.set(idOf(item), item);
    }
    return found;
  }

  #settle(
    batch: readonly [string, QueuedRead][],
    found: Map<string, Item> | undefined,
    error?: unknown,
  ): void {
    this.#inFlight--;
    for (const [id, queued] of batch) {
      for (const waiter of queued.waiters) {
        if (found === undefined) waiter.reject(error ?? new Error(`${this.what} failed`));
        else waiter.resolve(found.get(id));
      }
    }
    this.#pump();
  }
}
