/**
 * Admission promises (docs/promises.md, normative): the log's signed answer to a durable accept,
 * the ledger's counterpart of RFC 6962's Signed Certificate Timestamp. A C2SP signed note by the
 * log key (the key that signs checkpoints), whose text is exactly five lines:
 *
 *   cbm-ledger/promise/v1
 *   origin <origin>
 *   statement sha256:<hex>
 *   accepted <RFC 3339 UTC, milliseconds, Z>
 *   integrate-by <RFC 3339 UTC, milliseconds, Z>
 *
 * Security: the text can never be read as a checkpoint (a checkpoint's second line is a decimal
 * tree size; this one starts with "origin "), and a checkpoint can never be read as a promise
 * (its first line would have to be the fixed header). So one key signs both without a signature
 * on one ever standing for the other.
 */
import type { Ed25519 } from './ed25519.js';
import { ed25519 } from './ed25519.js';
import { ErrorCode, ProtocolError } from './errors.js';
import { formatUtcMillis, isStatementId, parseUtcTimestamp } from './identifiers.js';
import type { NoteVerifierKey } from './keys.js';
import { NoteKeyType, isValidKeyName } from './keys.js';
import { guarded, parseNote, signNoteText, verifyNote } from './note.js';

export const PROMISE_HEADER = 'cbm-ledger/promise/v1';

export interface AdmissionPromise {
  /** The ledger's origin: the log key's name. */
  origin: string;
  /** `sha256:<hex>` statement id. */
  statement: string;
  /** Ledger clock at the durable accept, RFC 3339 UTC with milliseconds. */
  acceptedAt: string;
  /** The deadline by which the statement will be integrated (acceptedAt + maximum merge delay). */
  integrateBy: string;
}

const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function promiseError(message: string): ProtocolError {
  return new ProtocolError(ErrorCode.PROMISE_INVALID, message);
}

function isExactTime(t: string): boolean {
  if (!TIME_RE.test(t)) return false;
  const ms = parseUtcTimestamp(t);
  if (ms === undefined) return false;
  try {
    return formatUtcMillis(ms) === t;
  } catch {
    return false;
  }
}

function checkPromise(p: AdmissionPromise): void {
  if (typeof p !== 'object' || p === null) throw promiseError('promise must be an object');
  if (typeof p.origin !== 'string' || !isValidKeyName(p.origin)) {
    throw promiseError('origin must be a valid key name');
  }
  if (!isStatementId(p.statement)) throw promiseError('statement must be sha256:<hex>');
  if (typeof p.acceptedAt !== 'string' || !isExactTime(p.acceptedAt)) {
    throw promiseError('accepted must be an RFC 3339 UTC time with milliseconds and Z');
  }
  if (typeof p.integrateBy !== 'string' || !isExactTime(p.integrateBy)) {
    throw promiseError('integrate-by must be an RFC 3339 UTC time with milliseconds and Z');
  }
  if (p.integrateBy < p.acceptedAt) throw promiseError('integrate-by is before accepted');
}

/** The promise's note text, ending in "\n". Throws PROMISE_INVALID. */
export function formatPromise(p: AdmissionPromise): string {
  return guarded(ErrorCode.PROMISE_INVALID, () => {
    checkPromise(p);
    return (
      `${PROMISE_HEADER}\norigin ${p.origin}\nstatement ${p.statement}\n` +
      `accepted ${p.acceptedAt}\nintegrate-by ${p.integrateBy}\n`
    );
  });
}

/**
 * Parses a promise note text strictly: exactly the five lines, in order, each value in its one
 * spelling, so a promise has exactly one text. Throws PROMISE_INVALID. Security: parse only text
 * whose log signature verified ({@link openPromise} does both).
 */
export function parsePromise(text: string): AdmissionPromise {
  return guarded(ErrorCode.PROMISE_INVALID, () => {
    if (typeof text !== 'string' || !text.endsWith('\n')) {
      throw promiseError('promise text must end with a newline');
    }
    const lines = text.slice(0, -1).split('\n');
    if (lines.length !== 5) throw promiseError('promise text must have exactly five lines');
    const [header, origin, statement, accepted, integrateBy] = lines as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (header !== PROMISE_HEADER) throw promiseError(`first line must be ${PROMISE_HEADER}`);
    const value = (line: string, key: string): string => {
      if (!line.startsWith(`${key} `)) throw promiseError(`expected a "${key}" line`);
      return line.slice(key.length + 1);
    };
    const p: AdmissionPromise = {
      origin: value(origin, 'origin'),
      statement: value(statement, 'statement'),
      acceptedAt: value(accepted, 'accepted'),
      integrateBy: value(integrateBy, 'integrate-by'),
    };
    checkPromise(p);
    return p;
  });
}

/** Signs a promise as the log (key name = origin). Throws PROMISE_INVALID, KEY_INVALID. */
export function signPromise(
  p: AdmissionPromise,
  seed: Uint8Array,
  impl: Ed25519 = ed25519,
): string {
  return signNoteText(formatPromise(p), [{ name: p.origin, seed }], impl);
}

/**
 * Opens a promise note: verifies the log key's signature (the same C2SP note verifier that opens
 * checkpoints), then parses the text and checks that it names the log key's origin. Witness or
 * unknown signatures are ignored.
 *
 * Throws NOTE_INVALID when the note is malformed or carries no valid signature by the log key (a
 * forged or altered promise), PROMISE_INVALID when the signed text is not a promise,
 * PROMISE_WRONG_ORIGIN when it is another ledger's, KEY_INVALID for an unusable log key.
 */
export function openPromise(
  note: string,
  logKey: NoteVerifierKey,
  impl: Ed25519 = ed25519,
): AdmissionPromise {
  return guarded(ErrorCode.NOTE_INVALID, () => {
    if (typeof logKey !== 'object' || logKey === null || logKey.type !== NoteKeyType.ed25519) {
      throw new ProtocolError(ErrorCode.KEY_INVALID, 'log key must be an Ed25519 note key (0x01)');
    }
    const parsed = parseNote(note);
    // The unverified text is looked at only to name the rejection: another ledger's promise is
    // refused as such rather than as a bad signature. Nothing from it is returned.
    const claimedOrigin = unverifiedOrigin(parsed.text);
    if (claimedOrigin !== undefined && claimedOrigin !== logKey.name) {
      throw new ProtocolError(
        ErrorCode.PROMISE_WRONG_ORIGIN,
        `the promise is for ${claimedOrigin}, not ${logKey.name}`,
      );
    }
    verifyNote(parsed, [logKey], impl);
    return parsePromise(parsed.text);
  });
}

function unverifiedOrigin(text: string): string | undefined {
  try {
    return parsePromise(text).origin;
  } catch {
    return undefined;
  }
}
