/**
 * GET /v1/compliance, /v1/measures and /v1/measures/{id}/timeline end to end through the API
 * handler (every response checked against the OpenAPI document by the fixture): a measure among
 * three states under vd2011 with a late and an on-time notification; the report's bytes equal
 * what an observer computes offline from GET /v1/entries and a verified GET /v1/checkpoint; and
 * the bad-input table for the three paths.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalReport,
  complianceEntryFromLeaf,
  evaluateCompliance,
  RULES_VERSIONS,
} from '@cbm-ledger/compliance';
import type { ComplianceEntry, ComplianceReport, RulesVersion } from '@cbm-ledger/compliance';
import { newNonce, signStatement } from '@cbm-ledger/ledger';
import type { EntriesPage, MeasureListView, TimelineView } from '@cbm-ledger/ledger';
import {
  fromBase64,
  keyFileSeed,
  openCheckpoint,
  parseLeaf,
  parseStatement,
  parseVkey,
  statementId,
  toBase64,
} from '@cbm-ledger/protocol';
import type { Envelope, Statement } from '@cbm-ledger/protocol';
import { measure, notification } from '@cbm-ledger/compliance/testing';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import type { Party, RequestOptions, TestLedger } from '@cbm-ledger/functions/testing';

const DAY = 86_400_000;
const MENA = 'mena-csbm';

/** RFC 3339 UTC, whole seconds, `days` from now. */
function fromNow(days: number): string {
  return new Date(Math.floor((Date.now() + days * DAY) / 1000) * 1000)
    .toISOString()
    .replace('.000Z', 'Z');
}

/** A statement of `issuer` signed by every party in `signers` (measure.define needs all). */
function signByAll(
  ledger: TestLedger,
  issuer: Party,
  signers: readonly Party[],
  type: Statement['type'],
  body: unknown,
): Envelope {
  const statement = {
    v: 1,
    ledger: ledger.config.origin,
    type,
    issuer: issuer.id,
    seq: issuer.seq + 1,
    prev: issuer.prev,
    issuedAt: new Date().toISOString(),
    nonce: newNonce(),
    visibility: 'public',
    body,
  } as Statement;
  const envelope = signStatement(
    statement,
    signers.map((p) => keyFileSeed(p.key)),
  );
  issuer.seq = statement.seq;
  issuer.prev = statementId(fromBase64(envelope.payload));
  return envelope;
}

async function getJson<T>(
  ledger: TestLedger,
  path: string,
  query: Record<string, string> = {},
): Promise<T> {
  const answer = await ledger.call('GET', path, { query });
  expect(answer.statusCode, answer.body).toBe(200);
  return JSON.parse(answer.body) as T;
}

/**
 * The observer's offline replay from what it holds: the log's vkey (and origin), and what the
 * API serves anonymously (the checkpoint, and the entries with public statements).
 */
async function replay(
  ledger: TestLedger,
  at: string,
  rulesVersion?: RulesVersion,
): Promise<{ treeSize: number; body: string }> {
  const note = (await ledger.call('GET', '/v1/checkpoint')).body;
  const { checkpoint } = openCheckpoint(note, parseVkey(ledger.logVkey));
  const entries: ComplianceEntry[] = [];
  while (entries.length < checkpoint.size) {
    const page = await getJson<EntriesPage>(ledger, '/v1/entries', {
      start: String(entries.length),
      limit: '1000',
    });
    expect(page.entries.length, 'the log serves every entry below the checkpoint').toBeGreaterThan(
      0,
    );
    for (const e of page.entries) {
      if (e.index >= checkpoint.size) break;
      entries.push({
        // v2 leaves carry acceptedAt, the time deadlines are judged on (docs/promises.md).
        ...complianceEntryFromLeaf(parseLeaf(e.leaf)),
        ...(e.envelope === undefined
          ? {}
          : { statement: parseStatement(fromBase64(e.envelope.payload)) }),
      });
    }
  }
  const report = evaluateCompliance({
    ledger: ledger.config.origin,
    treeSize: checkpoint.size,
    rootHash: toBase64(checkpoint.rootHash),
    at,
    entries,
    ...(rulesVersion === undefined ? {} : { rulesVersion }),
  });
  return { treeSize: checkpoint.size, body: canonicalReport(report) };
}

