import { describe, expect, it } from 'vitest';
import { ComplianceInputError, evaluateCompliance } from '../src/index.js';
import type { ComplianceReport, Finding } from '../src/index.js';
import {
  calendarActivity,
  FIXTURE_ORIGIN,
  healthAlert,
  LogBuilder,
  measure,
  notification,
  observerReport,
  ROOT_HASH,
  STATES,
} from '../src/testing.js';
import type { MeasureSpec } from '../src/testing.js';

const JOR = 'state:JOR';
const EGY = 'state:EGY';
const ISR = 'state:ISR';

/** A log with one measure between Jordan and Egypt, in force from 2026-01-01 for ten years. */
function setup(spec: Partial<MeasureSpec> = {}): LogBuilder {
  const log = new LogBuilder();
  log.registry(STATES, '2025-12-01T00:00:00.000Z');
  log.add(
    'measure.define',
    JOR,
    measure({
      id: 'test-measure',
      parties: [JOR, EGY],
      adoptedAt: '2025-12-15T00:00:00Z',
      inForceAt: '2026-01-01T00:00:00Z',
      sunsetAt: '2036-01-01T00:00:00Z',
      review: { firstAt: '2030-01-01T00:00:00Z' },
      ...spec,
    }),
    '2025-12-15T12:00:00.000Z',
  );
  return log;
}

/** Judged by rules 1.0.0, the contract these cases were written for (claims.test.ts: 2.0.0). */
function evaluate(log: LogBuilder, at: string): ComplianceReport {
  return evaluateCompliance({
    ledger: FIXTURE_ORIGIN,
    treeSize: log.entries.length,
    rootHash: ROOT_HASH,
    at,
    entries: log.entries,
    rulesVersion: '1.0.0',
  });
}

const byRule = (r: ComplianceReport, rule: string, party = JOR): Finding[] =>
  r.findings.filter((f) => f.rule === rule && f.party === party);

describe('exercise updates and cancellations', () => {
  it('judges an update raising the counts over the threshold from the update’s integration', () => {
    const log = setup();
    const n = log.add(
      'exercise.notification',
      JOR,
      notification({
        designation: 'SAND STORM',
        start: '2026-06-01T05:00:00Z',
        end: '2026-06-05T18:00:00Z',
        counts: { troops: 8000 },
      }),
      '2026-04-01T10:00:00.000Z',
    );
    const u = log.add(
      'exercise.update',
      JOR,
      {
        notification: n.id,
        changes: {
          counts: notification({
            designation: 'x',
            start: '2026-06-01T05:00:00Z',
            end: '2026-06-05T18:00:00Z',
            counts: { troops: 9500 },
          }).counts,
        },
        reason: 'Reinforced.',
      },
      '2026-05-10T10:00:00.000Z',
    );
    const [f] = byRule(evaluate(log, '2026-07-01T00:00:00Z'), 'notification');
    expect(f).toMatchObject({
      outcome: 'late',
      due: '2026-04-20T05:00:00.000Z',
      actual: '2026-05-10T10:00:00.000Z',
      subjects: [n.id, u.id].sort(),
    });
  });

  it('keeps an on-time notification compliant when an update only raises counts further', () => {
    const log = setup();
    const n = log.add(
      'exercise.notification',
      JOR,
      notification({
        designation: 'SAND STORM',
        start: '2026-06-01T05:00:00Z',
        end: '2026-06-05T18:00:00Z',
        counts: { troops: 10000 },
        invited: false,
      }),
      '2026-04-01T10:00:00.000Z',
    );
    // The update takes the activity over the observation threshold and invites observers, but
    // only after the notification deadline.
    log.add(
      'exercise.update',
      JOR,
      {
        notification: n.id,
        changes: {
          counts: notification({
            designation: 'x',
            start: '2026-06-01T05:00:00Z',
            end: '2026-06-05T18:00:00Z',
            counts: { troops: 14000 },
          }).counts,
          observation: { invited: true, invitees: ['observer:un-team'] },
        },
      },
      '2026-05-10T10:00:00.000Z',
    );
    const r = evaluate(log, '2026-07-01T00:00:00Z');
    expect(byRule(r, 'notification')[0]).toMatchObject({
      outcome: 'compliant',
      actual: '2026-04-01T10:00:00.000Z',
    });
    expect(byRule(r, 'observation.invitation')[0]).toMatchObject({
      outcome: 'late',
      due: '2026-04-20T05:00:00.000Z',
      actual: '2026-05-10T10:00:00.000Z',
    });
    // Moved by the update to 14,000 troops: a constrained activity.
    expect(byRule(r, 'constrained.per-year').map((f) => f.outcome)).toEqual(['compliant']);
  });

  it('judges a moved start date against the new start', () => {
    const log = setup();
    const n = log.add(
      'exercise.notification',
      JOR,
      notification({
        designation: 'EARLY BIRD',
        start: '2026-06-01T05:00:00Z',
        end: '2026-06-05T18:00:00Z',
        counts: { troops: 9000 },
      }),
      '2026-04-15T10:00:00.000Z',
    );
    log.add(
      'exercise.update',
      JOR,
      { notification: n.id, changes: { start: '2026-05-20T05:00:00Z' } },
      '2026-04-20T10:00:00.000Z',
    );
    const [f] = byRule(evaluate(log, '2026-07-01T00:00:00Z'), 'notification');
    expect(f).toMatchObject({ outcome: 'late', due: '2026-04-08T05:00:00.000Z' });
  });

  it('does not judge obligations falling due after a cancellation', () => {
    const log = setup();
    const n = log.add(
      'exercise.notification',
      JOR,
      notification({
        designation: 'CANCELLED',
        start: '2026-09-01T05:00:00Z',
        end: '2026-09-05T18:00:00Z',
        counts: { troops: 20000 },
        invited: false,
      }),
      '2026-03-01T10:00:00.000Z',
    );
    log.add(
      'exercise.cancel',
      JOR,
      { notification: n.id, reason: 'Budget.' },
      '2026-04-01T10:00:00.000Z',
    );
    const r = evaluate(log, '2026-12-01T00:00:00Z');
    expect(r.findings.filter((f) => f.subjects.includes(n.id))).toEqual([]);
  });

  it('ignores updates and cancellations by anyone but the notifying state', () => {
    const log = setup();
    const n = log.add(
      'exercise.notification',
      JOR,
      notification({
        designation: 'OWN EXERCISE',
        start: '2026-09-01T05:00:00Z',
        end: '2026-09-05T18:00:00Z',
        counts: { troops: 9000 },
      }),
      '2026-03-01T10:00:00.000Z',
    );
    log.add(
      'exercise.cancel',
      EGY,
      { notification: n.id, reason: 'Not ours.' },
      '2026-04-01T10:00:00.000Z',
    );
    const [f] = byRule(evaluate(log, '2026-12-01T00:00:00Z'), 'notification');
    expect(f).toMatchObject({ outcome: 'compliant', subjects: [n.id] });
  });
});

