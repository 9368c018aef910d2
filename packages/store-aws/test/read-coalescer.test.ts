/**
 * Point reads by (issuer, seq) under load: concurrent lookups (an integrator batch) share
 * BatchGetItem requests, a lone one costs one GetItem, and a read never returns less than what
 * was written before it was asked.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Item } from '../src/attributes.js';
import { createDynamoClient, createDynamoStores, ensureTable } from '../src/index.js';
import { ReadCoalescer } from '../src/read-coalescer.js';
import { statement } from './support/fixtures.js';
import { startDynalite, type Endpoint } from './support/servers.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

let endpoint: Endpoint;
let client: DynamoDBClient;
const counts: Record<string, number> = {};

beforeAll(async () => {
  endpoint = await startDynalite();
  client = createDynamoClient({ endpoint: endpoint.url });
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? '?';
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
});

afterAll(async () => {
  client.destroy();
  await endpoint.stop();
});

async function stores(): Promise<ReturnType<typeof createDynamoStores>> {
  const table = `t-${randomUUID()}`;
  await ensureTable(client, table);
  return createDynamoStores({ client, table });
}

function reset(): void {
  for (const name of Object.keys(counts)) delete counts[name];
}

describe('getBySeq under concurrency', () => {
  it('answers 300 concurrent lookups, found or not, with a handful of requests', async () => {
    const { statements } = await stores();
    const all = Array.from({ length: 200 }, (_, i) => statement({ issuer: `observer:o${i}` }));
    await Promise.all(all.map((st) => statements.accept(st)));
    reset();
    const found = await Promise.all([
      ...all.map((st) => statements.getBySeq(st.issuer, st.seq)),
      ...all.slice(0, 100).map((st) => statements.getBySeq(st.issuer, st.seq + 1)),
    ]);
    expect(found.slice(0, 200)).toEqual(all);
    expect(found.slice(200).every((s) => s === undefined)).toBe(true);
    const requests = (counts['GetItemCommand'] ?? 0) + (counts['BatchGetItemCommand'] ?? 0);
    expect(requests).toBeLessThanOrEqual(10);
    expect(counts['BatchGetItemCommand']).toBeGreaterThanOrEqual(3);
  });

  it('reads a lone lookup with one GetItem, and the same key asked twice at once once', async () => {
    const { statements } = await stores();
    const st = statement();
    await statements.accept(st);
    reset();
    expect(await statements.getBySeq(st.issuer, st.seq)).toEqual(st);
    expect(counts).toEqual({ GetItemCommand: 1 });
  });
});

describe('ReadCoalescer', () => {
  /** A client whose requests are answered by hand, in any order. */
  function heldClient(): {
    client: DynamoDBClient;
    sent: { name: string; keys: number; answer: (items: Item[]) => void }[];
  } {
    const sent: { name: string; keys: number; answer: (items: Item[]) => void }[] = [];
    const send = (command: {
      constructor: { name: string };
      input: { Key?: Item; RequestItems?: Record<string, { Keys: Item[] }> };
    }): Promise<unknown> =>
      new Promise((resolve) => {
        const name = command.constructor.name;
        const batch = command.input.RequestItems?.['t'];
        sent.push({
          name,
          keys: batch?.Keys.length ?? 1,
          answer: (items) =>
            resolve(name === 'GetItemCommand' ? { Item: items[0] } : { Responses: { t: items } }),
        });
      });
    return { client: { send } as unknown as DynamoDBClient, sent };
  }
  const key = (sk: string): Item => ({ pk: { S: 'p' }, sk: { S: sk } });
  const item = (sk: string, v: string): Item => ({ ...key(sk), v: { S: v } });

  it('never hands a caller the answer of a read sent before it asked', async () => {
    const { client, sent } = heldClient();
    const reads = new ReadCoalescer(client, 't', 'test');
    const early = reads.get(key('a'));
    const late = reads.get(key('a')); // a slot is free: its own request, not the one in flight
    expect(sent.map((s) => s.name)).toEqual(['GetItemCommand', 'GetItemCommand']);
    sent[0]!.answer([]);
    sent[1]!.answer([item('a', 'written meanwhile')]);
    expect(await early).toBeUndefined();
    expect(await late).toEqual(item('a', 'written meanwhile'));
  });

  it('sends what queued while every slot was busy together, each key once', async () => {
    const { client, sent } = heldClient();
    const reads = new ReadCoalescer(client, 't', 'test', undefined, 1);
    const first = reads.get(key('a'));
    const queued = [reads.get(key('a')), reads.get(key('b')), reads.get(key('a'))];
    expect(sent).toHaveLength(1);
    sent[0]!.answer([item('a', '1')]);
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.map((s) => [s.name, s.keys])).toEqual([
      ['GetItemCommand', 1],
      ['BatchGetItemCommand', 2],
    ]);
    sent[1]!.answer([item('b', '2'), item('a', '3')]);
    expect(await Promise.all(queued)).toEqual([item('a', '3'), item('b', '2'), item('a', '3')]);
  });
});
