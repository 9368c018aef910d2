/**
 * Evidence objects (DESIGN.md §3, §5): files too large for a statement, stored under their
 * SHA-256 and cited by hash, size and media type. Upload is two steps: POST /v1/evidence
 * announces the object and returns a presigned URL, then the bytes go straight to storage,
 * which itself refuses bytes that do not hash to the announced value.
 */
import { toHex } from '@cbm-ledger/protocol';
import type { EvidenceRef } from '@cbm-ledger/protocol';
import type { LedgerClient } from './client.js';

/** An object to upload: its hash and size known, its bytes readable (again) on demand. */
export interface EvidenceSource {
  /** Lowercase hex SHA-256 of the bytes. */
  readonly sha256: string;
  readonly size: number;
  /** `type/subtype`, no parameters. */
  readonly mediaType: string;
  /** A file-name hint for readers (no path). */
  readonly name?: string;
  /** A fresh body each call: a stream can be read only once. */
  body(): BodyInit;
}

export interface UploadedEvidence {
  /** What the statement's `evidence` array carries. */
  readonly ref: EvidenceRef;
  /** False when the ledger already stored the object (nothing was sent). */
  readonly uploaded: boolean;
}

/** Announces the object, uploads it unless stored already, and returns its evidence entry. */
export async function uploadEvidence(
  client: LedgerClient,
  source: EvidenceSource,
): Promise<UploadedEvidence> {
  const view = await client.createEvidenceUpload({
    sha256: source.sha256,
    size: source.size,
    mediaType: source.mediaType,
  });
  let uploaded = false;
  if (!view.stored) {
    if (view.upload === undefined) throw new Error('the ledger gave no upload URL');
    await client.uploadEvidenceBody(view.upload, source.body(), source.size);
    uploaded = true;
  }
  const ref: EvidenceRef = {
    sha256: source.sha256,
    size: source.size,
    mediaType: source.mediaType,
    ...(source.name === undefined ? {} : { name: source.name }),
  };
  return { ref, uploaded };
}

/**
 * A Blob (a browser File) as an evidence source. Browsers offer no incremental SHA-256, so the
 * Blob is hashed whole with WebCrypto; Node callers stream files with `evidenceFromFile`
 * (@cbm-ledger/client/node).
 */
export async function evidenceFromBlob(
  blob: Blob,
  options: { mediaType?: string; name?: string } = {},
): Promise<EvidenceSource> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  const mediaType =
    options.mediaType ?? (blob.type.split(';')[0]?.trim() || 'application/octet-stream');
  return {
    sha256: toHex(new Uint8Array(digest)),
    size: blob.size,
    mediaType,
    ...(options.name === undefined ? {} : { name: options.name }),
    body: () => blob,
  };
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  json: 'application/json',
  geojson: 'application/geo+json',
  xml: 'application/xml',
  zip: 'application/zip',
  gz: 'application/gzip',
  txt: 'text/plain',
  csv: 'text/csv',
  md: 'text/markdown',
  html: 'text/html',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  mp4: 'video/mp4',
  kml: 'application/vnd.google-earth.kml+xml',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A media type from a file name's extension; application/octet-stream when unknown. */
export function mediaTypeFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const ext = dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
  return MEDIA_TYPES[ext] ?? 'application/octet-stream';
}
