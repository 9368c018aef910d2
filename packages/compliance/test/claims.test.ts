/**
 * Issue 15, "claims are not findings": the reproductions as scenarios (each shown as today's
 * rules 1.0.0 judged it, and as rules 2.0.0 judge it), the abuse table, standings in summaries,
 * and the versioned replay.
 */
import { describe, expect, it } from 'vitest';
import {
  canonicalReport,
  checkClaimAdmission,
  ComplianceInputError,
  complianceSummary,
  evaluateCompliance,
  RULES_VERSIONS,
} from '../src/index.js';
import type { ClaimStatus, ComplianceReport, Finding, RulesVersion } from '../src/index.js';
import {
  CLAIMS_AT,
  claimsWorld,
  flood,
  GULF,
  hostileReport,
  IRN,
  MISSION,
  OSCE_A,
  OSCE_B,
  ROGUE,
  SAU,
  windowRequest,
} from './fixtures/claims.js';
import { FIXTURE_ORIGIN, ROOT_HASH } from '../src/testing.js';
import type { LogBuilder, Logged } from '../src/testing.js';
import { buildScenario, EGY, EVALUATED_AT, ISR, MENA } from './fixtures/scenario.js';

function evaluate(
  log: LogBuilder,
  rulesVersion?: RulesVersion,
  at = CLAIMS_AT,
  entries = log.entries,
): ComplianceReport {
  return evaluateCompliance({
    ledger: FIXTURE_ORIGIN,
    treeSize: log.entries.length,
    rootHash: ROOT_HASH,
    at,
    entries,
    ...(rulesVersion === undefined ? {} : { rulesVersion }),
  });
}

const CLAIM_RULES = new Set(['risk.response', 'observer.counts', 'observer.access']);

/** Findings against SAU that rest on a claim (or, under 1.0.0, come from one). */
function claimFindings(r: ComplianceReport, claims: readonly Logged[] = []): Finding[] {
  const ids = new Set(claims.map((c) => c.id));
  return r.findings.filter(
    (f) => f.party === SAU && (CLAIM_RULES.has(f.rule) || f.subjects.some((s) => ids.has(s))),
  );
}

const adverse = (fs: readonly Finding[]): Finding[] => fs.filter((f) => f.outcome !== 'compliant');

function statusOf(r: ComplianceReport, claim: Logged): ClaimStatus | undefined {
  return r.claims?.find((c) => c.statementId === claim.id)?.status;
}

describe('issue 15 reproduction: a flood of 30 requests within a minute', () => {
  const { log } = claimsWorld();
  const requests = flood(log, 30, windowRequest);

  it('under rules 1.0.0 (the defect, kept for replay) yields 30 missing replies', () => {
    const old = adverse(claimFindings(evaluate(log, '1.0.0')));
    expect(old).toHaveLength(30);
    expect(old.every((f) => f.rule === 'risk.response' && f.outcome === 'missing')).toBe(true);
  });

  it('under rules 2.0.0 yields no finding beyond the cap of 3 open requests', () => {
    const r = evaluate(log);
    const found = adverse(claimFindings(r));
    expect(found.map((f) => [f.rule, f.outcome, f.standing])).toEqual([
      ['risk.response', 'missing', 'established'],
      ['risk.response', 'missing', 'established'],
      ['risk.response', 'missing', 'established'],
    ]);
    expect(
      found
        .map((f) => f.subjects)
        .flat()
        .sort(),
    ).toEqual(
      requests
        .slice(0, 3)
        .map((x) => x.id)
        .sort(),
    );
    const statuses = requests.map((x) => statusOf(r, x));
    expect(statuses.slice(0, 3)).toEqual(['deadline', 'deadline', 'deadline']);
    expect(statuses.slice(3)).toEqual(Array(27).fill('beyond-cap'));
    expect(r.claims!.find((c) => c.statementId === requests[3]!.id)!.detail).toBe(
      `${IRN} already had 3 requests open towards ${SAU}; the measure allows 3 at once: recorded, but it starts no deadline.`,
    );
  });

  it('starts deadlines again once the open requests are answered', () => {
    const { log: l } = claimsWorld();
    const first = flood(l, 3, windowRequest);
    for (const q of first) {
      l.add(
        'risk.response',
        SAU,
        { request: q.id, answer: 'A logistics convoy.' },
        '2027-04-23T09:00:00.000Z',
      );
    }
    const later = l.add('risk.request', IRN, windowRequest(99), '2027-04-23T10:00:00.000Z');
    const r = evaluate(l);
    expect(statusOf(r, later)).toBe('deadline');
    expect(adverse(claimFindings(r)).map((f) => f.subjects)).toEqual([[later.id]]);
  });
});

