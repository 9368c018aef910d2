/**
 * EvidenceStore over S3: each party's upload lives at `evidence/sha256/<hex>/<party>` and counts
 * as that party's proof of possession only when S3 itself vouches that its content hashes to
 * `<hex>` (docs/evidence-access.md). One key per uploader: whether another party stored the same
 * bytes is never consulted, so nobody learns it, and nobody's citation rests on another's upload.
 *
 * The authenticated upload path: POST /v1/evidence is RFC 9421-signed by the party; only then does
 * the ledger presign, for at most `evidenceUploadExpirySeconds`, a PUT of exactly that key (the
 * party is in it), that hash and that size. A leaked URL can store only those bytes, as that
 * party's copy, once the party's daily quota was charged.
 *
 * Uploads are presigned PUTs carrying `x-amz-checksum-sha256` as a *signed header*: the uploader
 * cannot drop or change it without breaking the signature, and S3 rejects a body whose SHA-256
 * differs (BadDigest). Content-Type and Content-Length are signed too, so the object is exactly
 * the declared size and type. `stat` then trusts only the checksum S3 computed and stored
 * (HeadObject with ChecksumMode ENABLED), never anything the uploader wrote.
 *
 * Emulators such as s3rver neither verify nor report checksums. For them, and only where every
 * write goes through `putVerified` (which hashes the bytes itself and records the digest in the
 * object metadata), `trustUploaderMetadata` makes `stat` accept that metadata instead.
 */
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  LedgerError,
  type EvidenceObject,
  type EvidenceStore,
  type EvidenceUpload,
} from '@cbm-ledger/ledger';
import { errorName, storeFault } from './errors.js';

/** The evidence bucket's name when none is configured (CBM_BUCKET). */
export const DEFAULT_BUCKET = 'cbm-ledger-evidence';
export const EVIDENCE_PREFIX = 'evidence/sha256/';
const SHA256_HEX_RE = /^[0-9a-f]{64}$/;
/** SigV4 presigned URLs live at most seven days. */
const MAX_PRESIGN_SECONDS = 604_800;
const DEFAULT_MEDIA_TYPE = 'application/octet-stream';
// RFC 9110 media type with optional parameters. Security: the media type comes from the
// submitter and is sent as a signed header, so anything that could split or smuggle a header
// (CR, LF, other controls) must be refused before it reaches the SDK.
const TOKEN = "[A-Za-z0-9!#$%&'*+.^_`|~-]+";
const MEDIA_TYPE_RE = new RegExp(
  `^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|"[^"\\\\\\x00-\\x1f\\x7f]*"))*$`,
);

export interface S3EvidenceStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Signs URLs for uploaders and readers, when they reach S3 by another endpoint; default `client`. */
  readonly presignClient?: S3Client;
  /** See the module comment: only for emulators, and only when `putVerified` is the sole writer. */
  readonly trustUploaderMetadata?: boolean;
}

/** Party ids (protocol PARTY_ID_RE): safe as one S3 key segment. */
const PARTY_ID_RE = /^(?:state:[A-Z]{3}|(?:observer|operator):[a-z0-9][a-z0-9.-]{0,63})$/;

/** The key of `party`'s upload of the object `sha256`. */
export function evidenceKey(sha256: string, party: string): string {
  if (!SHA256_HEX_RE.test(sha256))
    throw new RangeError('evidence sha256 must be 64 lowercase hex digits');
  // Security: the party becomes part of an S3 key; only a well-formed id may.
  if (!PARTY_ID_RE.test(party)) throw new RangeError('not a party id');
  return `${EVIDENCE_PREFIX}${sha256}/${party}`;
}

function checksumOf(sha256: string): string {
  return Buffer.from(sha256, 'hex').toString('base64');
}

function requireExpiry(seconds: number): number {
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
    throw new RangeError(`expiry must be 1..${MAX_PRESIGN_SECONDS} seconds`);
  }
  return seconds;
}

function requireMediaType(mediaType: string | undefined): string {
  const value = mediaType ?? DEFAULT_MEDIA_TYPE;
  if (value.length > 255 || !MEDIA_TYPE_RE.test(value)) throw new RangeError('invalid media type');
  return value;
}

export class S3EvidenceStore implements EvidenceStore {
  private readonly client: S3Client;
  private readonly presignClient: S3Client;
  private readonly bucket: string;
  private readonly trustUploaderMetadata: boolean;

  constructor(options: S3EvidenceStoreOptions) {
    this.client = options.client;
    this.presignClient = options.presignClient ?? options.client;
    this.bucket = options.bucket;
    this.trustUploaderMetadata = options.trustUploaderMetadata ?? false;
  }

