/**
 * The signer and registry policy (DESIGN.md §3 "signatures required", docs/registry.md): who may
 * issue a statement, which keys may sign it, which signatures it needs, and what a registry
 * statement may change given the registry as it stands. ONE implementation, used by ledger
 * admission (which throws the first violation) and by `cbm audit` (which reports every violation
 * with its entry index), so the two cannot drift apart. Pure: it reads a registry view and
 * returns violations with stable codes; it never throws on a validated statement.
 *
 * Security: the statement and its signature list are attacker-controlled. Every signature is
 * classified (a registered key valid at `at`, or the key a statement introduces, proving
 * possession), and nothing else may sign: a key of a party that is not a required signer is a
 * violation, not noise, so nobody can make a statement look co-signed by a party it is not.
 */
import {
  fromBase64,
  isAcceptablePublicKey,
  parseUtcTimestamp,
  statementSigners,
} from '@cbm-ledger/protocol';
import type {
  KeyAddBody,
  KeyEntry,
  KeyRevokeBody,
  KeyRotateBody,
  PartyKind,
  PartyRecoverBody,
  PartyRegisterBody,
  RecoveryVetoBody,
  Statement,
  StatementType,
  WitnessSetBody,
} from '@cbm-ledger/protocol';
import type { MeasureBook } from './measures.js';

const ALL_KINDS: readonly PartyKind[] = ['state', 'observer', 'operator'];

/** Which kinds of party may issue each type (DESIGN.md §3; docs/registry.md for extension 1). */
export const ISSUER_KINDS: Readonly<Record<StatementType, readonly PartyKind[]>> = {
  'ledger.genesis': ['operator'],
  'party.register': ['operator'],
  'key.rotate': ALL_KINDS,
  'key.revoke': ALL_KINDS,
  'measure.define': ['state'],
  'measure.review': ['state'],
  'measure.renew': ['state'],
  'measure.withdraw': ['state'],
  'calendar.annual': ['state'],
  'exercise.notification': ['state'],
  'exercise.update': ['state'],
  'exercise.cancel': ['state'],
  'info.exchange': ['state'],
  'datashare.alert': ALL_KINDS,
  'risk.request': ALL_KINDS,
  'risk.response': ALL_KINDS,
  'observer.report': ['observer', 'state'],
  'key.add': ALL_KINDS,
  'witness.set': ALL_KINDS,
  'party.recover': ['operator'],
  'recovery.veto': ALL_KINDS,
  // The party a claim is about: a host state, or the addressee of a request
  // (docs/compliance-claims.md).
  'claim.reply': ['state', 'observer'],
};

/** Default wait between a party.recover's admission and its keys taking effect: 14 days. */
export const DEFAULT_RECOVERY_DELAY_MS = 14 * 86_400_000;

// ---- the registry as the policy reads it (the ledger's Registry fits this shape) -------------

export interface PolicyKey {
  readonly keyid: string;
  readonly publicKey: string;
  readonly validFromIndex: number;
  /** From when the key signs (a recovered key: the recovery's effectiveAt). */
  readonly validFrom: string;
  readonly validUntilIndex?: number;
  /** From when the key no longer signs (rotation, revocation, or a recovery taking effect). */
  readonly validUntil?: string;
  readonly status: 'active' | 'retired' | 'revoked';
}

/** A party.recover of the party, as the registry recorded it. */
export interface RecoveryRecord {
  readonly index: number;
  readonly statement: string;
  readonly effectiveAt: string;
  readonly keyids: readonly string[];
  readonly measure: string;
  /** Index of the recovery.veto that cancelled it. */
  readonly vetoedIndex?: number;
}

export interface PolicyParty {
  readonly id: string;
  readonly kind: PartyKind;
  readonly keys: readonly PolicyKey[];
  readonly witness?: { readonly name: string; readonly publicKey: string };
  readonly recoveries?: readonly RecoveryRecord[];
}

