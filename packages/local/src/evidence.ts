/**
 * Evidence on the embedded S3. s3rver neither checks nor stores checksums, so a presigned PUT to
 * it would accept any bytes under any hash. The local runtime therefore hands out upload URLs to
 * its own route, which hashes the body before storing it (S3EvidenceStore.putVerified). The URLs
 * are HMAC-signed and expire like S3's presigned ones: the route trusts nothing in the request it
 * did not sign itself.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LedgerError, isLedgerError } from '@cbm-ledger/ledger';
import type { EvidenceObject, EvidenceStore, EvidenceUpload } from '@cbm-ledger/ledger';
import { problemResponse } from '@cbm-ledger/functions';
import type { S3EvidenceStore } from '@cbm-ledger/store-aws';
import { writeResult } from './http-adapter.js';
import type { LocalRoute } from './http-adapter.js';

export const UPLOAD_PREFIX = '/local/evidence/sha256/';
const SHA256_HEX_RE = /^[0-9a-f]{64}$/;

export interface LocalEvidenceOptions {
  readonly s3: S3EvidenceStore;
  /** The runtime's own URL (known once it listens). */
  readonly baseUrl: () => string;
  /** HMAC key for upload URLs; random per process by default (URLs die with the process). */
  readonly key?: Uint8Array;
  readonly now?: () => number;
}

export class LocalEvidenceStore implements EvidenceStore, LocalRoute {
  readonly prefix = UPLOAD_PREFIX;
  readonly #s3: S3EvidenceStore;
  readonly #baseUrl: () => string;
  readonly #key: Uint8Array;
  readonly #now: () => number;

  constructor(options: LocalEvidenceOptions) {
    this.#s3 = options.s3;
    this.#baseUrl = options.baseUrl;
    this.#key = options.key ?? randomBytes(32);
    this.#now = options.now ?? Date.now;
  }

  stat(sha256: string): Promise<EvidenceObject | undefined> {
    return this.#s3.stat(sha256);
  }

  createDownload(sha256: string, expiresInSeconds: number): Promise<string> {
    return this.#s3.createDownload(sha256, expiresInSeconds);
  }

  createUpload(object: EvidenceObject, expiresInSeconds: number): Promise<EvidenceUpload> {
    const mediaType = object.mediaType ?? 'application/octet-stream';
    const expires = Math.floor(this.#now() / 1000) + expiresInSeconds;
    const query = new URLSearchParams({
      size: String(object.size),
      type: mediaType,
      expires: String(expires),
    });
    query.set('signature', this.#sign(object.sha256, query));
    return Promise.resolve({
      url: `${this.#baseUrl()}${UPLOAD_PREFIX}${object.sha256}?${query.toString()}`,
      method: 'PUT',
      headers: { 'content-type': mediaType },
      expiresAt: new Date(expires * 1000).toISOString(),
    });
  }

  #sign(sha256: string, query: URLSearchParams): string {
    const message = ['PUT', sha256, query.get('size'), query.get('type'), query.get('expires')];
    return createHmac('sha256', this.#key).update(message.join('\n')).digest('base64url');
  }

  /** PUT /local/evidence/sha256/<hex>?size=&type=&expires=&signature= */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const object = this.#authorise(req, url);
      const bytes = await readExactly(req, object.size);
      await this.#s3.putVerified(object.sha256, bytes, object.mediaType);
      res.writeHead(200, { 'content-length': 0, etag: `"${object.sha256}"` });
      res.end();
    } catch (e) {
      // Anything else is a fault: the server's own handler logs it and answers 500.
      if (!isLedgerError(e)) throw e;
      const headers: Record<string, string> = { connection: 'close' };
      if (e.code === 'METHOD_NOT_ALLOWED') headers['allow'] = 'PUT';
      writeResult(res, problemResponse(e), headers);
      if (!req.complete) req.destroy();
    }
  }

  /** Checks everything the URL and headers claim; returns the signed object description. */
  #authorise(req: IncomingMessage, url: URL): Required<EvidenceObject> {
    if (req.method !== 'PUT') throw new LedgerError('METHOD_NOT_ALLOWED', 'upload with PUT');
    const sha256 = url.pathname.slice(UPLOAD_PREFIX.length);
    const q = url.searchParams;
    const signature = q.get('signature') ?? '';
    const expected = this.#sign(sha256, q);
    // Security: constant-time comparison; the signature covers hash, size, type and expiry, so
    // none of them can be changed without invalidating it.
    const given = Buffer.from(signature);
    const wanted = Buffer.from(expected);
    if (
      !SHA256_HEX_RE.test(sha256) ||
      [...q.keys()].sort().join() !== 'expires,signature,size,type' ||
      given.length !== wanted.length ||
      !timingSafeEqual(given, wanted)
    ) {
      throw new LedgerError('FORBIDDEN', 'upload URL signature does not verify');
    }
    if (Number(q.get('expires')) * 1000 < this.#now()) {
      throw new LedgerError('FORBIDDEN', 'upload URL has expired');
    }
    const size = Number(q.get('size'));
    const mediaType = q.get('type') ?? '';
    if ((req.headers['content-type'] ?? '').trim().toLowerCase() !== mediaType.toLowerCase()) {
      throw new LedgerError('FORBIDDEN', `send Content-Type: ${mediaType}, as signed`);
    }
    const length = req.headers['content-length'];
    if (length !== undefined && length !== String(size)) {
      throw new LedgerError('EVIDENCE_MISMATCH', `Content-Length must be ${size}, as declared`);
    }
    return { sha256, size, mediaType };
  }
}

/** Reads a body that must be exactly `size` bytes; a longer or shorter one is a mismatch. */
function readExactly(req: IncomingMessage, size: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const body = Buffer.alloc(size);
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      if (received + chunk.length > size) {
        req.pause();
        reject(
          new LedgerError('EVIDENCE_MISMATCH', `body is longer than the declared ${size} bytes`),
        );
        return;
      }
      chunk.copy(body, received);
      received += chunk.length;
    });
    req.on('end', () => {
      if (received !== size) {
        reject(new LedgerError('EVIDENCE_MISMATCH', `body has ${received} bytes, not ${size}`));
      } else {
        resolve(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
      }
    });
    req.on('error', reject);
  });
}
