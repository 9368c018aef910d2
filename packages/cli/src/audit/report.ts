/**
 * What an audit reads from and what it answers: the source of log pages, the options, the
 * findings and the report (see core.ts for the checks themselves).
 */
import type { ConsistencyProofJson, EntriesPage } from '@cbm-ledger/contract';
import type { NoteVerifierKey } from '@cbm-ledger/protocol';
import type { VerifyPool } from './pool.js';
import type { AuditState } from './state.js';

/** Where the audit reads the log: the ledger over HTTP, or anything serving the same pages. */
export interface AuditSource {
  checkpoint(): Promise<string>;
  entries(start: number, limit: number): Promise<EntriesPage>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProofJson>;
}

export interface AuditFinding {
  /** The entry concerned, when the check is about one. */
  index?: number;
  /** Stable name of the check, e.g. CHAIN_BROKEN or SIGNATURE_INVALID. */
  check: string;
  message: string;
}

export interface AuditProgressEvent {
  done: number;
  total: number;
}

export interface AuditOptions {
  source: AuditSource;
  /** The log key the checkpoint must verify with (the caller decides whom to trust). */
  logKey: NoteVerifierKey;
  /** A previous audit's state: resume from it and prove consistency with its checkpoint. */
  state?: AuditState;
  pool: VerifyPool;
  /** Entries per request; the ledger may serve fewer. Default 1000. */
  pageSize?: number;
  /** Signature checks per worker batch. Default 1000. */
  batchSize?: number;
  /** The admission window (DESIGN.md §3: ±10 minutes by default), in ms. */
  skewMs?: number;
  /** Validate every readable statement against the full schema (slower). */
  strictSchema?: boolean;
  onProgress?: (event: AuditProgressEvent) => void;
  /** Called with the state to store every `saveEvery` entries, while no check has failed. */
  onSave?: (state: AuditState) => Promise<void>;
  saveEvery?: number;
}

export interface AuditReport {
  ok: boolean;
  origin: string;
  logVkey: string;
  treeSize: number;
  rootHash: string;
  checkpoint: string;
  /** Entries [resumedFrom, treeSize) were read in this run. */
  resumedFrom: number;
  audited: number;
  /** Entries whose envelope this auditor could read and check. */
  envelopes: number;
  /** Entries readable only as leaves (not public, and not readable by this auditor's key). */
  leafOnly: number;
  signatures: number;
  issuers: number;
  /** Consistency with the state file's checkpoint, when it had one. */
  consistency?: { from: number; to: number; fromRoot: string };
  firstBadIndex?: number;
  failures: AuditFinding[];
  warnings: AuditFinding[];
  /** The state to store (unchanged from the input when the audit failed). */
  state: AuditState;
  durationMs: number;
}