export interface RegistryView {
  party(id: string): PolicyParty | undefined;
  key(keyid: string): { readonly party: PolicyParty; readonly key: PolicyKey } | undefined;
  parties(): readonly PolicyParty[];
  measures(): MeasureBook;
}

// ---- results ---------------------------------------------------------------------------------

/** Stable codes; the ledger maps each to an HTTP status, the audit uses it as the check name. */
export const REGISTRY_POLICY_CODES = [
  'LEDGER_ALREADY_INITIALIZED',
  'ISSUER_UNKNOWN',
  'ISSUER_KIND_NOT_ALLOWED',
  'PARTY_ALREADY_REGISTERED',
  'PARTY_UNKNOWN',
  'KEY_ALREADY_REGISTERED',
  'SCHEMA_VIOLATION',
  'KEY_UNKNOWN',
  'KEY_REVOKED',
  'KEY_RETIRED',
  'KEY_NOT_YET_VALID',
  'KEY_NOT_ISSUERS',
  'COSIGNATURE_MISSING',
  'WITNESS_NAME_TAKEN',
  'MEASURE_UNKNOWN',
  'MEASURE_NOT_PARTY',
  'RECOVERY_PENDING',
  'RECOVERY_NOT_PENDING',
  'RECOVERY_TOO_SOON',
  'RECOVERY_QUORUM_MISSING',
] as const;

export type RegistryPolicyCode = (typeof REGISTRY_POLICY_CODES)[number];

export interface RegistryViolation {
  readonly code: RegistryPolicyCode;
  readonly detail: string;
  /** JSON path into the envelope (`$.signatures[i].keyid`) or statement (`$.body.…`). */
  readonly path?: string;
  /** The required signer that did not sign (COSIGNATURE_MISSING). */
  readonly party?: string;
  /** The signing key concerned, for signature violations. */
  readonly keyid?: string;
  /** For KEY_REVOKED / KEY_RETIRED of a signature: the entry that stopped the key. */
  readonly stoppedAtIndex?: number;
  /**
   * `signature`: about one signature's key; `coverage`: about signatures that are missing (so
   * admission checks it only once the signatures present have verified); `body` otherwise.
   */
  readonly kind: 'issuer' | 'body' | 'signature' | 'coverage';
}

/** How one signature of the envelope is to be verified. */
export interface SignatureUse {
  readonly keyid: string;
  /** base64 Ed25519 public key. */
  readonly publicKey: string;
  /** The party the key speaks for. */
  readonly party: string;
  /** `registered`: a key of the registry; `introduced`: a key the statement itself introduces. */
  readonly role: 'registered' | 'introduced';
}

export interface RegistryPolicyResult {
  /** Every violation, in the order admission checks them (issuer, body, signatures, coverage). */
  readonly violations: RegistryViolation[];
  /** Per envelope signature (same order): how to verify it, when its key is known at all. */
  readonly uses: (SignatureUse | undefined)[];
  /** The party whose registry entry the statement changes (registry types only). */
  readonly subject?: string;
  /** Whether a key of `subject` (registered or introduced) signed: the party's own act. */
  readonly signedBySubject: boolean;
}

export interface RegistryPolicyOptions {
  /** The time the statement is judged at (epoch ms): admission's clock, the audit's integratedAt. */
  readonly at: number;
  /** Minimum delay of a party.recover's effectiveAt after `at`; undefined: only "in the future". */
  readonly recoveryDelayMs?: number;
}

// ---- the policy ------------------------------------------------------------------------------

/**
 * Judges `statement` (validated, not a ledger.genesis of an empty log) against `registry`.
 * `signatures` are the envelope's keyids in order; whether each signature verifies is the
 * caller's (Ed25519 over DSSE PAE with `uses[i].publicKey`); coverage assumes they all do.
 */
