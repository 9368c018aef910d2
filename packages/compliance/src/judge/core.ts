/**
 * What every rule family shares (split out of engine.ts by rule family, issue 10): the log
 * indexed once per report (Context), the scope of one party under one measure, and JudgeCore,
 * the helpers that turn deadlines into findings. Rule families live beside this file, one
 * module each, as free functions of a JudgeCore; judge/index.ts runs them in a fixed order.
 */
import type {
  ActivityCounts,
  CalendarActivity,
  CountField,
  RuleSetId,
  Statement,
  TypedStatement,
} from '@cbm-ledger/protocol';
import { collectActivities } from '../activities.js';
import type { Activity, ActivityVersion } from '../activities.js';
import type { ClaimBasis, ClaimJudge, ClaimRecord } from '../claims.js';
import type { Finding, Outcome } from '../finding.js';
import type { Entry } from '../entries.js';
import type { RuleId } from '../rules.js';
import type { RuleParameters, RulesVersion } from '../rulesets.js';
import { DAY_MS, dateMs, endOfDay, iso, num, yearOf } from '../time.js';

/** Code-unit order, as JCS sorts keys: never locale-dependent. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- the log, indexed -----------------------------------------------------------------------

export interface Logged<T> {
  statementId: string;
  index: number;
  integratedAt: number;
  statement: T;
}

export interface Context {
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

export function buildContext(entries: readonly Entry[]): Context {
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

export interface JudgeScope {
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

export type Counts = Partial<Record<CountField, number>>;

export const NOTIFICATION_FIELDS = [
  'troops',
  'battleTanks',
  'acv',
  'artillery',
  'aircraftSorties',
  'amphibiousTroops',
  'airborneTroops',
] as const satisfies readonly CountField[];

export const OBSERVATION_FIELDS = [
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

export function calendarCounts(a: CalendarActivity): Counts {
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

export class JudgeCore {
  readonly findings: Finding[] = [];
  readonly claims: ClaimRecord[] = [];
  readonly p: RuleParameters;

  constructor(
    readonly ctx: Context,
    readonly scope: JudgeScope,
  ) {
    this.p = scope.params;
  }

  claimJudge(): ClaimJudge {
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

  inWindow(t: number): boolean {
    return this.scope.interval.start <= t && t < this.scope.interval.end;
  }

  /**
   * The outcome of a deadline, or null while it cannot be judged yet (not due and not met).
   */
  timed(due: number, actual: number | null): Outcome | null {
    if (actual !== null && actual <= due) return 'compliant';
    if (due > this.scope.at) return null;
    return actual === null ? 'missing' : 'late';
  }

  emit(
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

  meets(counts: Counts, fields: readonly CountField[], prefix: string): CountField[] {
    return fields.filter((f) => {
      const threshold = this.p[`${prefix}.${f}` as keyof RuleParameters];
      const n = counts[f];
      return n !== undefined && n >= threshold;
    });
  }

  notifiable(counts: Counts): boolean {
    return this.meets(counts, NOTIFICATION_FIELDS, 'notification').length > 0;
  }

  observable(counts: Counts): boolean {
    return this.meets(counts, OBSERVATION_FIELDS, 'observation').length > 0;
  }

  describeThresholds(counts: Counts, fields: readonly CountField[], prefix: string): string {
    return this.meets(counts, fields, prefix)
      .map((f) => {
        const threshold = this.p[`${prefix}.${f}` as keyof RuleParameters];
        return `${num(counts[f] ?? 0)} ${FIELD_NAMES[f]} (threshold ${num(threshold)})`;
      })
      .join(', ');
  }

  isLarge(c: ActivityCounts): boolean {
    return c.troops > this.p['large.troops'] || c.battleTanks > this.p['large.battleTanks'];
  }

  isConstrained(c: ActivityCounts): boolean {
    return (
      c.troops > this.p['constrained.troops'] || c.battleTanks > this.p['constrained.battleTanks']
    );
  }

  isLarger(c: ActivityCounts): boolean {
    return (
      c.troops > this.p['constrained.largerTroops'] ||
      c.battleTanks > this.p['constrained.largerBattleTanks']
    );
  }

  /** The calendar deadline day (15 November by default) of calendar year `year`. */
  calendarDeadline(year: number): number {
    return endOfDay(year, this.p['calendar.deadlineMonth'], this.p['calendar.deadlineDay']);
  }

  notificationDue(a: Activity, v: ActivityVersion): number {
    return a.noticeClass === 'alert'
      ? v.start
      : v.start - this.p['notification.leadTimeDays'] * DAY_MS;
  }

  calendars(): Logged<TypedStatement<'calendar.annual'>>[] {
    return this.ctx.calendars.get(this.scope.party) ?? [];
  }

  /** The first calendar of the party (optionally for `year`) listing a designation starting in `startYear`. */
  firstListing(
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
}
