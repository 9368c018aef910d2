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
  slug,
  statementId,
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
  withSchema,
} from './validate.js';
import type { Validator } from './validate.js';

/** A party registers one to 16 keys at a time; several let it rotate without a gap. */
const keyList = array(keyEntry, { min: 1, max: 16, uniqueBy: 'keyid' });

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

const logVkeyText = string({ max: 400 });
const logVkey: Validator<string> = withSchema(
  {
    ...logVkeyText.schema,
    pattern: '^[^\\s+\\p{Cc}\\p{Cs}]{1,255}\\+[0-9a-f]{8}\\+A[Q-Za-f][A-Za-z0-9+/]{42}$',
    // The key data starts with type byte 0x01 (Ed25519): base64 `A` then one of Q–f.
    description:
      'C2SP signed-note verifier key `<name>+<8 hex key hash>+<base64(0x01 ‖ 32-byte Ed25519 key)>`, its hash matching its name and key.',
  },
  (value, path) => {
    const s = logVkeyText(value, path);
    // One vkey parser for the whole code base: the base64 key data may itself contain '+'.
    const key = decodeAt(path, 'a C2SP verifier key <name>+<hash>+<key>', () => parseVkey(s));
    if (key.type !== NoteKeyType.ed25519) {
      fail(path, 'verifier key is not Ed25519 (type byte 0x01)');
    }
    return s;
  },
);

const genesisBody: Validator<GenesisBody> = object({
  origin,
  logVkey,
  operator: object({ id: operatorId, name }),
  keys: keyList,
});

export const genesisRule: TypeRule<GenesisBody> = {
  body: genesisBody,
  checks:
    "Public; the issuer's first statement (`seq` 1); `body.origin` equals `ledger`; the log key is named for the origin; the issuer is `body.operator.id`.",
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
    party: refine(
      '`kind` agrees with the prefix of `id`.',
      object({ id: partyId, name, kind: oneOf(PARTY_KINDS) }),
      (p, path) => {
        if (partyKind(p.id) !== p.kind) fail(`${path}.kind`, 'does not match the id prefix');
      },
    ),
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
  checks: 'Issued by an operator; public.',
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
  '`retiredKeyid` differs from `newKey.keyid`.',
  object({ party: partyId, newKey: keyEntry, retiredKeyid: sha256HexString }),
  (b, path) => {
    if (b.newKey.keyid === b.retiredKeyid) {
      fail(`${path}.retiredKeyid`, 'must differ from the new key');
    }
  },
);

export const keyRotateRule: TypeRule<KeyRotateBody> = {
  body: keyRotateBody,
  checks: 'Public; issued by `body.party` itself.',
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
  checks: 'Public; issued by `body.party` itself or by an operator.',
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

// ---- Registry extension 1 (docs/registry.md): additive statement types ------------------------
//
// A party's keys and witness identity change only through statements signed by that party
// (key.add, key.rotate, witness.set), an operator may only take keys away (key.revoke), and a
// party that lost every key is restored by a party.recover that the operator and a quorum of the
// party's measure partners sign and that waits out a veto period. The original v1 types keep their
// meaning; a verifier that does not know these types rejects a log that holds them, so they are a
// new, visible extension rather than a silent change of party.register.

/**
 * `key.add`: the party adds `newKey` to its signing keys, keeping the ones it has.
 * Issued by the party itself, public; signed by one of its current keys and by the new key
 * (proof of possession).
 */
export interface KeyAddBody {
  party: string;
  newKey: KeyEntry;
}

export const keyAddRule: TypeRule<KeyAddBody> = {
  body: object({ party: partyId, newKey: keyEntry }),
  checks: 'Public; issued by `body.party` itself.',
  check(s) {
    requirePublic(s.visibility);
    ensure(s.issuer === s.body.party, '$.issuer', 'must be the party adding a key');
  },
  signers: (s) => ({
    parties: [s.body.party],
    rule: 'party-and-new-key',
    keyids: [s.body.newKey.keyid],
  }),
};

const witnessIdentity = object({
  name: string({ max: 255, pattern: KEY_NAME_RE, what: 'a key name (no whitespace or "+")' }),
  publicKey,
});

/**
 * `witness.set`: the party sets (or replaces) its checkpoint-cosigner identity `{name, publicKey}`.
 * Issued by the party itself, public; signed by one of its current keys. The witness key is a
 * note key, not a statement key, so it does not sign here: the party's statement key vouches
 * for it, as the operator's did at registration.
 */
export interface WitnessSetBody {
  party: string;
  witness: { name: string; publicKey: string };
}

export const witnessSetRule: TypeRule<WitnessSetBody> = {
  body: object({ party: partyId, witness: witnessIdentity }),
  checks: 'Public; issued by `body.party` itself.',
  check(s) {
    requirePublic(s.visibility);
    ensure(s.issuer === s.body.party, '$.issuer', 'must be the party setting its witness');
  },
  signers: (s) => ({ parties: [s.body.party], rule: 'issuer' }),
};

/**
 * `party.recover`: restores a registered party that lost its keys. `keys` become the party's
 * signing keys from `effectiveAt` (which admission requires to be at least the ledger's recovery
 * delay after admission); until then any still-valid key of the party can veto with a
 * `recovery.veto`. From `effectiveAt` the party's earlier keys stop signing.
 * - `measure`: a measure the party belongs to; a majority of its other parties must cosign.
 * - `reason`: why, in words every reader sees.
 * Issued by an operator, public; signed by the operator and by the quorum.
 */
export interface PartyRecoverBody {
  party: string;
  keys: KeyEntry[];
  measure: string;
  reason: string;
  effectiveAt: string;
}

export const partyRecoverRule: TypeRule<PartyRecoverBody> = {
  body: object({
    party: partyId,
    keys: keyList,
    measure: slug,
    reason: refine('Not only whitespace.', longText, (v, path) => {
      if (v.trim() === '') fail(path, 'must say why');
    }),
    effectiveAt: timestamp,
  }),
  checks: 'Issued by an operator; public; `body.party` is not the issuer.',
  check(s) {
    requireIssuerKind(s.issuer, 'operator');
    requirePublic(s.visibility);
    ensure(s.body.party !== s.issuer, '$.body.party', 'an operator does not recover itself');
  },
  // The quorum depends on the measure as integrated, so the ledger adds it (docs/registry.md).
  signers: (s) => ({ parties: [s.issuer], rule: 'operator-and-quorum' }),
};

/**
 * `recovery.veto`: the party refuses a pending `party.recover` (`recovery`, its statement id)
 * before it takes effect. Issued by the party itself, public; signed by one of its keys that is
 * still valid.
 */
export interface RecoveryVetoBody {
  party: string;
  recovery: string;
  detail?: string;
}

export const recoveryVetoRule: TypeRule<RecoveryVetoBody> = {
  body: object({ party: partyId, recovery: statementId }, { detail: longText }),
  checks: 'Public; issued by `body.party` itself.',
  check(s) {
    requirePublic(s.visibility);
    ensure(s.issuer === s.body.party, '$.issuer', 'must be the party whose recovery it vetoes');
  },
  signers: (s) => ({ parties: [s.body.party], rule: 'issuer' }),
};