export function evaluateRegistryPolicy(
  registry: RegistryView,
  statement: Statement,
  signatures: readonly { readonly keyid: string }[],
  options: RegistryPolicyOptions,
): RegistryPolicyResult {
  const v: RegistryViolation[] = [];
  const uses: (SignatureUse | undefined)[] = signatures.map(() => undefined);
  const subject = subjectOf(statement);
  if (statement.type === 'ledger.genesis') {
    v.push({
      code: 'LEDGER_ALREADY_INITIALIZED',
      detail: 'the ledger has its genesis entry',
      kind: 'issuer',
    });
    return { violations: v, uses, signedBySubject: false };
  }
  const issuer = registry.party(statement.issuer);
  if (issuer === undefined) {
    v.push({
      code: 'ISSUER_UNKNOWN',
      detail: `${statement.issuer} is not registered`,
      path: '$.issuer',
      kind: 'issuer',
    });
  } else if (!ISSUER_KINDS[statement.type].includes(issuer.kind)) {
    v.push({
      code: 'ISSUER_KIND_NOT_ALLOWED',
      detail: `a ${issuer.kind} may not issue ${statement.type} (allowed: ${ISSUER_KINDS[statement.type].join(', ')})`,
      path: '$.issuer',
      kind: 'issuer',
    });
  }

  checkBody(registry, statement, options, v);

  // Who may sign: the required parties (for party.recover also the measure partners), plus the
  // keys the statement introduces (proof of possession).
  const required = statementSigners(statement);
  const allowed = new Set(required.parties);
  const quorum = statement.type === 'party.recover' ? recoveryQuorum(registry, statement) : null;
  for (const p of quorum?.partners ?? []) allowed.add(p);
  const introduced = introducedKeys(statement);

  const signedBy = new Set<string>();
  const signedKeys = new Set<string>();
  signatures.forEach((s, i) => {
    const path = `$.signatures[${i}].keyid`;
    const fresh = introduced.get(s.keyid);
    if (fresh !== undefined) {
      uses[i] = {
        keyid: s.keyid,
        publicKey: fresh.publicKey,
        party: fresh.party,
        role: 'introduced',
      };
      signedKeys.add(s.keyid);
      if (fresh.party === subject) signedBy.add(`self:${fresh.party}`);
      return;
    }
    const owner = registry.key(s.keyid);
    if (owner === undefined) {
      v.push({
        code: 'KEY_UNKNOWN',
        detail: `key ${s.keyid} is not registered`,
        path,
        keyid: s.keyid,
        kind: 'signature',
      });
      return;
    }
    uses[i] = {
      keyid: s.keyid,
      publicKey: owner.key.publicKey,
      party: owner.party.id,
      role: 'registered',
    };
    const problem = keyProblem(owner.key, owner.party.id, options.at);
    if (problem !== undefined) {
      v.push({ ...problem, path, keyid: s.keyid, kind: 'signature' });
      return;
    }
    if (!allowed.has(owner.party.id)) {
      v.push({
        code: 'KEY_NOT_ISSUERS',
        detail: `key ${s.keyid} belongs to ${owner.party.id}, which is not a signer of this statement`,
        path,
        keyid: s.keyid,
        kind: 'signature',
      });
      return;
    }
    signedBy.add(owner.party.id);
    signedKeys.add(s.keyid);
  });

  for (const party of required.parties) {
    if (!signedBy.has(party)) {
      const registered = registry.party(party) !== undefined;
      v.push({
        code: 'COSIGNATURE_MISSING',
        detail: registered
          ? `no valid signature by ${party}`
          : `${party} must sign but is not registered`,
        party,
        kind: 'coverage',
      });
    }
  }
  for (const keyid of required.keyids ?? []) {
    if (!signedKeys.has(keyid)) {
      v.push({
        code: 'COSIGNATURE_MISSING',
        detail: `the new key ${keyid} must sign`,
        path: '$.body.newKey',
        kind: 'coverage',
      });
    }
  }
  if (quorum !== null && quorum.partners.length > 0) {
    const got = quorum.partners.filter((p) => signedBy.has(p)).length;
    if (got < quorum.needed) {
      v.push({
        code: 'RECOVERY_QUORUM_MISSING',
        detail: `a recovery needs ${quorum.needed} of the ${quorum.partners.length} other parties of ${quorum.measure} (${quorum.partners.join(', ')}); ${got} signed`,
        path: '$.signatures',
        kind: 'coverage',
      });
    }
  }

  const signedBySubject =
    subject !== undefined && (signedBy.has(subject) || signedBy.has(`self:${subject}`));
  return { violations: v, uses, ...(subject === undefined ? {} : { subject }), signedBySubject };
}