describe('issue 15 reproduction: an uninvited observer, then the rival itself', () => {
  const { log, closed } = claimsWorld();
  const rogue = hostileReport(log, ROGUE, closed, '2027-04-06T10:00:00.000Z');
  const rival = hostileReport(log, IRN, closed, '2027-04-06T11:00:00.000Z');

  it('under rules 1.0.0 (the defect) yields access and count findings against SAU, twice', () => {
    const old = adverse(claimFindings(evaluate(log, '1.0.0'), [rogue, rival]));
    expect(old.map((f) => [f.rule, f.outcome]).sort()).toEqual([
      ['observer.access', 'missing'],
      ['observer.access', 'missing'],
      ['observer.counts', 'discrepancy'],
      ['observer.counts', 'discrepancy'],
    ]);
    expect(old.map((f) => f.detail)).toContain(`Observers (${ROGUE}) were denied access.`);
  });

  it('under rules 2.0.0 yields no finding against SAU and shows both as unsolicited', () => {
    const r = evaluate(log);
    expect(claimFindings(r, [rogue, rival])).toEqual([]);
    expect(statusOf(r, rogue)).toBe('unsolicited');
    expect(statusOf(r, rival)).toBe('unsolicited');
    const shown = r.claims!.find((c) => c.statementId === rogue.id)!;
    expect(shown).toMatchObject({
      type: 'observer.report',
      claimant: ROGUE,
      about: SAU,
      measure: GULF,
    });
    expect(shown.detail).toBe(
      `${ROGUE} was not invited to observe this activity (the notification as it stood when the report was logged invites no observers): recorded as unsolicited; it yields no finding against ${SAU}.`,
    );
  });
});

describe('issue 15 reproduction: a report about a period that has not begun', () => {
  const { log, closed } = claimsWorld();
  const future = log.add(
    'observer.report',
    ROGUE,
    {
      exercise: closed.id,
      hostState: SAU,
      period: { start: '2027-06-05T00:00:00Z', end: '2027-06-06T00:00:00Z' },
      declaredVsObserved: [{ item: 'troops', declared: 9500, observed: 50000 }],
      access: 'denied',
      findings: [],
      dissent: [],
    },
    '2027-04-06T10:00:00.000Z',
  );

  it('is rejected at admission with REPORT_PERIOD_NOT_BEGUN', () => {
    expect(checkClaimAdmission(future.statement, '2027-04-06T10:00:00Z')).toEqual({
      ok: false,
      code: 'REPORT_PERIOD_NOT_BEGUN',
      path: '$.body.period.start',
      detail:
        'the observation period starts 2027-06-05T00:00:00.000Z, after the ledger clock 2027-04-06T10:00:00.000Z: a report can only be about a period that has begun',
    });
  });

  it('is admitted once its period has begun (the start itself counts as begun)', () => {
    expect(checkClaimAdmission(future.statement, '2027-06-05T00:00:00Z')).toEqual({ ok: true });
  });
});