  async possessed(sha256: string, party: string): Promise<EvidenceObject | undefined> {
    // Security: `sha256` may come straight from a request path; anything but a digest names no
    // evidence object (and must not address another key in the bucket).
    if (!SHA256_HEX_RE.test(sha256) || !PARTY_ID_RE.test(party)) return undefined;
    let out;
    try {
      out = await this.client.send(
        new HeadObjectCommand({
          Bucket: this.bucket,
          Key: evidenceKey(sha256, party),
          ChecksumMode: 'ENABLED',
        }),
      );
    } catch (e) {
      if (errorName(e) === 'NotFound' || errorName(e) === 'NoSuchKey') return undefined;
      if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return undefined;
      throw storeFault(e, 'HeadObject');
    }
    const verifiedByS3 = out.ChecksumSHA256 === checksumOf(sha256);
    const verifiedByUs = this.trustUploaderMetadata && out.Metadata?.['sha256'] === sha256;
    if (!verifiedByS3 && !verifiedByUs) return undefined;
    const size = out.ContentLength ?? 0;
    return out.ContentType === undefined
      ? { sha256, size }
      : { sha256, size, mediaType: out.ContentType };
  }

  async createUpload(
    object: EvidenceObject,
    party: string,
    expiresInSeconds: number,
  ): Promise<EvidenceUpload> {
    const key = evidenceKey(object.sha256, party);
    if (!Number.isSafeInteger(object.size) || object.size < 0)
      throw new RangeError('size must be a non-negative integer');
    const mediaType = requireMediaType(object.mediaType);
    const expiresIn = requireExpiry(expiresInSeconds);
    const checksum = checksumOf(object.sha256);
    const url = await getSignedUrl(
      this.presignClient,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ContentLength: object.size,
        ContentType: mediaType,
        ChecksumSHA256: checksum,
      }),
      {
        expiresIn,
        // Kept as headers (not query parameters) and signed: S3 checks the body against the
        // checksum header, and the signature pins type and length.
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
        signableHeaders: new Set(['content-type', 'content-length', 'x-amz-checksum-sha256']),
      },
    );
    return {
      url,
      method: 'PUT',
      headers: { 'content-type': mediaType, 'x-amz-checksum-sha256': checksum },
      expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    };
  }

  async createDownload(sha256: string, party: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(
      this.presignClient,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: evidenceKey(sha256, party),
        // Security: evidence is arbitrary uploaded content; a browser must save it, not render
        // it (an HTML file would otherwise run script on the bucket's origin).
        ResponseContentDisposition: `attachment; filename="${sha256}"`,
      }),
      { expiresIn: requireExpiry(expiresInSeconds) },
    );
  }

  /**
   * Stores `bytes` as `party`'s upload after checking they hash to `sha256`; for a runtime whose
   * own upload route receives the body (the local runtime in front of s3rver). Throws
   * EVIDENCE_MISMATCH otherwise.
   */
  async putVerified(
    sha256: string,
    bytes: Uint8Array,
    mediaType: string | undefined,
    party: string,
  ): Promise<EvidenceObject> {
    const key = evidenceKey(sha256, party);
    const type = requireMediaType(mediaType);
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== sha256) {
      throw new LedgerError('EVIDENCE_MISMATCH', `the uploaded body does not hash to ${sha256}`);
    }
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          ContentType: type,
          // Both: S3 verifies the body against the value; the algorithm header is also what
          // emulators (moto) need before they keep and report the checksum.
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: checksumOf(sha256),
          Metadata: { sha256 },
        }),
      );
    } catch (e) {
      throw storeFault(e, 'PutObject');
    }
    return { sha256, size: body.length, mediaType: type };
  }

  /**
   * The bytes of `party`'s upload, for a runtime that serves downloads itself (the local runtime,
   * whose emulator clients cannot reach). Undefined unless `possessed` vouches for the object and
   * the bytes read hash to `sha256` (the file may have been edited behind the store's back).
   */
  async read(
    sha256: string,
    party: string,
  ): Promise<{ object: EvidenceObject; body: Uint8Array } | undefined> {
    const object = await this.possessed(sha256, party);
    if (object === undefined) return undefined;
    let out;
    try {
      out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: evidenceKey(sha256, party) }),
      );
    } catch (e) {
      throw storeFault(e, 'GetObject');
    }
    const body = await out.Body?.transformToByteArray();
    if (body === undefined || createHash('sha256').update(body).digest('hex') !== sha256) {
      return undefined;
    }
    return { object, body };
  }
}

/**
 * Creates the bucket when it is missing, for the local runtime and emulators. (On AWS the CDK
 * stack owns the bucket and its Object Lock, versioning and access settings.)
 */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (errorName(e) !== 'NotFound' && errorName(e) !== 'NoSuchBucket' && status !== 404) {
      throw storeFault(e, 'HeadBucket');
    }
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    // Another process created it first.
    if (errorName(e) !== 'BucketAlreadyOwnedByYou' && errorName(e) !== 'BucketAlreadyExists') {
      throw storeFault(e, 'CreateBucket');
    }
  }
}
