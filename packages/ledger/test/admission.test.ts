/**
 * The bad-input table of issue 3 for POST /v1/statements and the query parameters: every row
 * answers a 4xx LedgerError with a stable code, and writes nothing to any store.
 */
import { problemStatus } from '@cbm-ledger/contract';
import {
  STATEMENT_PAYLOAD_TYPE,
  sha256Hex,
  signEnvelope,
  toBase64,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope, Statement, StatementType } from '@cbm-ledger/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { LedgerError } from '@cbm-ledger/ledger';
import { dumpMemoryStores } from '@cbm-ledger/ledger/testing';
import {
  Harness,
  OPERATOR,
  bodyOf,
  fixtureBody,
  infoExchangeBody,
  otherLogVkey,
  sign,
  testKey,
} from '@cbm-ledger/ledger/testing';
import type { TestKey } from '@cbm-ledger/ledger/testing';

interface Submission {
  body: Uint8Array;
  contentType: string | undefined;
}

interface Row {
  name: string;
  /** Builds the submission against the prepared ledger. */
  build: (h: Harness) => Submission;
  code: string;
  status: number;
  /** Expected problem extensions (subset). */
  extensions?: (h: Harness) => Record<string, unknown>;
}

const json = (body: Uint8Array): Submission => ({ body, contentType: 'application/json' });
const envelopeOf = (e: unknown): Submission => json(bodyOf(e));

/** A valid next statement of `issuer`, with `patch` applied to the statement object. */
function statementOf(
  h: Harness,
  issuer: string,
  patch: Record<string, unknown> = {},
  type: StatementType = 'info.exchange',
  body: unknown = infoExchangeBody(),
): Statement {
  return { ...h.statement(issuer, type, body), ...patch };
}

function signed(h: Harness, statement: unknown, keys?: readonly TestKey[]): Submission {
  const s = statement as Statement;
  return envelopeOf(sign(s, keys ?? [h.key(s.issuer)]));
}

function validEnvelope(h: Harness): Envelope {
  return sign(statementOf(h, 'state:JOR'), [h.key('state:JOR')]);
}

const evidenceBytes = utf8Encode('exercise area photographs');
const evidenceHex = sha256Hex(evidenceBytes);
const tamperedHex = sha256Hex(utf8Encode('tampered evidence'));
/** Stored by state:EGY only: JOR knows the hash (a public leaf shows it) but not the bytes. */
const othersBytes = utf8Encode('EGY restricted annex');
const othersHex = sha256Hex(othersBytes);
const missingHex = sha256Hex(utf8Encode('never uploaded'));

function withEvidence(h: Harness, sha256: string, size: number): Submission {
  return signed(
    h,
    statementOf(h, 'state:JOR', {
      evidence: [{ sha256, size, mediaType: 'image/jpeg', name: 'photos.jpg' }],
    }),
  );
}

/** A measure between JOR and EGY; `term` and `review` patch the defaults. */
function measureBody(
  id: string,
  term: Record<string, unknown> = {},
  dates: Record<string, unknown> = {},
): unknown {
  return {
    id,
    title: `Measure ${id}`,
    parties: ['state:JOR', 'state:EGY'],
    ruleSet: 'vd2011',
    overrides: {},
    adoptedAt: '2026-01-15T12:00:00Z',
    inForceAt: '2026-02-01T00:00:00Z',
    term: {
      sunsetAt: '2031-02-01T00:00:00Z',
      renewal: 'affirmative',
      renewalPeriodMonths: 60,
      terminationNoticeDays: 180,
      ...term,
    },
    review: { firstAt: '2027-02-01T00:00:00Z', intervalMonths: 12, graceDays: 30 },
    ...dates,
  };
}

/** A measure statement of `issuer` (JOR unless given), signed by the issuer. */
const hours = (n: number): number => n * 3_600_000;

