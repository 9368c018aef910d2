/**
 * The public transparency view (DESIGN.md §5, `/public/v1/…`): everything that is not
 * restricted, for anyone, from a facade that holds read-only stores and exposes no write.
 *
 * What it shows: public statements in full (with their envelopes); every other entry as its leaf
 * only, never its envelope or statement; checkpoints with their witness cosignatures; proofs;
 * measures, timelines and the per-state compliance summary, which the compliance module builds
 * from public statements alone; a JSON Feed of public statements.
 *
 * Caching: answers that can never change are marked `final` (an entries page wholly below the
 * checkpointed size, an entry, a proof pinned to a tree size, a feed page below a given index, a
 * compliance summary pinned to a tree size and time); the HTTP layer makes them immutable.
 */
import { fromBase64, toBase64, leafHash, utf8Decode } from '@cbm-ledger/protocol';
import type { Envelope, Leaf } from '@cbm-ledger/protocol';
import type { ComplianceSummary } from '@cbm-ledger/compliance';
import { LedgerCompliance } from './compliance.js';
import type { MeasureListView, TimelineView } from './compliance.js';
import type { LedgerConfig } from './config.js';
import { WitnessReads } from './cosignatures.js';
import type { CheckpointStatus } from './cosignatures.js';
import { LedgerError } from './errors.js';
import type { Clock, EvidenceStore, LogReader, RegistryReader, StatementReader } from './ports.js';
import { integrityFault, readCheckedLeaves, readCheckedStatement } from './integrity.js';
import { LedgerReads } from './reads.js';
import type {
  ConsistencyProofJson,
  EntryView,
  InclusionProofJson,
  LedgerInfo,
  Viewer,
} from './views.js';

/** The public view reads as nobody: exactly what an unauthenticated caller may see. */
const PUBLIC: Viewer = Object.freeze({});

/** An answer and whether it can ever change (for HTTP caching). */
export interface Final<T> {
  readonly value: T;
  readonly final: boolean;
}

export interface PublicEntriesPage {
  /** Index of the first entry. */
  start: number;
  /** Public statements with their envelope; every other entry as its leaf only. */
  entries: EntryView[];
  /** Where the following page starts (`start` + the entries returned). */
  next: number;
}

/** One public statement in the JSON Feed 1.1. */
export interface PublicFeedItem {
  /** The statement id. */
  id: string;
  url: string;
  title: string;
  /** The statement's JSON, as signed. */
  content_text: string;
  /** The leaf's integratedAt. */
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
    envelope: Envelope;
  };
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of public statements, newest first. */
export interface PublicFeed {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  description: string;
  feed_url: string;
  next_url?: string;
  items: PublicFeedItem[];
}

export interface ReadOnlyStores {
  readonly statements: StatementReader;
  readonly log: LogReader;
  readonly registry: RegistryReader;
}

/**
 * Copies only the read methods of each store (bound), so the public view holds no reference
 * through which a write could be reached, not even by a cast.
 */
export function readOnlyStores(stores: ReadOnlyStores): ReadOnlyStores {
  const { statements, log, registry } = stores;
  return Object.freeze({
    statements: Object.freeze({
      getById: statements.getById.bind(statements),
      getBySeq: statements.getBySeq.bind(statements),
      head: statements.head.bind(statements),
      citing: statements.citing.bind(statements),
    }),
    log: Object.freeze({
      readHead: log.readHead.bind(log),
      readLeaves: log.readLeaves.bind(log),
      readNodes: log.readNodes.bind(log),
      getCheckpoint: log.getCheckpoint.bind(log),
      listCosignatures: log.listCosignatures.bind(log),
    }),
    registry: Object.freeze({ read: registry.read.bind(registry) }),
  });
}

// The public view serves no evidence: downloads need a caller who may read a citing statement.
const NO_EVIDENCE: EvidenceStore = {
  possessed: () => Promise.reject(new LedgerError('NOT_FOUND', 'no evidence in the public view')),
  createUpload: () => Promise.reject(new LedgerError('FORBIDDEN', 'the public view is read-only')),
  createDownload: () =>
    Promise.reject(new LedgerError('NOT_FOUND', 'no evidence in the public view')),
};

export interface PublicLedgerDeps extends ReadOnlyStores {
  readonly clock: Clock;
  readonly config: LedgerConfig;
  readonly logVkey: string;
  /** Absolute URL prefix for feed links (e.g. `https://ledger.example`); root-relative when absent. */
  readonly publicBaseUrl?: string;
  /** Most leaves one feed page looks through; default FEED_SCAN_LIMIT. */
  readonly feedScanLimit?: number;
}

/** How many leaves one feed page looks through at most, whatever it finds. */
export const FEED_SCAN_LIMIT = 5000;

export class PublicLedger {
  readonly #stores: ReadOnlyStores;
  readonly #reads: LedgerReads;
  readonly #witnesses: WitnessReads;
  readonly #compliance: LedgerCompliance;
  readonly #config: LedgerConfig;
  readonly #base: string;
  readonly #scanLimit: number;

