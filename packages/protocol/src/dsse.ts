/**
 * DSSE v1 envelopes (secure-systems-lab/dsse protocol.md and envelope.md), with the stricter
 * rules of DESIGN.md section 3: Ed25519 only, keyid = hex SHA-256 of the public key, one
 * canonical base64 spelling, no unknown fields.
 */
import { concatBytes, fromBase64, toBase64, utf8Encode } from './bytes.js';
import { ed25519 as defaultEd25519 } from './ed25519.js';
import type { Ed25519 } from './ed25519.js';
import { ErrorCode, ProtocolError } from './errors.js';
import { SHA256_HEX_RE } from './identifiers.js';
import { canonicalize } from './jcs.js';
import { parseJsonStrict } from './json.js';
import { keyId } from './keys.js';
import { sha256Hex } from './sha256.js';

export const STATEMENT_PAYLOAD_TYPE = 'application/vnd.cbm-ledger.statement+json';

/** DESIGN.md section 3: payloads above 64 KiB go to evidence instead. */
export const MAX_PAYLOAD_BYTES = 65536;

/** Bounds the work one envelope can demand of a verifier. A measure's consensus needs one
 * signature per party, far fewer than this. */
export const MAX_SIGNATURES = 100;

const ED25519_SIGNATURE_BYTES = 64;

export interface EnvelopeSignature {
  keyid: string;
  sig: string;
}

export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: EnvelopeSignature[];
}

/** An envelope that passed parseEnvelope, with its payload decoded once. */
export interface ParsedEnvelope {
  envelope: Envelope;
  payload: Uint8Array;
}

export interface ParseEnvelopeOptions {
  /** The only payloadType accepted; default STATEMENT_PAYLOAD_TYPE. */
  payloadType?: string;
  /** Largest decoded payload accepted; default MAX_PAYLOAD_BYTES. */
  maxPayloadBytes?: number;
}

/**
 * DSSE pre-authentication encoding: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN being
 * the byte length in ASCII decimal. It is what each signature covers, so the payloadType is
 * authenticated and the type/body boundary cannot be shifted.
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8Encode(payloadType);
  return concatBytes(
    utf8Encode(`DSSEv1 ${type.length} `),
    type,
    utf8Encode(` ${payload.length} `),
    payload,
  );
}

const ENVELOPE_FIELDS = new Set(['payloadType', 'payload', 'signatures']);
const SIGNATURE_FIELDS = new Set(['keyid', 'sig']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rejectUnknownFields(
  obj: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  path: string,
): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k)) {
      throw new ProtocolError(
        ErrorCode.UNKNOWN_FIELD,
        `unknown field ${JSON.stringify(k)}`,
        `${path}.${k}`,
      );
    }
  }
}

function requireString(obj: Record<string, unknown>, key: string, path: string): string {
  const v = obj[key];
  if (v === undefined) {
    throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'missing field', `${path}.${key}`);
  }
  if (typeof v !== 'string') {
    throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'must be a string', `${path}.${key}`);
  }
  return v;
}

/**
 * Parses and validates a DSSE envelope given as JSON text (a string, parsed with parseJsonStrict)
 * or as an already parsed value. Checks shape only; signatures are checked by verifyEnvelope.
 *
 * Security: the envelope is attacker-controlled. Everything is checked before any cryptography,
 * the payload size is bounded before it is decoded, and exactly one spelling is accepted for each
 * field, so one statement cannot hide behind several envelope digests. (DSSE lets verifiers accept
 * URL-safe base64 too; DESIGN.md fixes standard padded base64, so we accept only that.)
 *
 * Throws ProtocolError: MALFORMED (JSON, base64, hex, signature length), SCHEMA_VIOLATION (shape,
 * missing field, empty or duplicate signatures), UNKNOWN_FIELD, PAYLOAD_TYPE_INVALID, TOO_LARGE.
 */
