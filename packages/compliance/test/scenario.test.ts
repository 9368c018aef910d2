import { describe, expect, it } from 'vitest';
import {
  canonicalReport,
  complianceSummary,
  evaluateCompliance,
  EVIDENCE_BASIS,
} from '../src/index.js';
import type { ComplianceReport, Finding } from '../src/index.js';
import { FIXTURE_ORIGIN, ROOT_HASH } from '../src/testing.js';
import {
  ACRS,
  buildScenario,
  CANARY,
  EGY,
  EVALUATED_AT,
  HOTLINE,
  ISR,
  JOR,
  MENA,
} from './fixtures/scenario.js';

const { log, s } = buildScenario();
const id = (key: string): string => s[key]!.id;

/**
 * Judged by rules 1.0.0: this file pins the replay of that version (the scenario under 2.0.0 is
 * in claims.test.ts).
 */
function evaluate(
  at = EVALUATED_AT,
  extra: { party?: string; measure?: string } = {},
): ComplianceReport {
  return evaluateCompliance({
    ledger: FIXTURE_ORIGIN,
    treeSize: log.entries.length,
    rootHash: ROOT_HASH,
    at,
    entries: log.entries,
    rulesVersion: '1.0.0',
    ...extra,
  });
}

/** [party, measure, rule, outcome, due, actual, subject keys] */
type Row = [string, string, string, string, string, string | null, string[]];

const project = (f: Finding): string =>
  JSON.stringify([f.party, f.measure, f.rule, f.outcome, f.due, f.actual, f.subjects]);
const expectedRow = ([party, measure, rule, outcome, due, actual, subjects]: Row): string =>
  JSON.stringify([party, measure, rule, outcome, due, actual, subjects.map(id).sort()]);

const CAL_DUE_2027 = '2026-11-15T23:59:59.999Z';
const EXCHANGE_DUE_2027 = '2026-12-15T23:59:59.999Z';

/** Findings every vd2011 and acrs1994 measure yields for Egypt. */
const egyptCommon = (m: string): Row[] => [
  [EGY, m, 'calendar.annual', 'late', CAL_DUE_2027, '2026-11-20T10:00:00.000Z', ['egyCalendar']],
  [EGY, m, 'info.exchange', 'late', EXCHANGE_DUE_2027, '2026-12-20T10:00:00.000Z', ['egyExchange']],
  [
    EGY,
    m,
    'notification',
    'late',
    '2027-02-01T04:00:00.000Z',
    '2027-02-20T11:00:00.000Z',
    ['badr'],
  ],
  [EGY, m, 'observation.invitation', 'missing', '2027-02-01T04:00:00.000Z', null, ['badr']],
  [
    EGY,
    m,
    'calendar.listing',
    'late',
    CAL_DUE_2027,
    '2026-11-20T10:00:00.000Z',
    ['badr', 'egyCalendar'],
  ],
  [EGY, m, 'constrained.per-year', 'compliant', '2027-03-15T04:00:00.000Z', null, ['badr']],
  [EGY, m, 'constrained.concurrent', 'compliant', '2027-03-15T04:00:00.000Z', null, ['badr']],
  [
    EGY,
    m,
    'observer.counts',
    'discrepancy',
    '2027-03-16T06:00:00.000Z',
    null,
    ['badrReport', 'badr'],
  ],
  [
    EGY,
    m,
    'observer.access',
    'compliant',
    '2027-03-16T06:00:00.000Z',
    null,
    ['badrReport', 'badr'],
  ],
  [
    EGY,
    m,
    'health.alert',
    'late',
    '2027-04-02T08:00:00.000Z',
    '2027-04-03T09:00:00.000Z',
    ['egyAlert'],
  ],
];

const jordanCommon = (m: string): Row[] => [
  [
    JOR,
    m,
    'calendar.annual',
    'compliant',
    CAL_DUE_2027,
    '2026-11-10T10:00:00.000Z',
    ['jorCalendar'],
  ],
  [
    JOR,
    m,
    'info.exchange',
    'compliant',
    EXCHANGE_DUE_2027,
    '2026-12-10T10:00:00.000Z',
    ['jorExchange'],
  ],
  [
    JOR,
    m,
    'notification',
    'compliant',
    '2027-02-27T05:00:00.000Z',
    '2027-02-20T10:00:00.000Z',
    ['desertShield'],
  ],
  [
    JOR,
    m,
    'calendar.listing',
    'compliant',
    CAL_DUE_2027,
    '2026-11-10T10:00:00.000Z',
    ['desertShield', 'jorCalendar'],
  ],
  [JOR, m, 'notification', 'missing', '2027-04-08T00:00:00.000Z', null, ['jorCalendar']],
  [
    JOR,
    m,
    'risk.response',
    'compliant',
    '2027-03-03T10:00:00.000Z',
    '2027-03-02T08:00:00.000Z',
    ['egyRequest', 'jorResponse'],
  ],
  [JOR, m, 'risk.response', 'missing', '2027-06-07T10:00:00.000Z', null, ['egyRequest2']],
];

