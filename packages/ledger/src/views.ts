/**
 * The domain's side of the API's shapes: who is reading, and what admission answers. The wire
 * shapes themselves are the contract's (@cbm-ledger/contract), re-exported for the domain.
 */
import type { Receipt, StatementStatus } from '@cbm-ledger/contract';

export type {
  ConsistencyProofJson,
  EntriesPage,
  EntryView,
  EvidenceUploadView,
  InclusionProofJson,
  LedgerInfo,
  PartyView,
  Receipt,
  ReplyView,
  StatementStatus,
  StatementView,
  WitnessView,
} from '@cbm-ledger/contract';

/** Who is reading. Anonymous (no party) gets the public view; issue 4 authenticates parties. */
export interface Viewer {
  readonly party?: string;
}

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
