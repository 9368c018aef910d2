/**
 * The client's retry of 429/503 (retry.ts), against a scripted fetch: Retry-After honoured with
 * jitter, exponential backoff without it, a bounded number of retries, nothing else retried, and
 * signed requests signed afresh on every attempt.
 */
import { describe, expect, it } from 'vitest';
import { generateKeyFile } from '@cbm-ledger/protocol';
import { ApiError, LedgerClient, parseRetryAfter, retryDelay } from '../src/index.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');

describe('parseRetryAfter', () => {
  const cases: [string | null, number | undefined][] = [
    [null, undefined],
    ['', undefined],
    ['5', 5000],
    ['0', 0],
    [' 7 ', 7000],
    ['-1', undefined],
    ['1.5', undefined],
    ['abc', undefined],
    ['5s', undefined],
    ['9999999999', undefined],
    ['Sun, 06 Dec 2026 12:00:10 GMT', 10_000],
    ['Sun, 06 Dec 2026 11:59:00 GMT', 0],
    ['Sun, 99 Foo 2026 12:00:10 GMT', undefined],
  ];
  it.each(cases)('%j → %j ms', (header, want) => {
    expect(parseRetryAfter(header, NOW)).toBe(want);
  });
});

describe('retryDelay', () => {
  it('waits Retry-After plus at most 20 % jitter', () => {
    expect(retryDelay(0, 2000, { random: () => 0 })).toBe(2000);
    expect(retryDelay(0, 2000, { random: () => 0.999 })).toBe(2400);
  });
  it('backs off exponentially with full jitter when no Retry-After is given', () => {
    const opts = { random: () => 0.5, baseDelayMs: 100 };
    expect([0, 1, 2].map((a) => retryDelay(a, undefined, { ...opts, retries: 5 }))).toEqual([
      50, 100, 200,
    ]);
    expect(retryDelay(10, undefined, { ...opts, retries: 20, maxDelayMs: 1000 })).toBe(500);
  });
  it('gives up after the configured retries and on a Retry-After beyond the longest wait', () => {
    expect(retryDelay(3, 0, {})).toBeUndefined();
    expect(retryDelay(0, 0, { retries: 0 })).toBeUndefined();
    expect(retryDelay(0, 31_000, {})).toBeUndefined();
  });
});

interface Scripted {
  client: LedgerClient;
  calls: { url: string; headers: Record<string, string> }[];
  sleeps: number[];
}

const LEDGER = { origin: 'test.example/ledger', logVkey: 'x' };

function problem(status: number, headers: Record<string, string> = {}): Response {
  return new Response(
    JSON.stringify({ status, code: status === 429 ? 'RATE_LIMITED' : 'UNAVAILABLE', title: 't' }),
    { status, headers: { 'content-type': 'application/problem+json', ...headers } },
  );
}

function scripted(answers: (() => Response)[], retry = {}, signed = false): Scripted {
  const calls: Scripted['calls'] = [];
  const sleeps: number[] = [];
  let i = 0;
  const fetchImpl = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : input.toString();
    if (url.endsWith('/v1/ledger') && signed) {
      return Promise.resolve(new Response(JSON.stringify(LEDGER), { status: 200 }));
    }
    calls.push({ url, headers: { ...(init?.headers as Record<string, string>) } });
    const answer = answers[Math.min(i++, answers.length - 1)]!;
    return Promise.resolve(answer());
  };
  const client = new LedgerClient({
    server: 'http://ledger.test',
    fetch: fetchImpl,
    retry: {
      random: () => 0.5,
      sleep: (ms: number) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      ...retry,
    },
    ...(signed ? { auth: { keyFile: generateKeyFile('state:JOR') } } : {}),
  });
  return { client, calls, sleeps };
}

const ok = (): Response => new Response(JSON.stringify(LEDGER), { status: 200 });

describe('LedgerClient retries', () => {
  it('retries a 503 after its Retry-After, with jitter, then returns the answer', async () => {
    const s = scripted([() => problem(503, { 'retry-after': '2' }), ok]);
    await expect(s.client.info()).resolves.toMatchObject(LEDGER);
    expect(s.calls).toHaveLength(2);
    expect(s.sleeps).toEqual([2200]);
  });

  it('retries a 429 without Retry-After with exponential backoff', async () => {
    const s = scripted([() => problem(429), () => problem(429), ok], { baseDelayMs: 100 });
    await s.client.info();
    expect(s.sleeps).toEqual([50, 100]);
  });

  it('stops after the configured retries and reports the last problem', async () => {
    const s = scripted([() => problem(503)], { retries: 2 });
    const err = await s.client.info().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    expect(s.calls).toHaveLength(3);
    expect(s.sleeps).toHaveLength(2);
  });

  it('does not wait for a Retry-After longer than the longest wait', async () => {
    const s = scripted([() => problem(429, { 'retry-after': '3600' }), ok]);
    await expect(s.client.info()).rejects.toMatchObject({ status: 429 });
    expect(s.calls).toHaveLength(1);
    expect(s.sleeps).toEqual([]);
  });

  it.each([400, 404, 409, 500, 502])('does not retry HTTP %i', async (status) => {
    const s = scripted([() => problem(status), ok]);
    await expect(s.client.info()).rejects.toMatchObject({ status });
    expect(s.calls).toHaveLength(1);
  });

  it('signs every attempt of an authenticated read afresh (a signature is single-use)', async () => {
    const s = scripted([() => problem(503, { 'retry-after': '0' }), ok], {}, true);
    await s.client.parties().catch(() => undefined);
    expect(s.calls).toHaveLength(2);
    const [a, b] = s.calls.map((c) => c.headers['signature-input']);
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
  });

  it('resends the same bytes for a statement submission', async () => {
    const bodies: string[] = [];
    let n = 0;
    const client = new LedgerClient({
      server: 'http://ledger.test',
      fetch: (_: unknown, init?: RequestInit) => {
        bodies.push(new TextDecoder().decode(init?.body as Uint8Array));
        return Promise.resolve(
          n++ === 0
            ? problem(503, { 'retry-after': '0' })
            : new Response(JSON.stringify({ statement: 'sha256:00', status: 'pending' }), {
                status: 202,
              }),
        );
      },
      retry: { sleep: () => Promise.resolve() },
    });
    const envelope = { payloadType: 't', payload: 'e30=', signatures: [] };
    await expect(client.submit(envelope)).resolves.toMatchObject({ httpStatus: 202 });
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toBe(bodies[1]);
  });
});