describe('constraining provisions', () => {
  function exercise(
    log: LogBuilder,
    name: string,
    start: string,
    end: string,
    troops: number,
    at: string,
  ): string {
    return log.add(
      'exercise.notification',
      JOR,
      notification({ designation: name, start, end, counts: { troops } }),
      at,
    ).id;
  }

  it('allows one large activity in three calendar years and requires two years’ announcement', () => {
    const log = setup();
    log.add(
      'calendar.annual',
      JOR,
      {
        year: 2026,
        nil: false,
        activities: [calendarActivity('GRAND 27', '2027-05-01', '2027-05-10', 45000)],
      },
      '2026-01-10T10:00:00.000Z',
    );
    const first = exercise(
      log,
      'GRAND 27',
      '2027-05-01T05:00:00Z',
      '2027-05-10T18:00:00Z',
      45000,
      '2027-02-01T10:00:00.000Z',
    );
    const second = exercise(
      log,
      'GRAND 28',
      '2028-05-01T05:00:00Z',
      '2028-05-10T18:00:00Z',
      41000,
      '2028-02-01T10:00:00.000Z',
    );
    const r = evaluate(log, '2028-12-31T00:00:00Z');
    const limit = byRule(r, 'large.limit');
    expect(limit.map((f) => [f.subjects, f.outcome])).toEqual([
      [[first], 'compliant'],
      [[first, second].sort(), 'exceeded'],
    ]);
    const announced = byRule(r, 'large.announcement');
    // GRAND 27 was due by 15 November 2025, before the measure was in force: not judged.
    // GRAND 28 was due by 15 November 2026 and never announced.
    expect(announced.map((f) => [f.due, f.outcome])).toEqual([
      ['2026-11-15T23:59:59.999Z', 'missing'],
    ]);
    expect(byRule(r, 'constrained.per-year')).toEqual([]);
    expect(byRule(r, 'constrained.concurrent').map((f) => f.outcome)).toEqual([
      'compliant',
      'compliant',
    ]);
  });

  it('counts large activities in any window of three calendar years', () => {
    const log = setup();
    exercise(
      log,
      'L1',
      '2026-05-01T05:00:00Z',
      '2026-05-03T18:00:00Z',
      50000,
      '2026-03-01T10:00:00.000Z',
    );
    exercise(
      log,
      'L2',
      '2029-05-01T05:00:00Z',
      '2029-05-03T18:00:00Z',
      50000,
      '2029-03-01T10:00:00.000Z',
    );
    const r = evaluate(log, '2029-12-31T00:00:00Z');
    expect(byRule(r, 'large.limit').map((f) => f.outcome)).toEqual(['compliant', 'compliant']);
  });

  it('allows six constrained activities a year, three of them above 25,000 troops', () => {
    const log = setup();
    const ids: string[] = [];
    const troops = [14000, 26000, 27000, 28000, 15000, 16000, 17000];
    troops.forEach((t, i) => {
      const month = String(i + 3).padStart(2, '0');
      ids.push(
        exercise(
          log,
          `C${i + 1}`,
          `2026-${month}-10T05:00:00Z`,
          `2026-${month}-12T18:00:00Z`,
          t,
          `2026-01-${10 + i}T10:00:00.000Z`,
        ),
      );
    });
    const eighth = exercise(
      log,
      'C8',
      '2026-11-10T05:00:00Z',
      '2026-11-12T18:00:00Z',
      29000,
      '2026-09-20T10:00:00.000Z',
    );
    const r = evaluate(log, '2026-12-31T00:00:00Z');
    expect(byRule(r, 'constrained.per-year').map((f) => f.outcome)).toEqual([
      'compliant',
      'compliant',
      'compliant',
      'compliant',
      'compliant',
      'compliant',
      'exceeded',
      'exceeded',
    ]);
    const seventh = byRule(r, 'constrained.per-year')[6]!;
    expect(seventh.subjects).toEqual([...ids].sort());
    expect(seventh.detail).toContain('constrained activity number 7 of 2026; at most 6 allowed');
    // Beyond the limit, a finding names the activity and the six that used up the quota.
    expect(byRule(r, 'constrained.per-year')[7]!.subjects).toEqual(
      [eighth, ...ids.slice(0, 6)].sort(),
    );
    expect(byRule(r, 'constrained.larger-per-year').map((f) => f.outcome)).toEqual([
      'compliant',
      'compliant',
      'compliant',
      'exceeded',
    ]);
  });

  it('allows three constrained activities at once', () => {
    const log = setup();
    const a = exercise(
      log,
      'A',
      '2026-06-01T00:00:00Z',
      '2026-06-20T00:00:00Z',
      14000,
      '2026-03-01T10:00:00.000Z',
    );
    const b = exercise(
      log,
      'B',
      '2026-06-02T00:00:00Z',
      '2026-06-20T00:00:00Z',
      50000,
      '2026-03-02T10:00:00.000Z',
    );
    const c = exercise(
      log,
      'C',
      '2026-06-03T00:00:00Z',
      '2026-06-20T00:00:00Z',
      14000,
      '2026-03-03T10:00:00.000Z',
    );
    const d = exercise(
      log,
      'D',
      '2026-06-04T00:00:00Z',
      '2026-06-20T00:00:00Z',
      14000,
      '2026-03-04T10:00:00.000Z',
    );
    const e = exercise(
      log,
      'E',
      '2026-06-20T00:00:00Z',
      '2026-06-25T00:00:00Z',
      14000,
      '2026-03-05T10:00:00.000Z',
    );
    const r = evaluate(log, '2026-12-31T00:00:00Z');
    const concurrent = byRule(r, 'constrained.concurrent');
    expect(concurrent.map((f) => f.outcome)).toEqual([
      'compliant',
      'compliant',
      'compliant',
      'exceeded',
      'compliant',
    ]);
    expect(concurrent[3]!.subjects).toEqual([a, b, c, d].sort());
    expect(concurrent[4]!.subjects).toEqual([e]);
  });

  it('does not count an activity cancelled before its start', () => {
    const log = setup();
    exercise(
      log,
      'L1',
      '2026-05-01T05:00:00Z',
      '2026-05-03T18:00:00Z',
      50000,
      '2026-03-01T10:00:00.000Z',
    );
    const l2 = exercise(
      log,
      'L2',
      '2027-05-01T05:00:00Z',
      '2027-05-03T18:00:00Z',
      50000,
      '2027-03-01T10:00:00.000Z',
    );
    log.add(
      'exercise.cancel',
      JOR,
      { notification: l2, reason: 'Called off.' },
      '2027-04-01T10:00:00.000Z',
    );
    exercise(
      log,
      'L3',
      '2028-05-01T05:00:00Z',
      '2028-05-03T18:00:00Z',
      50000,
      '2028-03-01T10:00:00.000Z',
    );
    const r = evaluate(log, '2028-12-31T00:00:00Z');
    expect(byRule(r, 'large.limit').map((f) => f.outcome)).toEqual(['compliant', 'exceeded']);
  });
});

