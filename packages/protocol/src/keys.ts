import { bytesEqual, concatBytes, fromBase64, toBase64, toHex, utf8Encode } from './bytes.js';
import { ED25519_PUBLIC_KEY_LENGTH, ed25519, randomSeed } from './ed25519.js';
import { ErrorCode, ProtocolError, isProtocolError } from './errors.js';
import { SHA256_HEX_RE, isPartyId } from './identifiers.js';
import { sha256, sha256Hex } from './sha256.js';

function keyError(message: string, path?: string): ProtocolError {
  return new ProtocolError(ErrorCode.KEY_INVALID, message, path);
}

/** keyid (DESIGN.md §2): lowercase hex SHA-256 of the 32 raw public-key bytes. */
export function keyId(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw keyError('an Ed25519 public key is 32 bytes');
  }
  return sha256Hex(publicKey);
}

// ---------------------------------------------------------------------------------------------
// Key files (DESIGN.md §2)

/** `{"type":"ed25519","party":…,"keyid":…,"publicKey":…,"seed":…}`; publicKey and seed base64. */
export interface KeyFile {
  type: 'ed25519';
  party: string;
  keyid: string;
  publicKey: string;
  seed: string;
}

const KEY_FILE_FIELDS = ['type', 'party', 'keyid', 'publicKey', 'seed'] as const;

export function generateKeyFile(party: string, seed: Uint8Array = randomSeed()): KeyFile {
  if (!isPartyId(party)) throw keyError('not a party id', '$.party');
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw keyError('seed must be 32 bytes', '$.seed');
  }
  const publicKey = ed25519.publicKeyFromSeed(seed);
  return {
    type: 'ed25519',
    party,
    keyid: keyId(publicKey),
    publicKey: toBase64(publicKey),
    seed: toBase64(seed),
  };
}

/**
 * Parses and checks a key file (JSON text or an already-parsed value). Throws KEY_INVALID, with
 * the offending field's path, for: non-JSON, a non-object, a missing or unknown field, a wrong
 * type, a bad party id, a seed that is not canonical base64 of 32 bytes, or a publicKey/keyid
 * that does not belong to the seed. Returns a fresh object holding only the five fields.
 *
 * Security: a key file may come from an untrusted place (a shared drive, a CLI argument); the
 * cross-checks ensure the key we sign with is the one the file claims.
 */
// `input` is JSON text or an already-parsed value (typed `unknown`, which includes string).
export function parseKeyFile(input: unknown): KeyFile {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw keyError('key file is not JSON', '$');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw keyError('key file must be a JSON object', '$');
  }
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(KEY_FILE_FIELDS as readonly string[]).includes(k)) {
      throw keyError('unknown field', `$.${k}`);
    }
  }
  for (const k of KEY_FILE_FIELDS) {
    if (typeof obj[k] !== 'string') throw keyError('missing or not a string', `$.${k}`);
  }
  const { type, party, keyid, publicKey, seed } = obj as Record<
    (typeof KEY_FILE_FIELDS)[number],
    string
  >;
  if (type !== 'ed25519') throw keyError('type must be "ed25519"', '$.type');
  if (!isPartyId(party)) throw keyError('not a party id', '$.party');
  const seedBytes = decodeBase64Field(seed, '$.seed');
  const derived = ed25519.publicKeyFromSeed(seedBytes);
  const publicKeyBytes = decodeBase64Field(publicKey, '$.publicKey');
  if (!bytesEqual(publicKeyBytes, derived)) {
    throw keyError('publicKey does not match the seed', '$.publicKey');
  }
  if (!SHA256_HEX_RE.test(keyid)) throw keyError('keyid must be 64 lowercase hex', '$.keyid');
  if (keyid !== keyId(derived)) throw keyError('keyid does not match the key', '$.keyid');
  return { type: 'ed25519', party, keyid, publicKey, seed };
}

function decodeBase64Field(s: string, path: string): Uint8Array {
  try {
    return fromBase64(s, 32);
  } catch (e) {
    if (isProtocolError(e)) throw keyError('must be canonical base64 of 32 bytes', path);
    throw e;
  }
}

export function keyFileSeed(k: KeyFile): Uint8Array {
  return decodeBase64Field(k.seed, '$.seed');
}

export function keyFilePublicKey(k: KeyFile): Uint8Array {
  return decodeBase64Field(k.publicKey, '$.publicKey');
}

