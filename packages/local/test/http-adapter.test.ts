/**
 * The node:http adapter in process, over the real API handler and a memory ledger: requests
 * become API Gateway events with the exact bytes, and answers conform to the OpenAPI document.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../src/index.js';
import { checkResponse } from '@cbm-ledger/functions/testing';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import type { Party, TestLedger } from '@cbm-ledger/functions/testing';

let ledger: TestLedger;
let jor: Party;
let server: Server;
let base: string;
const seen: { path: string; query: unknown; headers: unknown }[] = [];

async function request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${base}${path}`, { ...init, method });
  const body = await response.clone().text();
  const headers = headerObject(response.headers);
  const errors = checkResponse({
    method,
    path: new URL(path, base).pathname,
    status: response.status,
    headers,
    body,
  });
  expect(errors, body).toEqual([]);
  return response;
}

beforeAll(async () => {
  ledger = await createTestLedger();
  jor = await ledger.registerState('state:JOR');
  server = createLocalServer({
    api: (event, context) => {
      seen.push({
        path: event.path,
        query: event.multiValueQueryStringParameters,
        headers: event.multiValueHeaders,
      });
      return ledger.api(event, context);
    },
    maxBodyBytes: ledger.config.maxBodyBytes,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const risk = {
  to: 'state:EGY',
  activity: {
    description: 'Armoured columns moving towards the border',
    // Named by an area and a time window: admission refuses requests that name no activity.
    area: { description: 'The border crossing' },
    start: '2026-01-01T00:00:00Z',
    end: '2026-01-02T00:00:00Z',
  },
  question: 'What is the purpose of this activity?',
};

describe('the local HTTP adapter', () => {
  it('serves the API', async () => {
    const response = await request('GET', '/v1/ledger');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { origin: string }).origin).toBe(ledger.config.origin);
  });

  it('passes the body through byte for byte, so signatures verify', async () => {
    const envelope = ledger.sign(jor, 'risk.request', risk);
    // Whitespace and key order are kept: the handler must see these exact bytes.
    const text = `{ "signatures": ${JSON.stringify(envelope.signatures)},\n "payload": "${envelope.payload}", "payloadType": "${envelope.payloadType}" }`;
    const response = await request('POST', '/v1/statements', {
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toMatch(/^\/v1\/statements\/sha256:[0-9a-f]{64}$/);
  });

  it('builds multi-valued query parameters and headers as API Gateway does', async () => {
    const response = await request('GET', '/v1/entries?start=0&start=1', {
      headers: { 'x-probe': 'a' },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('MALFORMED');
    expect(seen.at(-1)).toMatchObject({
      path: '/v1/entries',
      query: { start: ['0', '1'] },
      headers: { 'x-probe': ['a'] },
    });
  });

  it('keeps the percent-encoding of the path for the router to decode once', async () => {
    await request('GET', '/v1/parties/state%3AJOR');
    expect(seen.at(-1)?.path).toBe('/v1/parties/state%3AJOR');
  });

  it('lets the handler answer 413 for a body over the limit without buffering it all', async () => {
    const response = await request('POST', '/v1/statements', {
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(ledger.config.maxBodyBytes * 3),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe('BODY_TOO_LARGE');
  });

  it('answers unknown paths and methods with problems', async () => {
    expect((await request('GET', '/nothing')).status).toBe(404);
    const wrong = await request('PATCH', '/v1/checkpoint');
    expect(wrong.status).toBe(405);
    // HEAD is served on every GET path (RFC 9110 §9.3.2), so Allow names it too.
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers HEAD on a GET path with the GET status and length and no body, over real HTTP', async () => {
    const get = await fetch(`${base}/v1/checkpoint`);
    const text = await get.text();
    const head = await fetch(`${base}/v1/checkpoint`, { method: 'HEAD' });
    expect(head.status).toBe(get.status);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(await head.text()).toBe('');
  });
});

function headerObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}
