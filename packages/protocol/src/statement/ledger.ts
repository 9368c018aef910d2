/**
 * Registry statements: ledger.genesis, party.register, key.rotate, key.revoke.
 * Every one of them is public, because verifiers need the keys they introduce or retire.
 */
import { partyKind } from '../identifiers.js';
import { NoteKeyType, parseVkey } from '../keys.js';
import {
  KEY_NAME_RE,
  keyEntry,
  longText,
  name,
  operatorId,
  origin,
  partyId,
  publicKey,
  requireIssuerKind,
  requirePublic,
  sha256HexString,
} from './common.js';
import type { KeyEntry } from './common.js';
import type { Statement, TypeRule } from './model.js';
import {
  array,
  decodeAt,
  ensure,
  fail,
  object,
  oneOf,
  refine,
  string,
  timestamp,
} from './validate.js';
import type { Validator } from './validate.js';

/** A party registers one to 16 keys at a time; several let it rotate without a gap. */
const keyList = array(keyEntry, { min: 1, max: 16, uniqueBy: (k) => k.keyid });

/**
 * `ledger.genesis`, entry 0: the ledger introduces itself.
 * - `origin`: the ledger's origin; must equal the statement's `ledger`.
 * - `logVkey`: the checkpoint-signing key as a C2SP signed-note verifier key
 *   `<origin>+<8 hex key hash>+<base64(0x01 ‖ 32-byte Ed25519 key)>`; its name must be the origin
 *   and its key hash must match (C2SP signed-note).
 * - `operator`: the operator party (`operator:<slug>`), which must be the issuer.
 * - `keys`: the operator's statement-signing keys.
 * Issued by an operator as its first statement (`seq` 1), public.
 */
export interface GenesisBody {
  origin: string;
  logVkey: string;
  operator: { id: string; name: string };
  keys: KeyEntry[];
}

const logVkey: Validator<string> = (value, path) => {
  const s = string({ max: 400 })(value, path);
  // One vkey parser for the whole code base: the base64 key data may itself contain '+'.
  const key = decodeAt(path, 'a C2SP verifier key <name>+<hash>+<key>', () => parseVkey(s));
  if (key.type !== NoteKeyType.ed25519) fail(path, 'verifier key is not Ed25519 (type byte 0x01)');
  return s;
};

const genesisBody: Validator<GenesisBody> = object({
  origin,
  logVkey,
  operator: object({ id: operatorId, name }),
  keys: keyList,
});

export const genesisRule: TypeRule<GenesisBody> = {
  body: genesisBody,
  check(s) {
    requirePublic(s.visibility);
    ensure(s.seq === 1, '$.seq', 'genesis is its issuer’s first statement');
    ensure(s.body.origin === s.ledger, '$.body.origin', 'must equal the statement’s ledger');
    ensure(
      s.body.logVkey.startsWith(`${s.body.origin}+`),
      '$.body.logVkey',
      'name must be the origin',
    );
    ensure(s.issuer === s.body.operator.id, '$.issuer', 'must be the operator');
  },
  signers: (s) => ({ parties: [s.issuer], rule: 'operator' }),
};

export const PARTY_KINDS = ['state', 'observer', 'operator'] as const;

/**
 * `party.register`: the operator admits a party.
 * - `party`: `{id, name, kind}`; `kind` must agree with the id's prefix.
 * - `keys`: 1–16 `{keyid, publicKey}` the party signs statements with.
 * - `witness` (optional): the party's checkpoint-cosigner identity `{name, publicKey}`, where
 *   `name` is a C2SP key name (no whitespace or `+`).
 * Issued by an operator, public.
 */
export interface PartyRegisterBody {
  party: { id: string; name: string; kind: 'state' | 'observer' | 'operator' };
  keys: KeyEntry[];
  witness?: { name: string; publicKey: string };
}

const partyRegisterBody: Validator<PartyRegisterBody> = object(
  {
    party: refine(object({ id: partyId, name, kind: oneOf(PARTY_KINDS) }), (p, path) => {
      if (partyKind(p.id) !== p.kind) fail(`${path}.kind`, 'does not match the id prefix');
    }),
    keys: keyList,
  },
  {
    witness: object({
      name: string({ max: 255, pattern: KEY_NAME_RE, what: 'a key name (no whitespace or "+")' }),
      publicKey,
    }),
  },
);

export const partyRegisterRule: TypeRule<PartyRegisterBody> = {
  body: partyRegisterBody,
  check(s) {
    requireIssuerKind(s.issuer, 'operator');
    requirePublic(s.visibility);
  },
  signers: (s) => ({ parties: [s.issuer], rule: 'operator' }),
};

/**
 * `key.rotate`: a party introduces `newKey` and retires `retiredKeyid` in one step.
 * Issued by the party itself, public; signed by one of its current keys and by the new key
 * (proof of possession).
 */
export interface KeyRotateBody {
  party: string;
  newKey: KeyEntry;
  retiredKeyid: string;
}

const keyRotateBody: Validator<KeyRotateBody> = refine(
  object({ party: partyId, newKey: keyEntry, retiredKeyid: sha256HexString }),
  (b, path) => {
    if (b.newKey.keyid === b.retiredKeyid) {
      fail(`${path}.retiredKeyid`, 'must differ from the new key');
    }
  },
);

export const keyRotateRule: TypeRule<KeyRotateBody> = {
  body: keyRotateBody,
  check(s) {
    requirePublic(s.visibility);
    ensure(s.issuer === s.body.party, '$.issuer', 'must be the party rotating its key');
  },
  signers: (s) => ({
    parties: [s.body.party],
    rule: 'party-and-new-key',
    keyids: [s.body.newKey.keyid],
  }),
};

export const REVOCATION_REASONS = ['compromised', 'superseded', 'retired', 'other'] as const;

/**
 * `key.revoke`: `keyid` of `party` stops signing from `effectiveAt` (RFC 3339 UTC).
 * `reason` is one of REVOCATION_REASONS (`compromised` tells verifiers to distrust signatures
 * made after `effectiveAt`); `detail` is optional free text.
 * Issued by the party itself or by an operator, public.
 */
export interface KeyRevokeBody {
  party: string;
  keyid: string;
  reason: (typeof REVOCATION_REASONS)[number];
  effectiveAt: string;
  detail?: string;
}

const keyRevokeBody: Validator<KeyRevokeBody> = object(
  {
    party: partyId,
    keyid: sha256HexString,
    reason: oneOf(REVOCATION_REASONS),
    effectiveAt: timestamp,
  },
  { detail: longText },
);

export const keyRevokeRule: TypeRule<KeyRevokeBody> = {
  body: keyRevokeBody,
  check(s: Statement<KeyRevokeBody>) {
    requirePublic(s.visibility);
    ensure(
      s.issuer === s.body.party || partyKind(s.issuer) === 'operator',
      '$.issuer',
      'must be the party or an operator',
    );
  },
  signers: (s) => ({ parties: [s.issuer], rule: 'party-or-operator' }),
};