describe('compliance and timelines over HTTP', () => {
  let ledger: TestLedger;
  let jor: Party;
  let egy: Party;
  let isr: Party;

  beforeAll(async () => {
    ledger = await createTestLedger();
    jor = await ledger.registerState('state:JOR');
    egy = await ledger.registerState('state:EGY');
    isr = await ledger.registerState('state:ISR');
    // In force since 100 days, so deadlines of the coming weeks' activities fall inside it.
    const define = signByAll(ledger, jor, [jor, egy, isr], 'measure.define', {
      ...measure({
        id: MENA,
        parties: [jor.id, egy.id, isr.id],
        adoptedAt: fromNow(-101),
        inForceAt: fromNow(-100),
        sunsetAt: fromNow(700),
        review: { firstAt: fromNow(300) },
      }),
    });
    expect((await ledger.submit(define)).statusCode).toBe(202);
    // Notified 60 days ahead: on time. 20 days ahead: late by 22 days.
    const onTime = ledger.sign(
      egy,
      'exercise.notification',
      notification({
        designation: 'NILE SHIELD',
        start: fromNow(60),
        end: fromNow(63),
        counts: { troops: 10_000 },
        participatingStates: [egy.id],
      }),
    );
    const late = ledger.sign(
      jor,
      'exercise.notification',
      notification({
        designation: 'DESERT LANCE',
        start: fromNow(20),
        end: fromNow(23),
        counts: { troops: 10_000 },
        participatingStates: [jor.id],
      }),
    );
    for (const envelope of [onTime, late]) {
      expect((await ledger.submit(envelope)).statusCode).toBe(202);
    }
    await ledger.integrator.runUntilIdle();
  });

  it('serves the canonical report bytes an observer recomputes from the public view', async () => {
    const at = new Date().toISOString();
    const { treeSize, body: offline } = await replay(ledger, at);
    const answer = await ledger.call('GET', '/v1/compliance', {
      query: { at, treeSize: String(treeSize) },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['content-type']).toBe('application/json');
    expect(answer.body).toBe(offline);

    const report = JSON.parse(answer.body) as ComplianceReport;
    expect(canonicalReport(report)).toBe(answer.body);
    const notifications = report.findings
      .filter((f) => f.rule === 'notification')
      .map((f) => [f.party, f.outcome]);
    expect(notifications).toEqual([
      ['state:EGY', 'compliant'],
      ['state:JOR', 'late'],
    ]);
  });

  it.each(RULES_VERSIONS)(
    'serves rules %s byte-identical to the offline replay of the same version',
    async (rulesVersion) => {
      const at = new Date().toISOString();
      const { treeSize, body: offline } = await replay(ledger, at, rulesVersion);
      const answer = await ledger.call('GET', '/v1/compliance', {
        query: { at, treeSize: String(treeSize), rulesVersion },
      });
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.body).toBe(offline);
      const report = JSON.parse(answer.body) as ComplianceReport;
      expect(report.ruleSets.every((r) => r.version === rulesVersion)).toBe(true);
      expect(report.rulesVersion).toBe(rulesVersion === '1.0.0' ? undefined : rulesVersion);
    },
  );

  it('answers byte-identically on repeat, and an old (treeSize, at) after the log grew', async () => {
    const at = new Date().toISOString();
    const query = { at, treeSize: String((await replay(ledger, at)).treeSize) };
    const first = (await ledger.call('GET', '/v1/compliance', { query })).body;
    expect((await ledger.call('GET', '/v1/compliance', { query })).body).toBe(first);

    const request = ledger.sign(isr, 'risk.request', {
      to: jor.id,
      activity: {
        description: 'Armoured columns near the border',
        // Named by an area and a time window: admission refuses requests that name no activity.
        area: { description: 'The border crossing' },
        start: '2026-01-01T00:00:00Z',
        end: '2026-01-02T00:00:00Z',
      },
      question: 'What is the purpose of this activity?',
    });
    expect((await ledger.submit(request)).statusCode).toBe(202);
    await ledger.integrator.runUntilIdle();

    expect((await ledger.call('GET', '/v1/compliance', { query })).body).toBe(first);
    const grown = await ledger.call('GET', '/v1/compliance', { query: { at } });
    const report = JSON.parse(grown.body) as ComplianceReport;
    expect(report.treeSize).toBe(Number(query.treeSize) + 1);
    expect(grown.body).not.toBe(first);
  });

  it('filters by party and measure', async () => {
    const answer = await ledger.call('GET', '/v1/compliance', {
      query: { party: 'state:JOR', measure: MENA },
    });
    const report = JSON.parse(answer.body) as ComplianceReport;
    expect(report).toMatchObject({ party: 'state:JOR', measure: MENA });
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.party === 'state:JOR' && f.measure === MENA)).toBe(true);
  });

  it('lists measures and serves a timeline', async () => {
    const list = await getJson<MeasureListView>(ledger, '/v1/measures');
    expect(list.measures.map((m) => [m.id, m.status])).toEqual([[MENA, 'in-force']]);
    const timeline = await getJson<TimelineView>(ledger, `/v1/measures/${MENA}/timeline`, {
      at: fromNow(1),
    });
    expect(timeline.id).toBe(MENA);
    expect(timeline.events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['defined', 'in-force', 'review-due', 'expiring', 'sunset']),
    );
    expect(timeline.treeSize).toBe(list.treeSize);
  });

  interface Row {
    name: string;
    path: string;
    request?: RequestOptions;
    method?: string;
    status: number;
    code: string;
  }
  const q = (query: Record<string, string | string[]>): RequestOptions => ({ query });
  const rows: Row[] = [
    // GET /v1/compliance
    {
      name: 'at: month 13',
      path: '/v1/compliance',
      request: q({ at: '2026-13-01T00:00:00Z' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'at: a word',
      path: '/v1/compliance',
      request: q({ at: 'yesterday' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'at: no Z',
      path: '/v1/compliance',
      request: q({ at: '2026-04-01T00:00:00' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'at: offset',
      path: '/v1/compliance',
      request: q({ at: '2026-04-01T00:00:00+00:00' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'at: date only',
      path: '/v1/compliance',
      request: q({ at: '2026-04-01' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'at: empty',
      path: '/v1/compliance',
      request: q({ at: '' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'at: twice',
      path: '/v1/compliance',
      request: q({ at: ['2026-04-01T00:00:00Z', '2026-04-02T00:00:00Z'] }),
      status: 400,
      code: 'MALFORMED',
    },
    {
      name: 'treeSize beyond the log',
      path: '/v1/compliance',
      request: q({ treeSize: '1000000' }),
      status: 400,
      code: 'TREE_SIZE_BEYOND_LOG',
    },
    {
      name: 'treeSize negative',
      path: '/v1/compliance',
      request: q({ treeSize: '-1' }),
      status: 400,
      code: 'RANGE_INVALID',
    },
    {
      name: 'treeSize too large',
      path: '/v1/compliance',
      request: q({ treeSize: '9007199254740992' }),
      status: 400,
      code: 'RANGE_INVALID',
    },
    {
      name: 'treeSize exponent',
      path: '/v1/compliance',
      request: q({ treeSize: '1e3' }),
      status: 400,
      code: 'MALFORMED',
    },
    {
      name: 'treeSize leading zero',
      path: '/v1/compliance',
      request: q({ treeSize: '01' }),
      status: 400,
      code: 'MALFORMED',
    },
    {
      name: 'treeSize fraction',
      path: '/v1/compliance',
      request: q({ treeSize: '1.0' }),
      status: 400,
      code: 'MALFORMED',
    },
    {
      name: 'party without kind',
      path: '/v1/compliance',
      request: q({ party: 'JOR' }),
      status: 400,
      code: 'MALFORMED',
    },
    {
      name: 'party lowercase state',
      path: '/v1/compliance',
      request: q({ party: 'state:jor' }),
      status: 400,
      code: 'MALFORMED',
    },
    {
      name: 'measure syntax',
      path: '/v1/compliance',
      request: q({ measure: 'Not_A_Slug' }),
      status: 400,
      code: 'MALFORMED',
    },
    {
      name: 'unknown measure',
      path: '/v1/compliance',
      request: q({ measure: 'no-such-measure' }),
      status: 404,
      code: 'NOT_FOUND',
    },
    {
      name: 'unknown parameter',
      path: '/v1/compliance',
      request: q({ state: 'state:JOR' }),
      status: 400,
      code: 'MALFORMED',
    },
    ...['3.0.0', '2', '2.0', '', 'latest', ' 2.0.0', '2.0.0 '].map((v) => ({
      name: `rulesVersion: ${JSON.stringify(v)}`,
      path: '/v1/compliance',
      request: q({ rulesVersion: v }),
      status: 400,
      code: 'MALFORMED',
    })),
    {
      name: 'rulesVersion twice',
      path: '/v1/compliance',
      request: q({ rulesVersion: ['1.0.0', '2.0.0'] }),
      status: 400,
      code: 'MALFORMED',
    },
    {
      name: 'POST',
      path: '/v1/compliance',
      method: 'POST',
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
    },
    // GET /v1/measures
    {
      name: 'measures: at invalid',
      path: '/v1/measures',
      request: q({ at: '2026-02-30T00:00:00Z' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'measures: at no Z',
      path: '/v1/measures',
      request: q({ at: '2026-02-01T00:00:00' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'measures: treeSize not offered',
      path: '/v1/measures',
      request: q({ treeSize: '1' }),
      status: 400,
      code: 'MALFORMED',
    },
    // GET /v1/measures/{id}/timeline
    {
      name: 'timeline: unknown measure',
      path: '/v1/measures/no-such-measure/timeline',
      status: 404,
      code: 'NOT_FOUND',
    },
    {
      name: 'timeline: id syntax',
      path: '/v1/measures/Not_A_Slug/timeline',
      status: 400,
      code: 'MALFORMED',
    },
    {
      name: 'timeline: at invalid',
      path: `/v1/measures/${MENA}/timeline`,
      request: q({ at: 'yesterday' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'timeline: at month 13',
      path: `/v1/measures/${MENA}/timeline`,
      request: q({ at: '2026-13-01T00:00:00Z' }),
      status: 400,
      code: 'AT_INVALID',
    },
    {
      name: 'timeline: unknown parameter',
      path: `/v1/measures/${MENA}/timeline`,
      request: q({ party: 'state:JOR' }),
      status: 400,
      code: 'MALFORMED',
    },
  ];

  it.each(rows)('$name → $status $code', async (row) => {
    const answer = await ledger.call(row.method ?? 'GET', row.path, row.request);
    expect(answer.statusCode, answer.body).toBe(row.status);
    expect(answer.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: row.status, code: row.code });
  });
});
