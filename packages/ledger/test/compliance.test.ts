/**
 * Compliance reports and measure timelines through the LedgerService (issue 4: "Replayable
 * reports", "Timelines"): a measure among three states under vd2011, a late and an on-time
 * notification, and the report compared byte for byte with the one an observer computes offline
 * from the public view alone.
 */
import { problemStatus } from '@cbm-ledger/contract';
import {
  canonicalReport,
  complianceEntryFromLeaf,
  evaluateCompliance,
} from '@cbm-ledger/compliance';
import type { ComplianceEntry, ComplianceReport } from '@cbm-ledger/compliance';
import {
  fromBase64,
  leafHash,
  merkleRoot,
  openCheckpoint,
  parseStatement,
  parseVkey,
  toBase64,
} from '@cbm-ledger/protocol';
import type { Leaf } from '@cbm-ledger/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { LedgerCompliance, LedgerError } from '@cbm-ledger/ledger';
import type { LogStore, Viewer } from '@cbm-ledger/ledger';
import { measure, notification } from '@cbm-ledger/compliance/testing';
import { Harness, ORIGIN } from '@cbm-ledger/ledger/testing';

const JOR = 'state:JOR';
const EGY = 'state:EGY';
const ISR = 'state:ISR';
const MENA = 'mena-csbm';
const HOTLINE = 'gulf-hotline';
const CANARY = 'CANARY-b41e-restricted-content';
const ANONYMOUS: Viewer = {};

/** What an observer holding only the public view reads back: every leaf, public statements. */
async function publicEntries(h: Harness, treeSize: number): Promise<ComplianceEntry[]> {
  const out: ComplianceEntry[] = [];
  for (let start = 0; start < treeSize;) {
    const page = await h.service.entries(start, treeSize - start, ANONYMOUS);
    for (const e of page.entries) {
      out.push({
        // v2 leaves carry acceptedAt, the time deadlines are judged on (docs/promises.md).
        ...complianceEntryFromLeaf(e.leaf),
        ...(e.envelope === undefined
          ? {}
          : { statement: parseStatement(fromBase64(e.envelope.payload)) }),
      });
    }
    start += page.entries.length;
  }
  return out.slice(0, treeSize);
}

/** The root of the checkpoint the log signed at `size`, verified with the log's vkey. */
async function checkpointRoot(h: Harness, size: number): Promise<string> {
  const note = await h.memory.log.getCheckpoint(size);
  expect(note, `a checkpoint at ${size}`).toBeDefined();
  return toBase64(openCheckpoint(note!, parseVkey(h.signer.vkey)).checkpoint.rootHash);
}

/** The observer's offline replay: the engine over public entries and a verified checkpoint. */
async function replay(h: Harness, treeSize: number, at: string): Promise<string> {
  return canonicalReport(
    evaluateCompliance({
      ledger: ORIGIN,
      treeSize,
      rootHash: await checkpointRoot(h, treeSize),
      at,
      entries: await publicEntries(h, treeSize),
    }),
  );
}

function notifications(report: ComplianceReport): { party: string; outcome: string }[] {
  return report.findings
    .filter((f) => f.rule === 'notification')
    .map((f) => ({ party: f.party, outcome: f.outcome }));
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof LedgerError) return `${problemStatus(e.code)} ${e.code}`;
    throw e;
  }
  return 'no error';
}