/** An observer report by observer:team whose period starts `offsetMs` after the ledger clock. */
function observerReportBody(h: Harness, offsetMs: number): unknown {
  const start = h.clock.now() + offsetMs;
  return {
    exercise: `sha256:${'ab'.repeat(32)}`,
    hostState: 'state:JOR',
    period: {
      start: new Date(start).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      end: new Date(start + hours(24)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    declaredVsObserved: [],
    access: 'full',
    findings: [],
    dissent: [],
  };
}

function measureStatement(
  h: Harness,
  type: StatementType,
  body: unknown,
  issuer = 'state:JOR',
): Submission {
  return signed(h, statementOf(h, issuer, {}, type, body));
}

const days = (n: number): number => n * 86_400_000;

/** Statements the reply rows cite, filed in beforeAll. */
const claims = {
  /** EGY's public risk.request to LBN: a claim about LBN, not JOR. */
  toLbn: '',
  /** EGY's risk.request to JOR, restricted to LBN: about JOR, but JOR may not read it. */
  hiddenFromJor: '',
  /** JOR's own info.exchange: no claim at all. */
  notAClaim: '',
};

const reply = (h: Harness, claim: string): Submission =>
  measureStatement(h, 'claim.reply', {
    claim,
    position: 'dispute',
    answer: 'This is not about us.',
  });

const rows: Row[] = [
  // Transport
  { name: 'empty body', build: () => json(new Uint8Array(0)), code: 'BODY_EMPTY', status: 400 },
  {
    name: 'body over the limit',
    build: () => json(new Uint8Array(262_145).fill(0x20)),
    code: 'BODY_TOO_LARGE',
    status: 413,
  },
  {
    name: 'wrong content type',
    build: (h) => ({ body: bodyOf(validEnvelope(h)), contentType: 'text/plain' }),
    code: 'UNSUPPORTED_MEDIA_TYPE',
    status: 415,
  },
  {
    name: 'no content type',
    build: (h) => ({ body: bodyOf(validEnvelope(h)), contentType: undefined }),
    code: 'UNSUPPORTED_MEDIA_TYPE',
    status: 415,
  },
  {
    name: 'a charset other than UTF-8',
    build: (h) => ({
      body: bodyOf(validEnvelope(h)),
      contentType: 'application/json; charset=iso-8859-1',
    }),
    code: 'UNSUPPORTED_MEDIA_TYPE',
    status: 415,
  },
  // Envelope
  {
    name: 'not JSON',
    build: () => json(utf8Encode('{"payloadType":')),
    code: 'MALFORMED',
    status: 400,
  },
  {
    name: 'not UTF-8',
    build: () => json(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)),
    code: 'MALFORMED',
    status: 400,
  },
  {
    name: 'JSON that is not an object',
    build: () => json(utf8Encode('[1,2,3]')),
    code: 'SCHEMA_VIOLATION',
    status: 400,
  },
  {
    name: 'envelope without signatures',
    build: (h) => envelopeOf({ ...validEnvelope(h), signatures: [] }),
    code: 'SCHEMA_VIOLATION',
    status: 400,
    extensions: () => ({ path: '$.signatures' }),
  },
  {
    name: 'bad base64 payload',
    build: (h) => envelopeOf({ ...validEnvelope(h), payload: 'not base64!' }),
    code: 'MALFORMED',
    status: 400,
    extensions: () => ({ path: '$.payload' }),
  },
  {
    name: 'bad base64 signature',
    build: (h) => {
      const e = validEnvelope(h);
      return envelopeOf({ ...e, signatures: [{ keyid: e.signatures[0]!.keyid, sig: '%%%%' }] });
    },
    code: 'MALFORMED',
    status: 400,
    extensions: () => ({ path: '$.signatures[0].sig' }),
  },
  {
    name: 'unknown envelope field',
    build: (h) => envelopeOf({ ...validEnvelope(h), note: 'hi' }),
    code: 'UNKNOWN_FIELD',
    status: 400,
  },
  {
    name: 'wrong payloadType',
    build: (h) => envelopeOf({ ...validEnvelope(h), payloadType: 'application/json' }),
    code: 'PAYLOAD_TYPE_INVALID',
    status: 400,
  },
  {
    name: 'payload over 64 KiB',
    build: (h) =>
      envelopeOf({ ...validEnvelope(h), payload: toBase64(new Uint8Array(65_537).fill(0x20)) }),
    code: 'TOO_LARGE',
    status: 413,
  },
  // Statement schema
  {
    name: 'payload that is not JSON',
    build: (h) =>
      envelopeOf(
        signEnvelope(STATEMENT_PAYLOAD_TYPE, utf8Encode('not json'), [h.key('state:JOR').seed]),
      ),
    code: 'MALFORMED',
    status: 400,
  },
  {
    name: 'payload that is JSON but not a statement object',
    build: (h) => envelopeOf(sign('x', [h.key('state:JOR')])),
    code: 'SCHEMA_VIOLATION',
    status: 400,
  },
  {
    name: 'unknown statement type',
    build: (h) => signed(h, statementOf(h, 'state:JOR', { type: 'exercise.invented' })),
    code: 'UNKNOWN_STATEMENT_TYPE',
    status: 400,
    extensions: () => ({ path: '$.type' }),
  },
  {
    name: 'unknown statement field',
    build: (h) => signed(h, statementOf(h, 'state:JOR', { priority: 'high' })),
    code: 'UNKNOWN_FIELD',
    status: 400,
    extensions: () => ({ path: '$.priority' }),
  },
  {
    name: 'unknown body field',
    build: (h) =>
      signed(h, statementOf(h, 'state:JOR', { body: { ...(infoExchangeBody() as object), x: 1 } })),
    code: 'UNKNOWN_FIELD',
    status: 400,
    extensions: () => ({ path: '$.body.x' }),
  },
  {
    name: 'schema violation in the body',
    build: (h) => {
      const body = infoExchangeBody() as { holdings: Record<string, unknown> };
      return signed(
        h,
        statementOf(h, 'state:JOR', {
          body: { ...body, holdings: { ...body.holdings, personnel: -1 } },
        }),
      );
    },
    code: 'SCHEMA_VIOLATION',
    status: 400,
    extensions: () => ({ path: '$.body.holdings.personnel' }),
  },
  {
    name: 'schema violation: prev with seq 1',
    build: (h) =>
      signed(h, statementOf(h, 'state:EGY', { seq: 1, prev: `sha256:${'0'.repeat(64)}` })),
    code: 'SCHEMA_VIOLATION',
    status: 400,
    extensions: () => ({ path: '$.prev' }),
  },
  {
    name: 'schema violation: issuedAt not UTC',
    build: (h) => signed(h, statementOf(h, 'state:JOR', { issuedAt: '2026-03-01T10:30:00+01:00' })),
    code: 'SCHEMA_VIOLATION',
    status: 400,
    extensions: () => ({ path: '$.issuedAt' }),
  },
  {
    name: 'issuer kind not allowed for the type',
    build: (h) =>
      signed(
        h,
        statementOf(
          h,
          'observer:team',
          {},
          'exercise.notification',
          fixtureBody('exercise.notification'),
        ),
      ),
    code: 'ISSUER_KIND_NOT_ALLOWED',
    status: 422,
  },
  // Ledger state
  {
    name: 'another ledger’s origin',
    build: (h) => signed(h, statementOf(h, 'state:JOR', { ledger: 'cbm-ledger.example/other' })),
    code: 'WRONG_LEDGER',
    status: 422,
  },
  {
    name: 'issuedAt before the window',
    build: (h) =>
      signed(
        h,
        statementOf(h, 'state:JOR', { issuedAt: new Date(h.clock.now() - 600_001).toISOString() }),
      ),
    code: 'ISSUED_AT_OUT_OF_WINDOW',
    status: 422,
  },
  {
    name: 'issuedAt after the window',
    build: (h) =>
      signed(
        h,
        statementOf(h, 'state:JOR', { issuedAt: new Date(h.clock.now() + 600_001).toISOString() }),
      ),
    code: 'ISSUED_AT_OUT_OF_WINDOW',
    status: 422,
  },
  {
    name: 'a single-signer statement issued a day ago (the signing window is for two or more parties)',
    build: (h) =>
      signed(
        h,
        statementOf(h, 'state:JOR', { issuedAt: new Date(h.clock.now() - days(1)).toISOString() }),
      ),
    code: 'ISSUED_AT_OUT_OF_WINDOW',
    status: 422,
    extensions: () => ({ path: '$.issuedAt' }),
  },
  {
    name: 'a two-party measure issued beyond the 14-day signing window',
    build: (h) =>
      signed(
        h,
        statementOf(
          h,
          'state:JOR',
          { issuedAt: new Date(h.clock.now() - days(14) - 1).toISOString() },
          'measure.define',
          measureBody('m-late'),
        ),
        [h.key('state:JOR'), h.key('state:EGY')],
      ),
    code: 'ISSUED_AT_OUT_OF_WINDOW',
    status: 422,
    extensions: () => ({ path: '$.issuedAt' }),
  },
  {
    name: 'a two-party measure issued in the future beyond the skew',
    build: (h) =>
      signed(
        h,
        statementOf(
          h,
          'state:JOR',
          { issuedAt: new Date(h.clock.now() + 600_001).toISOString() },
          'measure.define',
          measureBody('m-future'),
        ),
        [h.key('state:JOR'), h.key('state:EGY')],
      ),
    code: 'ISSUED_AT_OUT_OF_WINDOW',
    status: 422,
  },
  {
    name: 'a two-party measure issued days ago whose co-signature is missing',
    build: (h) =>
      signed(
        h,
        statementOf(
          h,
          'state:JOR',
          { issuedAt: new Date(h.clock.now() - days(3)).toISOString() },
          'measure.define',
          measureBody('m-half'),
        ),
        [h.key('state:JOR')],
      ),
    code: 'COSIGNATURE_MISSING',
    status: 422,
  },
  {
    name: 'genesis once the ledger exists',
    build: (h) => signed(h, { ...h.genesisStatement(), seq: 1, prev: null }, [h.key(OPERATOR)]),
    code: 'LEDGER_ALREADY_INITIALIZED',
    status: 409,
  },
  {
    name: 'unregistered issuer',
    build: (h) => signed(h, statementOf(h, 'state:ZZZ'), [testKey('state:ZZZ')]),
    code: 'ISSUER_UNKNOWN',
    status: 422,
  },
  {
    name: 'signature by an unknown key',
    build: (h) => signed(h, statementOf(h, 'state:JOR'), [testKey('state:JOR', 'stolen')]),
    code: 'KEY_UNKNOWN',
    status: 422,
    extensions: () => ({ path: '$.signatures[0].keyid' }),
  },
  {
    name: 'signature by a revoked key',
    build: (h) => signed(h, statementOf(h, 'state:TUN'), [testKey('state:TUN')]),
    code: 'KEY_REVOKED',
    status: 422,
  },
  {
    name: 'signature by a retired key',
    build: (h) => signed(h, statementOf(h, 'state:EGY'), [testKey('state:EGY')]),
    code: 'KEY_RETIRED',
    status: 422,
  },
  {
    name: 'signature by a key of a party other than the issuer',
    build: (h) =>
      signed(h, statementOf(h, 'state:JOR'), [h.key('state:JOR'), h.key('observer:team')]),
    code: 'KEY_NOT_ISSUERS',
    status: 422,
  },
  {
    name: 'signature only by another party’s key',
    build: (h) => signed(h, statementOf(h, 'state:JOR'), [h.key('observer:team')]),
    code: 'KEY_NOT_ISSUERS',
    status: 422,
  },
  {
    name: 'signature that does not verify',
    build: (h) => {
      const good = sign(statementOf(h, 'state:JOR'), [h.key('state:JOR')]);
      const forged = sign(statementOf(h, 'state:JOR'), [h.key('state:JOR')]);
      return envelopeOf({ ...good, signatures: forged.signatures });
    },
    code: 'SIGNATURE_INVALID',
    status: 422,
    extensions: () => ({ path: '$.signatures[0].sig' }),
  },
  {
    name: 'missing co-signature on a multi-party measure',
    build: (h) => {
      const body = {
        ...(fixtureBody('measure.define') as object),
        parties: ['state:JOR', 'state:EGY'],
      };
      return signed(h, statementOf(h, 'state:JOR', {}, 'measure.define', body));
    },
    code: 'COSIGNATURE_MISSING',
    status: 422,
    extensions: () => ({ party: 'state:EGY' }),
  },
  {
    name: 'key rotation not signed by the new key',
    build: (h) => {
      const next = testKey('state:JOR', 'next');
      const body = {
        party: 'state:JOR',
        newKey: { keyid: next.keyid, publicKey: next.publicKey },
        retiredKeyid: h.key('state:JOR').keyid,
      };
      return signed(h, statementOf(h, 'state:JOR', {}, 'key.rotate', body));
    },
    code: 'COSIGNATURE_MISSING',
    status: 422,
  },
  {
    name: 'key rotation to a key another party holds',
    build: (h) => {
      const taken = h.key('observer:team');
      const body = {
        party: 'state:JOR',
        newKey: { keyid: taken.keyid, publicKey: taken.publicKey },
        retiredKeyid: h.key('state:JOR').keyid,
      };
      return signed(h, statementOf(h, 'state:JOR', {}, 'key.rotate', body), [h.key('state:JOR')]);
    },
    code: 'KEY_ALREADY_REGISTERED',
    status: 409,
  },
  {
    name: 'revocation of a key the party does not hold',
    build: (h) => {
      const body = {
        party: 'state:JOR',
        keyid: h.key('state:EGY').keyid,
        reason: 'compromised',
        effectiveAt: new Date(h.clock.now()).toISOString(),
      };
      return signed(h, statementOf(h, 'state:JOR', {}, 'key.revoke', body));
    },
    code: 'KEY_UNKNOWN',
    status: 422,
  },
  {
    name: 'registration of a small-order public key',
    build: (h) => {
      const identity = new Uint8Array(32);
      identity[0] = 1;
      const body = {
        party: { id: 'state:QAT', name: 'Qatar', kind: 'state' },
        keys: [{ keyid: sha256Hex(identity), publicKey: toBase64(identity) }],
      };
      return signed(h, statementOf(h, OPERATOR, {}, 'party.register', body));
    },
    code: 'SCHEMA_VIOLATION',
    status: 400,
    extensions: () => ({ path: '$.body.keys[0].publicKey' }),
  },
  // Issuer chain
  {
    name: 'seq gap',
    build: (h) => signed(h, statementOf(h, 'state:JOR', { seq: 3 })),
    code: 'SEQ_GAP',
    status: 409,
    extensions: (h) => ({ head: { seq: 1, statement: h.chains.get('state:JOR')!.id } }),
  },
  {
    name: 'prev mismatch',
    build: (h) => signed(h, statementOf(h, 'state:JOR', { prev: `sha256:${'ab'.repeat(32)}` })),
    code: 'PREV_MISMATCH',
    status: 409,
    extensions: (h) => ({ head: { seq: 1, statement: h.chains.get('state:JOR')!.id } }),
  },
  {
    name: 'a different statement reusing a seq',
    build: (h) => signed(h, statementOf(h, 'state:JOR', { seq: 1, prev: null })),
    code: 'SEQ_CONFLICT',
    status: 409,
    extensions: (h) => ({ head: { seq: 1, statement: h.chains.get('state:JOR')!.id } }),
  },
  // Measures (issue 4: who may review, renew and withdraw, and with what notice)
  {
    name: 'a second definition of a measure id',
    build: (h) =>
      signed(h, statementOf(h, 'state:JOR', {}, 'measure.define', measureBody('m-affirmative')), [
        h.key('state:JOR'),
        h.key('state:EGY'),
      ]),
    code: 'MEASURE_EXISTS',
    status: 409,
    extensions: () => ({ path: '$.body.id' }),
  },
  {
    name: 'a review of a measure nobody defined',
    build: (h) =>
      measureStatement(h, 'measure.review', {
        measure: 'm-undefined',
        dueAt: '2027-02-01T00:00:00Z',
        outcome: 'continue',
      }),
    code: 'MEASURE_UNKNOWN',
    status: 422,
    extensions: () => ({ path: '$.body.measure' }),
  },
  {
    name: 'a review by a state that is not party to the measure',
    build: (h) =>
      measureStatement(
        h,
        'measure.review',
        { measure: 'm-affirmative', dueAt: '2027-02-01T00:00:00Z', outcome: 'continue' },
        'state:LBN',
      ),
    code: 'MEASURE_NOT_PARTY',
    status: 422,
  },
  {
    name: 'a withdrawal by a state that is not party to the measure',
    build: (h) =>
      measureStatement(
        h,
        'measure.withdraw',
        {
          measure: 'm-affirmative',
          effectiveAt: new Date(h.clock.now() + days(365)).toISOString(),
        },
        'state:LBN',
      ),
    code: 'MEASURE_NOT_PARTY',
    status: 422,
  },
  {
    name: 'a review of a measure past its sunset',
    build: (h) =>
      measureStatement(h, 'measure.review', {
        measure: 'm-expired',
        dueAt: '2025-06-01T00:00:00Z',
        outcome: 'continue',
      }),
    code: 'MEASURE_EXPIRED',
    status: 422,
  },
  {
    name: 'a review for a date the measure does not schedule',
    build: (h) =>
      measureStatement(h, 'measure.review', {
        measure: 'm-affirmative',
        dueAt: '2027-03-01T00:00:00Z',
        outcome: 'continue',
      }),
    code: 'REVIEW_NOT_SCHEDULED',
    status: 422,
    extensions: () => ({ path: '$.body.dueAt' }),
  },
  {
    name: 'a renewal of a measure that renews automatically',
    build: (h) =>
      measureStatement(h, 'measure.renew', {
        measure: 'm-automatic',
        newSunsetAt: '2036-02-01T00:00:00Z',
      }),
    code: 'MEASURE_NOT_RENEWABLE',
    status: 422,
  },
  {
    name: 'a renewal that does not move the sunset later',
    build: (h) =>
      measureStatement(h, 'measure.renew', {
        measure: 'm-affirmative',
        newSunsetAt: '2030-02-01T00:00:00Z',
      }),
    code: 'MEASURE_NOT_RENEWABLE',
    status: 422,
  },
  {
    name: 'a withdrawal with less notice than the measure sets',
    build: (h) =>
      measureStatement(h, 'measure.withdraw', {
        measure: 'm-affirmative',
        effectiveAt: new Date(h.clock.now() + days(179)).toISOString(),
      }),
    code: 'WITHDRAWAL_NOTICE_TOO_SHORT',
    status: 422,
    extensions: () => ({ path: '$.body.effectiveAt' }),
  },
  // Claims (docs/compliance-claims.md)
  {
    name: 'an observer report about a period that has not begun',
    build: (h) =>
      measureStatement(h, 'observer.report', observerReportBody(h, hours(1)), 'observer:team'),
    code: 'REPORT_PERIOD_NOT_BEGUN',
    status: 422,
    extensions: () => ({ path: '$.body.period.start' }),
  },
  {
    name: 'a risk.request naming no activity (a description only)',
    build: (h) =>
      measureStatement(h, 'risk.request', {
        to: 'state:EGY',
        activity: { description: 'Something unusual near the border.' },
        question: 'Please explain.',
      }),
    code: 'REQUEST_ACTIVITY_UNNAMED',
    status: 422,
    extensions: () => ({ path: '$.body.activity' }),
  },
  {
    name: 'a risk.request naming an area without the end of its time window',
    build: (h) =>
      measureStatement(h, 'risk.request', {
        to: 'state:EGY',
        activity: {
          description: 'Something unusual near the border.',
          area: { description: 'The border crossing' },
          start: '2026-01-01T00:00:00Z',
        },
        question: 'Please explain.',
      }),
    code: 'REQUEST_ACTIVITY_UNNAMED',
    status: 422,
    extensions: () => ({ path: '$.body.activity' }),
  },
  {
    name: 'a claim.reply to a claim about another party',
    build: (h) => reply(h, claims.toLbn),
    code: 'REPLY_NOT_ANSWERABLE',
    status: 422,
    extensions: () => ({ path: '$.body.claim' }),
  },
  {
    name: 'a claim.reply citing no statement',
    build: (h) => reply(h, `sha256:${'c'.repeat(64)}`),
    code: 'REPLY_NOT_ANSWERABLE',
    status: 422,
    extensions: () => ({ path: '$.body.claim' }),
  },
  {
    // Security: the same answer as for no statement at all, so nothing about it is revealed.
    name: 'a claim.reply to a claim about the issuer that the issuer may not read',
    build: (h) => reply(h, claims.hiddenFromJor),
    code: 'REPLY_NOT_ANSWERABLE',
    status: 422,
    extensions: () => ({ path: '$.body.claim' }),
  },
  {
    name: 'a claim.reply citing a statement that is no claim',
    build: (h) => reply(h, claims.notAClaim),
    code: 'REPLY_NOT_ANSWERABLE',
    status: 422,
    extensions: () => ({ path: '$.body.claim' }),
  },
  // Evidence
  {
    name: 'evidence not stored',
    build: (h) => withEvidence(h, missingHex, 10),
    code: 'EVIDENCE_MISSING',
    status: 422,
    extensions: () => ({ path: '$.evidence[0]' }),
  },
  {
    // Content that does not hash to its name proves no possession (it reached the store around
    // the checksum): the same answer as no upload at all.
    name: 'evidence stored with another hash',
    build: (h) => withEvidence(h, tamperedHex, evidenceBytes.length),
    code: 'EVIDENCE_MISSING',
    status: 422,
    extensions: () => ({ path: '$.evidence[0]' }),
  },
  {
    // Issue 9 §2: citing a hash somebody else uploaded must not be admitted (it would publish
    // the other party's restricted bytes to this statement's audience).
    name: 'evidence uploaded only by another party',
    build: (h) => withEvidence(h, othersHex, othersBytes.length),
    code: 'EVIDENCE_MISSING',
    status: 422,
    extensions: () => ({ path: '$.evidence[0]' }),
  },
  {
    name: 'evidence stored with another size',
    build: (h) => withEvidence(h, evidenceHex, evidenceBytes.length + 1),
    code: 'EVIDENCE_MISMATCH',
    status: 422,
  },
];

async function rejection(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw e;
  }
  throw new Error('expected a LedgerError, got success');
}

