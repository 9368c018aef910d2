import { describe, expect, it } from 'vitest';
import { listMeasures, measureTimeline } from '../src/index.js';
import type { MeasureTimeline } from '../src/index.js';
import { LogBuilder, measure, STATES } from '../src/testing.js';
import { ACRS, buildScenario, EVALUATED_AT, HOTLINE, MENA } from './fixtures/scenario.js';

const JOR = 'state:JOR';
const EGY = 'state:EGY';
const ISR = 'state:ISR';
const T = '2027-06-30T00:00:00Z';

/** Measures whose terms exercise every status a timeline can show. */
function termsLog(): LogBuilder {
  const log = new LogBuilder();
  log.registry(STATES, '2026-01-05T08:00:00.000Z');
  const define = (issuer: string, spec: Parameters<typeof measure>[0], at: string): void => {
    log.add('measure.define', issuer, measure(spec), at);
  };
  define(
    JOR,
    {
      id: 'red-sea-hotline',
      parties: [JOR, EGY],
      adoptedAt: '2026-02-01T00:00:00Z',
      inForceAt: '2026-02-15T00:00:00Z',
      sunsetAt: '2027-08-15T00:00:00Z',
      review: { firstAt: '2026-08-15T00:00:00Z' },
    },
    '2026-02-01T10:00:00.000Z',
  );
  define(
    JOR,
    {
      id: 'incidents-at-sea',
      parties: [JOR, EGY, ISR],
      adoptedAt: '2026-02-01T00:00:00Z',
      inForceAt: '2026-02-01T00:00:00Z',
      sunsetAt: '2027-05-01T00:00:00Z',
      renewal: 'affirmative',
      renewalPeriodMonths: 24,
      review: { firstAt: '2026-11-01T00:00:00Z' },
    },
    '2026-02-01T11:00:00.000Z',
  );
  define(
    ISR,
    {
      id: 'border-liaison',
      parties: [JOR, ISR],
      adoptedAt: '2026-02-01T00:00:00Z',
      inForceAt: '2026-02-01T00:00:00Z',
      sunsetAt: '2027-04-01T00:00:00Z',
      renewal: 'affirmative',
      renewalPeriodMonths: 24,
      review: { firstAt: '2027-09-01T00:00:00Z' },
    },
    '2026-02-01T12:00:00.000Z',
  );
  define(
    EGY,
    {
      id: 'air-safety',
      parties: [JOR, EGY],
      adoptedAt: '2026-03-01T00:00:00Z',
      inForceAt: '2026-03-01T00:00:00Z',
      sunsetAt: '2027-03-01T00:00:00Z',
      renewal: 'automatic',
      renewalPeriodMonths: 12,
      terminationNoticeDays: 90,
      review: { firstAt: '2027-09-01T00:00:00Z' },
    },
    '2026-03-01T10:00:00.000Z',
  );
  define(
    JOR,
    {
      id: 'health-data',
      parties: [JOR, EGY, ISR],
      adoptedAt: '2026-03-01T00:00:00Z',
      inForceAt: '2026-03-01T00:00:00Z',
      sunsetAt: '2027-09-01T00:00:00Z',
      renewal: 'automatic',
      renewalPeriodMonths: 12,
      terminationNoticeDays: 180,
      review: { firstAt: '2027-12-01T00:00:00Z' },
    },
    '2026-03-01T11:00:00.000Z',
  );
  define(
    EGY,
    {
      id: 'maritime-sar',
      parties: [JOR, EGY, ISR],
      adoptedAt: '2026-04-01T00:00:00Z',
      inForceAt: '2026-04-01T00:00:00Z',
      sunsetAt: '2027-04-01T00:00:00Z',
      renewal: 'automatic',
      renewalPeriodMonths: 12,
      terminationNoticeDays: 30,
      review: { firstAt: '2028-06-01T00:00:00Z' },
    },
    '2026-04-01T10:00:00.000Z',
  );
  define(
    JOR,
    {
      id: 'joint-patrols',
      parties: [JOR, EGY],
      adoptedAt: '2026-04-01T00:00:00Z',
      inForceAt: '2026-04-01T00:00:00Z',
      sunsetAt: '2029-04-01T00:00:00Z',
      terminationNoticeDays: 60,
      review: { firstAt: '2028-04-01T00:00:00Z' },
    },
    '2026-04-01T11:00:00.000Z',
  );
  define(
    JOR,
    {
      id: 'cyber-contacts',
      parties: [JOR, EGY],
      adoptedAt: '2026-05-01T00:00:00Z',
      inForceAt: '2026-05-01T00:00:00Z',
      sunsetAt: '2030-05-01T00:00:00Z',
      review: { firstAt: '2027-06-20T00:00:00Z', graceDays: 30 },
    },
    '2026-05-01T10:00:00.000Z',
  );

  log.add(
    'measure.review',
    JOR,
    { measure: 'red-sea-hotline', dueAt: '2026-08-15T00:00:00Z', outcome: 'continue' },
    '2026-08-20T10:00:00.000Z',
  );
  log.add(
    'measure.withdraw',
    EGY,
    { measure: 'joint-patrols', effectiveAt: '2027-03-01T00:00:00Z' },
    '2026-12-01T10:00:00.000Z',
  );
  log.add(
    'measure.review',
    EGY,
    { measure: 'incidents-at-sea', dueAt: '2026-11-01T00:00:00Z', outcome: 'amend' },
    '2026-12-15T10:00:00.000Z',
  );
  log.add(
    'measure.withdraw',
    ISR,
    { measure: 'health-data', effectiveAt: '2027-09-01T00:00:00Z', reason: 'Data-protection law.' },
    '2027-01-15T10:00:00.000Z',
  );
  log.add(
    'measure.renew',
    JOR,
    { measure: 'incidents-at-sea', newSunsetAt: '2029-05-01T00:00:00Z' },
    '2027-03-01T10:00:00.000Z',
  );
  log.add(
    'measure.renew',
    JOR,
    { measure: 'border-liaison', newSunsetAt: '2029-04-01T00:00:00Z' },
    '2027-03-02T10:00:00.000Z',
  );
  log.add(
    'measure.withdraw',
    EGY,
    { measure: 'maritime-sar', effectiveAt: '2027-04-20T00:00:00Z' },
    '2027-03-15T10:00:00.000Z',
  );
  log.add(
    'measure.renew',
    ISR,
    { measure: 'border-liaison', newSunsetAt: '2030-04-01T00:00:00Z' },
    '2027-03-20T10:00:00.000Z',
  );
  log.add(
    'measure.renew',
    EGY,
    { measure: 'incidents-at-sea', newSunsetAt: '2029-05-01T00:00:00Z' },
    '2027-04-01T10:00:00.000Z',
  );
  define(
    EGY,
    {
      id: 'desert-airspace',
      parties: [JOR, EGY],
      adoptedAt: '2027-06-01T00:00:00Z',
      inForceAt: '2027-09-01T00:00:00Z',
      sunsetAt: '2030-09-01T00:00:00Z',
    },
    '2027-06-01T10:00:00.000Z',
  );
  return log;
}

