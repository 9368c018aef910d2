/**
 * The compliance engine (DESIGN.md §7): findings as a pure function of (the log's first
 * `treeSize` entries, the evaluation time `at`). The server, the CLI and a browser run this same
 * code; `canonicalReport` gives the bytes they compare.
 *
 * Evidence principle (binding design decision): reports must be replayable by an observer that
 * holds only the public view of the log, so the engine judges ONLY from statements whose
 * visibility is `public`. Entries whose statement is absent or not public are ignored as
 * evidence either way: a state that wants credit for a notification, calendar, reply or alert
 * must make it public, and a measure is judged only if its `measure.define` is public. The
 * content of non-public statements is never read (not even validated), which is what makes the
 * report independent of it.
 */
import { canonicalize, fromBase64, isPartyId } from '@cbm-ledger/protocol';
import type { RuleSetId } from '@cbm-ledger/protocol';
import type { ClaimRecord, Standing } from './claims.js';
import { ComplianceInputError, parseAt, prepareEntries } from './entries.js';
import type { ComplianceEntry } from './entries.js';
import { FIELD_NAMES, buildContext, cmp, judgeParty } from './judge/index.js';
import { analyzeMeasure, measureBook, partyInterval } from './measures.js';
import { brokenPromises } from './promises.js';
import type { OperatorFinding } from './promises.js';
import { CLAIMS_BASIS, EVIDENCE_BASIS } from './rules.js';
import {
  LATEST_RULES_VERSION,
  RULE_SET_DATA,
  RULES_VERSIONS,
  isRulesVersion,
  resolveParameters,
} from './rulesets.js';
import type { RulesVersion } from './rulesets.js';
import { OUTCOMES } from './finding.js';
import type { Finding, Outcome } from './finding.js';
import { iso } from './time.js';

export interface ComplianceInput {
  /** The ledger's origin; every statement used must name it. */
  ledger: string;
  /** Judge the first `treeSize` entries: indices 0 … treeSize-1 must all be given. */
  treeSize: number;
  /** The root hash (base64) of that tree, as the checkpoint the caller verified states it. */
  rootHash: string;
  /** Evaluation time, RFC 3339 UTC (`Z`). */
  at: string;
  entries: readonly ComplianceEntry[];
  /** Only findings about this party. */
  party?: string;
  /** Only findings under this measure. */
  measure?: string;
  /**
   * The engine semantics to judge by (RULES_VERSIONS); default the latest. Older versions stay
   * available so that a report computed under them replays byte for byte.
   */
  rulesVersion?: RulesVersion;
}

export interface ComplianceReport {
  ledger: string;
  treeSize: number;
  rootHash: string;
  /** `at`, normalised to RFC 3339 UTC with milliseconds. */
  at: string;
  /** Present when the report was filtered to one party. */
  party?: string;
  /** Present when the report was filtered to one measure. */
  measure?: string;
  /** What counts as evidence, and how deadlines are judged (EVIDENCE_BASIS). */
  basis: string;
  /** The rule sets of the measures judged, by id. */
  ruleSets: { id: RuleSetId; version: string }[];
  findings: Finding[];
  /** From rules 2.0.0: the version judged by (absent: 1.0.0). */
  rulesVersion?: RulesVersion;
  /**
   * From rules 2.0.0: every claim (observer report, risk-reduction request) about a judged party,
   * with what the engine made of it and the replies of that party, sorted by party, measure,
   * type and statement id.
   */
  claims?: ClaimRecord[];
  /**
   * Broken admission promises (promises.ts): present only when there is one, so reports over
   * logs without them keep their exact bytes. Left out of reports filtered to a measure or to a
   * party other than the operator.
   */
  operatorFindings?: OperatorFinding[];
}

const SLUG_RE = /^[a-z0-9][a-z0-9.-]{0,63}$/;

/**
 * Evaluates compliance. Pure: the result depends only on the entries with index < treeSize
 * (in any input order), their integration times, the public statements among them, and `at`.
 * Entries integrated after `at` are treated as not yet logged. Throws ComplianceInputError on
 * malformed input.
 */
