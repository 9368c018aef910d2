/**
 * Measures as the log defines them: `measure.define` and the later `measure.review`,
 * `measure.renew` and `measure.withdraw` statements, folded into one record per measure id, and
 * the analysis of a record at a time `at` (terms, renewals, withdrawals, reviews, status). Shared
 * by the compliance engine, the timelines and the admission checks, so that all three agree.
 */
import type { MeasureDefineBody, RenewalMode, RuleSetId } from '@cbm-ledger/protocol';
import type { Entry } from './entries.js';
import { addMonths, DAY_MS, ms } from './time.js';

/** Where a measure statement sits in the log. */
export interface MeasureStatementRef {
  statementId: string;
  index: number;
  integratedAt: number;
  issuer: string;
}

export interface MeasureReviewRef extends MeasureStatementRef {
  dueAt: number;
  outcome: 'continue' | 'amend' | 'terminate';
}

export interface MeasureRenewRef extends MeasureStatementRef {
  newSunsetAt: number;
}

export interface MeasureWithdrawRef extends MeasureStatementRef {
  effectiveAt: number;
}

/** Everything the log says about one measure, in log order. */
export interface MeasureRecord {
  id: string;
  define: MeasureStatementRef & { body: MeasureDefineBody };
  reviews: MeasureReviewRef[];
  renewals: MeasureRenewRef[];
  /** At most one per party: its first withdrawal. */
  withdrawals: MeasureWithdrawRef[];
}

/**
 * Folds measure statements in log order. Rules: the first `measure.define` of an id defines it
 * (admission refuses a second); review, renew and withdraw count only after the define and only
 * from a party of the measure; a party's second withdrawal is ignored.
 */
export class MeasureBook {
  readonly measures = new Map<string, MeasureRecord>();

  /** Adds one entry (in index order); entries without a measure statement are ignored. */
  add(entry: Entry): void {
    const s = entry.statement;
    if (s === undefined) return;
    const ref = {
      statementId: entry.statementId,
      index: entry.index,
      integratedAt: entry.integratedAt,
      issuer: s.issuer,
    };
    switch (s.type) {
      case 'measure.define':
        if (!this.measures.has(s.body.id)) {
          this.measures.set(s.body.id, {
            id: s.body.id,
            define: { ...ref, body: s.body },
            reviews: [],
            renewals: [],
            withdrawals: [],
          });
        }
        return;
      case 'measure.review': {
        const m = this.partyMeasure(s.body.measure, s.issuer);
        m?.reviews.push({ ...ref, dueAt: ms(s.body.dueAt), outcome: s.body.outcome });
        return;
      }
      case 'measure.renew': {
        const m = this.partyMeasure(s.body.measure, s.issuer);
        m?.renewals.push({ ...ref, newSunsetAt: ms(s.body.newSunsetAt) });
        return;
      }
      case 'measure.withdraw': {
        const m = this.partyMeasure(s.body.measure, s.issuer);
        if (m && !m.withdrawals.some((w) => w.issuer === s.issuer)) {
          m.withdrawals.push({ ...ref, effectiveAt: ms(s.body.effectiveAt) });
        }
        return;
      }
      default:
        return;
    }
  }

  private partyMeasure(id: string, issuer: string): MeasureRecord | undefined {
    const m = this.measures.get(id);
    return m && m.define.body.parties.includes(issuer) ? m : undefined;
  }
}

/** A book of every measure statement among `entries` (already in index order). */
export function measureBook(entries: readonly Entry[]): MeasureBook {
  const book = new MeasureBook();
  for (const e of entries) book.add(e);
  return book;
}

export type MeasureStatus =
  | 'adopted'
  | 'in-force'
  | 'review-due'
  | 'review-overdue'
  | 'expiring'
  | 'expired'
  | 'renewed'
  | 'withdrawn';

/** How close to its sunset a measure counts as expiring. */
export const EXPIRING_WINDOW_DAYS = 90;