/**
 * Whether the key signs at `at`, and if not, why (registry status first, then its interval):
 * undefined when it signs. Request authentication uses it too, so a recovered key in its veto
 * period cannot read as the party either.
 */
export function keyProblem(
  key: PolicyKey,
  party: string,
  at: number,
): Pick<RegistryViolation, 'code' | 'detail' | 'stoppedAtIndex'> | undefined {
  const stopped = key.validUntilIndex === undefined ? {} : { stoppedAtIndex: key.validUntilIndex };
  if (key.status === 'revoked') {
    return { code: 'KEY_REVOKED', detail: `key ${key.keyid} of ${party} is revoked`, ...stopped };
  }
  if (key.status === 'retired') {
    return { code: 'KEY_RETIRED', detail: `key ${key.keyid} of ${party} is retired`, ...stopped };
  }
  const from = parseUtcTimestamp(key.validFrom) ?? 0;
  if (at < from) {
    return {
      code: 'KEY_NOT_YET_VALID',
      detail: `key ${key.keyid} of ${party} signs from ${key.validFrom} (a pending recovery)`,
    };
  }
  const until = key.validUntil === undefined ? Infinity : (parseUtcTimestamp(key.validUntil) ?? 0);
  if (at >= until) {
    return {
      code: 'KEY_RETIRED',
      detail: `key ${key.keyid} of ${party} stopped signing at ${String(key.validUntil)} (superseded by a recovery)`,
      ...stopped,
    };
  }
  return undefined;
}

/** The party whose registry entry a registry statement changes. */
function subjectOf(s: Statement): string | undefined {
  switch (s.type) {
    case 'party.register':
      return (s.body as PartyRegisterBody).party.id;
    case 'key.add':
    case 'key.rotate':
    case 'key.revoke':
    case 'witness.set':
    case 'party.recover':
    case 'recovery.veto':
      return (s.body as { party: string }).party;
    default:
      return undefined;
  }
}

/**
 * Keys the statement itself introduces, which may sign it to prove possession: the new key of a
 * key.add / key.rotate (required), and the keys a party.register lists (optional: a registration
 * the new party co-signs is its own act, one signed by the operator alone is the operator's).
 */
function introducedKeys(s: Statement): Map<string, { publicKey: string; party: string }> {
  const out = new Map<string, { publicKey: string; party: string }>();
  switch (s.type) {
    case 'key.add':
    case 'key.rotate': {
      const b = s.body as KeyAddBody | KeyRotateBody;
      out.set(b.newKey.keyid, { publicKey: b.newKey.publicKey, party: b.party });
      break;
    }
    case 'party.register': {
      const b = s.body as PartyRegisterBody;
      for (const k of b.keys) out.set(k.keyid, { publicKey: k.publicKey, party: b.party.id });
      break;
    }
    default:
      break;
  }
  return out;
}

interface Quorum {
  measure: string;
  partners: string[];
  needed: number;
}

/** A majority of the other parties of the measure the recovery names (none if it is unknown). */
function recoveryQuorum(registry: RegistryView, s: Statement): Quorum {
  const b = s.body as PartyRecoverBody;
  const m = registry.measures().measures.get(b.measure);
  const partners = (m?.define.body.parties ?? []).filter((p) => p !== b.party);
  return { measure: b.measure, partners, needed: Math.floor(partners.length / 2) + 1 };
}

