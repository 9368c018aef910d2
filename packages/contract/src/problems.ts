/**
 * Every problem code the API answers (RFC 9457 `application/problem+json`), with its HTTP status
 * and title: the one table the domain (which raises codes), the HTTP edge (which answers them),
 * infra (whose gateway and WAF answer some of them itself) and clients share. A code is part of
 * the API: never rename one, and never change what it means; add a new one instead.
 */
export const PROBLEMS = {
  BODY_EMPTY: { status: 400, title: 'Request body is empty' },
  BODY_TOO_LARGE: { status: 413, title: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  MALFORMED: { status: 400, title: 'Malformed input' },
  SCHEMA_VIOLATION: { status: 400, title: 'Schema violation' },
  UNKNOWN_FIELD: { status: 400, title: 'Unknown field' },
  UNKNOWN_STATEMENT_TYPE: { status: 400, title: 'Unknown statement type' },
  TOO_LARGE: { status: 413, title: 'Payload too large' },
  PAYLOAD_TYPE_INVALID: { status: 400, title: 'Wrong DSSE payloadType' },
  WRONG_LEDGER: { status: 422, title: 'Statement names another ledger' },
  ISSUED_AT_OUT_OF_WINDOW: { status: 422, title: 'issuedAt outside the admission window' },
  LEDGER_NOT_INITIALIZED: { status: 409, title: 'Ledger not initialised' },
  /** A ledger.genesis submitted once the log has entries. */
  LEDGER_ALREADY_INITIALIZED: { status: 409, title: 'Ledger already initialised' },
  ISSUER_UNKNOWN: { status: 422, title: 'Issuer not registered' },
  ISSUER_KIND_NOT_ALLOWED: {
    status: 422,
    title: 'Issuer kind not allowed for this statement type',
  },
  KEY_UNKNOWN: { status: 422, title: 'Signing key not registered' },
  KEY_REVOKED: { status: 422, title: 'Signing key revoked' },
  KEY_RETIRED: { status: 422, title: 'Signing key retired' },
  KEY_NOT_ISSUERS: { status: 422, title: "Signing key is not the issuer's" },
  /** A party.register or key.rotate introducing a key the registry already holds. */
  KEY_ALREADY_REGISTERED: { status: 409, title: 'Key already registered' },
  /** A second party.register of a registered party (docs/registry.md), whatever it changes. */
  PARTY_ALREADY_REGISTERED: { status: 409, title: 'Party already registered' },
  /** A registry statement about a party that is not registered (party.recover). */
  PARTY_UNKNOWN: { status: 422, title: 'Party not registered' },
  /** A signature by a key that signs only later (a recovered key during its veto period). */
  KEY_NOT_YET_VALID: { status: 422, title: 'Signing key not yet valid' },
  /** A witness name or key another party already holds. */
  WITNESS_NAME_TAKEN: { status: 409, title: "Witness identity is another party's" },
  /** A party.recover while another recovery of the party is pending. */
  RECOVERY_PENDING: { status: 409, title: 'A recovery of the party is pending' },
  /** A recovery.veto naming no pending recovery of the party. */
  RECOVERY_NOT_PENDING: { status: 409, title: 'No such pending recovery' },
  /** A party.recover whose effectiveAt leaves less than the recovery delay for a veto. */
  RECOVERY_TOO_SOON: { status: 422, title: 'Recovery takes effect too soon' },
  /** A party.recover without a majority of the party's measure partners co-signing. */
  RECOVERY_QUORUM_MISSING: { status: 422, title: 'Recovery quorum missing' },
  SIGNATURE_INVALID: { status: 422, title: 'Signature invalid' },
  COSIGNATURE_MISSING: { status: 422, title: 'Required co-signature missing' },
  SEQ_GAP: { status: 409, title: 'Issuer sequence gap' },
  PREV_MISMATCH: { status: 409, title: 'Issuer chain mismatch' },
  SEQ_CONFLICT: { status: 409, title: 'Issuer sequence number already used' },
  /** Measure admission (DESIGN.md §3, §7): no measure.define with that id is integrated. */
  MEASURE_UNKNOWN: { status: 422, title: 'Measure not defined' },
  /** The issuer is not (or no longer) a party to the measure it reviews, renews or withdraws. */
  MEASURE_NOT_PARTY: { status: 422, title: 'Not a party of the measure' },
  /** A measure.define of an id already defined. */
  MEASURE_EXISTS: { status: 409, title: 'Measure already defined' },
  /** The measure expired or was withdrawn. */
  MEASURE_EXPIRED: { status: 422, title: 'Measure expired or withdrawn' },
  /** A renewal of a measure that does not renew affirmatively, or not beyond its sunset. */
  MEASURE_NOT_RENEWABLE: { status: 422, title: 'Measure not renewable' },
  /** A review whose dueAt is none of the measure's scheduled review dates. */
  REVIEW_NOT_SCHEDULED: { status: 422, title: 'Review not scheduled' },
  /** A withdrawal taking effect sooner than the measure's terminationNoticeDays allow. */
  WITHDRAWAL_NOTICE_TOO_SHORT: { status: 422, title: 'Withdrawal notice too short' },
  /** An observer.report whose period starts after the ledger clock (docs/compliance-claims.md). */
  REPORT_PERIOD_NOT_BEGUN: { status: 422, title: 'Reported period has not begun' },
  /** A risk.request naming neither a notification nor an area with a time window. */
  REQUEST_ACTIVITY_UNNAMED: { status: 422, title: 'Request names no activity' },
  /** A claim.reply citing no claim about its issuer that the issuer may read. */
  REPLY_NOT_ANSWERABLE: { status: 422, title: 'Reply answers no claim about its issuer' },
  EVIDENCE_MISSING: { status: 422, title: 'Evidence not stored' },
  EVIDENCE_MISMATCH: { status: 422, title: 'Evidence does not match' },
  EVIDENCE_TOO_LARGE: { status: 413, title: 'Evidence too large' },
  /** The party's daily evidence upload budget (count or bytes) is spent. */
  EVIDENCE_QUOTA_EXCEEDED: { status: 429, title: 'Evidence upload quota exceeded' },
  /** An operation that acts as a party (an evidence upload) made without a request signature. */
  AUTH_REQUIRED: { status: 401, title: 'Request signature required' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  RANGE_INVALID: { status: 400, title: 'Parameter out of range' },
  TREE_SIZE_BEYOND_LOG: { status: 400, title: 'Tree size beyond the log' },
  /** `at` of a compliance report or timeline is not RFC 3339 UTC ending in `Z`. */
  AT_INVALID: { status: 400, title: 'Evaluation time invalid' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  /** Signature headers present but malformed, unverifiable, by an unknown or revoked key. */
  AUTH_INVALID: { status: 401, title: 'Request signature invalid' },
  /** A request signature whose `expires` has passed. */
  AUTH_EXPIRED: { status: 401, title: 'Request signature expired' },
  /** A request signature's nonce already used with the same key. */
  AUTH_REPLAYED: { status: 401, title: 'Request signature replayed' },
  /** A cosignature line that is not a valid cosignature/v1 by the witness it names. */
  COSIGNATURE_INVALID: { status: 422, title: 'Cosignature invalid' },
  /** A checkpoint the log did not sign (or signed at no stored size). */
  CHECKPOINT_UNKNOWN: { status: 422, title: 'Checkpoint not signed by this log' },
  /** A cosigner name that is no registered party's witness identity. */
  WITNESS_UNKNOWN: { status: 422, title: 'Witness not registered' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  INTERNAL: { status: 500, title: 'Internal error' },
  /** A stored entry fails its integrity check (edited behind the ledger's back); names `index`. */
  STORE_INTEGRITY: { status: 500, title: 'Stored entry fails its integrity check' },
  STORE_UNAVAILABLE: { status: 503, title: 'Store unavailable' },
  /** Answered by the gateway and the WAF only (rate limits), never by the ledger itself. */
  THROTTLED: { status: 429, title: 'Too many requests' },
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** Codes the ledger raises itself; `THROTTLED` comes only from the gateway in front of it. */
export type LedgerErrorCode = Exclude<ProblemCode, 'THROTTLED'>;

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEMS, code);
}

export function problemStatus(code: ProblemCode): number {
  return PROBLEMS[code].status;
}

export function problemTitle(code: ProblemCode): string {
  return PROBLEMS[code].title;
}

/**
 * Problem type URIs are URNs: they name the problem without promising a dereferenceable page
 * (RFC 9457 §3.1.1 allows non-resolvable URIs), and the stable `code` member carries the same
 * identity for clients that would rather switch on a string.
 */
export function problemType(code: ProblemCode): string {
  return `urn:cbm-ledger:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem document as the API serves it: the code names it, extensions follow. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extension: string]: unknown;
}

/**
 * A problem document as serialised JSON, for answers written outside the functions (the API
 * gateway's responses, the WAF's, CloudFront's): the same members in the same order.
 */
export function problemJson(
  code: ProblemCode,
  detail: string,
  status = problemStatus(code),
): string {
  const problem: Problem = {
    type: problemType(code),
    title: problemTitle(code),
    status,
    detail,
    code,
  };
  return JSON.stringify(problem);
}