/** One term of a measure: from `start` (in force, or the previous sunset) to `sunset`. */
export interface MeasureTerm {
  start: number;
  sunset: number;
  /** When the renewal that extends this term beyond `sunset` took effect, if it did. */
  renewedAt?: number;
  /** Affirmative renewal: the renew statements (one per party) that carried it. */
  renewedBy?: MeasureRenewRef[];
  /** Automatic renewal refused at `sunset` by this party's withdrawal with enough notice. */
  blockedBy?: MeasureWithdrawRef;
}

export interface ReviewSlot {
  dueAt: number;
  /** Due date plus the grace days: after this without a review the review is overdue. */
  graceEnd: number;
  /** The first review recorded for this due date, if any. */
  recorded?: MeasureReviewRef;
}

export interface MeasureAnalysis {
  record: MeasureRecord;
  ruleSet: RuleSetId;
  renewal: RenewalMode;
  adoptedAt: number;
  inForceAt: number;
  terms: MeasureTerm[];
  /** The current term's sunset (the last known one). */
  sunset: number;
  /** The sunset at which the measure expired, when that lies at or before `at`. */
  expiredAt: number | null;
  /** When fewer than two parties remain (may lie after `at`: a withdrawal already notified). */
  withdrawnAt: number | null;
  /** When the measure stops binding anyone as far as the log says at `at`. */
  endsAt: number;
  /** Each party's withdrawal's effective time, if it withdrew. */
  partyEnds: ReadonlyMap<string, number>;
  /** Scheduled reviews due at or before `at`, in order. */
  reviews: ReviewSlot[];
  status: MeasureStatus;
  /** The first scheduled review due date after `at`, while the measure runs. */
  nextReviewDue: number | null;
}

/** Upper bound on terms and review slots walked, against absurd inputs (monthly to year 9999). */
const MAX_STEPS = 200_000;

/**
 * The state of a measure at `at` (epoch ms), from statements integrated by then.
 *
 * - Affirmative renewal of a term needs a `measure.renew` integrated before its sunset, with a
 *   new sunset after it, from every party still in the measure at that sunset; the term is then
 *   extended to the earliest new sunset those parties named (the one they all accepted), from
 *   the time the last of them renewed.
 * - Automatic renewal extends a term by `renewalPeriodMonths` at its sunset, unless a party gave
 *   notice of withdrawal during that term (integrated after the previous sunset), at least
 *   `terminationNoticeDays` before this sunset, taking effect at the latest at it: then the
 *   measure expires at the sunset for every party. Any other withdrawal (too little notice, or
 *   effective only in a later term) removes its party without stopping the renewal.
 * - A party stops being bound at its withdrawal's `effectiveAt`; the measure is withdrawn once
 *   fewer than two parties remain.
 * - Reviews fall due at `review.firstAt` and every `intervalMonths` after, while the measure
 *   runs; a due date is met by a `measure.review` of any party naming it, and overdue after
 *   `graceDays` without one. A review's outcome (even `terminate`) does not itself change the
 *   term: ending a measure is done by withdrawal or by letting it expire.
 */
