import { bytesEqual, concatBytes, utf8Encode } from './bytes.js';
import type { Ed25519 } from './ed25519.js';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH, ed25519 } from './ed25519.js';
import { ErrorCode, ProtocolError } from './errors.js';
import { parseCheckpoint } from './checkpoint.js';
import { NoteKeyType, isValidKeyName, noteKeyHash } from './keys.js';
import type { Note, NoteSignature } from './note.js';
import {
  formatNote,
  formatSignatureLine,
  guarded,
  matchKey,
  parseNote,
  parseSignatureLine,
} from './note.js';

/**
 * C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), Ed25519 `cosignature/v1`: a note
 * signature line by a witness key of type 0x04 whose signature bytes are
 * `u64 big-endian timestamp ‖ Ed25519 signature` over
 * `"cosignature/v1\ntime <timestamp>\n" ‖ checkpoint body`.
 */

const TIMESTAMP_LENGTH = 8;
/** Bytes after the 4-byte key ID on a cosignature/v1 line. */
const COSIGNATURE_LENGTH = TIMESTAMP_LENGTH + ED25519_SIGNATURE_LENGTH;

export interface WitnessKey {
  name: string;
  publicKey: Uint8Array;
}

export interface VerifiedCosignature {
  name: string;
  /** POSIX seconds at which the witness cosigned. */
  time: number;
}

function cosignatureError(message: string): ProtocolError {
  return new ProtocolError(ErrorCode.COSIGNATURE_INVALID, message);
}

/**
 * The spec allows timestamps up to 2^63 - 1; we stop at Number.MAX_SAFE_INTEGER (year ~285
 * million) so that a time is always an exact JS number.
 */
function checkTime(time: unknown): asserts time is number {
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
    throw cosignatureError('time must be a non-negative safe integer (POSIX seconds)');
  }
}

/** `"cosignature/v1\ntime <time>\n" ‖ body`, the bytes a witness signs. */
export function cosignatureMessage(checkpointBody: string, time: number): Uint8Array {
  checkTime(time);
  if (typeof checkpointBody !== 'string' || !checkpointBody.endsWith('\n')) {
    throw cosignatureError('checkpoint body must end with a newline');
  }
  return utf8Encode(`cosignature/v1\ntime ${time}\n${checkpointBody}`);
}

function encodeTime(time: number): Uint8Array {
  const out = new Uint8Array(TIMESTAMP_LENGTH);
  new DataView(out.buffer).setBigUint64(0, BigInt(time), false);
  return out;
}

function witnessKeyHash(w: WitnessKey): Uint8Array {
  if (typeof w !== 'object' || w === null || !isValidKeyName(w.name)) {
    throw new ProtocolError(ErrorCode.KEY_INVALID, 'witness name is not a valid key name');
  }
  if (!(w.publicKey instanceof Uint8Array) || w.publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new ProtocolError(ErrorCode.KEY_INVALID, `witness ${w.name}: public key is not 32 bytes`);
  }
  return noteKeyHash(w.name, NoteKeyType.cosignatureV1, w.publicKey);
}

/**
 * Cosigns a checkpoint body as witness `name` at `time` (POSIX seconds). Returns the signature
 * line `— <name> base64(key ID ‖ u64be time ‖ signature)` without a trailing newline. Throws
 * CHECKPOINT_INVALID if the body is not a checkpoint, KEY_INVALID for a bad name or seed,
 * COSIGNATURE_INVALID for a bad time.
 */
export function cosign(
  checkpointBody: string,
  name: string,
  seed: Uint8Array,
  time: number,
  impl: Ed25519 = ed25519,
): string {
  parseCheckpoint(checkpointBody); // witnesses cosign checkpoints, nothing else
  const message = cosignatureMessage(checkpointBody, time);
  const keyHash = noteKeyHash(name, NoteKeyType.cosignatureV1, impl.publicKeyFromSeed(seed));
  const signature = concatBytes(encodeTime(time), impl.sign(seed, message));
  return formatSignatureLine({ name, keyHash, signature });
}

/**
 * Verifies one parsed signature as a cosignature by `witness`, whose key ID has already been
 * matched. Returns the time; throws COSIGNATURE_INVALID.
 */
function verifyMatched(
  checkpointBody: string,
  sig: NoteSignature,
  witness: WitnessKey,
  impl: Ed25519,
): VerifiedCosignature {
  if (sig.signature.length !== COSIGNATURE_LENGTH) {
    throw cosignatureError(`cosignature by ${witness.name} is not 8 + 64 bytes`);
  }
  const view = new DataView(sig.signature.buffer, sig.signature.byteOffset, TIMESTAMP_LENGTH);
  const time = view.getBigUint64(0, false);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw cosignatureError(`cosignature by ${witness.name}: timestamp out of range`);
  }
  const message = cosignatureMessage(checkpointBody, Number(time));
  if (!impl.verify(witness.publicKey, message, sig.signature.subarray(TIMESTAMP_LENGTH))) {
    throw cosignatureError(`cosignature by ${witness.name} does not verify`);
  }
  return { name: witness.name, time: Number(time) };
}