// ---------------------------------------------------------------------------------------------
// C2SP signed-note key names, key IDs and verifier keys (vkeys)

/** Signature type bytes (C2SP signed-note §Signature types) that this package implements. */
export const NoteKeyType = { ed25519: 0x01, cosignatureV1: 0x04 } as const;
export type NoteKeyType = (typeof NoteKeyType)[keyof typeof NoteKeyType];

function isSupportedType(type: unknown): type is NoteKeyType {
  return type === NoteKeyType.ed25519 || type === NoteKeyType.cosignatureV1;
}

// Unicode White_Space is what "Unicode spaces" means in signed-note (and Go's unicode.IsSpace).
const WHITE_SPACE_RE = /\p{White_Space}/u;
// Lone surrogates cannot be encoded as UTF-8; other C0 controls are banned anywhere in a note.
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f]/;

/**
 * A signed-note key name: non-empty, no Unicode spaces, no `+`. We also refuse C0 control
 * characters and unpaired surrogates, which no valid note can contain, so a name that passes
 * here can always appear on a signature line.
 */
export function isValidKeyName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !name.includes('+') &&
    !WHITE_SPACE_RE.test(name) &&
    !CONTROL_RE.test(name) &&
    !LONE_SURROGATE_RE.test(name)
  );
}

/** Key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] (C2SP signed-note). */
export function noteKeyHash(name: string, type: number, publicKey: Uint8Array): Uint8Array {
  if (!isValidKeyName(name)) throw keyError('invalid key name');
  if (!Number.isInteger(type) || type < 0 || type > 255) throw keyError('invalid key type');
  if (!(publicKey instanceof Uint8Array)) throw keyError('public key must be bytes');
  const digest = sha256(concatBytes(utf8Encode(name), Uint8Array.of(0x0a, type), publicKey));
  return digest.slice(0, 4);
}

/** A parsed verifier key. `keyHash` is the 4-byte key ID; `type` a {@link NoteKeyType}. */
export interface NoteVerifierKey {
  name: string;
  keyHash: Uint8Array;
  type: number;
  publicKey: Uint8Array;
}

/** `<name>+<key ID as 8 lowercase hex>+<base64(type ‖ public key)>`. */
export function encodeVkey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw keyError('invalid key name');
  if (!isSupportedType(type)) throw keyError('unsupported key type');
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw keyError('an Ed25519 public key is 32 bytes');
  }
  const hash = toHex(noteKeyHash(name, type, publicKey));
  return `${name}+${hash}+${toBase64(concatBytes(Uint8Array.of(type), publicKey))}`;
}

const VKEY_HASH_RE = /^[0-9a-f]{8}$/;

/**
 * Parses a vkey strictly; throws KEY_INVALID unless: the name is valid, the key ID is exactly 8
 * lowercase hex digits (Go's note package writes `%08x`; one spelling per key), the key data is
 * canonical base64 of a supported type byte (0x01 or 0x04) followed by a 32-byte Ed25519 key,
 * and the key ID equals the one computed from name, type and key.
 *
 * Security: vkeys arrive from configuration and from genesis/registration statements; a key whose
 * ID does not match could never verify a signature and signals a corrupted or forged key.
 */
export function parseVkey(vkey: string): NoteVerifierKey {
  if (typeof vkey !== 'string') throw keyError('vkey must be a string');
  // The name cannot contain '+', but the base64 key data can: split at the first two only.
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw keyError('vkey must be <name>+<hash>+<keydata>');
  const name = vkey.slice(0, first);
  const hashHex = vkey.slice(first + 1, second);
  const keyData = vkey.slice(second + 1);
  if (!isValidKeyName(name)) throw keyError('invalid key name in vkey');
  if (!VKEY_HASH_RE.test(hashHex)) throw keyError('vkey key ID must be 8 lowercase hex digits');
  let raw: Uint8Array;
  try {
    raw = fromBase64(keyData);
  } catch {
    throw keyError('vkey key data is not canonical base64');
  }
  const type = raw[0];
  if (!isSupportedType(type)) throw keyError('unsupported vkey signature type');
  const publicKey = raw.slice(1);
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw keyError('vkey public key must be 32 bytes');
  }
  const keyHash = noteKeyHash(name, type, publicKey);
  if (toHex(keyHash) !== hashHex) throw keyError('vkey key ID does not match the key');
  return { name, keyHash, type, publicKey };
}
