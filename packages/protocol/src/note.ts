import { bytesEqual, concatBytes, fromBase64, toBase64, toHex, utf8Encode } from './bytes.js';
import type { Ed25519 } from './ed25519.js';
import { ED25519_PUBLIC_KEY_LENGTH, ed25519 } from './ed25519.js';
import { ErrorCode, ProtocolError, isProtocolError } from './errors.js';
import type { NoteVerifierKey } from './keys.js';
import { NoteKeyType, isValidKeyName, noteKeyHash } from './keys.js';

/**
 * C2SP signed-note (https://c2sp.org/signed-note): a text ending in "\n", a blank line, then one
 * or more lines `— <key name> base64(4-byte key ID ‖ signature)`.
 */

/** One signature line. `signature` holds the bytes after the 4-byte key ID (`keyHash`). */
export interface NoteSignature {
  name: string;
  keyHash: Uint8Array;
  signature: Uint8Array;
}

export interface Note {
  text: string;
  signatures: NoteSignature[];
}

/**
 * The spec requires accepting at least 16 signatures and recommends a cap; Go's
 * golang.org/x/mod/sumdb/note uses 100. A ledger with one log signature and a few dozen witnesses
 * stays well below it.
 */
export const MAX_NOTE_SIGNATURES = 100;

/** U+2014 EM DASH, U+0020 SPACE: the start of every signature line. */
export const SIGNATURE_LINE_PREFIX = '\u2014 ';

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NEWLINE_RE = /[\u0000-\u0009\u000b-\u001f]/;

function noteError(message: string): ProtocolError {
  return new ProtocolError(ErrorCode.NOTE_INVALID, message);
}

/**
 * Runs `fn`, turning any non-ProtocolError failure into `code` so callers see one error type.
 * @internal shared by checkpoint.ts and cosignature.ts; not part of the package API.
 */
