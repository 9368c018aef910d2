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
import type {
  ActivityCounts,
  CalendarActivity,
  CountField,
  RuleSetId,
  Statement,
  TypedStatement,
} from '@cbm-ledger/protocol';
import { activitySubjects, collectActivities, current, satisfiedSince } from './activities.js';
import { judgeReports, judgeRequests } from './claims.js';
import type { ClaimBasis, ClaimJudge, ClaimRecord, Standing } from './claims.js';
import type { Activity, ActivityVersion } from './activities.js';
import { ComplianceInputError, parseAt, prepareEntries } from './entries.js';
import type { ComplianceEntry, Entry } from './entries.js';
import { analyzeMeasure, measureBook, partyInterval } from './measures.js';
import { brokenPromises } from './promises.js';
import type { OperatorFinding } from './promises.js';
import { CLAIMS_BASIS, EVIDENCE_BASIS } from './rules.js';
import type { RuleId } from './rules.js';
import {
  LATEST_RULES_VERSION,
  RULE_SET_DATA,
  RULES_VERSIONS,
  isRulesVersion,
  resolveParameters,
} from './rulesets.js';
import type { RuleParameters, RulesVersion } from './rulesets.js';
import { DAY_MS, HOUR_MS, dateMs, duration, endOfDay, iso, ms, num, yearOf } from './time.js';

