import type { LedgerService, Viewer } from '@cbm-ledger/ledger';
import type { Route } from '../http/router.js';

/** What the routes use of the domain facade; tests can hand in a fake of just this. */
export type LedgerApi = Pick<
  LedgerService,
  | 'info'
  | 'submit'
  | 'statement'
  | 'entries'
  | 'entry'
  | 'checkpoint'
  | 'inclusionProof'
  | 'consistencyProof'
  | 'createEvidenceUpload'
  | 'evidenceDownload'
  | 'parties'
  | 'party'
  | 'compliance'
  | 'complianceSummary'
  | 'measures'
  | 'timeline'
  | 'checkpointStatus'
  | 'addCosignature'
  | 'authenticate'
>;

export interface ApiLimits {
  /** Largest accepted `Prefer: wait=N`. */
  readonly maxWaitSeconds: number;
  /** Largest `limit` of GET /v1/entries. */
  readonly pageLimit: number;
}

export interface ApiDeps {
  readonly service: LedgerApi;
  readonly limits: ApiLimits;
  /**
   * Who is reading: anonymous (the public view) unless the request carried a valid RFC 9421
   * signature of a registered party (http/auth.ts, run before every route).
   */
  readonly viewer: Viewer;
}

export type ApiRoute = Route<ApiDeps>;

/** The anonymous viewer: the domain then shows only what the public may see. */
export const ANONYMOUS: Viewer = {};