/** What a registry statement may say, given the registry as it stands. */
function checkBody(
  registry: RegistryView,
  s: Statement,
  options: RegistryPolicyOptions,
  v: RegistryViolation[],
): void {
  switch (s.type) {
    case 'party.register': {
      const b = s.body as PartyRegisterBody;
      // A party is introduced once. Whatever a second registration would change (keys, witness,
      // name), it is the operator speaking for the party: refused, however harmless it looks.
      if (registry.party(b.party.id) !== undefined) {
        v.push({
          code: 'PARTY_ALREADY_REGISTERED',
          detail: `${b.party.id} is registered; its keys and witness change only by its own key.add, key.rotate, key.revoke and witness.set (or a party.recover)`,
          path: '$.body.party.id',
          kind: 'body',
        });
      }
      newKeys(registry, b.keys, '$.body.keys', v);
      if (b.witness !== undefined) witness(registry, b.party.id, b.witness, '$.body.witness', v);
      return;
    }
    case 'key.add': {
      const b = s.body as KeyAddBody;
      newKeys(registry, [b.newKey], '$.body.newKey', v, true);
      return;
    }
    case 'key.rotate': {
      const b = s.body as KeyRotateBody;
      newKeys(registry, [b.newKey], '$.body.newKey', v, true);
      ownKey(registry, b.party, b.retiredKeyid, '$.body.retiredKeyid', true, v);
      return;
    }
    case 'key.revoke': {
      const b = s.body as KeyRevokeBody;
      ownKey(registry, b.party, b.keyid, '$.body.keyid', false, v);
      return;
    }
    case 'witness.set': {
      const b = s.body as WitnessSetBody;
      witness(registry, b.party, b.witness, '$.body.witness', v);
      return;
    }
    case 'party.recover': {
      const b = s.body as PartyRecoverBody;
      const party = registry.party(b.party);
      if (party === undefined) {
        v.push({
          code: 'PARTY_UNKNOWN',
          detail: `${b.party} is not registered: a new party is registered, not recovered`,
          path: '$.body.party',
          kind: 'body',
        });
      } else if (pendingRecovery(party, options.at) !== undefined) {
        v.push({
          code: 'RECOVERY_PENDING',
          detail: `a recovery of ${b.party} is already pending`,
          path: '$.body.party',
          kind: 'body',
        });
      }
      newKeys(registry, b.keys, '$.body.keys', v);
      const m = registry.measures().measures.get(b.measure);
      if (m === undefined) {
        v.push({
          code: 'MEASURE_UNKNOWN',
          detail: `no measure ${b.measure} is defined`,
          path: '$.body.measure',
          kind: 'body',
        });
      } else if (!m.define.body.parties.includes(b.party)) {
        v.push({
          code: 'MEASURE_NOT_PARTY',
          detail: `${b.party} is not a party of ${b.measure}`,
          path: '$.body.measure',
          kind: 'body',
        });
      } else if (m.define.body.parties.length < 2) {
        v.push({
          code: 'RECOVERY_QUORUM_MISSING',
          detail: `${b.measure} has no other party to vouch for ${b.party}`,
          path: '$.body.measure',
          kind: 'body',
        });
      }
      const effective = parseUtcTimestamp(b.effectiveAt) ?? 0;
      const earliest = options.at + (options.recoveryDelayMs ?? 0);
      if (!(effective > options.at && effective >= earliest)) {
        v.push({
          code: 'RECOVERY_TOO_SOON',
          detail: `effectiveAt ${b.effectiveAt} must be at least ${new Date(earliest).toISOString()}, so that ${b.party}'s remaining keys can veto`,
          path: '$.body.effectiveAt',
          kind: 'body',
        });
      }
      return;
    }
    case 'recovery.veto': {
      const b = s.body as RecoveryVetoBody;
      const party = registry.party(b.party);
      const pending = party === undefined ? undefined : pendingRecovery(party, options.at);
      if (pending?.statement !== b.recovery) {
        v.push({
          code: 'RECOVERY_NOT_PENDING',
          detail: `${b.recovery} is no pending recovery of ${b.party}`,
          path: '$.body.recovery',
          kind: 'body',
        });
      }
      return;
    }
    default:
      return;
  }
}