describe('compliance reports and timelines through the ledger service', () => {
  const h = new Harness();
  /** The log and time just after the on-time notification, before the late one. */
  let early: { treeSize: number; at: string; body: string };
  let lateNotification: string;

  beforeAll(async () => {
    await h.bootstrap([JOR, EGY, ISR]);
    const parties = [JOR, EGY, ISR];
    const all = parties.map((p) => h.key(p));
    const define = await h.issue(
      JOR,
      'measure.define',
      measure({
        id: MENA,
        title: 'Regional CSBMs',
        parties,
        adoptedAt: '2026-03-01T00:00:00Z',
        inForceAt: '2026-03-02T00:00:00Z',
        sunsetAt: '2028-03-02T00:00:00Z',
        review: { firstAt: '2027-03-02T00:00:00Z' },
      }),
      { signers: all },
    );
    expect(define.outcome.status).toBe(202);
    // A measure only its participants can read: invisible to the public view.
    const hotline = await h.issue(
      JOR,
      'measure.define',
      measure({
        id: HOTLINE,
        parties: [JOR, EGY],
        adoptedAt: '2026-03-01T00:00:00Z',
        inForceAt: '2026-03-02T00:00:00Z',
        sunsetAt: '2027-03-02T00:00:00Z',
      }),
      { signers: [h.key(JOR), h.key(EGY)], extra: { visibility: 'participants' } },
    );
    expect(hotline.outcome.status).toBe(202);
    await h.integrate();

    h.clock.t = Date.parse('2026-03-05T10:00:00.000Z');
    // 57 days ahead: on time under vd2011's 42 days.
    await h.issue(
      EGY,
      'exercise.notification',
      notification({
        designation: 'NILE SHIELD 26',
        start: '2026-05-01T05:00:00Z',
        end: '2026-05-05T18:00:00Z',
        counts: { troops: 10_000 },
        participatingStates: [EGY],
      }),
    );
    // Restricted content naming a canary: never evidence, never in a report.
    const restricted = await h.issue(
      ISR,
      'exercise.notification',
      notification({
        designation: CANARY,
        start: '2026-04-01T05:00:00Z',
        end: '2026-04-02T18:00:00Z',
        counts: { troops: 50_000 },
        participatingStates: [ISR],
      }),
      { extra: { visibility: 'restricted', audience: [JOR] } },
    );
    expect(restricted.outcome.status).toBe(202);
    await h.integrate();
    const earlySize = (await h.service.info()).treeSize;
    const earlyAt = '2026-03-06T00:00:00Z';
    early = {
      treeSize: earlySize,
      at: earlyAt,
      body: (await h.service.compliance({ treeSize: earlySize, at: earlyAt }, ANONYMOUS)).body,
    };

    h.clock.t = Date.parse('2026-04-10T08:00:00.000Z');
    // 21 days ahead: due 2026-03-20, late.
    const late = await h.issue(
      JOR,
      'exercise.notification',
      notification({
        designation: 'DESERT LANCE 26',
        start: '2026-05-01T05:00:00Z',
        end: '2026-05-04T18:00:00Z',
        counts: { troops: 10_000 },
        participatingStates: [JOR],
      }),
    );
    lateNotification = late.outcome.body.statement;
    await h.integrate();
  });

  it('finds the late notification and the on-time one, judged at now by default', async () => {
    const { body, report } = await h.service.compliance({}, ANONYMOUS);
    expect(report.treeSize).toBe((await h.service.info()).treeSize);
    expect(report.at).toBe('2026-04-10T08:00:00.000Z');
    expect(report.ruleSets).toEqual([{ id: 'vd2011', version: expect.any(String) as string }]);
    expect(notifications(report)).toEqual([
      { party: EGY, outcome: 'compliant' },
      { party: JOR, outcome: 'late' },
    ]);
    const late = report.findings.find((f) => f.rule === 'notification' && f.party === JOR)!;
    expect(late).toMatchObject({
      measure: MENA,
      subjects: [lateNotification],
      due: '2026-03-20T05:00:00.000Z',
      actual: '2026-04-10T08:00:00.000Z',
    });
    expect(body).toBe(canonicalReport(report));
    // Only public measures are judged: the participants-only one never appears.
    expect(report.findings.every((f) => f.measure === MENA)).toBe(true);
  });

  it('serves exactly the bytes an observer computes offline from the public view', async () => {
    const treeSize = (await h.service.info()).treeSize;
    const at = '2026-04-10T09:00:00Z';
    const { body } = await h.service.compliance({ treeSize, at }, ANONYMOUS);
    expect(body).toBe(await replay(h, treeSize, at));
    expect(body).toContain('"late"');
  });

  it('is byte-identical on repeat, whoever asks', async () => {
    const q = { at: '2026-04-11T00:00:00Z' };
    const first = (await h.service.compliance(q, ANONYMOUS)).body;
    expect((await h.service.compliance(q, ANONYMOUS)).body).toBe(first);
    expect((await h.service.compliance(q, { party: JOR })).body).toBe(first);
    expect((await h.service.compliance(q, { party: 'operator:cbm' })).body).toBe(first);
  });

  it('pins the prefix: the root is the checkpoint at that size, and old reports replay', async () => {
    const { report, body } = await h.service.compliance(
      { treeSize: early.treeSize, at: early.at },
      ANONYMOUS,
    );
    // More entries were integrated since; the old (treeSize, at) still gives the old bytes.
    expect(body).toBe(early.body);
    expect(report.rootHash).toBe(await checkpointRoot(h, early.treeSize));
    expect(body).toBe(await replay(h, early.treeSize, early.at));
    expect(notifications(report)).toEqual([{ party: EGY, outcome: 'compliant' }]);
    // A root computed from stored nodes for a size that was never checkpointed still matches
    // the tree (here: the registry entries alone).
    const small = await h.service.compliance({ treeSize: 2, at: early.at }, ANONYMOUS);
    const leaves = await h.memory.log.readLeaves(0, 2);
    expect(small.report.rootHash).toBe(toBase64(merkleRoot(leaves.map(leafHash))));
  });

  it('changes with a later at or a larger treeSize', async () => {
    const size = (await h.service.info()).treeSize;
    const before = await h.service.compliance(
      { treeSize: size, at: '2026-04-01T00:00:00Z' },
      ANONYMOUS,
    );
    const after = await h.service.compliance(
      { treeSize: size, at: '2026-04-11T00:00:00Z' },
      ANONYMOUS,
    );
    // On 1 April JOR's notification is not logged yet: the activity is unknown, so unjudged.
    expect(notifications(before.report)).toEqual([{ party: EGY, outcome: 'compliant' }]);
    expect(notifications(after.report)).toEqual([
      { party: EGY, outcome: 'compliant' },
      { party: JOR, outcome: 'late' },
    ]);
    const smaller = await h.service.compliance(
      { treeSize: size - 1, at: '2026-04-11T00:00:00Z' },
      ANONYMOUS,
    );
    expect(smaller.body).not.toBe(after.body);
    expect(notifications(smaller.report)).toEqual([{ party: EGY, outcome: 'compliant' }]);
  });

  it('filters by party and measure', async () => {
    const at = '2026-04-11T00:00:00Z';
    const jor = await h.service.compliance({ party: JOR, at }, ANONYMOUS);
    expect(jor.report.party).toBe(JOR);
    expect(jor.report.findings.every((f) => f.party === JOR)).toBe(true);
    expect(notifications(jor.report)).toEqual([{ party: JOR, outcome: 'late' }]);
    const mena = await h.service.compliance({ measure: MENA, at }, ANONYMOUS);
    expect(mena.report.measure).toBe(MENA);
    expect(mena.report.findings.length).toBeGreaterThan(0);
  });

  it('never puts restricted content into a report', async () => {
    for (const viewer of [ANONYMOUS, { party: JOR }, { party: ISR }]) {
      const { body } = await h.service.compliance({}, viewer);
      expect(body).not.toContain(CANARY);
    }
    const summary = await h.service.complianceSummary({});
    expect(JSON.stringify(summary)).not.toContain(CANARY);
  });

  it('summarises findings per state', async () => {
    const at = '2026-04-11T00:00:00Z';
    const summary = await h.service.complianceSummary({ at });
    const { report } = await h.service.compliance({ at }, ANONYMOUS);
    expect(summary.treeSize).toBe(report.treeSize);
    expect(summary.rootHash).toBe(report.rootHash);
    const jor = summary.states.find((s) => s.party === JOR)!;
    expect(jor.outcomes.late).toBeGreaterThanOrEqual(1);
    expect(summary.states.reduce((n, s) => n + s.findings, 0)).toBe(report.findings.length);
  });

  it('lists measures and their timelines; participants-only ones only to parties', async () => {
    const list = await h.service.measures('2026-04-11T00:00:00Z');
    expect(list.at).toBe('2026-04-11T00:00:00.000Z');
    expect(list.treeSize).toBe((await h.service.info()).treeSize);
    expect(list.measures.map((m) => [m.id, m.status])).toEqual([[MENA, 'in-force']]);
    expect(list.measures[0]).toMatchObject({
      parties: [JOR, EGY, ISR],
      inForceAt: '2026-03-02T00:00:00.000Z',
      nextReviewDue: '2027-03-02T00:00:00.000Z',
    });

    const asParty = await h.service.measures('2026-04-11T00:00:00Z', { party: EGY });
    expect(asParty.measures.map((m) => m.id)).toEqual([HOTLINE, MENA]);

    const timeline = await h.service.timeline(MENA, '2026-04-11T00:00:00Z');
    expect(timeline).toMatchObject({ id: MENA, status: 'in-force', treeSize: list.treeSize });
    expect(timeline.rootHash).toBe(list.rootHash);
    const kinds = timeline.events.map((e) => [e.kind, e.upcoming]);
    expect(kinds).toContainEqual(['in-force', false]);
    expect(kinds).toContainEqual(['review-due', true]);
    expect(kinds).toContainEqual(['sunset', true]);

    expect(await code(h.service.timeline(HOTLINE, '2026-04-11T00:00:00Z'))).toBe('404 NOT_FOUND');
    const hotline = await h.service.timeline(HOTLINE, '2026-04-11T00:00:00Z', { party: JOR });
    expect(hotline.parties).toEqual([JOR, EGY]);
    // Same (log, at), same answer: timelines are replayable too.
    expect(await h.service.timeline(MENA, '2026-04-11T00:00:00Z')).toEqual(timeline);
  });

  it('refuses bad input with stable codes', async () => {
    const size = (await h.service.info()).treeSize;
    const rows: [string, Promise<unknown>, string][] = [
      [
        'month 13',
        h.service.compliance({ at: '2026-13-01T00:00:00Z' }, ANONYMOUS),
        '400 AT_INVALID',
      ],
      ['a word', h.service.compliance({ at: 'yesterday' }, ANONYMOUS), '400 AT_INVALID'],
      ['no Z', h.service.compliance({ at: '2026-04-01T00:00:00' }, ANONYMOUS), '400 AT_INVALID'],
      [
        'offset',
        h.service.compliance({ at: '2026-04-01T00:00:00+02:00' }, ANONYMOUS),
        '400 AT_INVALID',
      ],
      [
        'beyond',
        h.service.compliance({ treeSize: size + 1 }, ANONYMOUS),
        '400 TREE_SIZE_BEYOND_LOG',
      ],
      ['negative', h.service.compliance({ treeSize: -1 }, ANONYMOUS), '400 RANGE_INVALID'],
      ['fraction', h.service.compliance({ treeSize: 1.5 }, ANONYMOUS), '400 RANGE_INVALID'],
      ['party', h.service.compliance({ party: 'JOR' }, ANONYMOUS), '400 MALFORMED'],
      ['measure syntax', h.service.compliance({ measure: 'Bad_Id' }, ANONYMOUS), '400 MALFORMED'],
      ['unknown measure', h.service.compliance({ measure: 'no-such' }, ANONYMOUS), '404 NOT_FOUND'],
      // Defined, but not yet at that time.
      [
        'measure not yet defined',
        h.service.compliance({ measure: MENA, at: '2026-01-01T00:00:00Z' }, ANONYMOUS),
        '404 NOT_FOUND',
      ],
      ['summary at', h.service.complianceSummary({ at: 'now' }), '400 AT_INVALID'],
      ['measures at', h.service.measures('2026-02-30T00:00:00Z'), '400 AT_INVALID'],
      ['timeline at', h.service.timeline(MENA, '2026-04-01'), '400 AT_INVALID'],
      ['timeline id', h.service.timeline('../x'), '400 MALFORMED'],
      ['timeline unknown', h.service.timeline('no-such'), '404 NOT_FOUND'],
    ];
    for (const [name, promise, expected] of rows) {
      expect(await code(promise), name).toBe(expected);
    }
  });
});

