/**
 * Compliance reports and measure timelines served from the log (DESIGN.md §7; issue 4,
 * "Replayable reports" and "Timelines"). The judging itself is @cbm-ledger/compliance — the same
 * code the CLI runs offline — so this module only gathers its input: the first `treeSize` leaves,
 * the public statements behind them, and the Merkle root at `treeSize`.
 *
 * Replayability: a report is a pure function of (the first `treeSize` entries, `at`). The engine
 * is only ever given the statements of `public` entries, which is exactly what an observer
 * holding the public view reads back, so the canonical bytes served here equal what that observer
 * computes. Restricted and participants-only content never reaches the engine (security: nothing
 * of it can leak into a report, whoever asks).
 *
 * Cost: the first request after a cold start reads every leaf below the head (pages of
 * `pageLimit`) and one statement per public leaf, and decodes it. Those decoded statements are
 * kept in an in-process cache of the log's prefix (the log below the head never changes), so a
 * later request reads only the leaves integrated since. Memory grows with the number of public
 * statements (each ≤ 64 KiB of JSON, typically ~1–2 KiB); evaluation itself is linear in the
 * prefix on every request. Both are fine for the tens of thousands of entries a CSBM ledger sees
 * in years; a much larger log would want a persisted, incrementally folded engine state.
 */
import {
  ComplianceInputError,
  canonicalReport,
  claimSubject,
  complianceEntryFromLeaf,
  complianceSummary as summarizeReport,
  evaluateCompliance,
  isRulesVersion,
  listMeasures,
  measureTimeline,
  parseAt,
} from '@cbm-ledger/compliance';
import type {
  ComplianceEntry,
  ComplianceReport,
  ComplianceSummary,
  MeasureSummary,
  MeasureTimeline,
  RulesVersion,
  TimelineOptions,
} from '@cbm-ledger/compliance';
import {
  fromBase64,
  isPartyId,
  nodeKey,
  parseStatement,
  rootFromNodes,
  subtreeDecomposition,
  toBase64,
} from '@cbm-ledger/protocol';
import type { Leaf, Statement } from '@cbm-ledger/protocol';
import type { LedgerConfig } from './config.js';
import { LedgerError } from './errors.js';
import type { AdmittedStatement, Clock, LogHead, LogStore, StatementStore } from './ports.js';
import { mayRead } from './evidence-access.js';
import { readCheckedLeaves, readCheckedStatement } from './integrity.js';
import type { ReplyView, Viewer } from './views.js';

export interface ComplianceDeps {
  readonly statements: StatementStore;
  readonly log: LogStore;
  readonly clock: Clock;
  readonly config: LedgerConfig;
}

/** GET /v1/compliance parameters; every one optional. */
export interface ComplianceQuery {
  /** Only findings about this party (a party id). */
  readonly party?: string;
  /** Only findings under this measure (its id); it must be defined publicly in the prefix by `at`. */
  readonly measure?: string;
  /** Evaluation time, RFC 3339 UTC ending in `Z`; default: now. */
  readonly at?: string;
  /** Judge the first `treeSize` entries; default: the current head. At most the head's size. */
  readonly treeSize?: number;
  /**
   * The rules version to judge by (RULES_VERSIONS, e.g. `1.0.0` to replay a report made under
   * it); default: the latest. Anything else is MALFORMED.
   */
  readonly rulesVersion?: string;
}

export interface ComplianceResult {
  /** The report's RFC 8785 (JCS) bytes: what the API returns, byte for byte. */
  readonly body: string;
  readonly report: ComplianceReport;
}

/** GET /v1/measures: every measure defined by `at`, as of the head the answer was built from. */
export interface MeasureListView {
  /** The evaluation time, normalised to RFC 3339 UTC with milliseconds. */
  at: string;
  /** The log size the view was built from, and its Merkle root (base64): replay with these. */
  treeSize: number;
  rootHash: string;
  measures: MeasureSummary[];
}

/** GET /v1/measures/{id}/timeline. */
export interface TimelineView extends MeasureTimeline {
  treeSize: number;
  rootHash: string;
}

