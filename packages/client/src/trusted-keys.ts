/**
 * The keys a verifier trusts, read from the vkey strings it was given (never from the ledger):
 * the log key and the witnesses' cosignature keys.
 */
import { NoteKeyType, parseVkey } from '@cbm-ledger/protocol';
import type { NoteVerifierKey, WitnessKey } from '@cbm-ledger/protocol';
import { VerificationError } from './errors.js';

function fail(code: string, message: string, cause?: unknown): never {
  throw new VerificationError(code, message, cause === undefined ? undefined : { cause });
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A witness key from a vkey string (must be a cosignature/v1 key, type 0x04) or as given. */
export function witnessKey(w: string | WitnessKey): WitnessKey {
  if (typeof w !== 'string') return w;
  let key: NoteVerifierKey;
  try {
    key = parseVkey(w);
  } catch (e) {
    fail('WITNESS_KEY_INVALID', `witness key ${w} is not a vkey: ${reason(e)}`, e);
  }
  if (key.type !== NoteKeyType.cosignatureV1) {
    fail('WITNESS_KEY_INVALID', `witness key ${key.name} is not a cosignature/v1 key (type 0x04)`);
  }
  return { name: key.name, publicKey: key.publicKey };
}

/** The log key from a vkey string (type 0x01) or as given. */
export function logKey(vkey: string | NoteVerifierKey): NoteVerifierKey {
  if (typeof vkey !== 'string') return vkey;
  let key: NoteVerifierKey;
  try {
    key = parseVkey(vkey);
  } catch (e) {
    fail('LOG_KEY_INVALID', `the log key is not a vkey: ${reason(e)}`, e);
  }
  if (key.type !== NoteKeyType.ed25519) {
    fail('LOG_KEY_INVALID', `the log key ${key.name} is not an Ed25519 note key (type 0x01)`);
  }
  return key;
}