const EXPECTED: Row[] = [
  ...egyptCommon(ACRS),
  // SINAI SHIELD 27 (4,500 troops) is notifiable under acrs1994 only, and never notified.
  [EGY, ACRS, 'notification', 'missing', '2027-03-29T00:00:00.000Z', null, ['egyCalendar']],
  ...egyptCommon(MENA),
  ...jordanCommon(ACRS),
  // RAM 26 (5,000 troops): notifiable under acrs1994 only, notified 31 days ahead.
  [
    JOR,
    ACRS,
    'notification',
    'late',
    '2026-07-21T04:00:00.000Z',
    '2026-08-01T09:00:00.000Z',
    ['ram'],
  ],
  ...jordanCommon(MENA),
  [
    ISR,
    MENA,
    'calendar.annual',
    'compliant',
    CAL_DUE_2027,
    '2026-11-01T10:00:00.000Z',
    ['isrCalendar'],
  ],
  [ISR, MENA, 'info.exchange', 'missing', EXCHANGE_DUE_2027, null, []],
  [
    ISR,
    MENA,
    'notification',
    'compliant',
    '2027-04-29T05:00:00.000Z',
    '2027-04-20T10:00:00.000Z',
    ['negevWind'],
  ],
  [ISR, MENA, 'calendar.listing', 'missing', CAL_DUE_2027, null, ['negevWind']],
  [
    ISR,
    MENA,
    'notification',
    'late',
    '2027-05-01T04:00:00.000Z',
    '2027-05-01T06:00:00.000Z',
    ['ironResolve'],
  ],
  [ISR, MENA, 'notification', 'missing', '2027-05-10T06:00:00.000Z', null, ['unnotifiedReport']],
  [
    ISR,
    MENA,
    'observer.counts',
    'discrepancy',
    '2027-05-10T06:00:00.000Z',
    null,
    ['unnotifiedReport'],
  ],
  [ISR, MENA, 'observer.access', 'missing', '2027-05-10T06:00:00.000Z', null, ['unnotifiedReport']],
  [ISR, MENA, 'risk.response', 'missing', '2027-06-03T10:00:00.000Z', null, ['jorRequest']],
];