export const OUTCOMES = [
  'compliant',
  'late',
  'missing',
  'exceeded',
  'discrepancy',
  'not-assessable',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

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

export interface Finding {
  rule: RuleId;
  ruleSet: { id: RuleSetId; version: string };
  party: string;
  measure: string;
  /** Statement ids the finding rests on, sorted. */
  subjects: string[];
  outcome: Outcome;
  /** When the obligation fell due (for limits: when the activity started). */
  due: string;
  /** When it was met, or null (missing, or not a deadline: limits and observer reports). */
  actual: string | null;
  detail: string;
  /**
   * From rules 2.0.0: how far the finding holds (docs/compliance-claims.md). `established` for
   * findings from the party's own statements and the log's clock; for findings resting on
   * another party's claim, established only when corroborated or acknowledged.
   */
  standing?: Standing;
  /** From rules 2.0.0: the parties whose claims the finding rests on, sorted (empty: none). */
  claimants?: string[];
  /** From rules 2.0.0: the replies of the party judged to the claims it rests on. */
  replies?: string[];
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
      const judge = new Judge(ctx, {
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
      judge.all();
      findings.push(...judge.findings);
      claims.push(...judge.claims);
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

/** Code-unit order, as JCS sorts keys: never locale-dependent. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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

// ---- the log, indexed -----------------------------------------------------------------------

interface Logged<T> {
  statementId: string;
  index: number;
  integratedAt: number;
  statement: T;
}

interface Context {
  byId: Map<string, Entry>;
  activities: Map<string, Activity>;
  activitiesByIssuer: Map<string, Activity[]>;
  calendars: Map<string, Logged<TypedStatement<'calendar.annual'>>[]>;
  exchanges: Map<string, Logged<TypedStatement<'info.exchange'>>[]>;
  requests: Logged<TypedStatement<'risk.request'>>[];
  responses: Map<string, Logged<TypedStatement<'risk.response'>>[]>;
  reports: Logged<TypedStatement<'observer.report'>>[];
  replies: Map<string, Logged<TypedStatement<'claim.reply'>>[]>;
  alerts: Map<string, Logged<TypedStatement<'datashare.alert'>>[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function buildContext(entries: readonly Entry[]): Context {
  const ctx: Context = {
    byId: new Map(),
    activities: collectActivities(entries),
    activitiesByIssuer: new Map(),
    calendars: new Map(),
    exchanges: new Map(),
    requests: [],
    responses: new Map(),
    reports: [],
    replies: new Map(),
    alerts: new Map(),
  };
  for (const a of ctx.activities.values()) push(ctx.activitiesByIssuer, a.issuer, a);
  for (const e of entries) {
    if (!ctx.byId.has(e.statementId)) ctx.byId.set(e.statementId, e);
    const s = e.statement;
    if (s === undefined) continue;
    const logged = <T extends Statement>(statement: T): Logged<T> => ({
      statementId: e.statementId,
      index: e.index,
      integratedAt: e.integratedAt,
      statement,
    });
    switch (s.type) {
      case 'calendar.annual':
        push(ctx.calendars, s.issuer, logged(s));
        break;
      case 'info.exchange':
        push(ctx.exchanges, s.issuer, logged(s));
        break;
      case 'risk.request':
        ctx.requests.push(logged(s));
        break;
      case 'risk.response':
        push(ctx.responses, s.body.request, logged(s));
        break;
      case 'observer.report':
        ctx.reports.push(logged(s));
        break;
      case 'datashare.alert':
        push(ctx.alerts, s.issuer, logged(s));
        break;
      case 'claim.reply':
        push(ctx.replies, s.body.claim, logged(s));
        break;
      default:
        break;
    }
  }
  return ctx;
}

// ---- judging one party under one measure ----------------------------------------------------

interface JudgeScope {
  at: number;
  measure: string;
  ruleSet: { id: RuleSetId; version: string };
  params: RuleParameters;
  party: string;
  /** [start, end) during which the party is bound. */
  interval: { start: number; end: number };
  /** Every party's interval under this measure. */
  intervals: ReadonlyMap<string, { start: number; end: number }>;
  version: RulesVersion;
  /** The measure's accredited observers (rules 2.0.0). */
  accredited: ReadonlySet<string>;
}

type Counts = Partial<Record<CountField, number>>;

const NOTIFICATION_FIELDS = [
  'troops',
  'battleTanks',
  'acv',
  'artillery',
  'aircraftSorties',
  'amphibiousTroops',
  'airborneTroops',
] as const satisfies readonly CountField[];

const OBSERVATION_FIELDS = [
  'troops',
  'battleTanks',
  'acv',
  'artillery',
  'amphibiousTroops',
  'airborneTroops',
] as const satisfies readonly CountField[];

export const FIELD_NAMES: Record<CountField, string> = {
  troops: 'troops',
  battleTanks: 'battle tanks',
  acv: 'armoured combat vehicles',
  artillery: 'artillery pieces',
  aircraftSorties: 'aircraft sorties',
  amphibiousTroops: 'amphibious troops',
  airborneTroops: 'airborne troops',
};

function calendarCounts(a: CalendarActivity): Counts {
  return {
    troops: a.troops,
    battleTanks: a.battleTanks,
    acv: a.acv,
    artillery: a.artillery,
    aircraftSorties: a.aircraftSorties,
    amphibiousTroops: a.amphibiousTroops,
    airborneTroops: a.airborneTroops,
  };
}

class Judge {
  readonly findings: Finding[] = [];
  readonly claims: ClaimRecord[] = [];
  private readonly p: RuleParameters;

  constructor(
    private readonly ctx: Context,
    private readonly scope: JudgeScope,
  ) {
    this.p = scope.params;
  }

  all(): void {
    this.activities();
    this.calendarReportedActivities();
    this.annualFilings('calendar.annual');
    this.annualFilings('info.exchange');
    if (this.scope.version === '1.0.0') {
      this.riskResponses();
      this.observerReports();
    } else {
      // Rules 2.0.0: claims are not findings (claims.ts).
      const api = this.claimJudge();
      judgeRequests(api, this.ctx);
      judgeReports(api, this.ctx);
    }
    this.healthAlerts();
  }

  private claimJudge(): ClaimJudge {
    const { at, party, measure, intervals } = this.scope;
    const tolerance = this.p['observerReport.tolerance'];
    return {
      at,
      party,
      measure,
      intervals,
      accredited: this.scope.accredited,
      params: this.p,
      inWindow: (t) => this.inWindow(t),
      timed: (due, actual) => this.timed(due, actual) as 'compliant' | 'late' | 'missing' | null,
      emit: (rule, outcome, subjects, due, actual, detail, basis) =>
        this.emit(rule, outcome, subjects, due, actual, detail, basis),
      record: (claim) => this.claims.push(claim),
      excess: (items, declared) => {
        const over: string[] = [];
        for (const d of items) {
          const dec = declared.counts[d.item];
          if (d.observed - dec > dec * tolerance) {
            over.push(
              `${num(d.observed)} ${FIELD_NAMES[d.item]} observed against ${num(dec)} declared`,
            );
          }
        }
        return over;
      },
    };
  }

  // -- helpers --

  private inWindow(t: number): boolean {
    return this.scope.interval.start <= t && t < this.scope.interval.end;
  }

  /**
   * The outcome of a deadline, or null while it cannot be judged yet (not due and not met).
   */
  private timed(due: number, actual: number | null): Outcome | null {
    if (actual !== null && actual <= due) return 'compliant';
    if (due > this.scope.at) return null;
    return actual === null ? 'missing' : 'late';
  }

  private emit(
    rule: RuleId,
    outcome: Outcome,
    subjects: readonly string[],
    due: number,
    actual: number | null,
    detail: string,
    basis?: ClaimBasis,
  ): void {
    const finding: Finding = {
      rule,
      ruleSet: this.scope.ruleSet,
      party: this.scope.party,
      measure: this.scope.measure,
      subjects: [...new Set(subjects)].sort(cmp),
      outcome,
      due: iso(due),
      actual: actual === null ? null : iso(actual),
      detail,
    };
    if (this.scope.version !== '1.0.0') {
      // Everything not resting on a claim comes from the party's own statements and the clock.
      finding.standing = basis?.standing ?? 'established';
      finding.claimants = basis?.claimants ?? [];
      finding.replies = basis?.replies ?? [];
    }
    this.findings.push(finding);
  }

  private meets(counts: Counts, fields: readonly CountField[], prefix: string): CountField[] {
    return fields.filter((f) => {
      const threshold = this.p[`${prefix}.${f}` as keyof RuleParameters];
      const n = counts[f];
      return n !== undefined && n >= threshold;
    });
  }

  private notifiable(counts: Counts): boolean {
    return this.meets(counts, NOTIFICATION_FIELDS, 'notification').length > 0;
  }

  private observable(counts: Counts): boolean {
    return this.meets(counts, OBSERVATION_FIELDS, 'observation').length > 0;
  }

  private describeThresholds(
    counts: Counts,
    fields: readonly CountField[],
    prefix: string,
  ): string {
    return this.meets(counts, fields, prefix)
      .map((f) => {
        const threshold = this.p[`${prefix}.${f}` as keyof RuleParameters];
        return `${num(counts[f] ?? 0)} ${FIELD_NAMES[f]} (threshold ${num(threshold)})`;
      })
      .join(', ');
  }

  private isLarge(c: ActivityCounts): boolean {
    return c.troops > this.p['large.troops'] || c.battleTanks > this.p['large.battleTanks'];
  }

  private isConstrained(c: ActivityCounts): boolean {
    return (
      c.troops > this.p['constrained.troops'] || c.battleTanks > this.p['constrained.battleTanks']
    );
  }

  private isLarger(c: ActivityCounts): boolean {
    return (
      c.troops > this.p['constrained.largerTroops'] ||
      c.battleTanks > this.p['constrained.largerBattleTanks']
    );
  }

  /** The calendar deadline day (15 November by default) of calendar year `year`. */
  private calendarDeadline(year: number): number {
    return endOfDay(year, this.p['calendar.deadlineMonth'], this.p['calendar.deadlineDay']);
  }

  private notificationDue(a: Activity, v: ActivityVersion): number {
    return a.noticeClass === 'alert'
      ? v.start
      : v.start - this.p['notification.leadTimeDays'] * DAY_MS;
  }

  private calendars(): Logged<TypedStatement<'calendar.annual'>>[] {
    return this.ctx.calendars.get(this.scope.party) ?? [];
  }

  /** The first calendar of the party (optionally for `year`) listing a designation starting in `startYear`. */
  private firstListing(
    designations: ReadonlySet<string>,
    startYear: number,
    calendarYear?: number,
  ): Logged<TypedStatement<'calendar.annual'>> | undefined {
    return this.calendars().find(
      (c) =>
        (calendarYear === undefined || c.statement.body.year === calendarYear) &&
        c.statement.body.activities.some(
          (x) => designations.has(x.designation) && yearOf(dateMs(x.start)) === startYear,
        ),
    );
  }

  // -- notified activities --

  private activities(): void {
    const mine = this.ctx.activitiesByIssuer.get(this.scope.party) ?? [];
    for (const a of mine) this.activity(a);
    this.constraints(mine);
  }

  /**
   * Obligations about an activity are judged when the party is bound both when they fall due
   * and when the activity starts: nothing is owed for an activity carried out after a withdrawal
   * took effect or the measure ended, nor for a deadline that passed before the measure was in
   * force.
   */
  private activity(a: Activity): void {
    const v = current(a);
    if (!this.inWindow(v.start)) return;
    const cancelledAt = a.cancel?.integratedAt ?? Infinity;
    const subjects = activitySubjects(a);
    const name = `"${v.designation}"`;
    const lead = this.p['notification.leadTimeDays'];
    const due = this.notificationDue(a, v);
    const judged = this.inWindow(due) && due < cancelledAt;
    const when =
      a.noticeClass === 'alert' ? 'by its start (alert activity)' : `${lead} days before its start`;

    if (this.notifiable(v.counts) && judged) {
      const actual = satisfiedSince(a, (x) => this.notifiable(x.counts));
      const outcome = this.timed(due, actual);
      if (outcome !== null && actual !== null) {
        const counts = this.describeThresholds(v.counts, NOTIFICATION_FIELDS, 'notification');
        const detail =
          outcome === 'compliant'
            ? `${name} (${counts}) starting ${iso(v.start)} was notified as notifiable ${duration(v.start - actual)} before its start; due ${when}.`
            : `${name} (${counts}) starting ${iso(v.start)} was notified as notifiable only ${iso(actual)}, ${duration(actual - due)} after the deadline (${when}).`;
        this.emit('notification', outcome, subjects, due, actual, detail);
      }
    }

    if (this.observable(v.counts) && judged) {
      const actual = satisfiedSince(a, (x) => x.observation.invited);
      const outcome = this.timed(due, actual);
      if (outcome !== null) {
        const counts = this.describeThresholds(v.counts, OBSERVATION_FIELDS, 'observation');
        const detail =
          outcome === 'compliant'
            ? `${name} (${counts}) invites observers, as required by the notification deadline.`
            : outcome === 'late'
              ? `${name} (${counts}) invited observers only ${iso(actual!)}, ${duration(actual! - due)} after the notification deadline.`
              : `${name} (${counts}) meets the observation thresholds but does not invite observers.`;
        this.emit('observation.invitation', outcome, subjects, due, actual, detail);
      }
    }

    if (this.notifiable(v.counts) && a.noticeClass === 'standard') {
      const year = yearOf(v.start);
      const calendarDue = this.calendarDeadline(year - 1);
      if (this.inWindow(calendarDue) && calendarDue < cancelledAt) {
        const listing = this.firstListing(a.designations, year, year);
        const actual = listing?.integratedAt ?? null;
        const outcome = this.timed(calendarDue, actual);
        if (outcome !== null) {
          const detail =
            outcome === 'compliant'
              ? `${name}, a notifiable activity starting in ${year}, is listed in the ${year} annual calendar filed in time.`
              : outcome === 'late'
                ? `${name}, a notifiable activity starting in ${year}, is listed only in a ${year} calendar filed ${iso(actual!)}, after the deadline.`
                : `${name}, a notifiable activity starting in ${year}, is not listed in any public ${year} annual calendar of ${this.scope.party}.`;
          this.emit(
            'calendar.listing',
            outcome,
            listing ? [...subjects, listing.statementId] : subjects,
            calendarDue,
            actual,
            detail,
          );
        }
      }
    }
  }

  // -- constraining provisions --

  private constraints(mine: readonly Activity[]): void {
    const { at, party } = this.scope;
    // Activities the party carries out while bound, not cancelled before their start, in order
    // of start (then statement id).
    const counted = mine
      .filter((a) => {
        const v = current(a);
        return this.inWindow(v.start) && !((a.cancel?.integratedAt ?? Infinity) <= v.start);
      })
      .sort((a, b) => current(a).start - current(b).start || cmp(a.id, b.id));
    const label = (a: Activity): string => {
      const v = current(a);
      return `"${v.designation}" (${num(v.counts.troops)} troops, ${num(v.counts.battleTanks)} battle tanks)`;
    };

    // Large activities: at most maxPerPeriod within any periodYears calendar years.
    const large = counted.filter((a) => this.isLarge(current(a).counts));
    const period = this.p['large.periodYears'];
    const maxLarge = this.p['large.maxPerPeriod'];
    large.forEach((a, i) => {
      const v = current(a);
      if (v.start > at) return;
      const year = yearOf(v.start);
      const window: Activity[] = [];
      for (let j = i - 1; j >= 0 && yearOf(current(large[j]!).start) > year - period; j--) {
        window.push(large[j]!);
      }
      const exceeded = window.length >= maxLarge;
      this.emit(
        'large.limit',
        exceeded ? 'exceeded' : 'compliant',
        exceeded ? [...activitySubjects(a), ...window.map((b) => b.id)] : activitySubjects(a),
        v.start,
        null,
        `${label(a)} is large activity number ${window.length + 1} of ${party} within the ${period} calendar years ending ${year}; at most ${maxLarge} allowed.`,
      );
      this.announcement(a, label(a));
    });

    // Other constrained activities: per calendar year, and the larger ones among them.
    const maxPerYear = this.p['constrained.maxPerYear'];
    const maxLarger = this.p['constrained.maxLargerPerYear'];
    const byYear = new Map<number, { all: Activity[]; larger: Activity[] }>();
    for (const a of counted) {
      const v = current(a);
      if (!this.isConstrained(v.counts) || this.isLarge(v.counts)) continue;
      const year = yearOf(v.start);
      let lists = byYear.get(year);
      if (!lists) {
        lists = { all: [], larger: [] };
        byYear.set(year, lists);
      }
      const quota = lists.all.slice(0, maxPerYear);
      const count = lists.all.length;
      lists.all.push(a);
      const isLarger = this.isLarger(v.counts);
      const largerCount = lists.larger.length;
      const largerQuota = lists.larger.slice(0, maxLarger);
      if (isLarger) lists.larger.push(a);
      if (v.start > at) continue;
      const subjects = activitySubjects(a);
      // When exceeded, the subjects are this activity and those that used up the year's quota.
      const exceeded = count >= maxPerYear;
      this.emit(
        'constrained.per-year',
        exceeded ? 'exceeded' : 'compliant',
        exceeded ? [...subjects, ...quota.map((b) => b.id)] : subjects,
        v.start,
        null,
        `${label(a)} is constrained activity number ${count + 1} of ${year}; at most ${maxPerYear} allowed.`,
      );
      if (isLarger) {
        const over = largerCount >= maxLarger;
        this.emit(
          'constrained.larger-per-year',
          over ? 'exceeded' : 'compliant',
          over ? [...subjects, ...largerQuota.map((b) => b.id)] : subjects,
          v.start,
          null,
          `${label(a)} is constrained activity number ${largerCount + 1} of ${year} above ${num(this.p['constrained.largerTroops'])} troops or ${num(this.p['constrained.largerBattleTanks'])} battle tanks; at most ${maxLarger} allowed.`,
        );
      }
    }

    // Simultaneous constrained activities (large ones included): a sweep over start times.
    const maxConcurrent = this.p['constrained.maxConcurrent'];
    const constrained = counted.filter((a) => this.isConstrained(current(a).counts));
    let active: Activity[] = [];
    constrained.forEach((a, i) => {
      const v = current(a);
      active = active.filter((b) => current(b).end > v.start);
      const running = [...active];
      for (
        let j = i + 1;
        j < constrained.length && current(constrained[j]!).start === v.start;
        j++
      ) {
        running.push(constrained[j]!);
      }
      active.push(a);
      if (v.start > at) return;
      const exceeded = running.length + 1 > maxConcurrent;
      this.emit(
        'constrained.concurrent',
        exceeded ? 'exceeded' : 'compliant',
        exceeded ? [...activitySubjects(a), ...running.map((b) => b.id)] : activitySubjects(a),
        v.start,
        null,
        `${label(a)} starts with ${running.length} other constrained ${running.length === 1 ? 'activity' : 'activities'} under way; at most ${maxConcurrent} at once.`,
      );
    });
  }

  /** A large activity starting in year Y is in a calendar by the deadline of year Y - ahead. */
  private announcement(a: Activity, name: string): void {
    const year = yearOf(current(a).start);
    const due = this.calendarDeadline(year - this.p['large.announceYearsAhead']);
    if (!this.inWindow(due)) return;
    const listing = this.firstListing(a.designations, year);
    const actual = listing?.integratedAt ?? null;
    const outcome = this.timed(due, actual);
    if (outcome === null) return;
    const subjects = activitySubjects(a);
    this.emit(
      'large.announcement',
      outcome,
      listing ? [...subjects, listing.statementId] : subjects,
      due,
      actual,
      outcome === 'compliant'
        ? `${name}, a large activity starting in ${year}, was announced in a calendar by ${iso(due)}.`
        : outcome === 'late'
          ? `${name}, a large activity starting in ${year}, was announced only ${iso(actual!)}; due ${iso(due)}.`
          : `${name}, a large activity starting in ${year}, was never announced in a public calendar; due ${iso(due)}.`,
    );
  }

  // -- activities a public calendar lists but nobody notified --

  private calendarReportedActivities(): void {
    const latestByYear = new Map<number, Logged<TypedStatement<'calendar.annual'>>>();
    for (const c of this.calendars()) latestByYear.set(c.statement.body.year, c); // log order: last wins
    const listed = new Map<
      string,
      { activity: CalendarActivity; calendar: string; index: number }
    >();
    for (const c of latestByYear.values()) {
      for (const x of c.statement.body.activities) {
        const key = `${yearOf(dateMs(x.start))}\u0000${x.designation}`;
        const seen = listed.get(key);
        if (!seen || seen.index < c.index) {
          listed.set(key, { activity: x, calendar: c.statementId, index: c.index });
        }
      }
    }
    const notified = new Set<string>();
    for (const a of this.ctx.activitiesByIssuer.get(this.scope.party) ?? []) {
      for (const v of a.versions) notified.add(`${yearOf(v.start)}\u0000${v.designation}`);
    }
    const lead = this.p['notification.leadTimeDays'];
    for (const [key, { activity: x, calendar }] of listed) {
      const counts = calendarCounts(x);
      if (!this.notifiable(counts)) continue;
      const start = dateMs(x.start);
      const due = start - lead * DAY_MS;
      if (!this.inWindow(due) || !this.inWindow(start) || due > this.scope.at) continue;
      if (notified.has(key)) continue;
      this.emit(
        'notification',
        'missing',
        [calendar],
        due,
        null,
        `"${x.designation}" (${this.describeThresholds(counts, NOTIFICATION_FIELDS, 'notification')}), listed in a public annual calendar to start ${x.start}, has no public exercise.notification; due ${lead} days before its start.`,
      );
    }
  }

  // -- calendars and information exchanges, once a year --

  private annualFilings(rule: 'calendar.annual' | 'info.exchange'): void {
    const { at, party, interval } = this.scope;
    const filings =
      rule === 'calendar.annual'
        ? (this.ctx.calendars.get(party) ?? [])
        : (this.ctx.exchanges.get(party) ?? []);
    const month =
      this.p[rule === 'calendar.annual' ? 'calendar.deadlineMonth' : 'infoExchange.deadlineMonth'];
    const day =
      this.p[rule === 'calendar.annual' ? 'calendar.deadlineDay' : 'infoExchange.deadlineDay'];
    const deadline = (y: number): number => endOfDay(y - 1, month, day);

    const years = new Set<number>(filings.map((f) => f.statement.body.year));
    const last = Math.min(interval.end, at);
    for (let y = yearOf(interval.start) + 1; y <= yearOf(last) + 1; y++) {
      if (deadline(y) <= at) years.add(y);
    }
    for (const y of [...years].sort((a, b) => a - b)) {
      const due = deadline(y);
      if (!this.inWindow(due)) continue;
      const first = filings.find((f) => f.statement.body.year === y);
      const actual = first?.integratedAt ?? null;
      const outcome = this.timed(due, actual);
      if (outcome === null) continue;
      const what =
        rule === 'calendar.annual'
          ? `annual calendar for ${y}`
          : `annual exchange of military information for ${y} (valid as of 1 January ${y})`;
      const nil =
        first && first.statement.type === 'calendar.annual' && first.statement.body.nil
          ? ' (a nil return)'
          : '';
      this.emit(
        rule,
        outcome,
        first ? [first.statementId] : [],
        due,
        actual,
        outcome === 'compliant'
          ? `The ${what} was filed${nil} ${iso(actual!)}, by the deadline.`
          : outcome === 'late'
            ? `The ${what} was filed${nil} ${iso(actual!)}, ${duration(actual! - due)} after the deadline.`
            : `No public ${what} has been filed; due ${iso(due)}.`,
      );
    }
  }

  // -- risk reduction: replies within 48 hours --

  private riskResponses(): void {
    const { party, intervals } = this.scope;
    const hours = this.p['riskResponse.hours'];
    for (const r of this.ctx.requests) {
      if (r.statement.body.to !== party || !this.inWindow(r.integratedAt)) continue;
      const asker = intervals.get(r.statement.issuer);
      if (!asker || !(asker.start <= r.integratedAt && r.integratedAt < asker.end)) continue;
      const due = r.integratedAt + hours * HOUR_MS;
      const reply = (this.ctx.responses.get(r.statementId) ?? []).find(
        (x) => x.statement.issuer === party && x.index > r.index,
      );
      const actual = reply?.integratedAt ?? null;
      const outcome = this.timed(due, actual);
      if (outcome === null) continue;
      const from = r.statement.issuer;
      this.emit(
        'risk.response',
        outcome,
        reply ? [r.statementId, reply.statementId] : [r.statementId],
        due,
        actual,
        outcome === 'compliant'
          ? `The request of ${from} about an unusual activity was answered ${duration(actual! - r.integratedAt)} after it was logged; due within ${hours} hours.`
          : outcome === 'late'
            ? `The request of ${from} about an unusual activity was answered ${duration(actual! - r.integratedAt)} after it was logged; due within ${hours} hours.`
            : `The request of ${from} about an unusual activity has no public reply; due within ${hours} hours, by ${iso(due)}.`,
      );
    }
  }

  // -- observer reports --

  private observerReports(): void {
    const { party, at } = this.scope;
    const tolerance = this.p['observerReport.tolerance'];
    for (const r of this.ctx.reports) {
      const b = r.statement.body;
      if (b.hostState !== party) continue;
      const due = ms(b.period.start);
      if (!this.inWindow(due) || due > at) continue;
      const activity = this.ctx.activities.get(b.exercise);
      const observedCounts: Counts = {};
      for (const d of b.declaredVsObserved) observedCounts[d.item] = d.observed;

      let declared: ActivityVersion | undefined;
      if (activity) {
        for (const v of activity.versions) if (v.index < r.index) declared = v;
      }
      if (!declared) {
        const cited = this.ctx.byId.get(b.exercise);
        const nonPublic = cited !== undefined && cited.statement === undefined;
        if (nonPublic) {
          this.emit(
            'notification',
            'not-assessable',
            [r.statementId, b.exercise],
            due,
            null,
            `An observer report by ${r.statement.issuer} cites entry ${cited.index}, which is not public: whether the observed activity was notified cannot be judged from the public log.`,
          );
        } else if (this.notifiable(observedCounts)) {
          this.emit(
            'notification',
            'missing',
            [r.statementId],
            due,
            null,
            `Observers (${r.statement.issuer}) saw an activity of ${this.describeThresholds(observedCounts, NOTIFICATION_FIELDS, 'notification')} from ${iso(due)} for which no public exercise.notification was logged before the report.`,
          );
        } else {
          this.emit(
            'notification',
            'not-assessable',
            [r.statementId],
            due,
            null,
            `Observers (${r.statement.issuer}) saw an activity from ${iso(due)} that cites no public notification logged before the report; its observed counts do not show whether it was notifiable.`,
          );
        }
      }

      const subjects = declared
        ? [r.statementId, b.exercise, declared.statementId]
        : [r.statementId];
      if (b.declaredVsObserved.length > 0) {
        const over: string[] = [];
        for (const d of b.declaredVsObserved) {
          const dec = declared ? declared.counts[d.item] : d.declared;
          if (d.observed - dec > dec * tolerance) {
            over.push(
              `${num(d.observed)} ${FIELD_NAMES[d.item]} observed against ${num(dec)} declared`,
            );
          }
        }
        const pct = `${num(Math.round(tolerance * 10000) / 100)} %`;
        this.emit(
          'observer.counts',
          over.length > 0 ? 'discrepancy' : 'compliant',
          subjects,
          due,
          null,
          over.length > 0
            ? `Observers (${r.statement.issuer}) counted more than declared beyond the ${pct} tolerance: ${over.join('; ')}.`
            : `Observers (${r.statement.issuer}) counted no more than declared, within the ${pct} tolerance.`,
        );
      }
      this.emit(
        'observer.access',
        b.access === 'denied' ? 'missing' : 'compliant',
        subjects,
        due,
        null,
        b.access === 'denied'
          ? `Observers (${r.statement.issuer}) were denied access.`
          : `Observers (${r.statement.issuer}) had ${b.access} access.`,
      );
    }
  }

  // -- health alerts within 24 hours of assessment --

  private healthAlerts(): void {
    const hours = this.p['healthAlert.hours'];
    for (const x of this.ctx.alerts.get(this.scope.party) ?? []) {
      const b = x.statement.body;
      if (b.hazardDomain !== 'health' || b.alert.status !== 'Actual') continue;
      if (b.alert.msgType !== 'Alert' && b.alert.msgType !== 'Update') continue;
      const assessed = ms(b.assessedAt);
      if (!this.inWindow(assessed)) continue;
      const due = assessed + hours * HOUR_MS;
      const outcome = this.timed(due, x.integratedAt);
      if (outcome === null) continue;
      const event = b.alert.info?.[0]?.event ?? b.alert.identifier;
      this.emit(
        'health.alert',
        outcome,
        [x.statementId],
        due,
        x.integratedAt,
        `Health alert "${event}" assessed ${iso(assessed)} was logged ${duration(x.integratedAt - assessed)} later; due within ${hours} hours.`,
      );
    }
  }
}
