import { validateStatement } from '@cbm-ledger/protocol';
import type { Statement, StatementBodies, StatementType } from '@cbm-ledger/protocol';
import { describe, expect, it } from 'vitest';
import { admissionMeasureBook, checkMeasureAdmission } from '../src/index.js';
import { FIXTURE_ORIGIN, LogBuilder, measure, STATES } from '../src/testing.js';
import { fakeNonce } from '@cbm-ledger/protocol/testing';

const JOR = 'state:JOR';
const EGY = 'state:EGY';
const ISR = 'state:ISR';

function prior(): LogBuilder {
  const log = new LogBuilder();
  log.registry(STATES, '2026-01-05T08:00:00.000Z');
  log.add(
    'measure.define',
    JOR,
    measure({
      id: 'incidents-at-sea',
      parties: [JOR, EGY],
      adoptedAt: '2026-02-01T00:00:00Z',
      inForceAt: '2026-02-01T00:00:00Z',
      sunsetAt: '2027-05-01T00:00:00Z',
      renewal: 'affirmative',
      renewalPeriodMonths: 24,
      terminationNoticeDays: 90,
      review: { firstAt: '2026-11-01T00:00:00Z', intervalMonths: 6 },
    }),
    '2026-02-01T10:00:00.000Z',
  );
  log.add(
    'measure.define',
    EGY,
    measure({
      id: 'air-safety',
      parties: [JOR, EGY, ISR],
      adoptedAt: '2026-03-01T00:00:00Z',
      inForceAt: '2026-03-01T00:00:00Z',
      sunsetAt: '2027-03-01T00:00:00Z',
      renewal: 'automatic',
      renewalPeriodMonths: 12,
    }),
    '2026-03-01T10:00:00.000Z',
    // Admission reads every statement, whatever its visibility.
    { visibility: 'participants' },
  );
  log.add(
    'measure.withdraw',
    ISR,
    { measure: 'air-safety', effectiveAt: '2026-09-01T00:00:00Z' },
    '2026-04-01T10:00:00.000Z',
  );
  return log;
}

const book = admissionMeasureBook(prior().entries);

function statement<T extends StatementType>(
  type: T,
  issuer: string,
  body: StatementBodies[T],
): Statement {
  return validateStatement({
    v: 1,
    ledger: FIXTURE_ORIGIN,
    type,
    issuer,
    seq: 1,
    prev: null,
    issuedAt: '2026-05-01T00:00:00Z',
    nonce: fakeNonce(`${type}:${issuer}`),
    visibility: 'public',
    body,
  });
}

const check = (s: Statement, now: string): string => {
  const r = checkMeasureAdmission(s, now, book);
  return r.ok ? 'ok' : r.code;
};

const NOW = '2026-06-01T00:00:00Z';

