/**
 * S3EvidenceStore against s3rver (the local runtime's embedded S3) and, when moto_server is on
 * PATH, against moto, which stores and reports SHA-256 checksums as S3 does.
 */
import { problemStatus } from '@cbm-ledger/contract';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LedgerError } from '@cbm-ledger/ledger';
import { createS3Client, ensureBucket, S3EvidenceStore } from '../src/index.js';
import { motoAvailable, startMoto, startS3rver, type Endpoint } from './support/servers.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const BUCKET = 'cbm-ledger-evidence';
const JOR = 'state:JOR';
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const base64Of = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');
const body = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

describe('S3EvidenceStore on s3rver', () => {
  let endpoint: Endpoint;
  let client: S3Client;
  let store: S3EvidenceStore;

  beforeAll(async () => {
    endpoint = await startS3rver([BUCKET]);
    client = createS3Client({ endpoint: endpoint.url, local: true });
    store = new S3EvidenceStore({ client, bucket: BUCKET, trustUploaderMetadata: true });
  });

  afterAll(async () => {
    client.destroy();
    await endpoint.stop();
  });

  it('counts an upload as possession of its uploader only, never of another party', async () => {
    const bytes = body('a restricted annex of JOR');
    const hex = sha256(bytes);
    await store.putVerified(hex, bytes, 'text/plain', JOR);
    expect(await store.possessed(hex, JOR)).toMatchObject({ sha256: hex });
    expect(await store.possessed(hex, 'state:EGY')).toBeUndefined();
    const upload = await store.createUpload(
      { sha256: hex, size: bytes.length, mediaType: 'text/plain' },
      'state:EGY',
      60,
    );
    expect(decodeURIComponent(new URL(upload.url).pathname)).toBe(
      `/${BUCKET}/evidence/sha256/${hex}/state:EGY`,
    );
    for (const bad of ['', 'EGY', 'state:EGY/../x', 'state:egy']) {
      await expect(store.createDownload(hex, bad, 60)).rejects.toThrow(RangeError);
      expect(await store.possessed(hex, bad)).toBeUndefined();
    }
  });

  it('stores verified bytes under evidence/sha256/<hex>/<party> and reports them', async () => {
    const bytes = body('observer report annex: photographs of the exercise area');
    const hex = sha256(bytes);
    expect(await store.possessed(hex, JOR)).toBeUndefined();
    expect(await store.putVerified(hex, bytes, 'text/plain', JOR)).toEqual({
      sha256: hex,
      size: bytes.length,
      mediaType: 'text/plain',
    });
    expect(await store.possessed(hex, JOR)).toEqual({
      sha256: hex,
      size: bytes.length,
      mediaType: 'text/plain',
    });
    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: `evidence/sha256/${hex}/${JOR}` }),
    );
    expect(head.ContentLength).toBe(bytes.length);
  });

  it('creates a missing bucket once and accepts an existing one', async () => {
    await ensureBucket(client, 'created-by-ensure');
    await ensureBucket(client, 'created-by-ensure');
    await ensureBucket(client, BUCKET);
    const other = new S3EvidenceStore({
      client,
      bucket: 'created-by-ensure',
      trustUploaderMetadata: true,
    });
    const bytes = body('stored in the new bucket');
    await other.putVerified(sha256(bytes), bytes, undefined, JOR);
    expect(await other.possessed(sha256(bytes), JOR)).toEqual({
      sha256: sha256(bytes),
      size: bytes.length,
      mediaType: 'application/octet-stream',
    });
  });

  it('refuses bytes that hash to something else, and stores nothing', async () => {
    const claimed = sha256(body('the declared content'));
    const error: unknown = await store
      .putVerified(claimed, body('other content'), 'text/plain', JOR)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'EVIDENCE_MISMATCH' });
    expect(problemStatus((error as LedgerError).code)).toBe(422);
    expect(await store.possessed(claimed, JOR)).toBeUndefined();
  });

  it('does not count an object written around putVerified', async () => {
    const bytes = body('placed directly in the bucket');
    const hex = sha256(bytes);
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `evidence/sha256/${hex}/${JOR}`,
        Body: Buffer.from(bytes),
      }),
    );
    expect(await store.possessed(hex, JOR)).toBeUndefined();
  });

  it('without trustUploaderMetadata, counts only checksums the server vouches for (s3rver reports none)', async () => {
    const bytes = body('verified by us, not by s3rver');
    const hex = sha256(bytes);
    await store.putVerified(hex, bytes, 'application/pdf', JOR);
    const strict = new S3EvidenceStore({ client, bucket: BUCKET });
    expect(await strict.possessed(hex, JOR)).toBeUndefined();
  });

  it('answers malformed digests with "not stored" rather than touching other keys', async () => {
    for (const bad of [
      '',
      'ABC',
      '../secret',
      `${'a'.repeat(63)}G`,
      'A'.repeat(64),
      `${'a'.repeat(64)}/x`,
    ]) {
      expect(await store.possessed(bad, JOR)).toBeUndefined();
    }
    await expect(store.createDownload('../../etc', JOR, 60)).rejects.toThrow(RangeError);
  });

  it('presigns an upload that pins the checksum, type and length as signed headers', async () => {
    const bytes = body('{"annex": 1}');
    const hex = sha256(bytes);
    const before = Date.now();
    const upload = await store.createUpload(
      { sha256: hex, size: bytes.length, mediaType: 'application/json' },
      JOR,
      900,
    );
    expect(upload.method).toBe('PUT');
    expect(upload.headers).toEqual({
      'content-type': 'application/json',
      'x-amz-checksum-sha256': base64Of(hex),
    });
    const url = new URL(upload.url);
    expect(decodeURIComponent(url.pathname)).toBe(`/${BUCKET}/evidence/sha256/${hex}/${JOR}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual([
      'content-length',
      'content-type',
      'host',
      'x-amz-checksum-sha256',
    ]);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    // A header, not a query parameter: S3 checks the body against the header's value.
    expect(
      [...url.searchParams.keys()].filter((k) => k.toLowerCase().startsWith('x-amz-checksum')),
    ).toEqual([]);
    const expiresAt = Date.parse(upload.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 900_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);

    // The URL works as given. (s3rver checks neither SigV4 signatures nor checksums, so what a
    // changed header or body does is S3's part, pinned above by the signed-header list.)
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
    expect(put.status).toBe(200);
    await put.arrayBuffer();
    const stored = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: `evidence/sha256/${hex}/${JOR}` }),
    );
    expect(stored).toMatchObject({ ContentLength: bytes.length, ContentType: 'application/json' });
  });

  it('refuses media types that could inject headers', async () => {
    const hex = sha256(body('x'));
    for (const bad of [
      'text/plain\r\nx-amz-acl: public-read',
      'text',
      'text/plain; charset="a\nb"',
      '',
    ]) {
      await expect(
        store.createUpload({ sha256: hex, size: 1, mediaType: bad }, JOR, 60),
      ).rejects.toThrow(RangeError);
    }
    await expect(
      store.createUpload({ sha256: hex, size: 1, mediaType: 'text/plain; charset=utf-8' }, JOR, 60),
    ).resolves.toBeDefined();
  });

  it('presigns a download that returns the bytes as an attachment', async () => {
    const bytes = body('<html><script>alert(1)</script></html>');
    const hex = sha256(bytes);
    await store.putVerified(hex, bytes, 'text/html', JOR);
    const url = await store.createDownload(hex, JOR, 60);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${hex}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });
});

if (!motoAvailable()) {
  console.log('moto_server is not on PATH: the S3 checksum tests against moto did not run');
} else {
  describe('S3EvidenceStore on moto (checksums as S3 keeps them)', () => {
    let endpoint: Endpoint;
    let client: S3Client;
    let store: S3EvidenceStore;

    beforeAll(async () => {
      endpoint = await startMoto();
      client = createS3Client({ endpoint: endpoint.url, local: true });
      await ensureBucket(client, BUCKET);
      store = new S3EvidenceStore({ client, bucket: BUCKET });
    });

    afterAll(async () => {
      client.destroy();
      await endpoint.stop();
    });

    it('counts an object once the server reports its SHA-256 checksum', async () => {
      const bytes = body('a calendar annex');
      const hex = sha256(bytes);
      expect(await store.possessed(hex, JOR)).toBeUndefined();
      await store.putVerified(hex, bytes, 'text/csv', JOR);
      expect(await store.possessed(hex, JOR)).toEqual({
        sha256: hex,
        size: bytes.length,
        mediaType: 'text/csv',
      });
    });

    it('does not count an object stored under a digest it does not have', async () => {
      const hex = sha256(body('what was declared'));
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `evidence/sha256/${hex}/${JOR}`,
          Body: Buffer.from(body('what was sent')),
        }),
      );
      expect(await store.possessed(hex, JOR)).toBeUndefined();
    });
  });
}