/** One log entry as the engines see it, decoded once and cached. */
interface CachedEntry {
  readonly entry: ComplianceEntry;
  /**
   * A non-public measure statement (issuer, visibility, audience and decoded statement), for
   * viewers allowed to read it. Only measure statements: timelines read nothing else.
   */
  readonly restrictedMeasure?: {
    readonly access: AdmittedStatement;
    readonly statement: Statement;
  };
}

/** A measure id: the protocol's slug (statement/common.ts), as `measure.define` requires it. */
const MEASURE_ID_RE = /^[a-z0-9][a-z0-9.-]{0,63}$/;

/** How many statements are fetched from the store at once while extending the cache. */
const FETCH_CONCURRENCY = 64;

/** ComplianceInputError → the ledger's error vocabulary. Anything else is our fault, not input. */
function fromComplianceError(e: unknown): unknown {
  if (!(e instanceof ComplianceInputError)) return e;
  switch (e.code) {
    case 'INVALID_AT':
      return new LedgerError('AT_INVALID', e.message, { parameter: 'at' });
    case 'INVALID_FILTER':
      return new LedgerError('MALFORMED', e.message);
    case 'INVALID_TREE_SIZE':
      return new LedgerError('RANGE_INVALID', e.message, { parameter: 'treeSize' });
    default:
      // INVALID_ENTRY, MISSING_ENTRY, … come from the ledger's own data, never from the caller.
      return new Error(`compliance input built from the log was refused: ${e.code}: ${e.message}`);
  }
}

function mapped<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw fromComplianceError(e);
  }
}

export class LedgerCompliance {
  readonly #d: ComplianceDeps;
  /** Entries [0, #entries.length), decoded. The log below the head is final, so never stale. */
  readonly #entries: CachedEntry[] = [];
  /** Public claim.reply entries of #entries, by the claim they cite, in log order. */
  readonly #replies = new Map<string, ReplyView[]>();
  /** Serialises cache extension: concurrent requests share one read of the new leaves. */
  #extending: Promise<void> = Promise.resolve();

  constructor(deps: ComplianceDeps) {
    this.#d = deps;
  }

  /**
   * The compliance report for `q`, as its canonical bytes and as an object. The same report for
   * every viewer: evidence is public by design (the engine's evidence principle), so `viewer`
   * changes nothing and is taken only so that every read of the facade has the same shape.
   */
  async compliance(q: ComplianceQuery, _viewer: Viewer = {}): Promise<ComplianceResult> {
    const at = this.#at(q.at);
    if (q.party !== undefined && !isPartyId(q.party)) {
      throw new LedgerError(
        'MALFORMED',
        'party must be a party id: state:<ISO 3166-1 alpha-3>, observer:<slug> or operator:<slug>',
        { parameter: 'party' },
      );
    }
    if (q.measure !== undefined && !MEASURE_ID_RE.test(q.measure)) {
      throw new LedgerError('MALFORMED', 'measure must be a measure id (a lowercase slug)', {
        parameter: 'measure',
      });
    }
    if (q.rulesVersion !== undefined && !isRulesVersion(q.rulesVersion)) {
      throw new LedgerError('MALFORMED', 'rulesVersion must be one of 1.0.0, 2.0.0', {
        parameter: 'rulesVersion',
      });
    }
    const rulesVersion: RulesVersion | undefined = q.rulesVersion;
    const { treeSize, rootHash, entries } = await this.#prefix(q.treeSize);
    if (q.measure !== undefined && !definesMeasure(entries, q.measure, parseAt(at))) {
      // A filter naming nothing is almost always a typo; an empty report would hide it.
      throw new LedgerError(
        'NOT_FOUND',
        `no measure ${q.measure} is publicly defined in the first ${treeSize} entries by ${at}`,
      );
    }
    const report = mapped(() =>
      evaluateCompliance({
        ledger: this.#d.config.origin,
        treeSize,
        rootHash,
        at,
        entries,
        ...(q.party === undefined ? {} : { party: q.party }),
        ...(q.measure === undefined ? {} : { measure: q.measure }),
        ...(rulesVersion === undefined ? {} : { rulesVersion }),
      }),
    );
    return { body: canonicalReport(report), report };
  }