describe('a compliance report over a year and a half of a three-state ledger', () => {
  const report = evaluate();

  it('contains exactly the expected findings, and no others', () => {
    expect(report.findings.map(project).sort()).toEqual(EXPECTED.map(expectedRow).sort());
    expect(report.findings).toHaveLength(45);
  });

  it('pins the report to the tree and the evaluation time, and states its evidence basis', () => {
    expect(report.ledger).toBe(FIXTURE_ORIGIN);
    expect(report.treeSize).toBe(log.entries.length);
    expect(report.rootHash).toBe(ROOT_HASH);
    expect(report.at).toBe('2027-06-30T00:00:00.000Z');
    expect(report.basis).toBe(EVIDENCE_BASIS);
    expect(report.ruleSets).toEqual([
      { id: 'acrs1994', version: '1.0.0' },
      { id: 'vd2011', version: '1.0.0' },
    ]);
  });

  it('names the rule set and version of the measure in every finding', () => {
    for (const f of report.findings) {
      expect(f.ruleSet).toEqual(
        f.measure === ACRS
          ? { id: 'acrs1994', version: '1.0.0' }
          : { id: 'vd2011', version: '1.0.0' },
      );
    }
  });

  it('never judges a state under a measure it is not party to', () => {
    expect(report.findings.filter((f) => f.party === ISR && f.measure === ACRS)).toEqual([]);
  });

  it('never judges a measure whose definition is not public', () => {
    expect(report.findings.filter((f) => f.measure === HOTLINE)).toEqual([]);
  });

  it('ignores what happened before a measure entered into force', () => {
    const subjects = new Set(report.findings.flatMap((f) => f.subjects));
    expect(subjects.has(id('winterFalcon'))).toBe(false);
    expect(report.findings.some((f) => f.due < '2026-02-01')).toBe(false);
    expect(report.findings.some((f) => f.measure === ACRS && f.due < '2026-04-01')).toBe(false);
  });

  it('judges nothing when evaluated before any measure is in force', () => {
    const early = evaluate('2026-01-31T23:59:59Z');
    expect(early.findings).toEqual([]);
    expect(early.ruleSets).toEqual([]);
  });

  it('judges an in-force measure only once its first obligations fall due', () => {
    const soon = evaluate('2026-03-15T00:00:00Z');
    expect(soon.ruleSets).toEqual([{ id: 'vd2011', version: '1.0.0' }]);
    expect(soon.findings).toEqual([]);
  });

  it('does not judge activities below the thresholds of the measure', () => {
    const subjects = new Set(report.findings.flatMap((f) => f.subjects));
    expect(subjects.has(id('galilee'))).toBe(false);
    expect(
      report.findings.filter((f) => f.subjects.includes(id('ram')) && f.measure === MENA),
    ).toEqual([]);
  });

  it('stops judging a state once its withdrawal takes effect', () => {
    const subjects = new Set(report.findings.flatMap((f) => f.subjects));
    expect(subjects.has(id('hermon'))).toBe(false);
    expect(report.findings.some((f) => f.party === ISR && f.due >= '2027-06-15')).toBe(false);
  });

  it('takes no evidence from participants-only or restricted statements', () => {
    const subjects = new Set(report.findings.flatMap((f) => f.subjects));
    for (const key of ['canary', 'jorResponse2', 'egyExchangeParticipants', 'hotlineDefine']) {
      expect(subjects.has(id(key))).toBe(false);
    }
    expect(canonicalReport(report)).not.toContain(CANARY);
  });

  it('reports the same bytes from the public view as from the full log', () => {
    const fromPublic = evaluateCompliance({
      ledger: FIXTURE_ORIGIN,
      treeSize: log.entries.length,
      rootHash: ROOT_HASH,
      at: EVALUATED_AT,
      entries: JSON.parse(JSON.stringify(log.publicView())) as typeof log.entries,
      rulesVersion: '1.0.0',
    });
    expect(canonicalReport(fromPublic)).toBe(canonicalReport(report));
  });

  it('explains findings in sentences a reader can check', () => {
    const detail = (rule: string, subject: string, party: string, measure = MENA): string =>
      report.findings.find(
        (f) =>
          f.rule === rule &&
          f.subjects.includes(id(subject)) &&
          f.party === party &&
          f.measure === measure,
      )!.detail;
    expect(detail('notification', 'badr', EGY)).toBe(
      '"BADR 2027" (15,000 troops (threshold 9,000), 320 battle tanks (threshold 250)) starting 2027-03-15T04:00:00.000Z was notified as notifiable only 2027-02-20T11:00:00.000Z, 19 days 7 hours after the deadline (42 days before its start).',
    );
    expect(detail('observer.counts', 'badrReport', EGY)).toBe(
      'Observers (observer:un-team) counted more than declared beyond the 10 % tolerance: 17,500 troops observed against 15,000 declared.',
    );
    expect(detail('notification', 'ironResolve', ISR)).toContain('by its start (alert activity)');
    expect(detail('risk.response', 'jorRequest', ISR)).toBe(
      'The request of state:JOR about an unusual activity has no public reply; due within 48 hours, by 2027-06-03T10:00:00.000Z.',
    );
    expect(detail('calendar.annual', 'isrCalendar', ISR)).toBe(
      'The annual calendar for 2027 was filed (a nil return) 2026-11-01T10:00:00.000Z, by the deadline.',
    );
  });

  it('sorts findings by party, measure, rule, due and subjects', () => {
    const keys = report.findings.map((f) =>
      [f.party, f.measure, f.rule, f.due, f.subjects.join(',')].join('|'),
    );
    expect(keys).toEqual([...keys].sort());
    for (const f of report.findings) expect(f.subjects).toEqual([...f.subjects].sort());
  });

  it('filters to one party or one measure, saying so in the report', () => {
    const jordan = evaluate(EVALUATED_AT, { party: JOR });
    expect(jordan.party).toBe(JOR);
    expect(jordan.findings).toEqual(report.findings.filter((f) => f.party === JOR));
    const acrs = evaluate(EVALUATED_AT, { measure: ACRS });
    expect(acrs.measure).toBe(ACRS);
    expect(acrs.ruleSets).toEqual([{ id: 'acrs1994', version: '1.0.0' }]);
    expect(acrs.findings).toEqual(report.findings.filter((f) => f.measure === ACRS));
  });

  it('summarises the outcomes per state', () => {
    const summary = complianceSummary(report);
    expect(summary.states.map((r) => r.party)).toEqual([EGY, ISR, JOR]);
    const egypt = summary.states[0]!;
    expect(egypt.findings).toBe(21);
    expect(egypt.outcomes).toEqual({
      compliant: 6,
      late: 10,
      missing: 3,
      exceeded: 0,
      discrepancy: 2,
      'not-assessable': 0,
    });
    const israel = summary.states[1]!;
    expect(israel.outcomes).toEqual({
      compliant: 2,
      late: 1,
      missing: 5,
      exceeded: 0,
      discrepancy: 1,
      'not-assessable': 0,
    });
    expect(summary.rootHash).toBe(ROOT_HASH);
  });

  it('turns a pending reply into a finding only once it is due', () => {
    const before = evaluate('2027-06-03T09:59:59Z').findings.filter(
      (f) => f.rule === 'risk.response' && f.subjects.includes(id('jorRequest')),
    );
    expect(before).toEqual([]);
    const after = evaluate('2027-06-03T10:00:00Z').findings.filter(
      (f) => f.rule === 'risk.response' && f.subjects.includes(id('jorRequest')),
    );
    expect(after.map((f) => f.outcome)).toEqual(['missing']);
  });

  it('judges entries as the log stood at the evaluation time', () => {
    // On 25 February 2027 Egypt's late notification of BADR was already logged, Israel's
    // alert exercise was not yet.
    const feb = evaluate('2027-02-25T00:00:00Z');
    expect(feb.findings.some((f) => f.subjects.includes(id('ironResolve')))).toBe(false);
    expect(
      feb.findings.find((f) => f.rule === 'notification' && f.subjects.includes(id('badr')))
        ?.outcome,
    ).toBe('late');
  });
});
