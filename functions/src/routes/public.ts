/**
 * The public transparency view, `/public/v1/…` (DESIGN.md §5): unauthenticated, read-only,
 * cacheable. Served by its own handler (public-api.ts) over a PublicLedger, which holds
 * read-only stores only. Signature headers are ignored here: the public view is the same for
 * everyone.
 *
 * Caching (the handler adds a strong ETag over each 200 body and answers If-None-Match with 304):
 * answers that can never change are `immutable` for a year — an entries page addressed by
 * explicit `start` and `limit` and wholly below the checkpointed size, an entry, proofs (pinned
 * to a tree size by their parameters), a feed page addressed by `before`, a compliance summary
 * pinned by `treeSize` and `at`; everything else (checkpoint, open pages, measures) a few seconds.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { LedgerError } from '@cbm-ledger/ledger';
import type { PublicLedger } from '@cbm-ledger/ledger';
import { Query, parseNonNegativeInteger } from '../http/request.js';
import type { Route } from '../http/router.js';
import { DEFAULT_PAGE_SIZE } from './entries.js';

/** What the public routes use of the public facade: reads only. */
export type PublicApi = Pick<
  PublicLedger,
  | 'info'
  | 'checkpoint'
  | 'checkpointStatus'
  | 'entries'
  | 'entry'
  | 'inclusionProof'
  | 'consistencyProof'
  | 'measures'
  | 'timeline'
  | 'complianceSummary'
  | 'feed'
>;

export interface PublicLimits {
  /** Largest `limit` of an entries or feed page. */
  readonly pageLimit: number;
}

export interface PublicDeps {
  readonly ledger: PublicApi;
  readonly limits: PublicLimits;
}

export type PublicRoute = Route<PublicDeps>;

export const PUBLIC_PREFIX = '/public/v1/';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Long enough to absorb a crowd at the edge, short enough to follow the log. */
export const SHORT_LIVED = 'public, max-age=5';
export const FEED_CONTENT_TYPE = 'application/feed+json';

function cacheable(body: string, contentType: string, final: boolean): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: { 'content-type': contentType, 'cache-control': final ? IMMUTABLE : SHORT_LIVED },
    body,
  };
}

const json = (value: unknown, final: boolean): APIGatewayProxyResult =>
  cacheable(JSON.stringify(value), 'application/json', final);

function pageLimit(query: Query, name: string, limits: PublicLimits): number | undefined {
  const limit = query.optionalInteger(name);
  if (limit !== undefined && (limit < 1 || limit > limits.pageLimit)) {
    throw new LedgerError('RANGE_INVALID', `${name} must be between 1 and ${limits.pageLimit}`, {
      parameter: name,
    });
  }
  return limit;
}

export const publicRoutes: readonly PublicRoute[] = [
  {
    method: 'GET',
    path: '/public/v1/ledger',
    handler: async ({ event }, { ledger }) => {
      new Query(event).allowOnly([]);
      return json(await ledger.info(), false);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/checkpoint',
    handler: async ({ event }, { ledger }) => {
      new Query(event).allowOnly([]);
      return cacheable(await ledger.checkpoint(), 'text/plain; charset=utf-8', false);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/checkpoints/{size}',
    handler: async ({ event, params }, { ledger }) => {
      new Query(event).allowOnly([]);
      const size = parseNonNegativeInteger(params['size'] ?? '', 'checkpoint size');
      // Not final: witnesses may cosign an old checkpoint later.
      return json(await ledger.checkpointStatus(size), false);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/proofs/inclusion',
    handler: async ({ event }, { ledger }) => {
      const query = new Query(event).allowOnly(['index', 'treeSize']);
      const proof = await ledger.inclusionProof(query.integer('index'), query.integer('treeSize'));
      return json(proof, true);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/proofs/consistency',
    handler: async ({ event }, { ledger }) => {
      const query = new Query(event).allowOnly(['from', 'to']);
      return json(await ledger.consistencyProof(query.integer('from'), query.integer('to')), true);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/entries',
    handler: async ({ event }, { ledger, limits }) => {
      const query = new Query(event).allowOnly(['start', 'limit']);
      const start = query.optionalInteger('start');
      const limit = pageLimit(query, 'limit', limits);
      const page = await ledger.entries(
        start ?? 0,
        limit ?? Math.min(DEFAULT_PAGE_SIZE, limits.pageLimit),
      );
      // Closed only when addressed explicitly: the default page moves as the log grows.
      return json(page.value, page.final && start !== undefined && limit !== undefined);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/entries/{index}',
    handler: async ({ event, params }, { ledger }) => {
      new Query(event).allowOnly([]);
      const index = parseNonNegativeInteger(params['index'] ?? '', 'entry index');
      return json(await ledger.entry(index), true);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/measures',
    handler: async ({ event }, { ledger }) => {
      const at = new Query(event).allowOnly(['at']).get('at');
      return json(await ledger.measures(at), false);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/measures/{id}/timeline',
    handler: async ({ event, params }, { ledger }) => {
      const at = new Query(event).allowOnly(['at']).get('at');
      return json(await ledger.timeline(params['id'] ?? '', at), false);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/compliance',
    handler: async ({ event }, { ledger }) => {
      const query = new Query(event).allowOnly(['at', 'treeSize']);
      const at = query.get('at');
      const treeSize = query.optionalInteger('treeSize');
      const summary = await ledger.complianceSummary({
        ...(at === undefined ? {} : { at }),
        ...(treeSize === undefined ? {} : { treeSize }),
      });
      return json(summary.value, summary.final);
    },
  },
  {
    method: 'GET',
    path: '/public/v1/feed.json',
    handler: async ({ event }, { ledger, limits }) => {
      const query = new Query(event).allowOnly(['before', 'limit']);
      const before = query.optionalInteger('before');
      const limit =
        pageLimit(query, 'limit', limits) ?? Math.min(DEFAULT_PAGE_SIZE, limits.pageLimit);
      const feed = await ledger.feed(before, limit);
      return cacheable(JSON.stringify(feed.value), FEED_CONTENT_TYPE, feed.final);
    },
  },
];
