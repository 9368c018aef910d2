/**
 * Offline verification of admission promises (docs/promises.md): the log's signed note saying it
 * accepted a statement at `acceptedAt` and will integrate it by `integrateBy`.
 *
 * Security: promises reach a verifier through the operator or the submitter, neither of whom the
 * verifier needs to trust; only the log key's signature counts, and each failure has its code.
 */
import { ErrorCode, isProtocolError, openPromise } from '@cbm-ledger/protocol';
import type { AdmissionPromise, Leaf, LeafV2, NoteVerifierKey } from '@cbm-ledger/protocol';
import { VerificationError } from './errors.js';
import { logKey } from './trusted-keys.js';

export interface PromiseOptions {
  /** The log's C2SP vkey (type 0x01), from a source you trust. */
  logVkey: string | NoteVerifierKey;
  /** When given, the promise must be for this statement id. */
  statement?: string;
}

/**
 * Verifies a promise note against the log key. Codes: PROMISE_MALFORMED (not a signed note, or
 * its signed text is not a promise), PROMISE_FORGED (no valid signature by the log key: forged,
 * or altered after signing), PROMISE_WRONG_ORIGIN (another ledger's), PROMISE_MISMATCH (for
 * another statement than expected), LOG_KEY_INVALID.
 */
export function verifyPromise(note: unknown, options: PromiseOptions): AdmissionPromise {
  if (typeof note !== 'string') {
    throw new VerificationError('PROMISE_MALFORMED', 'the promise is not a signed note (text)');
  }
  const key = logKey(options.logVkey);
  let promise: AdmissionPromise;
  try {
    promise = openPromise(note, key);
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    const code =
      e.code === ErrorCode.PROMISE_WRONG_ORIGIN
        ? 'PROMISE_WRONG_ORIGIN'
        : e.code === ErrorCode.PROMISE_INVALID || isMalformedNote(e.message)
          ? 'PROMISE_MALFORMED'
          : e.code === ErrorCode.KEY_INVALID
            ? 'LOG_KEY_INVALID'
            : 'PROMISE_FORGED';
    throw new VerificationError(code, `promise REJECTED: ${e.message}`, { cause: e });
  }
  if (options.statement !== undefined && promise.statement !== options.statement) {
    throw new VerificationError(
      'PROMISE_MISMATCH',
      `the promise is for ${promise.statement}, not ${options.statement}`,
    );
  }
  return promise;
}

/** NOTE_INVALID covers both a malformed note and a bad signature; only the latter is forgery. */
function isMalformedNote(message: string): boolean {
  return !/does not verify|no signature by a known key/.test(message);
}

/**
 * Checks that an integrated leaf keeps faith with its promise: a v2 leaf whose acceptedAt and
 * integrateBy are the promise's (a v1 leaf for a promised statement would let the log judge the
 * submitter on integratedAt after all). Returns whether the promise was kept (integrated by its
 * deadline). Throws VerificationError PROMISE_MISMATCH.
 */
export function checkLeafAgainstPromise(leaf: Leaf, promise: AdmissionPromise): boolean {
  if (leaf.statement !== promise.statement) {
    throw new VerificationError(
      'PROMISE_MISMATCH',
      `the promise is for ${promise.statement}, the leaf records ${leaf.statement}`,
    );
  }
  if (leaf.v !== 2) {
    throw new VerificationError(
      'PROMISE_MISMATCH',
      'the statement was promised but its leaf is v1: the log did not commit to acceptedAt',
    );
  }
  if (leaf.acceptedAt !== promise.acceptedAt || leaf.integrateBy !== promise.integrateBy) {
    throw new VerificationError(
      'PROMISE_MISMATCH',
      `the leaf records acceptedAt ${leaf.acceptedAt} and integrateBy ${leaf.integrateBy}; ` +
        `the promise says ${promise.acceptedAt} and ${promise.integrateBy}`,
    );
  }
  return promiseKept(leaf);
}

/**
 * Whether the log integrated a v2 leaf by the deadline its promise stated. Leaf times are RFC 3339
 * with exactly three fractional digits and `Z`, so comparing the strings compares the instants.
 */
export function promiseKept(leaf: LeafV2): boolean {
  return leaf.integratedAt <= leaf.integrateBy;
}
