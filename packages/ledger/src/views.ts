/**
 * JSON shapes the ledger service answers with (DESIGN.md §4–5). The HTTP layer serialises them
 * unchanged; the OpenAPI document describes the same shapes.
 */
import type { RecoveryRecord } from '@cbm-ledger/compliance';
import type { Envelope, Leaf } from '@cbm-ledger/protocol';
import type { KeyRecord } from './ports.js';

/** Who is reading. Anonymous (no party) gets the public view; issue 4 authenticates parties. */
export interface Viewer {
  readonly party?: string;
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

export interface SubmitOutcome {
  /** 200: known already; 201: integrated within the wait; 202: accepted, pending. */
  status: 200 | 201 | 202;
  body: {
    statement: string;
    status: StatementStatus;
    /** The signed admission promise (docs/promises.md): the same bytes on every answer. */
    promise?: string;
    index?: number;
    receipt?: Receipt;
  };
}

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
