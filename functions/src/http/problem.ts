/**
 * The one mapping from errors to RFC 9457 `application/problem+json`. Every route, the router's
 * own 404/405 answers and the local runtime's adapter go through here, so a code always yields
 * the same status, type and title.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { LedgerError, isLedgerError } from '@cbm-ledger/ledger';
import type { LedgerErrorCode } from '@cbm-ledger/ledger';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Problem type URIs are URNs: they name the problem without promising a dereferenceable page
 * (RFC 9457 §3.1.1 allows non-resolvable URIs), and the stable `code` member carries the same
 * identity for clients that would rather switch on a string.
 */
export function problemType(code: string): string {
  return `urn:cbm-ledger:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

const TITLES: Partial<Record<LedgerErrorCode, string>> = {
  BODY_EMPTY: 'Request body is empty',
  BODY_TOO_LARGE: 'Request body too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  MALFORMED: 'Malformed input',
  SCHEMA_VIOLATION: 'Schema violation',
  UNKNOWN_FIELD: 'Unknown field',
  UNKNOWN_STATEMENT_TYPE: 'Unknown statement type',
  TOO_LARGE: 'Payload too large',
  PAYLOAD_TYPE_INVALID: 'Wrong DSSE payloadType',
  WRONG_LEDGER: 'Statement names another ledger',
  ISSUED_AT_OUT_OF_WINDOW: 'issuedAt outside the admission window',
  LEDGER_NOT_INITIALIZED: 'Ledger not initialised',
  LEDGER_ALREADY_INITIALIZED: 'Ledger already initialised',
  ISSUER_UNKNOWN: 'Issuer not registered',
  ISSUER_KIND_NOT_ALLOWED: 'Issuer kind not allowed for this statement type',
  KEY_UNKNOWN: 'Signing key not registered',
  KEY_REVOKED: 'Signing key revoked',
  KEY_RETIRED: 'Signing key retired',
  KEY_NOT_ISSUERS: "Signing key is not the issuer's",
  KEY_ALREADY_REGISTERED: 'Key already registered',
  PARTY_ALREADY_REGISTERED: 'Party already registered',
  PARTY_UNKNOWN: 'Party not registered',
  KEY_NOT_YET_VALID: 'Signing key not yet valid',
  WITNESS_NAME_TAKEN: "Witness identity is another party's",
  RECOVERY_PENDING: 'A recovery of the party is pending',
  RECOVERY_NOT_PENDING: 'No such pending recovery',
  RECOVERY_TOO_SOON: 'Recovery takes effect too soon',
  RECOVERY_QUORUM_MISSING: 'Recovery quorum missing',
  MEASURE_UNKNOWN: 'Measure not defined',
  MEASURE_NOT_PARTY: 'Not a party of the measure',
  MEASURE_EXISTS: 'Measure already defined',
  MEASURE_EXPIRED: 'Measure expired or withdrawn',
  MEASURE_NOT_RENEWABLE: 'Measure not renewable',
  REVIEW_NOT_SCHEDULED: 'Review not scheduled',
  WITHDRAWAL_NOTICE_TOO_SHORT: 'Withdrawal notice too short',
  REPORT_PERIOD_NOT_BEGUN: 'Reported period has not begun',
  REQUEST_ACTIVITY_UNNAMED: 'Request names no activity',
  REPLY_NOT_ANSWERABLE: 'Reply answers no claim about its issuer',
  SIGNATURE_INVALID: 'Signature invalid',
  COSIGNATURE_MISSING: 'Required co-signature missing',
  SEQ_GAP: 'Issuer sequence gap',
  PREV_MISMATCH: 'Issuer chain mismatch',
  SEQ_CONFLICT: 'Issuer sequence number already used',
  EVIDENCE_MISSING: 'Evidence not stored',
  EVIDENCE_MISMATCH: 'Evidence does not match',
  EVIDENCE_TOO_LARGE: 'Evidence too large',
  EVIDENCE_QUOTA_EXCEEDED: 'Evidence upload quota exceeded',
  AUTH_REQUIRED: 'Request signature required',
  NOT_FOUND: 'Not found',
  RANGE_INVALID: 'Parameter out of range',
  TREE_SIZE_BEYOND_LOG: 'Tree size beyond the log',
  AT_INVALID: 'Evaluation time invalid',
  FORBIDDEN: 'Forbidden',
  AUTH_INVALID: 'Request signature invalid',
  AUTH_EXPIRED: 'Request signature expired',
  AUTH_REPLAYED: 'Request signature replayed',
  COSIGNATURE_INVALID: 'Cosignature invalid',
  CHECKPOINT_UNKNOWN: 'Checkpoint not signed by this log',
  WITNESS_UNKNOWN: 'Witness not registered',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  INTERNAL: 'Internal error',
  STORE_INTEGRITY: 'Stored entry fails its integrity check',
  STORE_UNAVAILABLE: 'Store unavailable',
};

// Members an extension may not overwrite: the problem's identity must come from the code.
const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'instance']);

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extension: string]: unknown;
}

export function problemBody(error: LedgerError): Problem {
  const problem: Problem = {
    type: problemType(error.code),
    title: TITLES[error.code] ?? error.code,
    status: error.status,
    detail: error.detail,
    code: error.code,
  };
  for (const [key, value] of Object.entries(error.extensions ?? {})) {
    if (!RESERVED.has(key)) problem[key] = value;
  }
  return problem;
}

export function problemResponse(
  error: LedgerError,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const extra: Record<string, string> = { ...headers };
  // A store outage is transient; tell well-behaved clients when to come back.
  if (error.code === 'STORE_UNAVAILABLE') extra['retry-after'] ??= '1';
  return {
    statusCode: error.status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
      ...extra,
    },
    body: JSON.stringify(problemBody(error)),
  };
}

/** Minimal logging surface: Powertools' Logger satisfies it, and so does a test double. */
export interface ApiLogger {
  error(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  debug(message: string, ...extra: unknown[]): void;
}

/**
 * Maps anything a route threw. LedgerErrors carry their own status; anything else is a fault of
 * ours and becomes 500 INTERNAL with nothing of the error in the body (security: stack traces
 * and store messages can reveal table names, keys or paths), only a reference to the log line.
 */
export function errorResponse(
  error: unknown,
  logger: ApiLogger,
  requestId: string | undefined,
): APIGatewayProxyResult {
  if (isLedgerError(error)) {
    if (error.status >= 500) logger.error('request failed', { code: error.code, error, requestId });
    return problemResponse(error);
  }
  logger.error('unexpected error', { error, requestId });
  const reference = requestId === undefined ? '' : ` (request ${requestId})`;
  return problemResponse(new LedgerError('INTERNAL', `internal error${reference}`));
}
