/**
 * The input every evaluator shares: log entries as an observer holding the public view sees
 * them — index, integration time and statement id for every entry (from its leaf), and the
 * statement itself where the evaluator can read it.
 */
import {
  isProtocolError,
  isStatementId,
  parseUtcTimestamp,
  validateStatement,
} from '@cbm-ledger/protocol';
import type { AnyStatement, Leaf, Statement } from '@cbm-ledger/protocol';

/** One log entry. `statement` is present only when the evaluator can read it. */
export interface ComplianceEntry {
  index: number;
  /** The leaf's `integratedAt` (RFC 3339 UTC). */
  integratedAt: string;
  /**
   * A v2 leaf's `acceptedAt` (docs/promises.md): when present, the clock every deadline is
   * judged against; absent for v1 leaves, which are judged on `integratedAt`.
   */
  acceptedAt?: string;
  /** A v2 leaf's `integrateBy`, the promised deadline; present exactly with `acceptedAt`. */
  integrateBy?: string;
  /** The leaf's `statement` id. */
  statementId: string;
  statement?: Statement;
}

export type ComplianceInputErrorCode =
  | 'INVALID_AT'
  | 'INVALID_TREE_SIZE'
  | 'INVALID_ROOT_HASH'
  | 'INVALID_LEDGER'
  | 'INVALID_FILTER'
  | 'INVALID_RULES_VERSION'
  | 'INVALID_ENTRY'
  | 'DUPLICATE_INDEX'
  | 'MISSING_ENTRY';