export function analyzeMeasure(record: MeasureRecord, at: number): MeasureAnalysis {
  const body = record.define.body;
  const inForceAt = ms(body.inForceAt);
  const adoptedAt = ms(body.adoptedAt);
  const parties = body.parties;
  const partyEnds = new Map<string, number>();
  for (const w of record.withdrawals) {
    if (w.integratedAt <= at) partyEnds.set(w.issuer, w.effectiveAt);
  }
  const stillParty = (p: string, t: number): boolean => !((partyEnds.get(p) ?? Infinity) <= t);

  const ends = [...partyEnds.values()].sort((a, b) => a - b);
  const withdrawnAt = ends.length >= parties.length - 1 ? (ends[parties.length - 2] ?? null) : null;

  const terms: MeasureTerm[] = [];
  const renewal = body.term.renewal;
  const months = body.term.renewalPeriodMonths ?? 0;
  const noticeMs = body.term.terminationNoticeDays * DAY_MS;
  let start = inForceAt;
  let sunset = ms(body.term.sunsetAt);
  let previousSunset = -Infinity;
  for (let step = 0; step < MAX_STEPS; step++) {
    const term: MeasureTerm = { start, sunset };
    terms.push(term);
    if (withdrawnAt !== null && withdrawnAt <= sunset) break;
    let next: number | undefined;
    if (renewal === 'affirmative') {
      const required = parties.filter((p) => stillParty(p, sunset));
      const chosen: MeasureRenewRef[] = [];
      for (const p of required) {
        let latest: MeasureRenewRef | undefined;
        for (const r of record.renewals) {
          if (
            r.issuer === p &&
            r.integratedAt < sunset &&
            r.integratedAt <= at &&
            r.newSunsetAt > sunset
          ) {
            latest = r;
          }
        }
        if (latest) chosen.push(latest);
      }
      if (required.length >= 2 && chosen.length === required.length) {
        next = Math.min(...chosen.map((r) => r.newSunsetAt));
        term.renewedAt = Math.max(...chosen.map((r) => r.integratedAt));
        term.renewedBy = chosen;
      }
    } else if (renewal === 'automatic' && months > 0) {
      const blocking = record.withdrawals.find(
        (w) =>
          w.integratedAt <= at &&
          w.integratedAt > previousSunset &&
          w.integratedAt <= sunset - noticeMs &&
          w.effectiveAt <= sunset &&
          w.effectiveAt > previousSunset,
      );
      if (blocking) term.blockedBy = blocking;
      else if (sunset <= at) {
        next = addMonths(sunset, months);
        term.renewedAt = sunset;
      }
    }
    if (next === undefined) break;
    previousSunset = sunset;
    start = sunset;
    sunset = next;
  }
  const current = terms[terms.length - 1]!;
  sunset = current.sunset;
  const expiredAt = current.renewedAt === undefined && sunset <= at ? sunset : null;
  const endsAt = Math.min(sunset, withdrawnAt ?? Infinity);

  const reviews: ReviewSlot[] = [];
  const firstAt = ms(body.review.firstAt);
  const graceMs = body.review.graceDays * DAY_MS;
  let nextReviewDue: number | null = null;
  for (let n = 0; n < MAX_STEPS; n++) {
    const dueAt = addMonths(firstAt, n * body.review.intervalMonths);
    if (dueAt >= endsAt) break;
    if (dueAt > at) {
      nextReviewDue = dueAt;
      break;
    }
    const slot: ReviewSlot = { dueAt, graceEnd: dueAt + graceMs };
    const recorded = record.reviews.find((r) => r.dueAt === dueAt && r.integratedAt <= at);
    if (recorded) slot.recorded = recorded;
    reviews.push(slot);
  }

  let status: MeasureStatus;
  const unrecorded = reviews.filter((r) => r.recorded === undefined);
  const renewalCertain = renewal === 'automatic' && months > 0 && current.blockedBy === undefined;
  if (withdrawnAt !== null && withdrawnAt <= at) status = 'withdrawn';
  else if (expiredAt !== null) status = 'expired';
  else if (at < inForceAt) status = 'adopted';
  else if (unrecorded.some((r) => at > r.graceEnd)) status = 'review-overdue';
  else if (unrecorded.some((r) => at >= r.dueAt)) status = 'review-due';
  else if (!renewalCertain && at >= sunset - EXPIRING_WINDOW_DAYS * DAY_MS) status = 'expiring';
  else if (terms.length > 1) status = 'renewed';
  else status = 'in-force';

  return {
    record,
    ruleSet: body.ruleSet,
    renewal,
    adoptedAt,
    inForceAt,
    terms,
    sunset,
    expiredAt,
    withdrawnAt,
    endsAt,
    partyEnds,
    reviews,
    status,
    nextReviewDue,
  };
}

/**
 * The interval [start, end) during which `party` is bound by the measure: from its in-force
 * date until the measure ends or the party's withdrawal takes effect. Undefined for a
 * non-party.
 */
export function partyInterval(
  a: MeasureAnalysis,
  party: string,
): { start: number; end: number } | undefined {
  if (!a.record.define.body.parties.includes(party)) return undefined;
  const end = Math.min(a.endsAt, a.partyEnds.get(party) ?? Infinity);
  return end > a.inForceAt ? { start: a.inForceAt, end } : undefined;
}
