/**
 * Evidence on the embedded S3 (s3rver, which checks no checksums): uploads go through the local
 * runtime's signed route, which hashes the body before storing it.
 */
import { createRequire } from 'node:module';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, utf8Encode } from '@cbm-ledger/protocol';
import { S3EvidenceStore, createS3Client } from '@cbm-ledger/store-aws';
import { LocalEvidenceStore, createLocalServer } from '../src/index.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
// s3rver ships no types; this is all the test uses of it.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: object) => S3rverInstance;

const BUCKET = 'evidence-test';
const JOR = 'state:JOR';
let s3rver: S3rverInstance;
let server: Server;
let evidence: LocalEvidenceStore;
let s3: S3EvidenceStore;
let now = Date.now();

beforeAll(async () => {
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: await mkdtemp(join(tmpdir(), 'cbm-s3-')),
    configureBuckets: [{ name: BUCKET }],
  });
  const { port: s3Port } = await s3rver.run();
  s3 = new S3EvidenceStore({
    client: createS3Client({ endpoint: `http://127.0.0.1:${s3Port}`, local: true }),
    bucket: BUCKET,
    trustUploaderMetadata: true,
  });
  let base = '';
  evidence = new LocalEvidenceStore({ s3, baseUrl: () => base, now: () => now });
  server = createLocalServer({
    api: () => Promise.reject(new Error('no API in this test')),
    maxBodyBytes: 1024,
    routes: [evidence],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await s3rver.close();
});

function object(text: string): {
  bytes: Uint8Array;
  sha256: string;
  size: number;
  mediaType: string;
} {
  const bytes = utf8Encode(text);
  return { bytes, sha256: sha256Hex(bytes), size: bytes.length, mediaType: 'text/plain' };
}

async function put(
  url: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<{ status: number; code?: string }> {
  const response = await fetch(url, { method: 'PUT', headers, body: new Uint8Array(body) });
  const text = await response.text();
  return response.status === 200
    ? { status: 200 }
    : { status: response.status, code: (JSON.parse(text) as { code: string }).code };
}

describe('local evidence uploads', () => {
  it("stores a body that hashes to the signed digest as the signing party's copy, and serves it itself", async () => {
    const o = object('observer photographs, 2025-04-02');
    expect(await evidence.possessed(o.sha256, JOR)).toBeUndefined();
    const upload = await evidence.createUpload(o, JOR, 900);
    expect(upload.method).toBe('PUT');
    expect(await put(upload.url, o.bytes, upload.headers)).toEqual({ status: 200 });
    expect(await evidence.possessed(o.sha256, JOR)).toMatchObject({
      sha256: o.sha256,
      size: o.size,
    });
    expect(await evidence.possessed(o.sha256, 'state:EGY'), "not another party's").toBeUndefined();
    const url = await evidence.createDownload(o.sha256, JOR, 60);
    // Served by the runtime itself: never a redirect to the embedded S3.
    expect(
      url.startsWith(`http://127.0.0.1:${(server.address() as AddressInfo).port}/local/`),
    ).toBe(true);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="${o.sha256}"`);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(o.bytes);
    // The download URL is signed like the upload one: nothing in it can be changed.
    for (const tampered of [
      url.replace('state%3AJOR', 'state%3AEGY'),
      url.replace(/expires=\d+/, 'expires=99999999999'),
      url.replace(/signature=[^&]+/, 'signature=AAAA'),
    ]) {
      expect((await fetch(tampered)).status, tampered).toBe(403);
    }
  });

  it('refuses a body with another hash, even of the declared size, and stores nothing', async () => {
    const o = object('the declared content');
    const upload = await evidence.createUpload(o, JOR, 900);
    const forged = utf8Encode('the swapped content!'.slice(0, o.size).padEnd(o.size, '!'));
    expect(forged.length).toBe(o.size);
    expect(await put(upload.url, forged, upload.headers)).toEqual({
      status: 422,
      code: 'EVIDENCE_MISMATCH',
    });
    expect(await evidence.possessed(o.sha256, JOR)).toBeUndefined();
  });

  it('refuses a body of another size', async () => {
    const o = object('twelve bytes');
    const upload = await evidence.createUpload(o, JOR, 900);
    expect(
      await put(upload.url, utf8Encode('twelve bytes and more'), upload.headers),
    ).toMatchObject({ status: 422 });
  });

  it.each([
    ['a changed size', (u: URL) => u.searchParams.set('size', '1')],
    [
      'a changed digest',
      (u: URL) => (u.pathname = u.pathname.replace(/[0-9a-f]{64}/, 'a'.repeat(64))),
    ],
    [
      'a changed party',
      (u: URL) => (u.pathname = u.pathname.replace(/state%3AJOR$/, 'state%3AEGY')),
    ],
    ['a changed type', (u: URL) => u.searchParams.set('type', 'text/html')],
    ['a changed expiry', (u: URL) => u.searchParams.set('expires', '99999999999')],
    ['no signature', (u: URL) => u.searchParams.delete('signature')],
    ['an extra parameter', (u: URL) => u.searchParams.set('x', '1')],
  ])('refuses an upload URL with %s', async (_name, tamper) => {
    const o = object(`tamper ${_name}`);
    const upload = await evidence.createUpload(o, JOR, 900);
    const url = new URL(upload.url);
    tamper(url);
    expect(await put(url.toString(), o.bytes, upload.headers)).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
  });

  it('refuses an expired URL and a Content-Type other than the signed one', async () => {
    const o = object('expiring');
    const upload = await evidence.createUpload(o, JOR, 1);
    expect(await put(upload.url, o.bytes, { 'content-type': 'text/html' })).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    now += 5000;
    try {
      expect(await put(upload.url, o.bytes, upload.headers)).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
    } finally {
      now -= 5000;
    }
  });

  it('answers 405 with Allow to other methods, and 403 to a GET of an upload URL', async () => {
    const o = object('method');
    const upload = await evidence.createUpload(o, JOR, 900);
    const response = await fetch(upload.url, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, PUT');
    // An upload URL signs PUT only: it is no download URL.
    expect((await fetch(upload.url)).status).toBe(403);
  });
});
