/**
 * Admission promises end to end through the LedgerService (issue 16, docs/promises.md): every
 * answer carries the stored promise, it verifies offline with the log vkey, its leaf is v2 with
 * the promised times, and an integration held past the deadline is an operator finding — never
 * the submitter's lateness — in the server's report and the offline replay alike.
 */
import {
  canonicalReport,
  complianceEntryFromLeaf,
  evaluateCompliance,
} from '@cbm-ledger/compliance';
import type { ComplianceEntry } from '@cbm-ledger/compliance';
import {
  fromBase64,
  openCheckpoint,
  openPromise,
  parseLeaf,
  parseStatement,
  parseVkey,
  toBase64,
} from '@cbm-ledger/protocol';
import { describe, expect, it } from 'vitest';
import { measure, notification } from '@cbm-ledger/compliance/testing';
import { Harness, OPERATOR, ORIGIN, infoExchangeBody, sign } from '@cbm-ledger/ledger/testing';

const JOR = 'state:JOR';
const EGY = 'state:EGY';
const MENA = 'mena-csbm';
const HOUR = 3_600_000;

async function publicEntries(h: Harness, treeSize: number): Promise<ComplianceEntry[]> {
  const page = await h.service.entries(0, treeSize, {});
  return page.entries.map((e) => ({
    ...complianceEntryFromLeaf(parseLeaf(e.leaf)),
    ...(e.envelope === undefined
      ? {}
      : { statement: parseStatement(fromBase64(e.envelope.payload)) }),
  }));
}

describe('admission promises', () => {
  it('answers every submission with one stored promise that verifies offline', async () => {
    const h = new Harness();
    await h.bootstrap([JOR]);
    const statement = h.statement(JOR, 'info.exchange', infoExchangeBody());
    const envelope = sign(statement, [h.key(JOR)]);
    // A crash after the durable accept and before the answer (here: in link).
    const link = h.memory.statements.link.bind(h.memory.statements);
    h.memory.statements.link = () => Promise.reject(new Error('crash after accept'));
    await expect(h.submitEnvelope(envelope)).rejects.toThrow('crash after accept');
    h.memory.statements.link = link;

    h.clock.advance(5 * 60_000); // the retry comes later: its answer must not be re-signed now
    const retry = await h.submitEnvelope(envelope);
    expect(retry.status).toBe(200);
    const note = retry.body.promise!;
    const promise = openPromise(note, parseVkey(h.signer.vkey));
    expect(promise).toEqual({
      origin: ORIGIN,
      statement: retry.body.statement,
      acceptedAt: '2026-03-01T09:30:00.000Z',
      integrateBy: '2026-03-02T09:30:00.000Z',
    });
    expect((await h.submitEnvelope(envelope)).body.promise).toBe(note);

    await h.integrate();
    const view = await h.service.statement(retry.body.statement, {});
    expect(view.promise).toBe(note);
    expect(view.receipt!.promise).toBe(note);
    expect(view.receipt!.leaf).toMatchObject({
      v: 2,
      acceptedAt: promise.acceptedAt,
      integrateBy: promise.integrateBy,
    });
    const integrated = await h.submitEnvelope(envelope);
    expect(integrated.body.promise).toBe(note);
    expect(integrated.body.receipt!.promise).toBe(note);
  });

  it('signs promises with the configured maximum merge delay', async () => {
    const h = new Harness({ config: { maxMergeDelayMs: 90_000 } });
    await h.bootstrap([JOR]);
    const { outcome } = await h.issue(JOR, 'info.exchange', infoExchangeBody());
    const promise = openPromise(outcome.body.promise!, parseVkey(h.signer.vkey));
    expect(Date.parse(promise.integrateBy) - Date.parse(promise.acceptedAt)).toBe(90_000);
  });

  it('judges a held-back statement on acceptedAt and reports the operator, server and replay alike', async () => {
    const h = new Harness();
    await h.bootstrap([JOR, EGY]);
    await h.issue(
      JOR,
      'measure.define',
      measure({
        id: MENA,
        parties: [JOR, EGY],
        adoptedAt: '2026-03-01T00:00:00Z',
        inForceAt: '2026-03-02T00:00:00Z',
        sunsetAt: '2028-03-02T00:00:00Z',
        review: { firstAt: '2027-03-02T00:00:00Z' },
      }),
      { signers: [h.key(JOR), h.key(EGY)] },
    );
    await h.integrate();

    // Notified 42 days and 19 hours before the start: on time, if judged on acceptance.
    h.clock.t = Date.parse('2026-03-19T10:00:00.000Z');
    const notified = await h.issue(
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
    expect(notified.outcome.status).toBe(202);
    // The operator holds the integrator for three days, past the promise and past the due date.
    h.clock.advance(72 * HOUR);
    await h.integrate();

    const at = '2026-03-23T00:00:00Z';
    const { body, report } = await h.service.compliance({ at }, {});
    const notifications = report.findings.filter((f) => f.rule === 'notification');
    expect(notifications).toEqual([
      expect.objectContaining({
        party: JOR,
        outcome: 'compliant',
        subjects: [notified.outcome.body.statement],
        actual: '2026-03-19T10:00:00.000Z',
      }),
    ]);
    expect(report.findings.filter((f) => f.party === JOR && f.outcome === 'late')).toEqual([]);
    const index = (await h.service.statement(notified.outcome.body.statement, {})).index!;
    expect(report.operatorFindings).toEqual([
      {
        rule: 'integration.promise',
        party: OPERATOR,
        index,
        subjects: [notified.outcome.body.statement],
        outcome: 'late',
        due: '2026-03-20T10:00:00.000Z',
        actual: '2026-03-22T10:00:00.000Z',
        detail: expect.stringContaining('2 days late') as unknown,
      },
    ]);

    // The observer's offline replay from the public view and a verified checkpoint.
    const { treeSize } = report;
    const note = await h.memory.log.getCheckpoint(treeSize);
    const { checkpoint } = openCheckpoint(note!, parseVkey(h.signer.vkey));
    const entries = await publicEntries(h, treeSize);
    const input = {
      ledger: ORIGIN,
      treeSize,
      rootHash: toBase64(checkpoint.rootHash),
      at,
      entries,
    };
    expect(canonicalReport(evaluateCompliance(input))).toBe(body);

    // Judged on integratedAt (what a v1 reading of the same leaves would do), the state would
    // be late: the promise is what protects it.
    const asV1 = entries.map(({ acceptedAt: _a, integrateBy: _b, ...rest }) => rest);
    const v1Report = evaluateCompliance({ ...input, entries: asV1 });
    expect(v1Report.findings.find((f) => f.rule === 'notification')?.outcome).toBe('late');
    expect(v1Report.operatorFindings).toBeUndefined();

    // Filtered to the submitter, nothing is held against it; filtered to the operator, the
    // broken promise stays.
    const jor = await h.service.compliance({ at, party: JOR }, {});
    expect(jor.report.operatorFindings).toBeUndefined();
    const operator = await h.service.compliance({ at, party: OPERATOR }, {});
    expect(operator.report.operatorFindings).toHaveLength(1);
  });

  it('reports no operator finding when the statement is integrated in time', async () => {
    const h = new Harness();
    await h.bootstrap([JOR]);
    await h.issue(JOR, 'info.exchange', infoExchangeBody());
    h.clock.advance(24 * HOUR); // exactly at the deadline is in time
    await h.integrate();
    const { report } = await h.service.compliance({}, {});
    expect(report.operatorFindings).toBeUndefined();
  });
});