  constructor(deps: PublicLedgerDeps) {
    const stores = readOnlyStores(deps);
    const common = { ...stores, clock: deps.clock, config: deps.config };
    this.#stores = stores;
    this.#config = deps.config;
    this.#base = (deps.publicBaseUrl ?? '').replace(/\/+$/, '');
    this.#scanLimit = deps.feedScanLimit ?? FEED_SCAN_LIMIT;
    this.#reads = new LedgerReads({ ...common, evidence: NO_EVIDENCE, logVkey: deps.logVkey });
    this.#witnesses = new WitnessReads(common);
    // LedgerCompliance only reads (getBySeq, readHead, readLeaves, readNodes), but its deps name
    // the full store types. The frozen readers carry no write method at all: were it ever to
    // call one, the call would throw, never write.
    this.#compliance = new LedgerCompliance(
      common as unknown as ConstructorParameters<typeof LedgerCompliance>[0],
    );
  }

  info(): Promise<LedgerInfo> {
    return this.#reads.info();
  }

  /** The newest checkpoint with its cosignatures. */
  checkpoint(): Promise<string> {
    return this.#witnesses.checkpoint();
  }

  checkpointStatus(size: number): Promise<CheckpointStatus> {
    return this.#witnesses.checkpointStatus(size);
  }

  /** Entries [start, start + limit): final once the whole range lies below the head. */
  async entries(start: number, limit: number): Promise<Final<PublicEntriesPage>> {
    const page = await this.#reads.entries(start, limit, PUBLIC);
    return {
      value: { start, entries: page.entries, next: start + page.entries.length },
      final: page.entries.length === limit,
    };
  }

  /** An entry below the head never changes. */
  entry(index: number): Promise<EntryView> {
    return this.#reads.entry(index, PUBLIC);
  }

  inclusionProof(index: number, treeSize: number): Promise<InclusionProofJson> {
    return this.#reads.inclusionProof(index, treeSize);
  }

  consistencyProof(from: number, to: number): Promise<ConsistencyProofJson> {
    return this.#reads.consistencyProof(from, to);
  }

  measures(at?: string): Promise<MeasureListView> {
    return this.#compliance.measures(at, PUBLIC);
  }

  timeline(id: string, at?: string): Promise<TimelineView> {
    return this.#compliance.timeline(id, at, PUBLIC);
  }

  /** Per-state counts of the public compliance report; final when pinned to treeSize and at. */
  async complianceSummary(q: {
    at?: string;
    treeSize?: number;
  }): Promise<Final<ComplianceSummary>> {
    const summary = await this.#compliance.complianceSummary(q);
    return { value: summary, final: q.at !== undefined && q.treeSize !== undefined };
  }

  /**
   * A page of the feed: public statements among entries below `before` (default: the head),
   * newest first, at most `limit` items, looking through at most FEED_SCAN_LIMIT leaves.
   * `next_url` continues below the last leaf looked at. Final when `before` was given.
   */
  async feed(before: number | undefined, limit: number): Promise<Final<PublicFeed>> {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new LedgerError('RANGE_INVALID', 'limit must be at least 1', { parameter: 'limit' });
    }
    const size = (await this.#stores.log.readHead())?.size ?? 0;
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 0 || before > size)) {
      throw new LedgerError('RANGE_INVALID', `before must lie in [0, ${size}]`, {
        parameter: 'before',
      });
    }
    const items: PublicFeedItem[] = [];
    let cursor = before ?? size;
    let scanned = 0;
    while (cursor > 0 && items.length < limit && scanned < this.#scanLimit) {
      const count = Math.min(this.#config.pageLimit, cursor, this.#scanLimit - scanned);
      const leaves = await readCheckedLeaves(this.#stores.log, cursor - count, count);
      for (let i = leaves.length - 1; i >= 0 && items.length < limit; i--) {
        const leaf = leaves[i]!;
        cursor = leaf.index;
        scanned++;
        if (leaf.visibility === 'public') items.push(await this.#feedItem(leaf));
      }
    }
    const feedUrl = `${this.#base}/public/v1/feed.json`;
    const value: PublicFeed = {
      version: 'https://jsonfeed.org/version/1.1',
      title: `CBM Ledger ${this.#config.origin}: public statements`,
      description: `Public statements of the ledger ${this.#config.origin}, newest first. Verify each against the log's checkpoint with /public/v1/proofs/inclusion.`,
      feed_url: feedUrl,
      ...(cursor > 0 ? { next_url: `${feedUrl}?before=${cursor}&limit=${limit}` } : {}),
      items,
    };
    return { value, final: before !== undefined };
  }

  async #feedItem(leaf: Leaf): Promise<PublicFeedItem> {
    const statement = await readCheckedStatement(this.#stores.statements, leaf);
    // Checked again here: only a public statement's content may ever enter the feed.
    if (statement.visibility !== 'public') {
      throw integrityFault(leaf.index, 'its statement is not public, though its leaf says so');
    }
    return {
      id: statement.id,
      url: `${this.#base}/public/v1/entries/${leaf.index}`,
      title: `${leaf.type} by ${leaf.issuer} (entry ${leaf.index})`,
      content_text: utf8Decode(fromBase64(statement.envelope.payload)),
      date_published: leaf.integratedAt,
      tags: [leaf.type],
      authors: [{ name: leaf.issuer }],
      _cbm: {
        index: leaf.index,
        statement: statement.id,
        type: leaf.type,
        issuer: leaf.issuer,
        seq: leaf.seq,
        leafHash: toBase64(leafHash(leaf)),
        envelope: statement.envelope,
      },
    };
  }
}
