/**
 * Typed errors with stable codes. Callers (the API's problem+json mapping, the CLI's exit
 * status, the conformance harness) switch on `code`, never on the message text.
 */
export const ErrorCode = {
  /** Input is not well-formed: bad JSON, bad base64/hex, wrong lengths. */
  MALFORMED: 'MALFORMED',
  /** Input is well-formed but violates a schema or a cross-field rule. */
  SCHEMA_VIOLATION: 'SCHEMA_VIOLATION',
  /** An object carries a field its schema does not define. */
  UNKNOWN_FIELD: 'UNKNOWN_FIELD',
  /** A statement's `type` is not a known v1 type. */
  UNKNOWN_STATEMENT_TYPE: 'UNKNOWN_STATEMENT_TYPE',
  /** A payload or body exceeds its size limit. */
  TOO_LARGE: 'TOO_LARGE',
  /** A DSSE envelope has the wrong payloadType. */
  PAYLOAD_TYPE_INVALID: 'PAYLOAD_TYPE_INVALID',
  /** A signature does not verify, or a required signer is missing. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** The signer policy (who must have signed) is not met. */
  SIGNER_POLICY_UNMET: 'SIGNER_POLICY_UNMET',
  /** A key is malformed, or a key file is invalid. */
  KEY_INVALID: 'KEY_INVALID',
  /** A signed note is malformed or does not verify. */
  NOTE_INVALID: 'NOTE_INVALID',
  /** A checkpoint body is malformed. */
  CHECKPOINT_INVALID: 'CHECKPOINT_INVALID',
  /** A cosignature line is malformed or does not verify. */
  COSIGNATURE_INVALID: 'COSIGNATURE_INVALID',
  /** Fewer than the required number of known witnesses cosigned. */
  WITNESS_QUORUM_UNMET: 'WITNESS_QUORUM_UNMET',
  /** An inclusion proof does not verify, or its parameters are out of range. */
  INCLUSION_PROOF_INVALID: 'INCLUSION_PROOF_INVALID',
  /** A consistency proof does not verify, or its parameters are out of range. */
  CONSISTENCY_PROOF_INVALID: 'CONSISTENCY_PROOF_INVALID',
  /** A tree index or size is out of range. */
  RANGE_INVALID: 'RANGE_INVALID',
  /** A leaf does not match its expected hash or chain. */
  LEAF_INVALID: 'LEAF_INVALID',
  /** An admission promise's text is malformed (docs/promises.md). */
  PROMISE_INVALID: 'PROMISE_INVALID',
  /** An admission promise names another ledger than the log key's. */
  PROMISE_WRONG_ORIGIN: 'PROMISE_WRONG_ORIGIN',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One offending field of an input: what validation reports, all of them at once. */
export interface FieldError {
  readonly code: ErrorCode;
  /** JSON path of the field (`$.body.counts.acv`). */
  readonly path: string;
  /** What is wrong with it, without the path (`required`). */
  readonly message: string;
}

/**
 * Most field errors one validation reports. Bounds the work and the answer's size on hostile
 * input (a 64 KiB payload can hold thousands of bad fields); the first ones are what a user fixes.
 */
export const MAX_FIELD_ERRORS = 100;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ErrorCode;
  /** JSON path of the offending field (`$.body.counts.troops`), where one applies. */
  readonly path: string | undefined;
  /**
   * Every offending field found, in validation order; the first is `code`/`path` itself. Empty
   * for an error that names no field (MALFORMED JSON, TOO_LARGE).
   */
  readonly errors: readonly FieldError[];

  constructor(code: ErrorCode, message: string, path?: string, errors?: readonly FieldError[]) {
    super(path === undefined ? message : `${path}: ${message}`);
    this.code = code;
    this.path = path;
    this.errors = errors ?? (path === undefined ? [] : [{ code, path, message }]);
  }
}

/** One error standing for all of `errors` (at least one): its code, path and message are the first's. */
export function fieldErrors(errors: readonly FieldError[]): ProtocolError {
  const [first] = errors;
  if (first === undefined) throw new Error('fieldErrors needs at least one error');
  return new ProtocolError(
    first.code,
    first.message,
    first.path,
    errors.slice(0, MAX_FIELD_ERRORS),
  );
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
