import { fromBase64, toBase64 } from './bytes.js';
import type { Ed25519 } from './ed25519.js';
import { ed25519 } from './ed25519.js';
import { ErrorCode, ProtocolError } from './errors.js';
import type { NoteVerifierKey } from './keys.js';
import { NoteKeyType, isValidKeyName } from './keys.js';
import type { Note } from './note.js';
import { guarded, parseNote, signNoteText, verifyNote } from './note.js';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text is the origin line, the
 * tree size in decimal, the base64 RFC 6962 root hash, then optional non-empty extension lines.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions: string[];
}

const SIZE_RE = /^(?:0|[1-9][0-9]*)$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f]/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkpointError(message: string): ProtocolError {
  return new ProtocolError(ErrorCode.CHECKPOINT_INVALID, message);
}

/** A checkpoint line: non-empty, no newline or other control character, valid UTF-8. */
function checkLine(line: unknown, what: string): asserts line is string {
  if (typeof line !== 'string' || line.length === 0) throw checkpointError(`${what} is empty`);
  if (CONTROL_RE.test(line)) throw checkpointError(`${what} contains a control character`);
  if (LONE_SURROGATE_RE.test(line)) throw checkpointError(`${what} is not valid UTF-8`);
}

/** The checkpoint's note text (body), ending in "\n". Throws CHECKPOINT_INVALID. */
export function formatCheckpoint(c: Checkpoint): string {
  return guarded(ErrorCode.CHECKPOINT_INVALID, () => {
    if (typeof c !== 'object' || c === null) throw checkpointError('not an object');
    checkLine(c.origin, 'origin');
    if (!Number.isSafeInteger(c.size) || c.size < 0) {
      throw checkpointError('size must be a non-negative safe integer');
    }
    if (!(c.rootHash instanceof Uint8Array) || c.rootHash.length !== 32) {
      throw checkpointError('root hash must be 32 bytes');
    }
    if (!Array.isArray(c.extensions)) throw checkpointError('extensions must be an array');
    c.extensions.forEach((e, i) => checkLine(e, `extension line ${i + 1}`));
    const lines = [c.origin, String(c.size), toBase64(c.rootHash), ...c.extensions];
    return lines.map((l) => `${l}\n`).join('');
  });
}

/**
 * Parses a checkpoint body strictly. Throws CHECKPOINT_INVALID unless: it ends in "\n"; it has
 * at least three lines, all non-empty; the size is decimal without leading zeros (or "0") and at
 * most Number.MAX_SAFE_INTEGER; the root hash is canonical base64 of 32 bytes; and no line
 * contains a control character. Security: parse only text whose signature has been verified.
 */
export function parseCheckpoint(body: string): Checkpoint {
  return guarded(ErrorCode.CHECKPOINT_INVALID, () => {
    if (typeof body !== 'string' || !body.endsWith('\n')) {
      throw checkpointError('checkpoint body must end with a newline');
    }
    const lines = body.slice(0, -1).split('\n');
    if (lines.length < 3) throw checkpointError('checkpoint needs origin, size and root hash');
    const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string];
    checkLine(origin, 'origin');
    checkLine(sizeLine, 'size');
    checkLine(rootLine, 'root hash');
    extensions.forEach((e, i) => checkLine(e, `extension line ${i + 1}`));
    if (!SIZE_RE.test(sizeLine)) throw checkpointError('size must be decimal, no leading zeros');
    const size = Number(sizeLine);
    if (!Number.isSafeInteger(size)) throw checkpointError('size exceeds MAX_SAFE_INTEGER');
    let rootHash: Uint8Array;
    try {
      rootHash = fromBase64(rootLine, 32);
    } catch {
      throw checkpointError('root hash must be canonical base64 of 32 bytes');
    }
    return { origin, size, rootHash, extensions };
  });
}

/**
 * Signs a checkpoint as the log: a signed note whose one Ed25519 signature (type 0x01) is under
 * the key name `origin`. Throws CHECKPOINT_INVALID if the origin cannot be a key name.
 */
export function signCheckpoint(c: Checkpoint, seed: Uint8Array, impl: Ed25519 = ed25519): string {
  const body = formatCheckpoint(c);
  if (!isValidKeyName(c.origin)) {
    throw checkpointError('origin must be a valid key name (no spaces, no "+")');
  }
  return signNoteText(body, [{ name: c.origin, seed }], impl);
}

/**
 * Opens a checkpoint note: verifies the log's signature, then parses the body. The log key must
 * be an Ed25519 note key (type 0x01) named by the origin; other signatures (witness
 * cosignatures, unknown keys) are ignored here — check them with verifyCosignatures.
 *
 * Throws NOTE_INVALID if the note is malformed or the log's signature is absent or invalid,
 * CHECKPOINT_INVALID if the body is not a checkpoint or its origin is not the log key's name,
 * KEY_INVALID for an unusable log key.
 */
export function openCheckpoint(
  note: string,
  logKey: NoteVerifierKey,
  impl: Ed25519 = ed25519,
): { checkpoint: Checkpoint; note: Note } {
  return guarded(ErrorCode.NOTE_INVALID, () => {
    if (typeof logKey !== 'object' || logKey === null || logKey.type !== NoteKeyType.ed25519) {
      throw new ProtocolError(ErrorCode.KEY_INVALID, 'log key must be an Ed25519 note key (0x01)');
    }
    const parsed = parseNote(note);
    // Verify before reading the text: signed-note says to ignore text no trusted key signed.
    verifyNote(parsed, [logKey], impl);
    const checkpoint = parseCheckpoint(parsed.text);
    if (checkpoint.origin !== logKey.name) {
      throw checkpointError('checkpoint origin does not match the log key name');
    }
    return { checkpoint, note: parsed };
  });
}
