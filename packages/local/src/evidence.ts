/**
 * Evidence on the embedded S3. s3rver neither checks nor stores checksums, so a presigned PUT to
 * it would accept any bytes under any hash, and clients must never be sent to it at all (it is
 * the store itself: list, overwrite, delete). The local runtime therefore serves evidence through
 * its own route, both ways: uploads are hashed before they are stored as the signing party's copy
 * (S3EvidenceStore.putVerified), downloads are read back and hashed again before they are served.
 * The URLs are HMAC-signed (method, hash, party, size, type, expiry) and expire like S3's
 * presigned ones: the route trusts nothing in the request it did not sign itself.
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
const PARTY_ID_RE = /^(?:state:[A-Z]{3}|(?:observer|operator):[a-z0-9][a-z0-9.-]{0,63})$/;

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

  possessed(sha256: string, party: string): Promise<EvidenceObject | undefined> {
    return this.#s3.possessed(sha256, party);
  }

  createDownload(sha256: string, party: string, expiresInSeconds: number): Promise<string> {
    const expires = Math.floor(this.#now() / 1000) + expiresInSeconds;
    const query = new URLSearchParams({ expires: String(expires) });
    query.set('signature', this.#sign('GET', sha256, party, query));
    return Promise.resolve(`${this.#url(sha256, party)}?${query.toString()}`);
  }

  createUpload(
    object: EvidenceObject,
    party: string,
    expiresInSeconds: number,
  ): Promise<EvidenceUpload> {
    const mediaType = object.mediaType ?? 'application/octet-stream';
    const expires = Math.floor(this.#now() / 1000) + expiresInSeconds;
    const query = new URLSearchParams({
      size: String(object.size),
      type: mediaType,
      expires: String(expires),
    });
    query.set('signature', this.#sign('PUT', object.sha256, party, query));
    return Promise.resolve({
      url: `${this.#url(object.sha256, party)}?${query.toString()}`,
      method: 'PUT',
      headers: { 'content-type': mediaType },
      expiresAt: new Date(expires * 1000).toISOString(),
    });
  }

  #url(sha256: string, party: string): string {
    return `${this.#baseUrl()}${UPLOAD_PREFIX}${sha256}/${encodeURIComponent(party)}`;
  }

  #sign(method: string, sha256: string, party: string, query: URLSearchParams): string {
    const message = [
      method,
      sha256,
      party,
      query.get('size'),
      query.get('type'),
      query.get('expires'),
    ];
    return createHmac('sha256', this.#key).update(message.join('\n')).digest('base64url');
  }

  /**
   * PUT /local/evidence/sha256/<hex>/<party>?size=&type=&expires=&signature= (upload) and
   * GET /local/evidence/sha256/<hex>/<party>?expires=&signature= (download).
   */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      if (req.method === 'GET' || req.method === 'HEAD') {
        await this.#download(req, res, url);
        return;
      }
      const object = this.#authorise(req, url);
      const bytes = await readExactly(req, object.size);
      await this.#s3.putVerified(object.sha256, bytes, object.mediaType, object.party);
      res.writeHead(200, { 'content-length': 0, etag: `"${object.sha256}"` });
      res.end();
    } catch (e) {
      // Anything else is a fault: the server's own handler logs it and answers 500.
      if (!isLedgerError(e)) throw e;
      const headers: Record<string, string> = { connection: 'close' };
      if (e.code === 'METHOD_NOT_ALLOWED') headers['allow'] = 'GET, PUT';
      writeResult(res, problemResponse(e), headers);
      if (!req.complete) req.destroy();
    }
  }

  /** The hash and party of the URL, and whether the signature over `method` verifies. */
  #verify(method: string, url: URL, keys: string): { sha256: string; party: string } {
    const [sha256 = '', partyPart = '', ...rest] = url.pathname
      .slice(UPLOAD_PREFIX.length)
      .split('/');
    let party = '';
    try {
      party = decodeURIComponent(partyPart);
    } catch {
      party = '';
    }
    const q = url.searchParams;
    const signature = q.get('signature') ?? '';
    const ok = SHA256_HEX_RE.test(sha256) && PARTY_ID_RE.test(party) && rest.length === 0;
    const expected = this.#sign(method, sha256, party, q);
    // Security: constant-time comparison; the signature covers method, hash, party, size, type
    // and expiry, so none of them can be changed without invalidating it.
    const given = Buffer.from(signature);
    const wanted = Buffer.from(expected);
    if (
      !ok ||
      [...q.keys()].sort().join() !== keys ||
      given.length !== wanted.length ||
      !timingSafeEqual(given, wanted)
    ) {
      throw new LedgerError('FORBIDDEN', 'evidence URL signature does not verify');
    }
    if (Number(q.get('expires')) * 1000 < this.#now()) {
      throw new LedgerError('FORBIDDEN', 'evidence URL has expired');
    }
    return { sha256, party };
  }

  async #download(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const { sha256, party } = this.#verify('GET', url, 'expires,signature');
    const found = await this.#s3.read(sha256, party);
    if (found === undefined) {
      // The bytes no longer hash to their name: edited behind the store's back.
      throw new LedgerError('NOT_FOUND', `evidence ${sha256} fails its integrity check`);
    }
    res.writeHead(200, {
      'content-type': found.object.mediaType ?? 'application/octet-stream',
      'content-length': found.body.length,
      // Security: arbitrary uploaded content; save it, never render it on this origin.
      'content-disposition': `attachment; filename="${sha256}"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : Buffer.from(found.body));
  }

  /** Checks everything the URL and headers claim; returns the signed object description. */
  #authorise(req: IncomingMessage, url: URL): Required<EvidenceObject> & { party: string } {
    if (req.method !== 'PUT') throw new LedgerError('METHOD_NOT_ALLOWED', 'upload with PUT');
    const { sha256, party } = this.#verify('PUT', url, 'expires,signature,size,type');
    const q = url.searchParams;
    const size = Number(q.get('size'));
    const mediaType = q.get('type') ?? '';
    if ((req.headers['content-type'] ?? '').trim().toLowerCase() !== mediaType.toLowerCase()) {
      throw new LedgerError('FORBIDDEN', `send Content-Type: ${mediaType}, as signed`);
    }
    const length = req.headers['content-length'];
    if (length !== undefined && length !== String(size)) {
      throw new LedgerError('EVIDENCE_MISMATCH', `Content-Length must be ${size}, as declared`);
    }
    return { sha256, size, mediaType, party };
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