export function parseEnvelope(input: unknown, opts?: ParseEnvelopeOptions): ParsedEnvelope {
  const expectedType = opts?.payloadType ?? STATEMENT_PAYLOAD_TYPE;
  const maxPayloadBytes = opts?.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  try {
    let value = input;
    if (typeof input === 'string') {
      // Refuse to parse text that cannot hold a payload within the limit plus signatures.
      const maxText = base64Length(maxPayloadBytes) + 1024 + 256 * MAX_SIGNATURES;
      if (input.length > maxText) {
        throw new ProtocolError(ErrorCode.TOO_LARGE, `envelope exceeds ${maxText} characters`);
      }
      value = parseJsonStrict(input, { maxDepth: 8 });
    }
    return parseEnvelopeValue(value, expectedType, maxPayloadBytes);
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw new ProtocolError(ErrorCode.MALFORMED, 'invalid envelope');
  }
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

function parseEnvelopeValue(
  value: unknown,
  expectedType: string,
  maxPayloadBytes: number,
): ParsedEnvelope {
  if (!isPlainObject(value)) {
    throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'envelope must be a JSON object', '$');
  }
  rejectUnknownFields(value, ENVELOPE_FIELDS, '$');

  const payloadType = requireString(value, 'payloadType', '$');
  if (payloadType !== expectedType) {
    throw new ProtocolError(
      ErrorCode.PAYLOAD_TYPE_INVALID,
      `payloadType must be ${JSON.stringify(expectedType)}`,
      '$.payloadType',
    );
  }

  const payloadB64 = requireString(value, 'payload', '$');
  if (payloadB64.length > base64Length(maxPayloadBytes)) {
    throw new ProtocolError(
      ErrorCode.TOO_LARGE,
      `payload exceeds ${maxPayloadBytes} bytes`,
      '$.payload',
    );
  }
  const payload = decodeBase64At(payloadB64, '$.payload');
  if (payload.length > maxPayloadBytes) {
    throw new ProtocolError(
      ErrorCode.TOO_LARGE,
      `payload exceeds ${maxPayloadBytes} bytes`,
      '$.payload',
    );
  }

  const sigs = value.signatures;
  if (sigs === undefined) {
    throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'missing field', '$.signatures');
  }
  if (!Array.isArray(sigs)) {
    throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'must be an array', '$.signatures');
  }
  if (sigs.length === 0) {
    throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'no signatures', '$.signatures');
  }
  if (sigs.length > MAX_SIGNATURES) {
    throw new ProtocolError(
      ErrorCode.TOO_LARGE,
      `more than ${MAX_SIGNATURES} signatures`,
      '$.signatures',
    );
  }
  const seen = new Set<string>();
  const signatures: EnvelopeSignature[] = [];
  for (let i = 0; i < sigs.length; i++) {
    const path = `$.signatures[${i}]`;
    const s: unknown = sigs[i];
    if (!isPlainObject(s)) {
      throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'signature must be an object', path);
    }
    rejectUnknownFields(s, SIGNATURE_FIELDS, path);
    const keyid = requireString(s, 'keyid', path);
    if (!SHA256_HEX_RE.test(keyid)) {
      throw new ProtocolError(
        ErrorCode.MALFORMED,
        'keyid must be 64 lowercase hex digits',
        `${path}.keyid`,
      );
    }
    if (seen.has(keyid)) {
      // One key counts once; a repeat could only inflate a signer count or hide a bad signature.
      throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'duplicate keyid', `${path}.keyid`);
    }
    seen.add(keyid);
    const sig = requireString(s, 'sig', path);
    const sigBytes = decodeBase64At(sig, `${path}.sig`);
    if (sigBytes.length !== ED25519_SIGNATURE_BYTES) {
      throw new ProtocolError(
        ErrorCode.MALFORMED,
        `Ed25519 signature must be ${ED25519_SIGNATURE_BYTES} bytes`,
        `${path}.sig`,
      );
    }
    signatures.push({ keyid, sig });
  }
  return { envelope: { payloadType, payload: payloadB64, signatures }, payload };
}

function decodeBase64At(s: string, path: string): Uint8Array {
  try {
    return fromBase64(s);
  } catch {
    throw new ProtocolError(ErrorCode.MALFORMED, 'not canonical standard base64', path);
  }
}

/**
 * Signs `payload` with each seed (32-byte Ed25519 seeds), in the given order. Throws ProtocolError
 * SCHEMA_VIOLATION if there is no seed or two seeds are the same key (parseEnvelope would reject
 * the result), and whatever the Ed25519 implementation throws for a malformed seed.
 */