describe('issue 15 reproduction: the host replies, and the finding is shown as disputed', () => {
  const { log, open } = claimsWorld();
  const report = hostileReport(log, OSCE_A, open, '2027-04-15T10:00:00.000Z', 20000);
  const reply = log.add(
    'claim.reply',
    SAU,
    {
      claim: report.id,
      position: 'dispute',
      answer: 'The observers counted a neighbouring garrison that is not part of the exercise.',
    },
    '2027-04-16T10:00:00.000Z',
  );
  const r = evaluate(log);

  it('marks both findings disputed, citing the report and the reply', () => {
    const found = claimFindings(r, [report]);
    expect(found.map((f) => [f.rule, f.outcome, f.standing])).toEqual([
      ['observer.access', 'missing', 'disputed'],
      ['observer.counts', 'discrepancy', 'disputed'],
    ]);
    for (const f of found) {
      expect(f.subjects).toContain(report.id);
      expect(f.subjects).toContain(reply.id);
      expect(f.claimants).toEqual([OSCE_A]);
      expect(f.replies).toEqual([reply.id]);
    }
    expect(found[1]!.detail).toBe(
      `Observers (${OSCE_A}) counted more than declared beyond the 10 % tolerance: 20,000 troops observed against 14,000 declared. Disputed: alleged by ${OSCE_A}, disputed by ${SAU} (${reply.id}); not corroborated by 2 entitled observers from different parties.`,
    );
  });

  it('leaves a favourable finding of a disputed report alleged, never disputed', () => {
    const w = claimsWorld();
    const fair = w.log.add(
      'observer.report',
      OSCE_A,
      {
        exercise: w.open.id,
        hostState: SAU,
        period: { start: '2027-04-10T06:00:00Z', end: '2027-04-14T18:00:00Z' },
        declaredVsObserved: [{ item: 'troops', declared: 14000, observed: 20000 }],
        access: 'full',
        findings: [],
        dissent: [],
      },
      '2027-04-15T10:00:00.000Z',
    );
    w.log.add(
      'claim.reply',
      SAU,
      { claim: fair.id, position: 'dispute', answer: 'The count is wrong.' },
      '2027-04-16T10:00:00.000Z',
    );
    const found = claimFindings(evaluate(w.log), [fair]);
    expect(found.map((f) => [f.rule, f.outcome, f.standing])).toEqual([
      ['observer.access', 'compliant', 'alleged'],
      ['observer.counts', 'discrepancy', 'disputed'],
    ]);
  });

  it('shows the claim with its reply', () => {
    expect(r.claims!.find((c) => c.statementId === report.id)).toMatchObject({
      status: 'entitled',
      claimant: OSCE_A,
      about: SAU,
      replies: [{ statementId: reply.id, type: 'claim.reply', position: 'dispute' }],
    });
  });

  it('counts no disputed finding in the summary, and says how many there are', () => {
    const row = complianceSummary(r).states.find((s) => s.party === SAU)!;
    expect(row.disputed).toBe(2);
    expect(row.alleged).toBe(0);
    expect(row.outcomes.discrepancy).toBe(0);
    expect(row.outcomes.missing).toBe(0);
    expect(row.findings).toBe(
      r.findings.filter((f) => f.party === SAU && f.standing === 'established').length,
    );
  });
});

// ---- the abuse table ------------------------------------------------------------------------

interface AbuseRow {
  name: string;
  /** Adds the claims to the shared world; returns the claims whose status is asserted. */
  build: (w: ReturnType<typeof claimsWorld>) => Logged[];
  /** Adverse findings against SAU resting on claims: [rule, outcome, standing]. */
  findings: [string, string, string][];
  /** The status of each returned claim, in order. */
  statuses: ClaimStatus[];
}

