/**
 * The ledger's errors. The domain raises codes only; the codes, and the HTTP status and title
 * each answers with, are the API's contract (@cbm-ledger/contract), mapped to RFC 9457
 * problem+json at the HTTP edge (functions/src/http/problem.ts). Bad input is always a 4xx
 * there: only real faults (a store down, a bug) become 5xx.
 */
import type { LedgerErrorCode } from '@cbm-ledger/contract';
import { ErrorCode } from '@cbm-ledger/protocol';
import type { ProtocolError } from '@cbm-ledger/protocol';

export type { LedgerErrorCode };

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly code: LedgerErrorCode;
  /** Human-readable explanation for the problem+json `detail` member. */
  readonly detail: string;
  /** Extra problem+json members, e.g. `{head: {seq, statement}}` or `{path: '$.body.x'}`. */
  readonly extensions: Record<string, unknown> | undefined;

  constructor(code: LedgerErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(`${code}: ${detail}`);
    this.code = code;
    this.detail = detail;
    this.extensions = extensions;
  }
}

export function isLedgerError(e: unknown): e is LedgerError {
  return e instanceof LedgerError;
}

// Protocol codes that can arise while parsing a submission, and the ledger code each becomes.
// Anything else (KEY_INVALID from a mis-built key map, say) is not the submitter's fault.
const FROM_PROTOCOL: Partial<Record<ErrorCode, LedgerErrorCode>> = {
  [ErrorCode.MALFORMED]: 'MALFORMED',
  [ErrorCode.SCHEMA_VIOLATION]: 'SCHEMA_VIOLATION',
  [ErrorCode.UNKNOWN_FIELD]: 'UNKNOWN_FIELD',
  [ErrorCode.UNKNOWN_STATEMENT_TYPE]: 'UNKNOWN_STATEMENT_TYPE',
  [ErrorCode.TOO_LARGE]: 'TOO_LARGE',
  [ErrorCode.PAYLOAD_TYPE_INVALID]: 'PAYLOAD_TYPE_INVALID',
  [ErrorCode.SIGNATURE_INVALID]: 'SIGNATURE_INVALID',
  [ErrorCode.RANGE_INVALID]: 'RANGE_INVALID',
};

/**
 * Maps a ProtocolError raised by parsing attacker-controlled input to a LedgerError, keeping the
 * JSON path (`$.signatures[0].sig` for the envelope, `$.body.counts.troops` for the statement) in
 * `detail` and as the `path` extension, and every offending field (`{code, path, message}`, the
 * first being `code` and `path` themselves) as the `errors` extension.
 */
export function fromProtocolError(e: ProtocolError): LedgerError {
  const code = FROM_PROTOCOL[e.code];
  if (code === undefined) return new LedgerError('INTERNAL', `unexpected ${e.code}`);
  if (e.path === undefined) return new LedgerError(code, e.message);
  const errors = e.errors.map(({ code, path, message }) => ({ code, path, message }));
  return new LedgerError(code, e.message, { path: e.path, errors });
}