export function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  seeds: readonly Uint8Array[],
  impl: Ed25519 = defaultEd25519,
): Envelope {
  if (seeds.length === 0) {
    throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'at least one signing key is required');
  }
  const message = pae(payloadType, payload);
  const seen = new Set<string>();
  const signatures: EnvelopeSignature[] = [];
  for (const seed of seeds) {
    const keyid = keyId(impl.publicKeyFromSeed(seed));
    if (seen.has(keyid)) {
      throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, `key ${keyid} given twice`);
    }
    seen.add(keyid);
    signatures.push({ keyid, sig: toBase64(impl.sign(seed, message)) });
  }
  return { payloadType, payload: toBase64(payload), signatures };
}

/**
 * Verifies the signatures of an envelope against the verifier's keys (keyid → 32-byte public
 * key) and returns the keyids whose signatures verify, in envelope order; [] if none of the
 * signers is known. Whether those signers suffice is checkSignerPolicy's job.
 *
 * Signatures by keyids not in `publicKeys` are ignored (DSSE: unknown signers are not an error).
 * Security: a signature that claims a known keyid but does not verify throws SIGNATURE_INVALID:
 * a forged co-signature is an attack, not noise. A map entry whose key does not hash to its keyid
 * throws KEY_INVALID, so a mis-built key map can never credit the wrong signer.
 */
export function verifyEnvelope(
  env: ParsedEnvelope,
  publicKeys: ReadonlyMap<string, Uint8Array>,
  impl: Ed25519 = defaultEd25519,
): string[] {
  const { payloadType, signatures } = env.envelope;
  let message: Uint8Array | undefined;
  const verified: string[] = [];
  for (let i = 0; i < signatures.length; i++) {
    const { keyid, sig } = signatures[i]!;
    const publicKey = publicKeys.get(keyid);
    if (publicKey === undefined) continue;
    const path = `$.signatures[${i}].sig`;
    if (keyId(publicKey) !== keyid) {
      throw new ProtocolError(
        ErrorCode.KEY_INVALID,
        `public key does not hash to keyid ${keyid}`,
        path,
      );
    }
    message ??= pae(payloadType, env.payload);
    let ok: boolean;
    try {
      ok = impl.verify(publicKey, message, fromBase64(sig, ED25519_SIGNATURE_BYTES));
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new ProtocolError(
        ErrorCode.SIGNATURE_INVALID,
        `signature by ${keyid} does not verify`,
        path,
      );
    }
    verified.push(keyid);
  }
  return verified;
}

/** Who must have signed: every group needs at least one verified keyid. One group per party for
 * consensus; `{current key}`, `{new key}` for key.rotate. */
export interface SignerPolicy {
  groups: { label: string; keyids: readonly string[] }[];
}

/**
 * Throws SIGNER_POLICY_UNMET, naming the first group (by label) with no verified keyid. A policy
 * without groups is rejected too: an empty policy must never mean "anyone may sign".
 */
export function checkSignerPolicy(verified: readonly string[], policy: SignerPolicy): void {
  if (policy.groups.length === 0) {
    throw new ProtocolError(ErrorCode.SIGNER_POLICY_UNMET, 'signer policy has no groups');
  }
  const have = new Set(verified);
  for (const group of policy.groups) {
    if (!group.keyids.some((k) => have.has(k))) {
      throw new ProtocolError(
        ErrorCode.SIGNER_POLICY_UNMET,
        `no valid signature from ${group.label}`,
      );
    }
  }
}

/**
 * `sha256:` + hex SHA-256 of the JCS envelope with signatures sorted by keyid (DESIGN.md section
 * 4), so adding co-signatures in any order yields one digest.
 */
export function envelopeDigest(env: Envelope): string {
  const signatures = env.signatures
    .map(({ keyid, sig }) => ({ keyid, sig }))
    .sort((a, b) => compareCodeUnits(a.keyid, b.keyid) || compareCodeUnits(a.sig, b.sig));
  const canonical = canonicalize({
    payloadType: env.payloadType,
    payload: env.payload,
    signatures,
  });
  return `sha256:${sha256Hex(utf8Encode(canonical))}`;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Statement id (DESIGN.md section 2): `sha256:` + hex SHA-256 of the exact payload bytes. */
export function statementId(payload: Uint8Array): string {
  return `sha256:${sha256Hex(payload)}`;
}