const ABUSE: AbuseRow[] = [
  {
    name: 'flood: 30 requests naming 30 areas within a minute',
    build: ({ log }) => flood(log, 30, windowRequest),
    findings: Array<[string, string, string]>(3).fill(['risk.response', 'missing', 'established']),
    statuses: [
      ...Array<ClaimStatus>(3).fill('deadline'),
      ...Array<ClaimStatus>(27).fill('beyond-cap'),
    ],
  },
  {
    name: 'flood of identical questions: 30 requests naming the same notification',
    build: ({ log, open }) =>
      flood(log, 30, (i) => ({
        to: SAU,
        activity: { description: `Variant ${i} of the same worry.`, notification: open.id },
        question: `Question ${i}?`,
      })),
    findings: [['risk.response', 'missing', 'established']],
    statuses: ['deadline', ...Array<ClaimStatus>(29).fill('merged')],
  },
  {
    name: 'requests naming no activity (admitted by an older ledger)',
    build: ({ log }) =>
      flood(log, 5, (i) => ({
        to: SAU,
        activity: { description: `Something unusual, number ${i}.` },
        question: 'Explain.',
      })),
    findings: [],
    statuses: Array<ClaimStatus>(5).fill('unnamed'),
  },
  {
    name: 'uninvited report: an observer nobody invited',
    build: ({ log, closed }) => [hostileReport(log, ROGUE, closed, '2027-04-06T10:00:00.000Z')],
    findings: [],
    statuses: ['unsolicited'],
  },
  {
    name: 'uninvited report on an activity that invited others',
    build: ({ log, open }) => [hostileReport(log, ROGUE, open, '2027-04-15T10:00:00.000Z')],
    findings: [],
    statuses: ['unsolicited'],
  },
  {
    name: 'report by the observer mission the measure accredits (no invitation needed)',
    build: ({ log, closed }) => [hostileReport(log, MISSION, closed, '2027-04-06T10:00:00.000Z')],
    findings: [
      ['observer.access', 'missing', 'alleged'],
      ['observer.counts', 'discrepancy', 'alleged'],
    ],
    statuses: ['entitled'],
  },
  {
    name: 'accredited mission and an invited observer agree: established',
    build: ({ log, open }) => [
      hostileReport(log, MISSION, open, '2027-04-15T10:00:00.000Z', 20000),
      hostileReport(log, OSCE_B, open, '2027-04-15T12:00:00.000Z', 20000),
    ],
    findings: [
      ['observer.access', 'missing', 'established'],
      ['observer.access', 'missing', 'established'],
      ['observer.counts', 'discrepancy', 'established'],
      ['observer.counts', 'discrepancy', 'established'],
    ],
    statuses: ['entitled', 'entitled'],
  },
  {
    name: 'rival report: the rival state files the report itself',
    build: ({ log, open }) => [hostileReport(log, IRN, open, '2027-04-15T10:00:00.000Z')],
    findings: [],
    statuses: ['unsolicited'],
  },
  {
    name: 'report citing a notification that does not exist',
    build: ({ log }) => [
      log.add(
        'observer.report',
        OSCE_A,
        {
          exercise: `sha256:${'ab'.repeat(32)}`,
          hostState: SAU,
          period: { start: '2027-04-10T06:00:00Z', end: '2027-04-11T06:00:00Z' },
          declaredVsObserved: [{ item: 'troops', declared: 0, observed: 30000 }],
          access: 'denied',
          findings: [],
          dissent: [],
        },
        '2027-04-15T10:00:00.000Z',
      ),
    ],
    findings: [],
    statuses: ['unsolicited'],
  },
  {
    name: 'duplicate report: an entitled observer files the same report twice',
    build: ({ log, open }) => [
      hostileReport(log, OSCE_A, open, '2027-04-15T10:00:00.000Z', 20000),
      hostileReport(log, OSCE_A, open, '2027-04-15T11:00:00.000Z', 20000),
    ],
    findings: [
      ['observer.access', 'missing', 'alleged'],
      ['observer.counts', 'discrepancy', 'alleged'],
    ],
    statuses: ['entitled', 'duplicate'],
  },
  {
    name: 'report on a cancelled exercise',
    build: ({ log, open }) => {
      log.add(
        'exercise.cancel',
        SAU,
        { notification: open.id, reason: 'Called off.' },
        '2027-04-01T10:00:00.000Z',
      );
      return [hostileReport(log, OSCE_A, open, '2027-04-15T10:00:00.000Z', 20000)];
    },
    findings: [],
    statuses: ['cancelled'],
  },
  {
    name: 'one entitled report, no reply: alleged',
    build: ({ log, open }) => [hostileReport(log, OSCE_A, open, '2027-04-15T10:00:00.000Z', 20000)],
    findings: [
      ['observer.access', 'missing', 'alleged'],
      ['observer.counts', 'discrepancy', 'alleged'],
    ],
    statuses: ['entitled'],
  },
  {
    name: 'host reply disputing an entitled report: disputed',
    build: ({ log, open }) => {
      const r = hostileReport(log, OSCE_A, open, '2027-04-15T10:00:00.000Z', 20000);
      log.add(
        'claim.reply',
        SAU,
        { claim: r.id, position: 'dispute', answer: 'Not so.' },
        '2027-04-16T10:00:00.000Z',
      );
      return [r];
    },
    findings: [
      ['observer.access', 'missing', 'disputed'],
      ['observer.counts', 'discrepancy', 'disputed'],
    ],
    statuses: ['entitled'],
  },
  {
    name: 'host reply acknowledging an entitled report: established',
    build: ({ log, open }) => {
      const r = hostileReport(log, OSCE_A, open, '2027-04-15T10:00:00.000Z', 20000);
      log.add(
        'claim.reply',
        SAU,
        { claim: r.id, position: 'acknowledge', answer: 'Regrettably so.' },
        '2027-04-16T10:00:00.000Z',
      );
      return [r];
    },
    findings: [
      ['observer.access', 'missing', 'established'],
      ['observer.counts', 'discrepancy', 'established'],
    ],
    statuses: ['entitled'],
  },
  {
    name: "a third party's reply counts for nothing",
    build: ({ log, open }) => {
      const r = hostileReport(log, OSCE_A, open, '2027-04-15T10:00:00.000Z', 20000);
      log.add(
        'claim.reply',
        IRN,
        { claim: r.id, position: 'acknowledge', answer: 'We agree.' },
        '2027-04-16T10:00:00.000Z',
      );
      return [r];
    },
    findings: [
      ['observer.access', 'missing', 'alleged'],
      ['observer.counts', 'discrepancy', 'alleged'],
    ],
    statuses: ['entitled'],
  },
  {
    name: 'corroboration by two entitled observers: established, even when disputed',
    build: ({ log, open }) => {
      const a = hostileReport(log, OSCE_A, open, '2027-04-15T10:00:00.000Z', 20000);
      const b = hostileReport(log, OSCE_B, open, '2027-04-15T12:00:00.000Z', 21000);
      log.add(
        'claim.reply',
        SAU,
        { claim: a.id, position: 'dispute', answer: 'Not so.' },
        '2027-04-16T10:00:00.000Z',
      );
      return [a, b];
    },
    findings: [
      ['observer.access', 'missing', 'established'],
      ['observer.access', 'missing', 'established'],
      ['observer.counts', 'discrepancy', 'established'],
      ['observer.counts', 'discrepancy', 'established'],
    ],
    statuses: ['entitled', 'entitled'],
  },
  {
    name: 'two entitled observers who disagree corroborate nothing',
    build: ({ log, open }) => {
      const a = hostileReport(log, OSCE_A, open, '2027-04-15T10:00:00.000Z', 20000);
      const b = log.add(
        'observer.report',
        OSCE_B,
        {
          exercise: open.id,
          hostState: SAU,
          period: { start: '2027-04-10T06:00:00Z', end: '2027-04-14T18:00:00Z' },
          declaredVsObserved: [{ item: 'troops', declared: 14000, observed: 14000 }],
          access: 'full',
          findings: [],
          dissent: [],
        },
        '2027-04-15T12:00:00.000Z',
      );
      return [a, b];
    },
    findings: [
      ['observer.access', 'missing', 'alleged'],
      ['observer.counts', 'discrepancy', 'alleged'],
    ],
    statuses: ['entitled', 'entitled'],
  },
];

