import { LedgerError } from '@cbm-ledger/ledger';
import { SHA256_HEX_RE, parseJsonStrict } from '@cbm-ledger/protocol';
import { Query, bodyBytes, header, mediaType } from '../http/request.js';
import { json, redirect } from '../http/response.js';
import type { SubmitRole, ReadRole } from '@cbm-ledger/ledger';
import type { ApiRoute } from './deps.js';

/** `{sha256, size, mediaType}` fits in far less; the cap bounds parsing work. */
export const MAX_EVIDENCE_REQUEST_BYTES = 4096;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads a small JSON request body: right media type, not empty, bounded, strict JSON. */
export function readJsonBody(event: Parameters<typeof bodyBytes>[0], maxBytes: number): unknown {
  const type = mediaType(header(event, 'content-type'));
  if (type !== 'application/json') {
    throw new LedgerError('UNSUPPORTED_MEDIA_TYPE', 'send Content-Type: application/json');
  }
  const bytes = bodyBytes(event);
  if (bytes.length === 0) throw new LedgerError('BODY_EMPTY', 'request body is empty');
  if (bytes.length > maxBytes) {
    throw new LedgerError('BODY_TOO_LARGE', `request body exceeds ${maxBytes} bytes`, {
      limit: maxBytes,
    });
  }
  let textBody: string;
  try {
    textBody = strictUtf8.decode(bytes);
  } catch {
    throw new LedgerError('MALFORMED', 'request body is not UTF-8');
  }
  try {
    return parseJsonStrict(textBody, { maxDepth: 8 });
  } catch (e) {
    throw new LedgerError('MALFORMED', e instanceof Error ? e.message : 'request body is not JSON');
  }
}

export const evidenceSubmitRoutes: readonly ApiRoute<SubmitRole>[] = [
  {
    method: 'POST',
    path: '/v1/evidence',
    // Signed by the uploading party (http/auth.ts has authenticated it by now): the upload is
    // bound to that party, and an unsigned request is refused before its body is read.
    handler: async ({ event }, { service, viewer }) => {
      new Query(event).allowOnly([]);
      if (viewer.party === undefined) {
        throw new LedgerError(
          'AUTH_REQUIRED',
          'sign evidence uploads (RFC 9421) with a key of the uploading party',
        );
      }
      const request = readJsonBody(event, MAX_EVIDENCE_REQUEST_BYTES);
      return json(200, await service.createEvidenceUpload(request, viewer));
    },
  },
];

export const evidenceReadRoutes: readonly ApiRoute<ReadRole>[] = [
  {
    method: 'GET',
    path: '/v1/evidence/{sha256}',
    handler: async ({ event, params }, { service, viewer }) => {
      new Query(event).allowOnly([]);
      const sha256 = params['sha256'] ?? '';
      if (!SHA256_HEX_RE.test(sha256)) {
        throw new LedgerError('MALFORMED', 'an evidence hash is 64 lowercase hex digits');
      }
      const { url } = await service.evidenceDownload(sha256, viewer);
      return redirect(url);
    },
  },
];

/** Both, for the functions that serve every route (lambda/api.ts, the local runtime). */
export const evidenceRoutes: readonly ApiRoute[] = [...evidenceSubmitRoutes, ...evidenceReadRoutes];