/**
 * Verifies one cosignature line (no trailing newline) by a given witness over a checkpoint
 * body. Throws COSIGNATURE_INVALID if the line is malformed, names another key, carries another
 * key ID (for instance an ordinary 0x01 note signature by the same key), or does not verify.
 * Security: used on lines returned by witnesses over the network.
 */
export function verifyCosignatureLine(
  checkpointBody: string,
  line: string,
  witness: WitnessKey,
  impl: Ed25519 = ed25519,
): VerifiedCosignature {
  return guarded(ErrorCode.COSIGNATURE_INVALID, () => {
    const keyHash = witnessKeyHash(witness);
    let sig: NoteSignature;
    try {
      sig = parseSignatureLine(line);
    } catch (e) {
      throw cosignatureError(`malformed cosignature line: ${(e as Error).message}`);
    }
    if (sig.name !== witness.name) throw cosignatureError('cosignature names another witness');
    if (!bytesEqual(sig.keyHash, keyHash)) {
      throw cosignatureError(`key ID is not the cosignature/v1 key ID of ${witness.name}`);
    }
    return verifyMatched(checkpointBody, sig, witness, impl);
  });
}

/**
 * Verifies the cosignatures on a signed checkpoint note against known witnesses. Returns one
 * entry per verified cosignature line, in note order.
 *
 * Following C2SP signed-note: lines whose name and key ID do not both match a known witness's
 * cosignature/v1 key are ignored (this includes the log's own signature); a line that does match
 * but fails to verify rejects the whole note with COSIGNATURE_INVALID (the spec's SHOULD: the
 * server vouched for every cosignature it serves, so one bad one means tampering). This does not
 * check the log's signature (openCheckpoint) nor any quorum (checkWitnessQuorum); finding no
 * known cosignature is not an error here. A malformed note throws NOTE_INVALID.
 */
export function verifyCosignatures(
  note: string | Note,
  witnesses: WitnessKey[],
  impl: Ed25519 = ed25519,
): VerifiedCosignature[] {
  return guarded(ErrorCode.COSIGNATURE_INVALID, () => {
    const parsed = typeof note === 'string' ? parseNote(note) : parseNote(formatNote(note));
    if (!Array.isArray(witnesses)) {
      throw new ProtocolError(ErrorCode.KEY_INVALID, 'witnesses: not an array');
    }
    const keys = witnesses.map((w) => ({ ...w, keyHash: witnessKeyHash(w) }));
    const verified: VerifiedCosignature[] = [];
    for (const sig of parsed.signatures) {
      const witness = matchKey(sig, keys);
      if (witness === undefined) continue; // unknown key: ignored (spec MUST)
      verified.push(verifyMatched(parsed.text, sig, witness, impl));
    }
    return verified;
  });
}

/**
 * Requires cosignatures by at least `k` distinct known witness names. Throws
 * WITNESS_QUORUM_UNMET otherwise, RANGE_INVALID if k is not a non-negative integer.
 */
export function checkWitnessQuorum(
  verified: VerifiedCosignature[],
  witnesses: WitnessKey[],
  k: number,
): void {
  if (!Number.isSafeInteger(k) || k < 0) {
    throw new ProtocolError(ErrorCode.RANGE_INVALID, 'quorum must be a non-negative integer');
  }
  const known = new Set(witnesses.map((w) => w.name));
  const names = new Set(verified.map((v) => v.name).filter((n) => known.has(n)));
  if (names.size < k) {
    throw new ProtocolError(
      ErrorCode.WITNESS_QUORUM_UNMET,
      `${names.size} of the required ${k} known witnesses cosigned`,
    );
  }
}

/**
 * Returns the signed note with cosignature lines added, as the ledger serves a checkpoint. It
 * does not verify them: verify each with verifyCosignatureLine first. A line whose name and key
 * ID match an existing cosignature replaces it in place (a witness's newer cosignature of the
 * same checkpoint); any other line is appended. Throws COSIGNATURE_INVALID for a malformed line,
 * one not shaped like a cosignature/v1 (key ID, 8-byte time, 64-byte signature), or one that
 * would replace a signature that is not a cosignature (such as the log's); NOTE_INVALID for a
 * malformed note or too many signatures.
 */
export function appendCosignatures(note: string, lines: string[]): string {
  return guarded(ErrorCode.COSIGNATURE_INVALID, () => {
    const parsed = parseNote(note);
    if (!Array.isArray(lines)) throw cosignatureError('lines: not an array');
    const signatures = [...parsed.signatures];
    for (const line of lines) {
      let sig: NoteSignature;
      try {
        sig = parseSignatureLine(line);
      } catch (e) {
        throw cosignatureError(`malformed cosignature line: ${(e as Error).message}`);
      }
      if (sig.signature.length !== COSIGNATURE_LENGTH) {
        throw cosignatureError('not a cosignature/v1 line (wrong length)');
      }
      const i = signatures.findIndex(
        (s) => s.name === sig.name && bytesEqual(s.keyHash, sig.keyHash),
      );
      if (i < 0) {
        signatures.push(sig);
      } else if (signatures[i]!.signature.length !== COSIGNATURE_LENGTH) {
        throw cosignatureError(`line by ${sig.name} collides with a signature that is not one`);
      } else {
        signatures[i] = sig;
      }
    }
    return formatNote({ text: parsed.text, signatures });
  });
}