/** Input the functions of this package cannot evaluate; `code` is stable (API: 400). */
export class ComplianceInputError extends Error {
  override readonly name = 'ComplianceInputError';
  constructor(
    readonly code: ComplianceInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Which statements count as evidence. */
export type EvidenceScope = 'public' | 'all';

/** An entry after checking: times as epoch ms, the statement only if it is usable evidence. */
export interface Entry {
  index: number;
  /**
   * The time every deadline is judged on: the leaf's acceptedAt for v2 leaves (what the submitter
   * can prove with its promise), its integratedAt for v1 leaves.
   */
  integratedAt: number;
  /** The leaf's own integratedAt, for v2 leaves (where it differs from the judged time). */
  leafIntegratedAt?: number;
  /** The promised integration deadline of a v2 leaf. */
  integrateBy?: number;
  statementId: string;
  statement?: AnyStatement;
}

export interface PrepareOptions {
  /** Evaluation time (epoch ms): entries integrated later are not yet known and are dropped. */
  at: number;
  /** When given, exactly the entries 0 … treeSize-1 are used and all of them must be present. */
  treeSize?: number;
  /** When given, every used statement must name this ledger. */
  ledger?: string;
  /**
   * `public` (the default, and what replayable reports use): only statements whose visibility is
   * `public` are read; the content of every other statement is never looked at.
   * `all`: every statement present is used (the ledger's own admission checks).
   */
  scope?: EvidenceScope;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The entry's acceptedAt and integrateBy (v2 leaves), both or neither, with the order the leaf
 * format guarantees (acceptedAt ≤ integratedAt, acceptedAt ≤ integrateBy). Throws INVALID_ENTRY.
 */
function promisedTimes(
  e: ComplianceEntry,
  index: number,
  integratedAt: number,
): { acceptedAt: number; integrateBy: number } | undefined {
  if (e.acceptedAt === undefined && e.integrateBy === undefined) return undefined;
  const acceptedAt = parseUtcTimestamp(e.acceptedAt);
  const integrateBy = parseUtcTimestamp(e.integrateBy);
  if (acceptedAt === undefined || integrateBy === undefined) {
    throw new ComplianceInputError(
      'INVALID_ENTRY',
      `entry ${index}: acceptedAt and integrateBy must both be RFC 3339 UTC`,
    );
  }
  if (acceptedAt > integratedAt || integrateBy < acceptedAt) {
    throw new ComplianceInputError(
      'INVALID_ENTRY',
      `entry ${index}: acceptedAt must not follow integratedAt or integrateBy`,
    );
  }
  return { acceptedAt, integrateBy };
}

/**
 * The compliance entry of a leaf, as the server and every replaying client build it: one place,
 * so a v2 leaf's promised times reach the engine the same way everywhere.
 */
export function complianceEntryFromLeaf(leaf: Leaf): ComplianceEntry {
  const entry: ComplianceEntry = {
    index: leaf.index,
    integratedAt: leaf.integratedAt,
    statementId: leaf.statement,
  };
  if (leaf.v === 2) {
    entry.acceptedAt = leaf.acceptedAt;
    entry.integrateBy = leaf.integrateBy;
  }
  return entry;
}

/** Parses `at` (RFC 3339 UTC, `Z`) or throws INVALID_AT. */
export function parseAt(at: unknown): number {
  const t = parseUtcTimestamp(at);
  if (t === undefined) {
    throw new ComplianceInputError(
      'INVALID_AT',
      'at must be an RFC 3339 UTC timestamp ending in Z',
    );
  }
  return t;
}

/**
 * Checks and orders `entries`: sorted by index; beyond `treeSize` dropped unseen; duplicates and
 * (with `treeSize`) gaps refused; entries integrated after `at` dropped; statements kept only
 * when in scope, after protocol validation.
 */
export function prepareEntries(
  entries: readonly ComplianceEntry[],
  options: PrepareOptions,
): Entry[] {
  if (!Array.isArray(entries)) {
    throw new ComplianceInputError('INVALID_ENTRY', 'entries must be an array');
  }
  const { treeSize, at, ledger } = options;
  const scope = options.scope ?? 'public';
  const byIndex = new Map<number, ComplianceEntry>();
  for (const e of entries as readonly unknown[]) {
    if (
      !isRecord(e) ||
      typeof e.index !== 'number' ||
      !Number.isSafeInteger(e.index) ||
      e.index < 0
    ) {
      throw new ComplianceInputError(
        'INVALID_ENTRY',
        'every entry needs a non-negative integer index',
      );
    }
    if (treeSize !== undefined && e.index >= treeSize) continue;
    if (byIndex.has(e.index)) {
      throw new ComplianceInputError('DUPLICATE_INDEX', `entry ${e.index} is given twice`);
    }
    byIndex.set(e.index, e as unknown as ComplianceEntry);
  }
  if (treeSize !== undefined && byIndex.size !== treeSize) {
    let missing = 0;
    while (byIndex.has(missing)) missing++;
    throw new ComplianceInputError(
      'MISSING_ENTRY',
      `entry ${missing} is missing: the first ${treeSize} entries must all be given`,
    );
  }

  const out: Entry[] = [];
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
    const e = byIndex.get(index)!;
    const integratedAt = parseUtcTimestamp(e.integratedAt);
    if (integratedAt === undefined) {
      throw new ComplianceInputError(
        'INVALID_ENTRY',
        `entry ${index}: integratedAt is not RFC 3339 UTC`,
      );
    }
    if (!isStatementId(e.statementId)) {
      throw new ComplianceInputError(
        'INVALID_ENTRY',
        `entry ${index}: statementId is not sha256:<hex>`,
      );
    }
    const promised = promisedTimes(e, index, integratedAt);
    if (integratedAt > at) continue;
    const entry: Entry = {
      index,
      integratedAt: promised?.acceptedAt ?? integratedAt,
      statementId: e.statementId,
    };
    if (promised !== undefined) {
      entry.leafIntegratedAt = integratedAt;
      entry.integrateBy = promised.integrateBy;
    }
    const s: unknown = e.statement;
    // Security and replayability: outside scope, nothing but `visibility` is read.
    if (s !== undefined && (scope === 'all' || (isRecord(s) && s.visibility === 'public'))) {
      let statement: Statement;
      try {
        statement = validateStatement(s);
      } catch (err) {
        const why = isProtocolError(err) ? err.message : 'invalid';
        throw new ComplianceInputError('INVALID_ENTRY', `entry ${index}: statement ${why}`);
      }
      if (ledger !== undefined && statement.ledger !== ledger) {
        throw new ComplianceInputError(
          'INVALID_ENTRY',
          `entry ${index}: statement names another ledger`,
        );
      }
      entry.statement = statement as AnyStatement;
    }
    out.push(entry);
  }
  return out;
}