describe('bad input to POST /v1/statements', () => {
  const h = new Harness();

  beforeAll(async () => {
    await h.bootstrap(['state:JOR', 'state:EGY', 'state:TUN', 'state:LBN', 'observer:team']);
    // EGY rotates: its first key is retired. TUN's key is revoked by the operator.
    const next = testKey('state:EGY', 'next');
    await h.issue(
      'state:EGY',
      'key.rotate',
      {
        party: 'state:EGY',
        newKey: { keyid: next.keyid, publicKey: next.publicKey },
        retiredKeyid: h.key('state:EGY').keyid,
      },
      { signers: [h.key('state:EGY'), next] },
    );
    h.keys.set('state:EGY', next);
    await h.issue(OPERATOR, 'key.revoke', {
      party: 'state:TUN',
      keyid: h.key('state:TUN').keyid,
      reason: 'compromised',
      effectiveAt: new Date(h.clock.now() - 60_000).toISOString(),
    });
    claims.notAClaim = (
      await h.issue('state:JOR', 'info.exchange', infoExchangeBody())
    ).outcome.body.statement;
    await h.integrate(); // EGY's new key signs from its integration on
    const asked = {
      activity: { description: 'Columns at the border.', notification: claims.notAClaim },
      question: 'Please explain.',
    };
    claims.toLbn = (
      await h.issue('state:EGY', 'risk.request', { ...asked, to: 'state:LBN' })
    ).outcome.body.statement;
    claims.hiddenFromJor = (
      await h.issue(
        'state:EGY',
        'risk.request',
        { ...asked, to: 'state:JOR' },
        { extra: { visibility: 'restricted', audience: ['state:LBN'] } },
      )
    ).outcome.body.statement;
    // Measures between JOR and EGY (issued by EGY, leaving JOR's chain to the rows): one
    // renewing affirmatively, one automatically, one expired.
    const bothSign = { signers: [h.key('state:JOR'), h.key('state:EGY')] };
    await h.issue('state:EGY', 'measure.define', measureBody('m-affirmative'), bothSign);
    await h.issue(
      'state:EGY',
      'measure.define',
      measureBody('m-automatic', { renewal: 'automatic' }),
      bothSign,
    );
    await h.issue(
      'state:EGY',
      'measure.define',
      measureBody(
        'm-expired',
        { sunsetAt: '2026-01-01T00:00:00Z', renewal: 'none', renewalPeriodMonths: undefined },
        {
          adoptedAt: '2024-12-01T00:00:00Z',
          inForceAt: '2025-01-01T00:00:00Z',
          review: { firstAt: '2025-06-01T00:00:00Z', intervalMonths: 12, graceDays: 30 },
        },
      ),
      bothSign,
    );
    h.memory.evidence.putVerified(evidenceHex, evidenceBytes, 'image/jpeg', 'state:JOR');
    h.memory.evidence.putUnchecked(tamperedHex, evidenceBytes, 'image/jpeg', 'state:JOR');
    h.memory.evidence.putVerified(othersHex, othersBytes, 'image/jpeg', 'state:EGY');
    await h.integrate();
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const submission = row.build(h);
    const before = dumpMemoryStores(h.memory);
    const err = await rejection(
      h.service.submit({ body: submission.body, contentType: submission.contentType }),
    );
    expect({ code: err.code, status: problemStatus(err.code) }).toEqual({
      code: row.code,
      status: row.status,
    });
    if (row.extensions !== undefined) expect(err.extensions).toMatchObject(row.extensions(h));
    expect(dumpMemoryStores(h.memory), 'rejected input writes nothing').toBe(before);
  });

  it('accepts a well-formed submission in the same prepared ledger (the rows are not vacuous)', async () => {
    const evidence = await h.service.submit(withEvidence(h, evidenceHex, evidenceBytes.length));
    expect(evidence.status).toBe(202);
  });

  it('accepts the claims the claim rows are near misses of', async () => {
    const report = await h.issue(
      'observer:team',
      'observer.report',
      observerReportBody(h, -60_000),
    );
    expect(report.outcome.status).toBe(202);
    const request = await h.issue('state:EGY', 'risk.request', {
      to: 'state:JOR',
      activity: {
        description: 'The activity the report is about.',
        notification: report.outcome.body.statement,
      },
      question: 'Please explain.',
    });
    expect(request.outcome.status).toBe(202);
  });

  it('accepts the reply the reply rows are near misses of: the addressee answering', async () => {
    const answered = await h.issue('state:LBN', 'claim.reply', {
      claim: claims.toLbn,
      position: 'dispute',
      answer: 'No columns moved.',
    });
    expect(answered.outcome.status).toBe(202);
  });

  it('accepts the measure statements the measure rows are near misses of', async () => {
    const review = await h.issue('state:EGY', 'measure.review', {
      measure: 'm-affirmative',
      dueAt: '2028-02-01T00:00:00Z',
      outcome: 'continue',
    });
    expect(review.outcome.status).toBe(202);
    const renew = await h.issue('state:EGY', 'measure.renew', {
      measure: 'm-affirmative',
      newSunsetAt: '2036-02-01T00:00:00Z',
    });
    expect(renew.outcome.status).toBe(202);
    const withdraw = await h.issue('state:EGY', 'measure.withdraw', {
      measure: 'm-automatic',
      effectiveAt: new Date(h.clock.now() + days(180)).toISOString(),
    });
    expect(withdraw.outcome.status).toBe(202);
  });
});