describe('measure parameters and terms', () => {
  it('applies a measure’s overrides by parameter name', () => {
    const log = setup({
      overrides: {
        'notification.leadTimeDays': 30,
        'observerReport.tolerance': 0.2,
        'riskResponse.hours': 24,
      },
    });
    const n = log.add(
      'exercise.notification',
      JOR,
      notification({
        designation: 'SHORT NOTICE',
        start: '2026-06-01T05:00:00Z',
        end: '2026-06-05T18:00:00Z',
        counts: { troops: 9000 },
      }),
      '2026-04-25T10:00:00.000Z',
    );
    log.add(
      'observer.report',
      'observer:un-team',
      observerReport(
        n.id,
        JOR,
        { start: '2026-06-02T06:00:00Z', end: '2026-06-02T18:00:00Z' },
        [{ item: 'troops', declared: 9000, observed: 10500 }],
        'full',
      ),
      '2026-06-03T10:00:00.000Z',
    );
    const q = log.add(
      'risk.request',
      EGY,
      { to: JOR, activity: { description: 'Movements.' }, question: 'Why?' },
      '2026-07-01T10:00:00.000Z',
    );
    log.add(
      'risk.response',
      JOR,
      { request: q.id, answer: 'Rotation.' },
      '2026-07-02T12:00:00.000Z',
    );
    const r = evaluate(log, '2026-12-31T00:00:00Z');
    expect(byRule(r, 'notification')[0]).toMatchObject({
      outcome: 'compliant',
      due: '2026-05-02T05:00:00.000Z',
    });
    expect(byRule(r, 'observer.counts')[0]).toMatchObject({ outcome: 'compliant' });
    expect(byRule(r, 'observer.counts')[0]!.detail).toContain('within the 20 % tolerance');
    expect(byRule(r, 'risk.response')[0]).toMatchObject({
      outcome: 'late',
      due: '2026-07-02T10:00:00.000Z',
    });
  });

  it('stops producing obligations when a measure expires', () => {
    const log = setup({ sunsetAt: '2026-10-01T00:00:00Z' });
    log.add(
      'exercise.notification',
      JOR,
      notification({
        designation: 'AFTER SUNSET',
        start: '2026-11-20T05:00:00Z',
        end: '2026-11-25T18:00:00Z',
        counts: { troops: 9000 },
      }),
      '2026-11-01T10:00:00.000Z',
    );
    const r = evaluate(log, '2027-06-01T00:00:00Z');
    // The 2027 calendar (due 15 November 2026) and information exchange fall after the sunset.
    expect(r.findings).toEqual([]);
  });

  it('stops producing obligations when fewer than two parties remain', () => {
    const log = setup({ terminationNoticeDays: 30 });
    log.add(
      'measure.withdraw',
      EGY,
      { measure: 'test-measure', effectiveAt: '2026-08-01T00:00:00Z' },
      '2026-06-01T10:00:00.000Z',
    );
    const r = evaluate(log, '2027-06-01T00:00:00Z');
    expect(r.findings.filter((f) => f.party === JOR)).toEqual([]);
  });
});

