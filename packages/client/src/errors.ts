/**
 * The client's errors. Callers (the CLI above all) switch on the class and on `code`, never on
 * the message, and print `message` as is: each one is a sentence a duty officer can act on.
 */

/** An RFC 9457 problem+json answer from the ledger (a 4xx or 5xx with a stable `code`). */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  /** JSON path of the offending field, for schema errors (`$.body.counts.troops`). */
  path?: string;
  [extension: string]: unknown;
}

/** The ledger answered with an error. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  /** JSON path of the offending field, when the ledger named one. */
  readonly path: string | undefined;
  readonly problem: Problem;

  constructor(problem: Problem) {
    const detail = problem.detail ?? problem.title ?? `HTTP ${problem.status}`;
    super(`${problem.code}: ${detail}`);
    this.status = problem.status;
    this.code = problem.code;
    this.detail = detail;
    this.path = typeof problem.path === 'string' ? problem.path : undefined;
    this.problem = problem;
  }
}

export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

/** The ledger could not be reached at all (refused, DNS, TLS, timeout). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  readonly server: string;

  constructor(server: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot reach the ledger at ${server} (${reason})`, options);
    this.server = server;
  }
}

/** The ledger answered, but not with what the API promises (wrong media type, not JSON). */
export class ResponseError extends Error {
  override readonly name = 'ResponseError';
}

/**
 * Offline verification failed (a receipt, a checkpoint, a proof). `code` names the check, such as
 * LEAF_HASH_MISMATCH or WITNESS_QUORUM_UNMET.
 */
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