describe('the signing window of multi-signer statements', () => {
  it('admits a measure both parties signed over days, and judges it on acceptedAt', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR', 'state:EGY']);
    const issuedAt = new Date(h.clock.now() - days(13)).toISOString();
    const submission = signed(
      h,
      statementOf(h, 'state:JOR', { issuedAt }, 'measure.define', measureBody('m-slow')),
      [h.key('state:EGY'), h.key('state:JOR')],
    );
    const outcome = await h.service.submit(submission);
    expect(outcome.status).toBe(202);
  });

  it('takes its length from the config (maxSigningMs)', async () => {
    const h = new Harness({ config: { maxSigningMs: days(2) } });
    await h.bootstrap(['state:JOR', 'state:EGY']);
    const issuedAt = new Date(h.clock.now() - days(3)).toISOString();
    const submission = signed(
      h,
      statementOf(h, 'state:JOR', { issuedAt }, 'measure.define', measureBody('m-slow')),
      [h.key('state:JOR'), h.key('state:EGY')],
    );
    const err = await rejection(h.service.submit(submission));
    expect(err.code).toBe('ISSUED_AT_OUT_OF_WINDOW');
  });
});

describe('bad input before genesis', () => {
  it('admits nothing but the operator’s genesis into an empty ledger', async () => {
    const h = new Harness();
    const cases: [string, Submission, string][] = [
      [
        'a statement before genesis',
        signed(h, statementOf(h, OPERATOR, {}, 'risk.request', fixtureBody('risk.request')), [
          h.key(OPERATOR),
        ]),
        'LEDGER_NOT_INITIALIZED',
      ],
      [
        'genesis signed by a key not in its body',
        signed(h, h.genesisStatement(), [testKey(OPERATOR, 'other')]),
        'KEY_UNKNOWN',
      ],
      [
        'genesis naming another log key',
        signed(
          h,
          {
            ...h.genesisStatement(),
            body: {
              ...(h.genesisStatement().body as object),
              logVkey: otherLogVkey(),
            },
          },
          [h.key(OPERATOR)],
        ),
        'WRONG_LEDGER',
      ],
    ];
    for (const [name, submission, code] of cases) {
      const before = dumpMemoryStores(h.memory);
      const err = await rejection(h.service.submit(submission));
      expect(err.code, name).toBe(code);
      expect(dumpMemoryStores(h.memory), name).toBe(before);
    }
    await h.genesis();
  });
});

