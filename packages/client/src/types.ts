/**
 * The API's JSON shapes as the client sees them: the contract's (@cbm-ledger/contract), the same
 * types the server builds its answers with (type-only imports: nothing of the server is bundled
 * into a browser build).
 */
import type {
  ComplianceReport,
  ComplianceSummary,
  ConsistencyProofJson,
  EntriesPage,
  EntryView,
  EvidenceUploadView,
  InclusionProofJson,
  LedgerInfo,
  MeasureSummary,
  MeasureTimeline,
  PartyView,
  Receipt,
  StatementView,
  WitnessView,
} from '@cbm-ledger/contract';

export type {
  ComplianceReport,
  ComplianceSummary,
  ConsistencyProofJson,
  EntriesPage,
  EntryView,
  EvidenceUploadView,
  InclusionProofJson,
  LedgerInfo,
  MeasureSummary,
  MeasureTimeline,
  PartyView,
  Receipt,
  StatementView,
  WitnessView,
};

/** POST /v1/statements: the HTTP status says what happened (DESIGN.md §5). */
export interface SubmitResult {
  /** 200: known already; 201: integrated within the wait; 202: accepted, pending. */
  httpStatus: 200 | 201 | 202;
  statement: string;
  status: 'pending' | 'integrated';
  /** The signed admission promise (docs/promises.md); keep it: it proves the accept. */
  promise?: string;
  index?: number;
  receipt?: Receipt;
}

/** GET /v1/measures. */
export interface MeasureList {
  at: string;
  treeSize: number;
  rootHash: string;
  measures: MeasureSummary[];
}

/** GET /v1/measures/{id}/timeline: the timeline with the log state it was computed from. */
export type MeasureTimelineView = MeasureTimeline & { treeSize: number; rootHash: string };

/** GET /v1/compliance: the report and the exact bytes the ledger sent (its JCS form). */
export interface ComplianceAnswer {
  text: string;
  report: ComplianceReport;
}

export interface ComplianceQuery {
  party?: string;
  measure?: string;
  /** RFC 3339 UTC; the ledger's clock when absent. */
  at?: string;
  /** The log's size when absent. */
  treeSize?: number;
  /** The rules version to judge by (e.g. `1.0.0` to replay an older report); the latest when absent. */
  rulesVersion?: string;
}

/** POST /v1/checkpoint/cosignatures. */
export interface CosignatureSubmission {
  /** The checkpoint note as the ledger served it. */
  checkpoint: string;
  /** `— <name> <base64>`, without a newline. */
  cosignature: string;
}

/** A witness's cosignature as the ledger reports it (the line itself is in the note). */
export interface WitnessCosignature {
  witness: string;
  party: string;
  /** POSIX seconds, as cosigned. */
  time: number;
}

/** GET /v1/checkpoints/{size}: a stored checkpoint with its cosignatures and quorum. */
export interface CheckpointStatus {
  treeSize: number;
  /** The signed note with the newest valid cosignature of each registered witness. */
  checkpoint: string;
  cosignatures: WitnessCosignature[];
  quorum: { required: number; witnesses: number; met: boolean };
}

/** POST /v1/checkpoint/cosignatures. */
export interface CosignatureReceipt {
  treeSize: number;
  witness: string;
  party: string;
  time: number;
  /** False when this cosignature was kept already. */
  stored: boolean;
}

/** GET /public/v1/feed.json: JSON Feed 1.1 of public statements, newest first. */
export interface PublicFeed {
  version: string;
  title: string;
  description: string;
  feed_url: string;
  next_url?: string;
  items: {
    id: string;
    url: string;
    title: string;
    content_text: string;
    date_published: string;
    tags: string[];
    authors: { name: string }[];
    _cbm: {
      index: number;
      statement: string;
      type: string;
      issuer: string;
      seq: number;
      leafHash: string;
      envelope: unknown;
    };
  }[];
}