describe('admission rules for measure statements', () => {
  it.each([
    [
      'a new measure id',
      statement(
        'measure.define',
        JOR,
        measure({
          id: 'new-measure',
          parties: [JOR, EGY],
          adoptedAt: NOW,
          inForceAt: NOW,
          sunsetAt: '2030-01-01T00:00:00Z',
        }),
      ),
      NOW,
      'ok',
    ],
    [
      'a measure id already defined',
      statement(
        'measure.define',
        JOR,
        measure({
          id: 'incidents-at-sea',
          parties: [JOR, EGY],
          adoptedAt: NOW,
          inForceAt: NOW,
          sunsetAt: '2030-01-01T00:00:00Z',
        }),
      ),
      NOW,
      'MEASURE_EXISTS',
    ],
    [
      'a measure id defined with participants visibility',
      statement(
        'measure.define',
        JOR,
        measure({
          id: 'air-safety',
          parties: [JOR, EGY],
          adoptedAt: NOW,
          inForceAt: NOW,
          sunsetAt: '2030-01-01T00:00:00Z',
        }),
      ),
      NOW,
      'MEASURE_EXISTS',
    ],
    [
      'a review of an unknown measure',
      statement('measure.review', JOR, {
        measure: 'no-such-measure',
        dueAt: '2026-11-01T00:00:00Z',
        outcome: 'continue',
      }),
      NOW,
      'MEASURE_UNKNOWN',
    ],
    [
      'a review by a non-party',
      statement('measure.review', ISR, {
        measure: 'incidents-at-sea',
        dueAt: '2026-11-01T00:00:00Z',
        outcome: 'continue',
      }),
      NOW,
      'MEASURE_NOT_PARTY',
    ],
    [
      'a review for a date falling at the sunset',
      statement('measure.review', EGY, {
        measure: 'incidents-at-sea',
        dueAt: '2027-05-01T00:00:00Z',
        outcome: 'continue',
      }),
      NOW,
      'REVIEW_NOT_SCHEDULED',
    ],
    [
      'a review by a party for a scheduled date',
      statement('measure.review', EGY, {
        measure: 'incidents-at-sea',
        dueAt: '2026-11-01T00:00:00Z',
        outcome: 'amend',
      }),
      NOW,
      'ok',
    ],
    [
      'a review by a party for a date that is not scheduled',
      statement('measure.review', EGY, {
        measure: 'incidents-at-sea',
        dueAt: '2026-12-01T00:00:00Z',
        outcome: 'continue',
      }),
      NOW,
      'REVIEW_NOT_SCHEDULED',
    ],
    [
      'a renewal by a party before the sunset',
      statement('measure.renew', JOR, {
        measure: 'incidents-at-sea',
        newSunsetAt: '2029-05-01T00:00:00Z',
      }),
      NOW,
      'ok',
    ],
    [
      'a renewal by a non-party',
      statement('measure.renew', ISR, {
        measure: 'incidents-at-sea',
        newSunsetAt: '2029-05-01T00:00:00Z',
      }),
      NOW,
      'MEASURE_NOT_PARTY',
    ],
    [
      'a renewal after the sunset',
      statement('measure.renew', JOR, {
        measure: 'incidents-at-sea',
        newSunsetAt: '2029-05-01T00:00:00Z',
      }),
      '2027-05-01T00:00:00Z',
      'MEASURE_EXPIRED',
    ],
    [
      'a renewal to a sunset not after the current one',
      statement('measure.renew', JOR, {
        measure: 'incidents-at-sea',
        newSunsetAt: '2027-05-01T00:00:00Z',
      }),
      NOW,
      'MEASURE_NOT_RENEWABLE',
    ],
    [
      'a renewal of a measure that renews automatically',
      statement('measure.renew', JOR, {
        measure: 'air-safety',
        newSunsetAt: '2029-05-01T00:00:00Z',
      }),
      NOW,
      'MEASURE_NOT_RENEWABLE',
    ],
    [
      'a withdrawal with enough notice',
      statement('measure.withdraw', EGY, {
        measure: 'incidents-at-sea',
        effectiveAt: '2026-08-30T00:00:00Z',
      }),
      NOW,
      'ok',
    ],
    [
      'a withdrawal with a day too little notice',
      statement('measure.withdraw', EGY, {
        measure: 'incidents-at-sea',
        effectiveAt: '2026-08-29T23:59:59Z',
      }),
      NOW,
      'WITHDRAWAL_NOTICE_TOO_SHORT',
    ],
    [
      'a second withdrawal by a party that already withdrew',
      statement('measure.withdraw', ISR, {
        measure: 'air-safety',
        effectiveAt: '2027-01-01T00:00:00Z',
      }),
      NOW,
      'MEASURE_NOT_PARTY',
    ],
    [
      'a review by a party whose withdrawal is not yet effective',
      statement('measure.review', ISR, {
        measure: 'air-safety',
        dueAt: '2026-03-01T00:00:00Z',
        outcome: 'continue',
      }),
      '2026-08-01T00:00:00Z',
      'ok',
    ],
    [
      'a review by a party whose withdrawal took effect',
      statement('measure.review', ISR, {
        measure: 'air-safety',
        dueAt: '2026-03-01T00:00:00Z',
        outcome: 'continue',
      }),
      '2026-09-01T00:00:00Z',
      'MEASURE_NOT_PARTY',
    ],
    [
      'a renewal by a party that gave notice of withdrawal',
      statement('measure.renew', ISR, {
        measure: 'air-safety',
        newSunsetAt: '2029-05-01T00:00:00Z',
      }),
      '2026-05-01T00:00:00Z',
      'MEASURE_NOT_PARTY',
    ],
    [
      'a withdrawal from an expired measure',
      statement('measure.withdraw', JOR, {
        measure: 'incidents-at-sea',
        effectiveAt: '2028-01-01T00:00:00Z',
      }),
      '2027-06-01T00:00:00Z',
      'MEASURE_EXPIRED',
    ],
    [
      'a statement of another type',
      statement('info.exchange', JOR, {
        year: 2027,
        holdings: {
          personnel: 1,
          battleTanks: 0,
          acv: 0,
          artillery: 0,
          combatAircraft: 0,
          combatHelicopters: 0,
        },
      }),
      NOW,
      'ok',
    ],
  ])('answers %s', (_what, s, now, expected) => {
    expect(check(s, now)).toBe(expected);
  });

  it('explains a refusal', () => {
    const r = checkMeasureAdmission(
      statement('measure.withdraw', EGY, {
        measure: 'incidents-at-sea',
        effectiveAt: '2026-07-01T00:00:00Z',
      }),
      Date.parse(NOW),
      book,
    );
    expect(r).toEqual({
      ok: false,
      code: 'WITHDRAWAL_NOTICE_TOO_SHORT',
      detail:
        '"incidents-at-sea" requires 90 days\' notice: effectiveAt must be 2026-08-30T00:00:00.000Z or later',
    });
  });
});