describe('deadlines', () => {
  it('judges health alerts against integration, not the issuer’s own clock', () => {
    const log = setup();
    const onTime = log.add(
      'datashare.alert',
      EGY,
      healthAlert('A1', 'Measles cluster', '2026-03-01T08:00:00Z'),
      '2026-03-02T07:59:00.000Z',
    );
    log.add(
      'datashare.alert',
      EGY,
      healthAlert('A2', 'Drill', '2026-03-01T08:00:00Z', 'Exercise'),
      '2026-03-10T07:59:00.000Z',
    );
    const r = evaluate(log, '2026-12-31T00:00:00Z');
    expect(byRule(r, 'health.alert', EGY)).toEqual([
      expect.objectContaining({
        outcome: 'compliant',
        subjects: [onTime.id],
        actual: '2026-03-02T07:59:00.000Z',
      }),
    ]);
  });

  it('accepts a calendar filed during the deadline day itself', () => {
    const log = setup();
    log.add(
      'calendar.annual',
      JOR,
      { year: 2027, nil: true, activities: [] },
      '2026-11-15T23:59:59.999Z',
    );
    log.add(
      'calendar.annual',
      EGY,
      { year: 2027, nil: true, activities: [] },
      '2026-11-16T00:00:00.000Z',
    );
    const r = evaluate(log, '2026-12-31T00:00:00Z');
    expect(byRule(r, 'calendar.annual', JOR)[0]?.outcome).toBe('compliant');
    expect(byRule(r, 'calendar.annual', EGY)[0]?.outcome).toBe('late');
  });

  it('asks for a reply only between parties of the measure', () => {
    const log = setup();
    log.add(
      'risk.request',
      ISR,
      { to: JOR, activity: { description: 'Flights.' }, question: 'Why?' },
      '2026-03-01T10:00:00.000Z',
    );
    const r = evaluate(log, '2026-12-31T00:00:00Z');
    expect(byRule(r, 'risk.response')).toEqual([]);
  });

  it('cannot assess an observed activity whose cited notification is not public', () => {
    const log = setup();
    const hidden = log.add(
      'exercise.notification',
      JOR,
      notification({
        designation: 'HIDDEN',
        start: '2026-06-01T05:00:00Z',
        end: '2026-06-05T18:00:00Z',
        counts: { troops: 9000 },
      }),
      '2026-03-01T10:00:00.000Z',
      { visibility: 'participants' },
    );
    const report = log.add(
      'observer.report',
      'observer:un-team',
      observerReport(
        hidden.id,
        JOR,
        { start: '2026-06-02T06:00:00Z', end: '2026-06-02T18:00:00Z' },
        [{ item: 'troops', declared: 9000, observed: 9100 }],
        'full',
      ),
      '2026-06-03T10:00:00.000Z',
    );
    const r = evaluate(log, '2026-12-31T00:00:00Z');
    expect(byRule(r, 'notification')).toEqual([
      expect.objectContaining({
        outcome: 'not-assessable',
        subjects: [hidden.id, report.id].sort(),
      }),
    ]);
    expect(byRule(r, 'observer.counts')[0]?.outcome).toBe('compliant');
  });
});