const log = termsLog();
const timeline = (id: string, at = T): MeasureTimeline => measureTimeline(log.entries, id, at)!;
const kinds = (t: MeasureTimeline): string[] =>
  t.events.map((e) => `${e.at.slice(0, 10)} ${e.kind}${e.upcoming ? ' (upcoming)' : ''}`);

describe('measure timelines', () => {
  it('lists every public measure with its status at the evaluation time', () => {
    expect(listMeasures(log.entries, T).map((m) => [m.id, m.status])).toEqual([
      ['air-safety', 'renewed'],
      ['border-liaison', 'renewed'],
      ['cyber-contacts', 'review-due'],
      ['desert-airspace', 'adopted'],
      ['health-data', 'expiring'],
      ['incidents-at-sea', 'expired'],
      ['joint-patrols', 'withdrawn'],
      ['maritime-sar', 'renewed'],
      ['red-sea-hotline', 'expiring'],
    ]);
  });

  it('shows a measure approaching its sunset as expiring, with the sunset upcoming', () => {
    const t = timeline('red-sea-hotline');
    expect(t.status).toBe('expiring');
    expect(t.sunsetAt).toBe('2027-08-15T00:00:00.000Z');
    expect(t.nextReviewDue).toBeNull();
    expect(kinds(t)).toEqual([
      '2026-02-01 adopted',
      '2026-02-01 defined',
      '2026-02-15 in-force',
      '2026-08-15 review-due',
      '2026-08-20 review-recorded',
      '2027-05-17 expiring',
      '2027-08-15 sunset (upcoming)',
    ]);
    expect(timeline('red-sea-hotline', '2027-08-15T00:00:00Z').status).toBe('expired');
  });

  it('expires an affirmative renewal that one party did not join, and shows the late review', () => {
    const t = timeline('incidents-at-sea');
    expect(t.status).toBe('expired');
    expect(t.endedAt).toBe('2027-05-01T00:00:00.000Z');
    expect(kinds(t)).toEqual([
      '2026-02-01 adopted',
      '2026-02-01 in-force',
      '2026-02-01 defined',
      '2026-11-01 review-due',
      '2026-12-01 review-overdue',
      '2026-12-15 review-recorded',
      '2027-01-31 expiring',
      '2027-03-01 renewal-affirmed',
      '2027-04-01 renewal-affirmed',
      '2027-05-01 expired',
    ]);
    expect(t.events.find((e) => e.kind === 'expired')!.detail).toBe(
      'Expired: not every party renewed before the sunset.',
    );
  });

  it('renews affirmatively once every party renewed, to the earliest sunset they named', () => {
    const t = timeline('border-liaison');
    expect(t.status).toBe('renewed');
    expect(t.sunsetAt).toBe('2029-04-01T00:00:00.000Z');
    const renewed = t.events.find((e) => e.kind === 'renewed')!;
    expect(renewed.at).toBe('2027-03-20T10:00:00.000Z');
    // Before the sunset, the renewal already took effect when the second party renewed.
    expect(timeline('border-liaison', '2027-03-25T00:00:00Z').status).toBe('renewed');
    expect(timeline('border-liaison', '2027-03-10T00:00:00Z').status).toBe('expiring');
  });

  it('renews automatically at the sunset when nobody withdrew with enough notice', () => {
    const t = timeline('air-safety');
    expect(t.status).toBe('renewed');
    expect(t.sunsetAt).toBe('2028-03-01T00:00:00.000Z');
    expect(kinds(t)).toContain('2027-03-01 renewed');
    expect(kinds(t)).toContain('2028-03-01 sunset (upcoming)');
    expect(timeline('air-safety', '2028-03-01T00:00:00Z').sunsetAt).toBe(
      '2029-03-01T00:00:00.000Z',
    );
  });

  it('does not renew automatically when a party withdrew with enough notice', () => {
    const t = timeline('health-data');
    expect(t.status).toBe('expiring');
    const sunset = t.events.find((e) => e.kind === 'sunset')!;
    expect(sunset).toMatchObject({ upcoming: true, party: ISR });
    const later = timeline('health-data', '2027-09-02T00:00:00Z');
    expect(later.status).toBe('expired');
    expect(later.endedAt).toBe('2027-09-01T00:00:00.000Z');
  });

  it('lets a party leave with short notice without stopping the automatic renewal', () => {
    const t = timeline('maritime-sar');
    expect(t.status).toBe('renewed');
    expect(t.activeParties).toEqual([JOR, ISR]);
    expect(kinds(t)).toEqual([
      '2026-04-01 adopted',
      '2026-04-01 in-force',
      '2026-04-01 defined',
      '2027-03-15 withdrawal-notified',
      '2027-04-01 renewed',
      '2027-04-20 withdrawal-effective',
      '2028-04-01 sunset (upcoming)',
    ]);
    expect(timeline('maritime-sar', '2028-04-02T00:00:00Z').sunsetAt).toBe(
      '2029-04-01T00:00:00.000Z',
    );
  });

  it('is withdrawn once fewer than two parties remain', () => {
    const t = timeline('joint-patrols');
    expect(t.status).toBe('withdrawn');
    expect(t.endedAt).toBe('2027-03-01T00:00:00.000Z');
    expect(t.activeParties).toEqual([JOR]);
    expect(kinds(t).slice(-3)).toEqual([
      '2026-12-01 withdrawal-notified',
      '2027-03-01 withdrawal-effective',
      '2027-03-01 withdrawn',
    ]);
    expect(timeline('joint-patrols', '2027-02-28T00:00:00Z').status).toBe('in-force');
  });

  it('marks a review due within its grace period, then overdue', () => {
    expect(timeline('cyber-contacts').status).toBe('review-due');
    expect(timeline('cyber-contacts', '2027-07-20T00:00:00Z').status).toBe('review-due');
    expect(timeline('cyber-contacts', '2027-07-20T00:00:00.001Z').status).toBe('review-overdue');
    expect(timeline('cyber-contacts', '2027-06-19T00:00:00Z')).toMatchObject({
      status: 'in-force',
      nextReviewDue: '2027-06-20T00:00:00.000Z',
    });
  });

  it('shows a measure adopted but not yet in force as adopted', () => {
    expect(timeline('desert-airspace')).toMatchObject({
      status: 'adopted',
      inForceAt: '2027-09-01T00:00:00.000Z',
    });
  });

  it('does not know a measure before it is defined', () => {
    expect(measureTimeline(log.entries, 'desert-airspace', '2027-05-31T00:00:00Z')).toBeUndefined();
    expect(measureTimeline(log.entries, 'no-such-measure', T)).toBeUndefined();
  });
});

