import type { LedgerService, Viewer } from '@cbm-ledger/ledger';
import type { Route } from '../http/router.js';

/**
 * The whole domain API (every role, packages/ledger/src/service.ts). Each route is typed by the
 * role it calls (SubmitRole, ReadRole, CosignRole), so a function serving only some routes is
 * handed only that role; tests can hand in a fake of just what a route uses.
 */
export type LedgerApi = LedgerService;

/** What every role offers: the viewer of a signed request (http/auth.ts). */
export type Authenticating = Pick<LedgerService, 'authenticate'>;

export interface ApiLimits {
  /** Largest accepted `Prefer: wait=N`. */
  readonly maxWaitSeconds: number;
  /** Largest `limit` of GET /v1/entries. */
  readonly pageLimit: number;
}

export interface ApiDeps<S extends Authenticating = LedgerApi> {
  readonly service: S;
  readonly limits: ApiLimits;
  /**
   * Who is reading: anonymous (the public view) unless the request carried a valid RFC 9421
   * signature of a registered party (http/auth.ts, run before every route).
   */
  readonly viewer: Viewer;
}

export type ApiRoute<S extends Authenticating = LedgerApi> = Route<ApiDeps<S>>;

/** The anonymous viewer: the domain then shows only what the public may see. */
export const ANONYMOUS: Viewer = {};
