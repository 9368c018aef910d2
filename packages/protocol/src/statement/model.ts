/**
 * The statement envelope shared by all types (DESIGN.md §3, normative) and the shape of a
 * per-type rule.
 */
import type { Validator } from './validate.js';

/** The v1 statement types of DESIGN.md §3, in table order, then the additive extensions. */
export const STATEMENT_TYPES = [
  'ledger.genesis',
  'party.register',
  'key.rotate',
  'key.revoke',
  'measure.define',
  'measure.review',
  'measure.renew',
  'measure.withdraw',
  'calendar.annual',
  'exercise.notification',
  'exercise.update',
  'exercise.cancel',
  'info.exchange',
  'datashare.alert',
  'risk.request',
  'risk.response',
  'observer.report',
  // Registry extension 1 (docs/registry.md): additive, after the v1 table.
  'key.add',
  'witness.set',
  'party.recover',
  'recovery.veto',
  // Added beside the original types (an additive extension, docs/compliance-claims.md).
  'claim.reply',
] as const;

export type StatementType = (typeof STATEMENT_TYPES)[number];

const TYPE_SET: ReadonlySet<string> = new Set(STATEMENT_TYPES);

export function isStatementType(value: unknown): value is StatementType {
  return typeof value === 'string' && TYPE_SET.has(value);
}

export type Visibility = 'public' | 'participants' | 'restricted';
export const VISIBILITIES = ['public', 'participants', 'restricted'] as const;

/** An evidence object the statement cites; it must already be stored under `sha256`. */
export interface EvidenceRef {
  /** Lowercase hex SHA-256 of the object's bytes. */
  sha256: string;
  /** Size in bytes. */
  size: number;
  /** `type/subtype` (RFC 6838 token syntax, no parameters). */
  mediaType: string;
  /** A file-name hint: no path separators, no control characters. */
  name?: string;
}

/** A signed statement: the JSON payload of a DSSE envelope (DESIGN.md §3). */
export interface Statement<B = unknown> {
  v: 1;
  /** The ledger's origin; the service checks it equals its own (no cross-ledger replay). */
  ledger: string;
  type: StatementType;
  /** Party id of the issuer. */
  issuer: string;
  /** Position in the issuer's own chain, from 1. */
  seq: number;
  /** Statement id of the issuer's `seq - 1` statement; null exactly when `seq` is 1. */
  prev: string | null;
  /** RFC 3339 UTC (`Z`). */
  issuedAt: string;
  /** base64url (unpadded) of 16–64 random bytes; salts the statement id. */
  nonce: string;
  visibility: Visibility;
  /** With `restricted` only: the parties that may read it (issuer and operator always may). */
  audience?: string[];
  /** Statement ids this one refers to. */
  refs?: string[];
  evidence?: EvidenceRef[];
  body: B;
}

/**
 * Which signatures a statement needs (DESIGN.md §3, "signatures required"):
 * - `issuer`: a current key of the issuer.
 * - `operator`: a current key of the issuer, which is an operator.
 * - `party-or-operator`: a current key of the issuer, which is the party itself or an operator.
 * - `every-party`: a current key of every listed party (consensus).
 * - `party-and-new-key`: a current key of the party and, in `keyids`, the key being introduced.
 * - `operator-and-quorum`: the operator and a majority of the other parties of the measure the
 *   body names (party.recover); the ledger's registry policy computes the quorum.
 */
export type SignerRule =
  | 'issuer'
  | 'operator'
  | 'party-or-operator'
  | 'every-party'
  | 'party-and-new-key'
  | 'operator-and-quorum';

export interface SignerRequirement {
  /** Parties each of which must sign with one of its current keys. */
  parties: string[];
  rule: SignerRule;
  /** Specific keys that must sign in addition (key.rotate: the new key). */
  keyids?: string[];
}

/**
 * Everything type-specific about a statement: its body schema, the cross-field rules that
 * involve the envelope (issuer kind, seq), and who signs.
 */
export type TypeRule<B> = {
  body: Validator<B>;
  signers: (s: Statement<B>) => SignerRequirement;
} & (
  | { check?: never; checks?: never }
  | {
      /** Throws SCHEMA_VIOLATION (with a path) if the envelope and body do not fit together. */
      check: (s: Statement<B>) => void;
      /** What `check` requires, in words: the statement schema's description says it. */
      checks: string;
    }
);

export const issuerSigns = (s: Statement): SignerRequirement => ({
  parties: [s.issuer],
  rule: 'issuer',
});