describe('bad query parameters', () => {
  it('answers out-of-range indices and sizes with 4xx codes', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR']);
    const size = (await h.service.info()).treeSize;
    const before = dumpMemoryStores(h.memory);
    const cases: [string, () => Promise<unknown>, string, number][] = [
      ['negative index', () => h.service.entry(-1, {}), 'RANGE_INVALID', 400],
      ['fractional index', () => h.service.entry(0.5, {}), 'RANGE_INVALID', 400],
      ['NaN index', () => h.service.entry(Number.NaN, {}), 'RANGE_INVALID', 400],
      ['index beyond the log', () => h.service.entry(size, {}), 'NOT_FOUND', 404],
      ['negative start', () => h.service.entries(-1, 10, {}), 'RANGE_INVALID', 400],
      ['zero limit', () => h.service.entries(0, 0, {}), 'RANGE_INVALID', 400],
      ['negative proof index', () => h.service.inclusionProof(-1, size), 'RANGE_INVALID', 400],
      [
        'index not below treeSize',
        () => h.service.inclusionProof(size, size),
        'RANGE_INVALID',
        400,
      ],
      [
        'treeSize beyond the log',
        () => h.service.inclusionProof(0, size + 1),
        'TREE_SIZE_BEYOND_LOG',
        400,
      ],
      ['from > to', () => h.service.consistencyProof(2, 1), 'RANGE_INVALID', 400],
      [
        'to beyond the log',
        () => h.service.consistencyProof(1, size + 1),
        'TREE_SIZE_BEYOND_LOG',
        400,
      ],
      ['negative from', () => h.service.consistencyProof(-1, 1), 'RANGE_INVALID', 400],
      [
        'unknown statement',
        () => h.service.statement(`sha256:${'0'.repeat(64)}`, {}),
        'NOT_FOUND',
        404,
      ],
      ['malformed statement id', () => h.service.statement('nope', {}), 'NOT_FOUND', 404],
      ['unknown party', () => h.service.party('state:ZZZ'), 'NOT_FOUND', 404],
      ['malformed evidence hash', () => h.service.evidenceDownload('XYZ', {}), 'NOT_FOUND', 404],
    ];
    for (const [name, call, code, status] of cases) {
      const err = await rejection(call());
      expect({ code: err.code, status: problemStatus(err.code) }, name).toEqual({ code, status });
    }
    expect(dumpMemoryStores(h.memory)).toBe(before);
  });
});