export function guarded<T>(code: ErrorCode, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isProtocolError(e)) throw e;
    throw new ProtocolError(code, `invalid input: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Valid UTF-8 (no unpaired surrogates) and no ASCII control character other than "\n". */
function checkCharacters(s: string, what: string): void {
  if (CONTROL_EXCEPT_NEWLINE_RE.test(s)) throw noteError(`${what} contains a control character`);
  if (LONE_SURROGATE_RE.test(s)) throw noteError(`${what} is not valid UTF-8`);
}

function checkText(text: unknown): asserts text is string {
  if (typeof text !== 'string') throw noteError('note text must be a string');
  if (!text.endsWith('\n')) throw noteError('note text must end with a newline');
  checkCharacters(text, 'note text');
}

/**
 * Parses one signature line (without its trailing newline) into name, key ID and signature
 * bytes. Throws NOTE_INVALID. Security: attacker-controlled; the base64 decoder is canonical, so
 * a signature has exactly one spelling.
 */
export function parseSignatureLine(line: string): NoteSignature {
  if (typeof line !== 'string') throw noteError('signature line must be a string');
  if (!line.startsWith(SIGNATURE_LINE_PREFIX)) {
    throw noteError('signature line must start with "\u2014 "');
  }
  checkCharacters(line, 'signature line');
  if (line.includes('\n')) throw noteError('signature line contains a newline');
  const rest = line.slice(SIGNATURE_LINE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw noteError('signature line must be "\u2014 <name> <base64>"');
  const name = rest.slice(0, space);
  const b64 = rest.slice(space + 1);
  if (!isValidKeyName(name)) throw noteError('invalid key name on signature line');
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    throw noteError('signature is not canonical base64');
  }
  if (raw.length < 5) throw noteError('signature must hold a 4-byte key ID and signature bytes');
  return { name, keyHash: raw.slice(0, 4), signature: raw.slice(4) };
}

/** Formats one signature line, without a trailing newline. */
export function formatSignatureLine(sig: NoteSignature): string {
  if (typeof sig !== 'object' || sig === null) throw noteError('signature must be an object');
  if (!isValidKeyName(sig.name)) throw noteError('invalid key name');
  if (!(sig.keyHash instanceof Uint8Array) || sig.keyHash.length !== 4) {
    throw noteError('key ID must be 4 bytes');
  }
  if (!(sig.signature instanceof Uint8Array) || sig.signature.length === 0) {
    throw noteError('signature bytes must not be empty');
  }
  return `${SIGNATURE_LINE_PREFIX}${sig.name} ${toBase64(concatBytes(sig.keyHash, sig.signature))}`;
}

function signatureKey(sig: NoteSignature): string {
  return `${sig.name}+${toHex(sig.keyHash)}`;
}

function checkSignatureList(signatures: NoteSignature[]): void {
  if (signatures.length === 0) throw noteError('a signed note needs at least one signature');
  if (signatures.length > MAX_NOTE_SIGNATURES) throw noteError('too many signatures');
  const seen = new Set<string>();
  for (const s of signatures) {
    const k = signatureKey(s);
    if (seen.has(k)) throw noteError(`two signatures by the same key ${k}`);
    seen.add(k);
  }
}

/**
 * Parses a signed note strictly, without verifying anything. Throws NOTE_INVALID for: invalid
 * UTF-8 or a control character other than "\n"; no blank line before the signatures; a
 * signature block that is empty or does not end in "\n"; a malformed signature line; more than
 * {@link MAX_NOTE_SIGNATURES} signatures; or two signatures with the same key name and key ID.
 *
 * The last rule goes beyond the spec: conforming signers (Go's note.Sign) never emit two
 * signatures by one key, and refusing them removes any question of which one counts.
 *
 * Security: notes (checkpoints, receipts) arrive from the network; the text must not be trusted
 * until {@link verifyNote} has checked a known key's signature.
 */
export function parseNote(note: string): Note {
  return guarded(ErrorCode.NOTE_INVALID, () => {
    if (typeof note !== 'string') throw noteError('note must be a string');
    checkCharacters(note, 'note');
    const split = note.lastIndexOf('\n\n');
    if (split < 0) throw noteError('no blank line before the signatures');
    const text = note.slice(0, split + 1);
    const block = note.slice(split + 2);
    if (block.length === 0 || !block.endsWith('\n')) {
      throw noteError('signature block must be non-empty and end with a newline');
    }
    const lines = block.slice(0, -1).split('\n');
    if (lines.length > MAX_NOTE_SIGNATURES) throw noteError('too many signatures');
    const signatures = lines.map(parseSignatureLine);
    checkSignatureList(signatures);
    return { text, signatures };
  });
}

/** Serialises a note; throws NOTE_INVALID if the result would not parse back to the same note. */
export function formatNote(note: Note): string {
  return guarded(ErrorCode.NOTE_INVALID, () => {
    if (typeof note !== 'object' || note === null) throw noteError('note must be an object');
    checkText(note.text);
    if (!Array.isArray(note.signatures)) throw noteError('signatures must be an array');
    const lines = note.signatures.map(formatSignatureLine);
    checkSignatureList(note.signatures);
    return `${note.text}\n${lines.map((l) => `${l}\n`).join('')}`;
  });
}

/**
 * Signs `text` with each signer's Ed25519 key (signature type 0x01) and returns the signed note.
 * Throws NOTE_INVALID for a text that is not a valid note text, KEY_INVALID for a bad name or
 * seed.
 */
export function signNoteText(
  text: string,
  signers: { name: string; seed: Uint8Array }[],
  impl: Ed25519 = ed25519,
): string {
  checkText(text);
  if (!Array.isArray(signers) || signers.length === 0) throw noteError('no signers');
  const message = utf8Encode(text);
  const signatures = signers.map(({ name, seed }) => {
    const publicKey = impl.publicKeyFromSeed(seed);
    return {
      name,
      keyHash: noteKeyHash(name, NoteKeyType.ed25519, publicKey),
      signature: impl.sign(seed, message),
    };
  });
  return formatNote({ text, signatures });
}

/**
 * Checks a caller's key and returns it with its key ID recomputed. A key whose stored key ID
 * disagrees with its name, type and public key is a configuration error (KEY_INVALID).
 * @internal
 */
export function checkedVerifierKey(k: NoteVerifierKey): NoteVerifierKey {
  if (typeof k !== 'object' || k === null) {
    throw new ProtocolError(ErrorCode.KEY_INVALID, 'verifier key must be an object');
  }
  if (!(k.publicKey instanceof Uint8Array) || k.publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new ProtocolError(ErrorCode.KEY_INVALID, 'verifier public key must be 32 bytes');
  }
  const keyHash = noteKeyHash(k.name, k.type, k.publicKey);
  if (!(k.keyHash instanceof Uint8Array) || !bytesEqual(keyHash, k.keyHash)) {
    throw new ProtocolError(ErrorCode.KEY_INVALID, `key ID of ${k.name} does not match its key`);
  }
  return { name: k.name, keyHash, type: k.type, publicKey: k.publicKey };
}

/**
 * Finds the single key matching a signature's name and key ID, or undefined (an unknown key).
 * Two different public keys under one name and key ID are ambiguous: KEY_INVALID.
 * @internal
 */
export function matchKey<K extends { name: string; keyHash: Uint8Array; publicKey: Uint8Array }>(
  sig: NoteSignature,
  keys: K[],
): K | undefined {
  let found: K | undefined;
  for (const k of keys) {
    if (k.name !== sig.name || !bytesEqual(k.keyHash, sig.keyHash)) continue;
    if (found !== undefined && !bytesEqual(found.publicKey, k.publicKey)) {
      throw new ProtocolError(ErrorCode.KEY_INVALID, `ambiguous keys for ${signatureKey(sig)}`);
    }
    found = k;
  }
  return found;
}

/**
 * Verifies a signed note against known Ed25519 note keys (type 0x01; keys of other types are
 * treated as unknown — cosignatures are checked by verifyCosignatures). Returns the names of the
 * keys whose signatures verified, in note order.
 *
 * Per C2SP signed-note: signatures from unknown keys (name and key ID not both matching a known
 * key) are ignored; a known key's signature that fails to verify rejects the whole note (the
 * spec's SHOULD — we follow it, since a bad signature by a trusted key means tampering); and if
 * no known key's signature verifies the note is rejected. Every rejection throws NOTE_INVALID;
 * a malformed key throws KEY_INVALID.
 */
export function verifyNote(
  note: string | Note,
  keys: NoteVerifierKey[],
  impl: Ed25519 = ed25519,
): string[] {
  return guarded(ErrorCode.NOTE_INVALID, () => {
    const parsed = typeof note === 'string' ? parseNote(note) : parseNote(formatNote(note));
    if (!Array.isArray(keys)) throw new ProtocolError(ErrorCode.KEY_INVALID, 'keys: not an array');
    const noteKeys = keys.map(checkedVerifierKey).filter((k) => k.type === NoteKeyType.ed25519);
    const message = utf8Encode(parsed.text);
    const verified: string[] = [];
    for (const sig of parsed.signatures) {
      const key = matchKey(sig, noteKeys);
      if (key === undefined) continue; // unknown key: ignored (spec MUST)
      if (!impl.verify(key.publicKey, message, sig.signature)) {
        throw noteError(`signature by known key ${signatureKey(sig)} does not verify`);
      }
      if (!verified.includes(key.name)) verified.push(key.name);
    }
    if (verified.length === 0) throw noteError('no signature by a known key');
    return verified;
  });
}