export function evaluateCompliance(input: ComplianceInput): ComplianceReport {
  if (typeof input.ledger !== 'string' || input.ledger.length === 0 || input.ledger.length > 255) {
    throw new ComplianceInputError('INVALID_LEDGER', 'ledger must be the ledger origin');
  }
  if (!Number.isSafeInteger(input.treeSize) || input.treeSize < 0) {
    throw new ComplianceInputError('INVALID_TREE_SIZE', 'treeSize must be a non-negative integer');
  }
  try {
    fromBase64(input.rootHash, 32);
  } catch {
    throw new ComplianceInputError('INVALID_ROOT_HASH', 'rootHash must be base64 of 32 bytes');
  }
  const at = parseAt(input.at);
  if (input.rulesVersion !== undefined && !isRulesVersion(input.rulesVersion)) {
    throw new ComplianceInputError(
      'INVALID_RULES_VERSION',
      `rulesVersion must be one of ${RULES_VERSIONS.join(', ')}`,
    );
  }
  const version: RulesVersion = input.rulesVersion ?? LATEST_RULES_VERSION;
  if (input.party !== undefined && !isPartyId(input.party)) {
    throw new ComplianceInputError('INVALID_FILTER', 'party is not a party id');
  }
  if (
    input.measure !== undefined &&
    (typeof input.measure !== 'string' || !SLUG_RE.test(input.measure))
  ) {
    throw new ComplianceInputError('INVALID_FILTER', 'measure is not a measure id');
  }

  const entries = prepareEntries(input.entries, {
    treeSize: input.treeSize,
    at,
    ledger: input.ledger,
    scope: 'public',
  });
  const ctx = buildContext(entries);
  const findings: Finding[] = [];
  const claims: ClaimRecord[] = [];
  const ruleSets = new Map<string, { id: RuleSetId; version: string }>();

  const records = [...measureBook(entries).measures.values()].sort((a, b) => cmp(a.id, b.id));
  for (const record of records) {
    if (input.measure !== undefined && record.id !== input.measure) continue;
    const analysis = analyzeMeasure(record, at);
    if (at < analysis.inForceAt) continue; // nothing is judged before a measure is in force
    const body = record.define.body;
    const set = RULE_SET_DATA[body.ruleSet];
    const ruleSet = { id: set.id, version };
    ruleSets.set(set.id, ruleSet);
    const params = resolveParameters(body.ruleSet, body.overrides);
    const intervals = new Map<string, { start: number; end: number }>();
    for (const p of body.parties) {
      const iv = partyInterval(analysis, p);
      if (iv) intervals.set(p, iv);
    }
    for (const party of [...intervals.keys()].sort(cmp)) {
      if (input.party !== undefined && party !== input.party) continue;
      const judged = judgeParty(ctx, {
        at,
        measure: record.id,
        ruleSet,
        params,
        party,
        interval: intervals.get(party)!,
        intervals,
        version,
        accredited: new Set(body.observers ?? []),
      });
      findings.push(...judged.findings);
      claims.push(...judged.claims);
    }
  }

  findings.sort(compareFindings);
  const report: ComplianceReport = {
    ledger: input.ledger,
    treeSize: input.treeSize,
    rootHash: input.rootHash,
    at: iso(at),
    basis: version === '1.0.0' ? EVIDENCE_BASIS : `${EVIDENCE_BASIS} ${CLAIMS_BASIS}`,
    ruleSets: [...ruleSets.values()].sort((a, b) => cmp(a.id, b.id)),
    findings,
  };
  if (version !== '1.0.0') {
    report.rulesVersion = version;
    report.claims = claims.sort(
      (a, b) =>
        cmp(a.about, b.about) ||
        cmp(a.measure, b.measure) ||
        cmp(a.type, b.type) ||
        cmp(a.statementId, b.statementId),
    );
  }
  if (input.party !== undefined) report.party = input.party;
  if (input.measure !== undefined) report.measure = input.measure;
  const operatorFindings = input.measure === undefined ? brokenPromises(entries) : [];
  const shown = operatorFindings.filter(
    (f) => input.party === undefined || f.party === input.party,
  );
  if (shown.length > 0) report.operatorFindings = shown;
  return report;
}

/** The report's RFC 8785 (JCS) serialisation: the exact bytes the API returns and the CLI compares. */
export function canonicalReport(report: ComplianceReport): string {
  return canonicalize(report);
}

export interface ComplianceSummary {
  ledger: string;
  treeSize: number;
  rootHash: string;
  at: string;
  party?: string;
  measure?: string;
  /** The rules version of the report it summarises (absent: 1.0.0), so a replay can match it. */
  rulesVersion?: RulesVersion;
  ruleSets: { id: RuleSetId; version: string }[];
  /**
   * One row per judged state, by party id: how many ESTABLISHED findings had each outcome, and
   * how many findings are only alleged or disputed (never counted in `findings`/`outcomes`).
   * Reports under rules 1.0.0 carry no standing: all their findings count as established.
   */
  states: {
    party: string;
    findings: number;
    outcomes: Record<Outcome, number>;
    alleged: number;
    disputed: number;
  }[];
}

/** Per-state counts by outcome (the public endpoint's compliance summary). */
export function complianceSummary(report: ComplianceReport): ComplianceSummary {
  const rows = new Map<string, Record<Outcome, number>>();
  const others = new Map<string, Record<Exclude<Standing, 'established'>, number>>();
  for (const f of report.findings) {
    let row = rows.get(f.party);
    let other = others.get(f.party);
    if (!row || !other) {
      row = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
      other = { alleged: 0, disputed: 0 };
      rows.set(f.party, row);
      others.set(f.party, other);
    }
    const standing = f.standing ?? 'established';
    if (standing === 'established') row[f.outcome]++;
    else other[standing]++;
  }
  const summary: ComplianceSummary = {
    ledger: report.ledger,
    treeSize: report.treeSize,
    rootHash: report.rootHash,
    at: report.at,
    ruleSets: report.ruleSets,
    states: [...rows.keys()].sort(cmp).map((party) => {
      const outcomes = rows.get(party)!;
      const findings = OUTCOMES.reduce((n, o) => n + outcomes[o], 0);
      return { party, findings, outcomes, ...others.get(party)! };
    }),
  };
  if (report.party !== undefined) summary.party = report.party;
  if (report.measure !== undefined) summary.measure = report.measure;
  if (report.rulesVersion !== undefined) summary.rulesVersion = report.rulesVersion;
  return summary;
}

// ---- ordering -----------------------------------------------------------------------------

/**
 * Findings are ordered by party, measure, rule, due, subjects (element-wise), outcome, actual
 * (null first), then detail: a total order on distinct findings.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.party, b.party) ||
    cmp(a.measure, b.measure) ||
    cmp(a.rule, b.rule) ||
    cmp(a.due, b.due) ||
    compareLists(a.subjects, b.subjects) ||
    cmp(a.outcome, b.outcome) ||
    cmp(a.actual ?? '', b.actual ?? '') ||
    cmp(a.detail, b.detail)
  );
}

function compareLists(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export { FIELD_NAMES };
export { OUTCOMES };
export type { Finding, Outcome };
