/**
 * The JSON shapes the API answers with (docs/spec/api.md). The ledger builds them, the HTTP
 * layer serialises them unchanged, the client and other programs read them; the OpenAPI
 * document describes the same shapes. Compliance reports and timelines are the compliance
 * engine's own output, re-exported here so that a reader needs this package only.
 */
import type { RecoveryRecord } from '@cbm-ledger/compliance';
import type { Envelope, Leaf } from '@cbm-ledger/protocol';

export type {
  ComplianceReport,
  ComplianceSummary,
  MeasureSummary,
  MeasureTimeline,
} from '@cbm-ledger/compliance';

export type KeyStatus = 'active' | 'retired' | 'revoked';

export interface KeyRecord {
  readonly keyid: string;
  /** 32-byte Ed25519 public key, base64. */
  readonly publicKey: string;
  /** Index of the entry that registered the key, and its integratedAt. */
  readonly validFromIndex: number;
  readonly validFrom: string;
  /** Index and time from which the key no longer signs (rotation or revocation). */
  readonly validUntilIndex?: number;
  readonly validUntil?: string;
  readonly status: KeyStatus;
  readonly revocationReason?: string;
}

/** RFC 6962 inclusion proof; hashes base64 (DESIGN.md §4). */
export interface InclusionProofJson {
  index: number;
  treeSize: number;
  leafHash: string;
  hashes: string[];
}

export interface ConsistencyProofJson {
  from: number;
  to: number;
  hashes: string[];
}

/** What a submitter keeps and anyone verifies offline (DESIGN.md §4). */
export interface Receipt {
  statement: string;
  leaf: Leaf;
  inclusion: InclusionProofJson;
  /** The signed checkpoint note the inclusion proof is against. */
  checkpoint: string;
  /** The statement's signed admission promise (docs/promises.md); absent for older statements. */
  promise?: string;
}

export type StatementStatus = 'pending' | 'integrated';

export interface StatementView {
  statement: string;
  status: StatementStatus;
  issuer: string;
  seq: number;
  type: string;
  visibility: string;
  /** Ledger clock at admission, RFC 3339. */
  admittedAt: string;
  /** The signed admission promise, when the statement has one. */
  promise?: string;
  index?: number;
  receipt?: Receipt;
  /** Only when the viewer may read the statement. */
  envelope?: Envelope;
  /**
   * For a claim (observer.report, risk.request): the public claim.reply statements integrated so
   * far that cite it, in log order (docs/compliance-claims.md, right of reply). Absent for other
   * types; empty when nobody has replied yet.
   */
  replies?: ReplyView[];
}

/** A reply to a claim, as a statement view lists it. */
export interface ReplyView {
  statement: string;
  index: number;
  issuer: string;
  position: 'acknowledge' | 'dispute';
  integratedAt: string;
}

export interface EntryView {
  index: number;
  leaf: Leaf;
  /** RFC 6962 leaf hash, base64. */
  leafHash: string;
  /**
   * The leaf's canonical (RFC 8785) bytes, base64: SHA-256(0x00 ‖ these bytes) is `leafHash`,
   * so a verifier in any language checks the hash and reads the fields from these bytes without
   * re-implementing JCS.
   */
  leafBytes: string;
  /** Only when the viewer may read the statement. */
  envelope?: Envelope;
}

export interface EntriesPage {
  entries: EntryView[];
  treeSize: number;
  /** Start of the next page, when the log holds more. */
  next?: number;
}

export interface WitnessView {
  party: string;
  name: string;
  publicKey: string;
  /** C2SP cosignature/v1 verifier key (type 0x04). */
  vkey: string;
}

export interface LedgerInfo {
  origin: string;
  logVkey: string;
  /** The operator party that created the ledger; null before genesis is integrated. */
  operator: string | null;
  witnesses: WitnessView[];
  /** k of the k-of-n witness quorum (0: none asked for); see GET /v1/checkpoints/{size}. */
  witnessQuorum: number;
  ruleSets: string[];
  version: string;
  treeSize: number;
}

export interface PartyView {
  id: string;
  name: string;
  kind: 'state' | 'observer' | 'operator';
  keys: KeyRecord[];
  witness?: { name: string; publicKey: string };
  registeredIndex: number;
  /** The entry of the party's own witness.set that set `witness` (absent: its registration). */
  witnessSetIndex?: number;
  /**
   * Every party.recover of the party (docs/registry.md): a recovery is the operator's and a
   * quorum's act, never shown as the party's own; vetoed ones stay listed.
   */
  recoveries?: RecoveryRecord[];
  /** The party's latest accepted statement (its issuer chain head). */
  head: { seq: number; statement: string } | null;
}

export interface EvidenceUploadView {
  sha256: string;
  size: number;
  mediaType: string;
  /** True when the object is stored already: nothing to upload. */
  stored: boolean;
  upload?: {
    url: string;
    method: 'PUT';
    headers: Readonly<Record<string, string>>;
    expiresAt: string;
  };
}