describe('the abuse table (rules 2.0.0)', () => {
  it.each(ABUSE)('$name', (row) => {
    const w = claimsWorld();
    const claims = row.build(w);
    const r = evaluate(w.log);
    const found = adverse(claimFindings(r, claims))
      .map((f) => [f.rule, f.outcome, f.standing ?? ''] as [string, string, string])
      .sort();
    expect(found).toEqual([...row.findings].sort());
    expect(claims.map((c) => statusOf(r, c))).toEqual(row.statuses);
  });
});

// ---- versions, standings, replay ------------------------------------------------------------

describe('rules versions', () => {
  const { log } = buildScenario();

  it('judges by the latest rules unless told otherwise, and says so', () => {
    const r = evaluate(log, undefined, EVALUATED_AT);
    expect(r.rulesVersion).toBe('2.0.0');
    expect(r.ruleSets).toEqual([
      { id: 'acrs1994', version: '2.0.0' },
      { id: 'vd2011', version: '2.0.0' },
    ]);
    expect(r.basis).toContain('Claims are not findings');
    const v1 = evaluate(log, '1.0.0', EVALUATED_AT);
    expect(v1.rulesVersion).toBeUndefined();
    expect(v1.claims).toBeUndefined();
    expect(Object.keys(v1.findings[0]!).sort()).toEqual(
      [
        'rule',
        'ruleSet',
        'party',
        'measure',
        'subjects',
        'outcome',
        'due',
        'actual',
        'detail',
      ].sort(),
    );
  });

  it('changes nothing but claims: every other finding is the same, and established', () => {
    const strip = (f: Finding): string =>
      JSON.stringify([
        f.rule,
        f.party,
        f.measure,
        f.subjects,
        f.outcome,
        f.due,
        f.actual,
        f.detail,
      ]);
    const fromClaim = (f: Finding): boolean =>
      CLAIM_RULES.has(f.rule) || (f.rule === 'notification' && f.detail.includes('Observers ('));
    const v1 = evaluate(log, '1.0.0', EVALUATED_AT).findings.filter((f) => !fromClaim(f));
    const v2 = evaluate(log, '2.0.0', EVALUATED_AT).findings.filter(
      (f) => !CLAIM_RULES.has(f.rule),
    );
    expect(v2.map(strip)).toEqual(v1.map(strip));
    expect(v2.every((f) => f.standing === 'established')).toBe(true);
  });

  it("judges the old scenario's claims by the new rules", () => {
    const r = evaluate(log, '2.0.0', EVALUATED_AT);
    // Egypt invited no observers to BADR 2027: observer:un-team's report is unsolicited.
    expect(r.findings.filter((f) => f.party === EGY && f.rule.startsWith('observer.'))).toEqual([]);
    expect(
      r.claims!.filter((c) => c.type === 'observer.report').map((c) => [c.about, c.status]),
    ).toEqual([
      [EGY, 'unsolicited'],
      [EGY, 'unsolicited'],
      [ISR, 'unsolicited'],
    ]);
    // The report on an activity Israel never notified cites no invitation: no finding at all.
    expect(r.findings.filter((f) => f.party === ISR && f.rule.startsWith('observer.'))).toEqual([]);
    // The scenario's requests name no activity (a description only): recorded, no deadline.
    expect(r.findings.filter((f) => f.rule === 'risk.response')).toEqual([]);
    expect(
      r.claims!.filter((c) => c.type === 'risk.request' && c.measure === MENA).map((c) => c.status),
    ).toEqual(['unnamed', 'unnamed', 'unnamed']);
  });

  it('refuses an unknown rules version', () => {
    for (const bad of ['3.0.0', '1', '', 2, null]) {
      let code: string | undefined;
      try {
        evaluateCompliance({
          ledger: FIXTURE_ORIGIN,
          treeSize: 0,
          rootHash: ROOT_HASH,
          at: CLAIMS_AT,
          entries: [],
          rulesVersion: bad as RulesVersion,
        });
      } catch (e) {
        code = e instanceof ComplianceInputError ? e.code : 'other';
      }
      expect(code).toBe('INVALID_RULES_VERSION');
    }
  });

  it.each(RULES_VERSIONS)(
    'replays %s byte for byte from the public view, claims and replies included',
    (version) => {
      const w = claimsWorld();
      const a = hostileReport(w.log, OSCE_A, w.open, '2027-04-15T10:00:00.000Z', 20000);
      w.log.add(
        'claim.reply',
        SAU,
        { claim: a.id, position: 'dispute', answer: 'No.' },
        '2027-04-16T10:00:00.000Z',
      );
      w.log.add(
        'claim.reply',
        SAU,
        { claim: a.id, position: 'acknowledge', answer: 'Only participants read this.' },
        '2027-04-17T10:00:00.000Z',
        { visibility: 'participants' },
      );
      flood(w.log, 5, windowRequest);
      const full = evaluate(w.log, version);
      const pub = evaluate(
        w.log,
        version,
        CLAIMS_AT,
        JSON.parse(JSON.stringify(w.log.publicView())) as typeof w.log.entries,
      );
      expect(canonicalReport(pub)).toBe(canonicalReport(full));
      // A non-public reply is no evidence: the finding stays disputed.
      if (version !== '1.0.0') {
        expect(
          full.findings.filter((f) => f.subjects.includes(a.id)).map((f) => f.standing),
        ).toEqual(['disputed', 'disputed']);
      }
    },
  );
});