describe('timelines of the compliance scenario', () => {
  const { log: scenario } = buildScenario();

  it('shows the overdue review of the acrs1994 measure', () => {
    const t = measureTimeline(scenario.entries, ACRS, EVALUATED_AT)!;
    expect(t.status).toBe('review-overdue');
    // Timelines name the latest rules (2.0.0 since claims are not findings, issue 15).
    expect(t.ruleSet).toEqual({ id: 'acrs1994', version: '2.0.0' });
    expect(t.events.find((e) => e.kind === 'review-overdue')).toMatchObject({
      at: '2027-05-01T00:00:00.000Z',
      upcoming: false,
    });
  });

  it('shows Israel’s withdrawal from the vd2011 measure', () => {
    const t = measureTimeline(scenario.entries, MENA, EVALUATED_AT)!;
    expect(t.status).toBe('in-force');
    expect(t.activeParties).toEqual([JOR, EGY]);
    expect(t.nextReviewDue).toBe('2028-02-01T00:00:00.000Z');
    expect(t.events.filter((e) => e.party === ISR).map((e) => e.kind)).toEqual([
      'withdrawal-notified',
      'withdrawal-effective',
    ]);
  });

  it('hides participants-only measures from the public timeline but not from an authorised one', () => {
    expect(listMeasures(scenario.entries, EVALUATED_AT).map((m) => m.id)).toEqual([ACRS, MENA]);
    expect(listMeasures(scenario.publicView(), EVALUATED_AT).map((m) => m.id)).toEqual([
      ACRS,
      MENA,
    ]);
    expect(listMeasures(scenario.entries, EVALUATED_AT, { scope: 'all' }).map((m) => m.id)).toEqual(
      [ACRS, HOTLINE, MENA],
    );
  });
});