/** The party's recovery that is neither vetoed nor in effect at `at`. */
export function pendingRecovery(party: PolicyParty, at: number): RecoveryRecord | undefined {
  return party.recoveries?.find(
    (r) => r.vetoedIndex === undefined && at < (parseUtcTimestamp(r.effectiveAt) ?? 0),
  );
}

function newKeys(
  registry: RegistryView,
  keys: readonly KeyEntry[],
  path: string,
  v: RegistryViolation[],
  single = false,
): void {
  keys.forEach((k, i) => {
    const at = single ? path : `${path}[${i}]`;
    usable(k.publicKey, `${at}.publicKey`, v);
    const owner = registry.key(k.keyid);
    // A keyid belongs to one party, once: it never changes hands or comes back from retirement.
    if (owner !== undefined) {
      v.push({
        code: 'KEY_ALREADY_REGISTERED',
        detail: `key ${k.keyid} is already registered to ${owner.party.id} (${owner.key.status})`,
        path: `${at}.keyid`,
        kind: 'body',
      });
    }
  });
}

function witness(
  registry: RegistryView,
  party: string,
  w: { name: string; publicKey: string },
  path: string,
  v: RegistryViolation[],
): void {
  usable(w.publicKey, `${path}.publicKey`, v);
  // Security: cosignatures are matched by witness name; a second party claiming the name would
  // make its cosignatures count as the first party's.
  const holder = registry
    .parties()
    .find(
      (p) => p.id !== party && (p.witness?.name === w.name || p.witness?.publicKey === w.publicKey),
    );
  if (holder !== undefined) {
    v.push({
      code: 'WITNESS_NAME_TAKEN',
      detail: `witness ${w.name} (or its key) is ${holder.id}'s`,
      path: `${path}.name`,
      kind: 'body',
    });
  }
}

/** The key must be the party's; rotating needs it active, revoking needs it not yet revoked. */
function ownKey(
  registry: RegistryView,
  party: string,
  keyid: string,
  path: string,
  mustBeActive: boolean,
  v: RegistryViolation[],
): void {
  const owner = registry.key(keyid);
  if (owner === undefined || owner.party.id !== party) {
    v.push({
      code: 'KEY_UNKNOWN',
      detail: `${keyid} is not a key of ${party}`,
      path,
      kind: 'body',
    });
    return;
  }
  if (owner.key.status === 'revoked') {
    v.push({
      code: 'KEY_REVOKED',
      detail: `key ${keyid} of ${party} is revoked`,
      path,
      kind: 'body',
    });
  } else if (mustBeActive && owner.key.status === 'retired') {
    v.push({
      code: 'KEY_RETIRED',
      detail: `key ${keyid} of ${party} is retired`,
      path,
      kind: 'body',
    });
  }
}

/**
 * Security: the schema only checks that a key is 32 bytes. A non-canonical or small-order
 * Ed25519 point can never verify here (the protocol rejects it) but could in a laxer verifier,
 * so such keys are refused at registration rather than published as the party's.
 */
function usable(publicKey: string, path: string, v: RegistryViolation[]): void {
  if (!isAcceptablePublicKey(fromBase64(publicKey, 32))) {
    v.push({
      code: 'SCHEMA_VIOLATION',
      detail: `${path}: not a usable Ed25519 public key`,
      path,
      kind: 'body',
    });
  }
}
