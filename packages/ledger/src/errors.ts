/**
 * The ledger's error vocabulary. Every layer (HTTP handlers, CLI, local runtime) switches on
 * `code`; the HTTP status travels with it so the mapping to RFC 9457 problem+json lives in one
 * place. Bad input is always a 4xx: only real faults (a store down, a bug) become 5xx.
 */
import { ErrorCode } from '@cbm-ledger/protocol';
import type { ProtocolError } from '@cbm-ledger/protocol';

export const LEDGER_ERROR_STATUS = {
  BODY_EMPTY: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED: 400,
  SCHEMA_VIOLATION: 400,
  UNKNOWN_FIELD: 400,
  UNKNOWN_STATEMENT_TYPE: 400,
  TOO_LARGE: 413,
  PAYLOAD_TYPE_INVALID: 400,
  WRONG_LEDGER: 422,
  ISSUED_AT_OUT_OF_WINDOW: 422,
  LEDGER_NOT_INITIALIZED: 409,
  /** A ledger.genesis submitted once the log has entries. */
  LEDGER_ALREADY_INITIALIZED: 409,
  ISSUER_UNKNOWN: 422,
  ISSUER_KIND_NOT_ALLOWED: 422,
  KEY_UNKNOWN: 422,
  KEY_REVOKED: 422,
  KEY_RETIRED: 422,
  KEY_NOT_ISSUERS: 422,
  /** A party.register or key.rotate introducing a key the registry already holds. */
  KEY_ALREADY_REGISTERED: 409,
  /** A second party.register of a registered party (docs/registry.md), whatever it changes. */
  PARTY_ALREADY_REGISTERED: 409,
  /** A registry statement about a party that is not registered (party.recover). */
  PARTY_UNKNOWN: 422,
  /** A signature by a key that signs only later (a recovered key during its veto period). */
  KEY_NOT_YET_VALID: 422,
  /** A witness name or key another party already holds. */
  WITNESS_NAME_TAKEN: 409,
  /** A party.recover while another recovery of the party is pending. */
  RECOVERY_PENDING: 409,
  /** A recovery.veto naming no pending recovery of the party. */
  RECOVERY_NOT_PENDING: 409,
  /** A party.recover whose effectiveAt leaves less than the recovery delay for a veto. */
  RECOVERY_TOO_SOON: 422,
  /** A party.recover without a majority of the party's measure partners co-signing. */
  RECOVERY_QUORUM_MISSING: 422,
  SIGNATURE_INVALID: 422,
  COSIGNATURE_MISSING: 422,
  SEQ_GAP: 409,
  PREV_MISMATCH: 409,
  SEQ_CONFLICT: 409,
  /** Measure admission (DESIGN.md §3, §7): no measure.define with that id is integrated. */
  MEASURE_UNKNOWN: 422,
  /** The issuer is not (or no longer) a party to the measure it reviews, renews or withdraws. */
  MEASURE_NOT_PARTY: 422,
  /** A measure.define of an id already defined. */
  MEASURE_EXISTS: 409,
  /** The measure expired or was withdrawn. */
  MEASURE_EXPIRED: 422,
  /** A renewal of a measure that does not renew affirmatively, or not beyond its sunset. */
  MEASURE_NOT_RENEWABLE: 422,
  /** A review whose dueAt is none of the measure's scheduled review dates. */
  REVIEW_NOT_SCHEDULED: 422,
  /** A withdrawal taking effect sooner than the measure's terminationNoticeDays allow. */
  WITHDRAWAL_NOTICE_TOO_SHORT: 422,
  /** An observer.report whose period starts after the ledger clock (docs/compliance-claims.md). */
  REPORT_PERIOD_NOT_BEGUN: 422,
  /** A risk.request naming neither a notification nor an area with a time window. */
  REQUEST_ACTIVITY_UNNAMED: 422,
  /** A claim.reply citing no claim about its issuer that the issuer may read. */
  REPLY_NOT_ANSWERABLE: 422,
  EVIDENCE_MISSING: 422,
  EVIDENCE_MISMATCH: 422,
  EVIDENCE_TOO_LARGE: 413,
  /** The party's daily evidence upload budget (count or bytes) is spent. */
  EVIDENCE_QUOTA_EXCEEDED: 429,
  /** An operation that acts as a party (an evidence upload) made without a request signature. */
  AUTH_REQUIRED: 401,
  NOT_FOUND: 404,
  RANGE_INVALID: 400,
  TREE_SIZE_BEYOND_LOG: 400,
  /** `at` of a compliance report or timeline is not RFC 3339 UTC ending in `Z`. */
  AT_INVALID: 400,
  FORBIDDEN: 403,
  /** Signature headers present but malformed, unverifiable, by an unknown or revoked key. */
  AUTH_INVALID: 401,
  /** A request signature whose `expires` has passed. */
  AUTH_EXPIRED: 401,
  /** A request signature's nonce already used with the same key. */
  AUTH_REPLAYED: 401,
  /** A cosignature line that is not a valid cosignature/v1 by the witness it names. */
  COSIGNATURE_INVALID: 422,
  /** A checkpoint the log did not sign (or signed at no stored size). */
  CHECKPOINT_UNKNOWN: 422,
  /** A cosigner name that is no registered party's witness identity. */
  WITNESS_UNKNOWN: 422,
  METHOD_NOT_ALLOWED: 405,
  INTERNAL: 500,
  /** A stored entry fails its integrity check (edited behind the ledger's back); names `index`. */
  STORE_INTEGRITY: 500,
  STORE_UNAVAILABLE: 503,
} as const;

export type LedgerErrorCode = keyof typeof LEDGER_ERROR_STATUS;

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly code: LedgerErrorCode;
  readonly status: number;
  /** Human-readable explanation for the problem+json `detail` member. */
  readonly detail: string;
  /** Extra problem+json members, e.g. `{head: {seq, statement}}` or `{path: '$.body.x'}`. */
  readonly extensions: Record<string, unknown> | undefined;

  constructor(code: LedgerErrorCode, detail: string, extensions?: Record<string, unknown>) {
    super(`${code}: ${detail}`);
    this.code = code;
    this.status = LEDGER_ERROR_STATUS[code];
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