  /** Per-state finding counts by outcome (the public endpoint's compliance summary). */
  async complianceSummary(
    q: { readonly at?: string; readonly treeSize?: number } = {},
  ): Promise<ComplianceSummary> {
    const { report } = await this.compliance({
      ...(q.at === undefined ? {} : { at: q.at }),
      ...(q.treeSize === undefined ? {} : { treeSize: q.treeSize }),
    });
    return summarizeReport(report);
  }

  /**
   * Every measure defined by `at` in the current log. Anonymous viewers see the measures defined
   * publicly; an authenticated viewer also those whose (non-public) measure statements it may
   * read, under the same rule as statements (DESIGN.md §5).
   */
  async measures(at?: string, viewer: Viewer = {}): Promise<MeasureListView> {
    const atText = this.#at(at);
    const { treeSize, rootHash, entries, options } = await this.#timelineInput(viewer);
    const measures = mapped(() => listMeasures(entries, atText, options));
    return { at: new Date(parseAt(atText)).toISOString(), treeSize, rootHash, measures };
  }

  /** One measure's status and dated events at `at`; NOT_FOUND when the viewer knows no such measure. */
  async timeline(id: string, at?: string, viewer: Viewer = {}): Promise<TimelineView> {
    if (!MEASURE_ID_RE.test(id)) {
      throw new LedgerError('MALFORMED', 'a measure id is a lowercase slug', { parameter: 'id' });
    }
    const atText = this.#at(at);
    const { treeSize, rootHash, entries, options } = await this.#timelineInput(viewer);
    const timeline = mapped(() => measureTimeline(entries, id, atText, options));
    if (timeline === undefined) throw new LedgerError('NOT_FOUND', `no measure ${id}`);
    return { ...timeline, treeSize, rootHash };
  }

  /**
   * The public replies to claim `id` by the party it is about, among the entries below the
   * current head, in log order: the replies the report weighs (docs/compliance-claims.md).
   * Replies by anybody else (admitted by builds before REPLY_NOT_ANSWERABLE) are left out, as the
   * engine ignores them. The claim is read here only for its subject, never returned.
   */
  async repliesTo(id: string): Promise<ReplyView[]> {
    const held = await this.#d.statements.getById(id);
    if (held === undefined) return [];
    const subject = claimSubject(parseStatement(fromBase64(held.envelope.payload)));
    const head = await this.#d.log.readHead();
    await this.#extendTo(head?.size ?? 0);
    return (this.#replies.get(id) ?? []).filter((r) => r.issuer === subject);
  }

  #indexReply(entry: ComplianceEntry): void {
    const s = entry.statement;
    if (s?.type !== 'claim.reply') return;
    const body = s.body as { claim: string; position: ReplyView['position'] };
    const reply: ReplyView = {
      statement: entry.statementId,
      index: entry.index,
      issuer: s.issuer,
      position: body.position,
      integratedAt: entry.integratedAt,
    };
    const list = this.#replies.get(body.claim);
    if (list === undefined) this.#replies.set(body.claim, [reply]);
    else list.push(reply);
  }

  /** `at` checked (AT_INVALID), or now. */
  #at(at: string | undefined): string {
    if (at === undefined) return new Date(this.#d.clock.now()).toISOString();
    mapped(() => parseAt(at));
    return at;
  }

