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

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ErrorCode;
  /** JSON path of the offending field (`$.body.counts.troops`), where one applies. */
  readonly path: string | undefined;

  constructor(code: ErrorCode, message: string, path?: string) {
    super(path === undefined ? message : `${path}: ${message}`);
    this.code = code;
    this.path = path;
  }
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
