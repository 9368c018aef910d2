/**
 * Rules across statements that the ledger's admission applies to measure statements (DESIGN.md
 * §3 and §7: who may review, renew and withdraw), given the measures the log already defines.
 * Pure: the ledger passes the measure book of its prior entries (every statement, whatever its
 * visibility: admission is the ledger itself) and its admission clock.
 *
 * The clock is the admission time, a moment before integration; the notice a withdrawal gives is
 * checked against it.
 */
import type { AnyStatement, Statement } from '@cbm-ledger/protocol';
import { parseAt, prepareEntries } from './entries.js';
import type { ComplianceEntry } from './entries.js';
import { analyzeMeasure, measureBook } from './measures.js';
import type { MeasureBook } from './measures.js';
import { addMonths, DAY_MS, iso, ms } from './time.js';

export const MEASURE_ADMISSION_CODES = [
  'MEASURE_UNKNOWN',
  'MEASURE_NOT_PARTY',
  'MEASURE_EXISTS',
  'MEASURE_EXPIRED',
  'WITHDRAWAL_NOTICE_TOO_SHORT',
  'MEASURE_NOT_RENEWABLE',
  'REVIEW_NOT_SCHEDULED',
] as const;
export type MeasureAdmissionCode = (typeof MEASURE_ADMISSION_CODES)[number];

export type MeasureAdmissionResult =
  { ok: true } | { ok: false; code: MeasureAdmissionCode; detail: string };

const OK: MeasureAdmissionResult = Object.freeze({ ok: true });

function refuse(code: MeasureAdmissionCode, detail: string): MeasureAdmissionResult {
  return { ok: false, code, detail };
}

/**
 * The measure book of prior log entries for admission: every statement present counts
 * (`scope: 'all'`). Entries must be validated statements the ledger integrated.
 */
export function admissionMeasureBook(entries: readonly ComplianceEntry[]): MeasureBook {
  return measureBook(prepareEntries(entries, { at: Number.MAX_SAFE_INTEGER, scope: 'all' }));
}

/**
 * Checks a validated statement against the measures in `book` at admission time `now` (epoch ms
 * or RFC 3339 UTC). Statements other than measure.* always pass.
 *
 * - `measure.define`: the id is not yet defined (MEASURE_EXISTS).
 * - `measure.review`, `measure.renew`, `measure.withdraw`: the measure is defined
 *   (MEASURE_UNKNOWN); the issuer is one of its parties, whose withdrawal has not taken effect
 *   and, to renew or withdraw, who has not already given notice of withdrawal
 *   (MEASURE_NOT_PARTY); the measure has neither expired nor been withdrawn (MEASURE_EXPIRED).
 * - `measure.review`: `dueAt` is one of the measure's scheduled review dates
 *   (REVIEW_NOT_SCHEDULED), so that timelines can match it.
 * - `measure.renew`: the measure renews affirmatively and `newSunsetAt` follows the current
 *   sunset (MEASURE_NOT_RENEWABLE); before the sunset (MEASURE_EXPIRED).
 * - `measure.withdraw`: `effectiveAt` ≥ now + terminationNoticeDays
 *   (WITHDRAWAL_NOTICE_TOO_SHORT).
 */
export function checkMeasureAdmission(
  statement: Statement,
  now: number | string,
  book: MeasureBook,
): MeasureAdmissionResult {
  const t = typeof now === 'number' ? now : parseAt(now);
  const s = statement as AnyStatement;
  if (s.type === 'measure.define') {
    const id = s.body.id;
    return book.measures.has(id)
      ? refuse('MEASURE_EXISTS', `measure "${id}" is already defined`)
      : OK;
  }
  if (s.type !== 'measure.review' && s.type !== 'measure.renew' && s.type !== 'measure.withdraw') {
    return OK;
  }
  const id = s.body.measure;
  const record = book.measures.get(id);
  if (!record) return refuse('MEASURE_UNKNOWN', `no measure "${id}" is defined`);
  const a = analyzeMeasure(record, t);
  const body = record.define.body;

  if (!body.parties.includes(s.issuer)) {
    return refuse('MEASURE_NOT_PARTY', `${s.issuer} is not a party to "${id}"`);
  }
  // A party that gave notice of withdrawal may still record reviews until the withdrawal takes
  // effect, but can neither renew nor withdraw again.
  const withdrawal = record.withdrawals.find((w) => w.issuer === s.issuer);
  if (withdrawal && (s.type !== 'measure.review' || withdrawal.effectiveAt <= t)) {
    return refuse(
      'MEASURE_NOT_PARTY',
      `${s.issuer} withdrew from "${id}" effective ${iso(withdrawal.effectiveAt)}`,
    );
  }
  if (a.expiredAt !== null || (a.withdrawnAt !== null && a.withdrawnAt <= t)) {
    return refuse(
      'MEASURE_EXPIRED',
      a.expiredAt !== null
        ? `"${id}" expired ${iso(a.expiredAt)}`
        : `"${id}" was withdrawn ${iso(a.withdrawnAt!)}`,
    );
  }

  if (s.type === 'measure.review') {
    const dueAt = ms(s.body.dueAt);
    const firstAt = ms(body.review.firstAt);
    for (let n = 0; ; n++) {
      const d = addMonths(firstAt, n * body.review.intervalMonths);
      if (d > dueAt || d >= a.endsAt) break;
      if (d === dueAt) return OK;
    }
    return refuse('REVIEW_NOT_SCHEDULED', `no review of "${id}" is scheduled for ${iso(dueAt)}`);
  }

  if (s.type === 'measure.renew') {
    if (body.term.renewal !== 'affirmative') {
      return refuse(
        'MEASURE_NOT_RENEWABLE',
        `"${id}" has renewal "${body.term.renewal}", not affirmative`,
      );
    }
    if (t >= a.sunset)
      return refuse('MEASURE_EXPIRED', `"${id}" reached its sunset ${iso(a.sunset)}`);
    const newSunset = ms(s.body.newSunsetAt);
    if (newSunset <= a.sunset) {
      return refuse(
        'MEASURE_NOT_RENEWABLE',
        `newSunsetAt must follow the current sunset ${iso(a.sunset)}`,
      );
    }
    return OK;
  }

  const effectiveAt = ms(s.body.effectiveAt);
  const earliest = t + body.term.terminationNoticeDays * DAY_MS;
  if (effectiveAt < earliest) {
    return refuse(
      'WITHDRAWAL_NOTICE_TOO_SHORT',
      `"${id}" requires ${body.term.terminationNoticeDays} days' notice: effectiveAt must be ${iso(earliest)} or later`,
    );
  }
  return OK;
}