  async #timelineInput(viewer: Viewer): Promise<{
    treeSize: number;
    rootHash: string;
    entries: ComplianceEntry[];
    options: TimelineOptions;
  }> {
    const { treeSize, rootHash } = await this.#prefix(undefined);
    const cached = this.#entries.slice(0, treeSize);
    if (viewer.party === undefined) {
      return { treeSize, rootHash, entries: cached.map((c) => c.entry), options: {} };
    }
    // Scope `all`: every statement handed over counts, so hand over only what the viewer may read.
    const entries = cached.map((c) =>
      c.restrictedMeasure !== undefined && mayRead(c.restrictedMeasure.access, viewer)
        ? { ...c.entry, statement: c.restrictedMeasure.statement }
        : c.entry,
    );
    return { treeSize, rootHash, entries, options: { scope: 'all' } };
  }

  /** The first `treeSize` entries (default: the head's size) and the root hash at that size. */
  async #prefix(
    requested: number | undefined,
  ): Promise<{ treeSize: number; rootHash: string; entries: ComplianceEntry[] }> {
    if (requested !== undefined && (!Number.isSafeInteger(requested) || requested < 0)) {
      throw new LedgerError('RANGE_INVALID', 'treeSize must be a non-negative integer', {
        parameter: 'treeSize',
      });
    }
    const head = await this.#d.log.readHead();
    const size = head?.size ?? 0;
    const treeSize = requested ?? size;
    if (treeSize > size) {
      throw new LedgerError(
        'TREE_SIZE_BEYOND_LOG',
        `treeSize ${treeSize} exceeds the log (${size})`,
        { parameter: 'treeSize' },
      );
    }
    await this.#extendTo(treeSize);
    const entries = this.#entries.slice(0, treeSize).map((c) => c.entry);
    return { treeSize, rootHash: await this.#rootHash(treeSize, head), entries };
  }

  /** MTH of the first `treeSize` leaves, base64: the head's own root, or from stored nodes. */
  async #rootHash(treeSize: number, head: LogHead | undefined): Promise<string> {
    if (head !== undefined && head.size === treeSize) return toBase64(head.rootHash);
    const ids = subtreeDecomposition(0, treeSize);
    const found =
      ids.length === 0 ? new Map<string, Uint8Array>() : await this.#d.log.readNodes(ids);
    return toBase64(
      rootFromNodes(treeSize, (id) => {
        const hash = found.get(nodeKey(id));
        if (hash === undefined) throw new Error(`tree node ${nodeKey(id)} is missing`);
        return hash;
      }),
    );
  }

  /** Makes sure entries [0, size) are cached; `size` is at most the committed head's size. */
  #extendTo(size: number): Promise<void> {
    const run = this.#extending.then(async () => {
      while (this.#entries.length < size) {
        const start = this.#entries.length;
        const limit = Math.min(this.#d.config.pageLimit, size - start);
        // Checked: a damaged item answers STORE_INTEGRITY naming its entry (integrity.ts).
        const leaves = await readCheckedLeaves(this.#d.log, start, limit);
        const decoded: CachedEntry[] = [];
        for (let i = 0; i < leaves.length; i += FETCH_CONCURRENCY) {
          const chunk = leaves.slice(i, i + FETCH_CONCURRENCY);
          decoded.push(...(await Promise.all(chunk.map((leaf) => this.#decode(leaf)))));
        }
        // Appended whole, after every read succeeded: a failed page leaves the cache as it was.
        this.#entries.push(...decoded);
        for (const { entry } of decoded) this.#indexReply(entry);
      }
    });
    // A failure must not poison later requests: the next one starts a fresh chain.
    this.#extending = run.catch(() => undefined);
    return run;
  }

  async #decode(leaf: Leaf): Promise<CachedEntry> {
    const entry: ComplianceEntry = complianceEntryFromLeaf(leaf);
    const isMeasure = leaf.type.startsWith('measure.');
    // Security: non-public statements are read only if they are measure statements, and then kept
    // apart from `entry`, which is what reports and anonymous timelines are built from.
    if (leaf.visibility !== 'public' && !isMeasure) return { entry };
    const admitted = await readCheckedStatement(this.#d.statements, leaf);
    const statement = parseStatement(fromBase64(admitted.envelope.payload));
    if (leaf.visibility === 'public') return { entry: { ...entry, statement } };
    return { entry, restrictedMeasure: { access: admitted, statement } };
  }
}

/** Whether a public `measure.define` of `id` is among `entries` and integrated by `at`. */
function definesMeasure(entries: readonly ComplianceEntry[], id: string, at: number): boolean {
  return entries.some((e) => {
    const s = e.statement;
    return (
      s !== undefined &&
      s.type === 'measure.define' &&
      (s.body as { id?: unknown }).id === id &&
      Date.parse(e.integratedAt) <= at
    );
  });
}