describe('the report cache', () => {
  /** A log store that counts the leaves read through it. */
  function counting(log: LogStore): { log: LogStore; leavesRead: () => number } {
    let read = 0;
    const wrapped: LogStore = new Proxy(log, {
      get(target, prop) {
        if (prop === 'readLeaves') {
          return async (start: number, limit: number): Promise<Leaf[]> => {
            const leaves = await target.readLeaves(start, limit);
            read += leaves.length;
            return leaves;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    return { log: wrapped, leavesRead: () => read };
  }

  it('reads the log once, then only the entries integrated since', async () => {
    const h = new Harness({ config: { pageLimit: 3 } });
    await h.bootstrap([JOR, EGY]);
    const { log, leavesRead } = counting(h.memory.log);
    const compliance = new LedgerCompliance({ ...h.memory, log, clock: h.clock, config: h.config });
    const size = (await h.service.info()).treeSize;

    const first = await compliance.compliance({ at: '2026-03-02T00:00:00Z' });
    expect(leavesRead()).toBe(size); // paged by pageLimit, each leaf once
    await compliance.compliance({ at: '2026-03-03T00:00:00Z' });
    await compliance.measures();
    expect(leavesRead()).toBe(size);

    await h.issue(JOR, 'risk.request', {
      to: EGY,
      activity: {
        description: 'Armoured columns near the border',
        // Named by an area and a time window: admission refuses requests that name no activity.
        area: { description: 'The border crossing' },
        start: '2026-01-01T00:00:00Z',
        end: '2026-01-02T00:00:00Z',
      },
      question: 'What is the purpose of this activity?',
    });
    await h.integrate();
    const again = await compliance.compliance({ at: '2026-03-02T00:00:00Z', treeSize: size });
    expect(again.body).toBe(first.body);
    await compliance.compliance({});
    expect(leavesRead()).toBe(size + 1);
  });

  it('serves concurrent first requests with one read of the log', async () => {
    const h = new Harness();
    await h.bootstrap([JOR, EGY, ISR]);
    const { log, leavesRead } = counting(h.memory.log);
    const compliance = new LedgerCompliance({ ...h.memory, log, clock: h.clock, config: h.config });
    const bodies = await Promise.all(
      [1, 2, 3].map(() => compliance.compliance({ at: '2026-03-02T00:00:00Z' })),
    );
    expect(new Set(bodies.map((b) => b.body)).size).toBe(1);
    expect(leavesRead()).toBe((await h.service.info()).treeSize);
  });
});