describe('malformed input', () => {
  const log = setup();
  const base = {
    ledger: FIXTURE_ORIGIN,
    treeSize: log.entries.length,
    rootHash: ROOT_HASH,
    at: '2026-12-31T00:00:00Z',
    entries: log.entries,
  };
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      if (e instanceof ComplianceInputError) return e.code;
      throw e;
    }
    return undefined;
  };

  it.each([
    ['an `at` without a time zone', { at: '2026-12-31T00:00:00' }, 'INVALID_AT'],
    ['an `at` with an offset', { at: '2026-12-31T00:00:00+02:00' }, 'INVALID_AT'],
    ['an impossible date', { at: '2026-02-30T00:00:00Z' }, 'INVALID_AT'],
    ['a negative tree size', { treeSize: -1 }, 'INVALID_TREE_SIZE'],
    ['a fractional tree size', { treeSize: 1.5 }, 'INVALID_TREE_SIZE'],
    ['a tree size beyond the entries', { treeSize: 100 }, 'MISSING_ENTRY'],
    ['a root hash of the wrong length', { rootHash: 'AAAA' }, 'INVALID_ROOT_HASH'],
    ['an empty ledger', { ledger: '' }, 'INVALID_LEDGER'],
    ['another ledger', { ledger: 'cbm-ledger.example/other' }, 'INVALID_ENTRY'],
    ['a malformed party filter', { party: 'JOR' }, 'INVALID_FILTER'],
    ['a malformed measure filter', { measure: 'Not A Slug' }, 'INVALID_FILTER'],
    ['an entry given twice', { entries: [...log.entries, log.entries[0]!] }, 'DUPLICATE_INDEX'],
    ['a missing entry', { entries: log.entries.slice(1) }, 'MISSING_ENTRY'],
    [
      'an unparseable integration time',
      { entries: log.entries.map((e, i) => (i === 0 ? { ...e, integratedAt: 'yesterday' } : e)) },
      'INVALID_ENTRY',
    ],
    [
      'a public statement that fails validation',
      {
        entries: log.entries.map((e, i) =>
          i === 1 && e.statement ? { ...e, statement: { ...e.statement, seq: 0 } } : e,
        ),
      },
      'INVALID_ENTRY',
    ],
  ])('refuses %s', (_what, change, expected) => {
    expect(code(() => evaluateCompliance({ ...base, ...change }))).toBe(expected);
  });

  it('accepts an empty log', () => {
    const r = evaluateCompliance({ ...base, treeSize: 0, entries: [] });
    expect(r.findings).toEqual([]);
  });
});
