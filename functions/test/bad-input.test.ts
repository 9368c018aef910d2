/**
 * Bad input at the HTTP boundary: every row answers 4xx application/problem+json with a stable
 * code and writes nothing. (The domain's own rows — revoked keys, co-signatures and so on — are
 * tested in packages/ledger; the rows here that reach the domain check the mapping end to end.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  STATEMENT_PAYLOAD_TYPE,
  generateKeyFile,
  keyFileSeed,
  signEnvelope,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope } from '@cbm-ledger/protocol';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import { signatureHeaders } from './reads-fixture.js';
import type { Party, RequestOptions, TestLedger } from '@cbm-ledger/functions/testing';

interface Row {
  name: string;
  method: string;
  path: string;
  request?: RequestOptions | ((ledger: TestLedger, jor: Party) => RequestOptions);
  status: number;
  code: string;
  /** The problem's `errors`, as [code, path], when it must list several. */
  errors?: [string, string][];
}

const json = (value: unknown): RequestOptions => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

const risk = {
  to: 'state:EGY',
  activity: {
    description: 'Armoured columns moving towards the border',
    // Named by an area and a time window: admission refuses requests that name no activity.
    area: { description: 'The border crossing' },
    start: '2026-01-01T00:00:00Z',
    end: '2026-01-02T00:00:00Z',
  },
  question: 'What is the purpose of this activity?',
};

/** A statement of `jor` as an object, to be altered and signed by a row. */
function statement(
  ledger: TestLedger,
  jor: Party,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    v: 1,
    ledger: ledger.config.origin,
    type: 'risk.request',
    issuer: jor.id,
    seq: jor.seq + 1,
    prev: jor.prev,
    issuedAt: new Date().toISOString(),
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    visibility: 'public',
    body: risk,
    ...extra,
  };
}

/** Signs any payload (even one the schema rejects), bypassing signStatement's validation. */
function signRaw(
  payload: unknown,
  seed: Uint8Array,
  payloadType = STATEMENT_PAYLOAD_TYPE,
): Envelope {
  return signEnvelope(payloadType, utf8Encode(JSON.stringify(payload)), [seed]);
}

const submitted = (envelope: unknown): RequestOptions => json(envelope);

/** The request signed (RFC 9421) by `jor`, as evidence uploads must be. */
const signed =
  (request: RequestOptions) =>
  (_ledger: TestLedger, jor: Party): RequestOptions => ({
    ...request,
    headers: {
      ...(request.headers as Record<string, string> | undefined),
      ...signatureHeaders(keyFileSeed(jor.key), 'POST', '/v1/evidence', request),
    },
  });
const seedOf = (jor: Party): Uint8Array => keyFileSeed(jor.key);

const rows: Row[] = [
  // Submissions: transport.
  {
    name: 'not JSON',
    method: 'POST',
    path: '/v1/statements',
    request: { headers: { 'content-type': 'application/json' }, body: '{"payloadType":' },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'empty body',
    method: 'POST',
    path: '/v1/statements',
    request: { headers: { 'content-type': 'application/json' } },
    status: 400,
    code: 'BODY_EMPTY',
  },
  {
    name: 'wrong content type',
    method: 'POST',
    path: '/v1/statements',
    request: { headers: { 'content-type': 'text/plain' }, body: '{}' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'no content type',
    method: 'POST',
    path: '/v1/statements',
    request: { body: '{}' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'body over the limit',
    method: 'POST',
    path: '/v1/statements',
    request: (l) => ({
      headers: { 'content-type': 'application/json' },
      body: ' '.repeat(l.config.maxBodyBytes + 1),
    }),
    status: 413,
    code: 'BODY_TOO_LARGE',
  },
  {
    name: 'body over the limit, base64-encoded',
    method: 'POST',
    path: '/v1/statements',
    request: (l) => ({
      headers: { 'content-type': 'application/json' },
      body: ' '.repeat(l.config.maxBodyBytes + 1),
      base64: true,
    }),
    status: 413,
    code: 'BODY_TOO_LARGE',
  },
  {
    name: 'a JSON array',
    method: 'POST',
    path: '/v1/statements',
    request: json([]),
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
  // Submissions: envelope.
  {
    name: 'envelope without signatures',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) => submitted({ ...signRaw(statement(l, j), seedOf(j)), signatures: [] }),
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
  {
    name: 'bad base64 payload',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted({ ...signRaw(statement(l, j), seedOf(j)), payload: 'not base64!' }),
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'wrong payloadType',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) => submitted(signRaw(statement(l, j), seedOf(j), 'application/json')),
    status: 400,
    code: 'PAYLOAD_TYPE_INVALID',
  },
  {
    name: 'unknown envelope field',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) => submitted({ ...signRaw(statement(l, j), seedOf(j)), extra: 1 }),
    status: 400,
    code: 'UNKNOWN_FIELD',
  },
  {
    name: 'payload over 64 KiB',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted(
        signRaw({ ...statement(l, j), body: { ...risk, question: 'x'.repeat(70_000) } }, seedOf(j)),
      ),
    status: 413,
    code: 'TOO_LARGE',
  },
  // Submissions: statement.
  {
    name: 'unknown statement type',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) => submitted(signRaw(statement(l, j, { type: 'exercise.rumour' }), seedOf(j))),
    status: 400,
    code: 'UNKNOWN_STATEMENT_TYPE',
  },
  {
    name: 'unknown statement field',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) => submitted(signRaw(statement(l, j, { mood: 'calm' }), seedOf(j))),
    status: 400,
    code: 'UNKNOWN_FIELD',
  },
  {
    name: 'schema violation',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted(signRaw(statement(l, j, { body: { ...risk, to: 'nobody' } }), seedOf(j))),
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
  {
    name: 'several errors in one statement, all listed',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted(
        signRaw(
          statement(l, j, { seq: 0, body: { ...risk, to: 'nobody', question: '', tone: 1 } }),
          seedOf(j),
        ),
      ),
    status: 400,
    code: 'SCHEMA_VIOLATION',
    errors: [
      ['SCHEMA_VIOLATION', '$.seq'],
      ['UNKNOWN_FIELD', '$.body.tone'],
      ['SCHEMA_VIOLATION', '$.body.to'],
      ['SCHEMA_VIOLATION', '$.body.question'],
    ],
  },
  {
    name: "another ledger's origin",
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted(signRaw(statement(l, j, { ledger: 'cbm-ledger.example/other' }), seedOf(j))),
    status: 422,
    code: 'WRONG_LEDGER',
  },
  {
    name: 'issuedAt outside the window',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted(
        signRaw(
          statement(l, j, { issuedAt: new Date(Date.now() - 3_600_000).toISOString() }),
          seedOf(j),
        ),
      ),
    status: 422,
    code: 'ISSUED_AT_OUT_OF_WINDOW',
  },
  {
    name: 'seq gap',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted(signRaw(statement(l, j, { seq: 3, prev: 'sha256:' + 'a'.repeat(64) }), seedOf(j))),
    status: 409,
    code: 'SEQ_GAP',
  },
  {
    name: 'prev mismatch',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted(signRaw(statement(l, j, { seq: 2, prev: 'sha256:' + 'b'.repeat(64) }), seedOf(j))),
    status: 409,
    code: 'PREV_MISMATCH',
  },
  {
    name: 'signature by an unknown key',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted(signRaw(statement(l, j), keyFileSeed(generateKeyFile('state:JOR')))),
    status: 422,
    code: 'KEY_UNKNOWN',
  },
  {
    name: "signature by another party's key",
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) => submitted(signRaw(statement(l, j), keyFileSeed(l.operator.key))),
    status: 422,
    code: 'KEY_NOT_ISSUERS',
  },
  {
    name: 'tampered signature',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) => {
      const env = signRaw(statement(l, j), seedOf(j));
      const other = signRaw(statement(l, j, { nonce: 'BBBBBBBBBBBBBBBBBBBBBB' }), seedOf(j));
      return submitted({ ...env, signatures: other.signatures });
    },
    status: 422,
    code: 'SIGNATURE_INVALID',
  },
  {
    name: 'evidence not stored',
    method: 'POST',
    path: '/v1/statements',
    request: (l, j) =>
      submitted(
        signRaw(
          statement(l, j, {
            evidence: [{ sha256: 'c'.repeat(64), size: 10, mediaType: 'text/plain' }],
          }),
          seedOf(j),
        ),
      ),
    status: 422,
    code: 'EVIDENCE_MISSING',
  },
  // Submissions: Prefer.
  {
    name: 'Prefer: wait not a number',
    method: 'POST',
    path: '/v1/statements',
    request: { headers: { 'content-type': 'application/json', prefer: 'wait=soon' }, body: '{}' },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'Prefer: wait negative',
    method: 'POST',
    path: '/v1/statements',
    request: { headers: { 'content-type': 'application/json', prefer: 'wait=-1' }, body: '{}' },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'Prefer: wait above the maximum',
    method: 'POST',
    path: '/v1/statements',
    request: { headers: { 'content-type': 'application/json', prefer: 'wait=21' }, body: '{}' },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'Prefer: wait twice',
    method: 'POST',
    path: '/v1/statements',
    request: {
      headers: { 'content-type': 'application/json', prefer: ['wait=1', 'wait=2'] },
      body: '{}',
    },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'Prefer: wait with a fraction',
    method: 'POST',
    path: '/v1/statements',
    request: { headers: { 'content-type': 'application/json', prefer: 'wait=1.5' }, body: '{}' },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'query parameter on a submission',
    method: 'POST',
    path: '/v1/statements',
    request: { headers: { 'content-type': 'application/json' }, body: '{}', query: { wait: '5' } },
    status: 400,
    code: 'MALFORMED',
  },
  // Statements.
  {
    name: 'statement id not sha256:<hex>',
    method: 'GET',
    path: '/v1/statements/abc',
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'statement id in upper case',
    method: 'GET',
    path: `/v1/statements/sha256:${'A'.repeat(64)}`,
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'unknown statement',
    method: 'GET',
    path: `/v1/statements/sha256:${'d'.repeat(64)}`,
    status: 404,
    code: 'NOT_FOUND',
  },
  // Entries.
  {
    name: 'negative start',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { start: '-1' } },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'start with a leading zero',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { start: '01' } },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'start in exponent notation',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { start: '1e3' } },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'start with a space',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { start: ' 1' } },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'empty start',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { start: '' } },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'start beyond 2^53',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { start: '9007199254740992' } },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'start given twice',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { start: ['0', '1'] } },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'limit zero',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { limit: '0' } },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'limit above the page limit',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { limit: '1001' } },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: '/v1/entries',
    request: { query: { from: '0' } },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'negative entry index',
    method: 'GET',
    path: '/v1/entries/-1',
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'entry index not a number',
    method: 'GET',
    path: '/v1/entries/first',
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'entry beyond the log',
    method: 'GET',
    path: '/v1/entries/99',
    status: 404,
    code: 'NOT_FOUND',
  },
  // Proofs.
  {
    name: 'inclusion without treeSize',
    method: 'GET',
    path: '/v1/proofs/inclusion',
    request: { query: { index: '0' } },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'inclusion of a negative index',
    method: 'GET',
    path: '/v1/proofs/inclusion',
    request: { query: { index: '-1', treeSize: '1' } },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'inclusion with treeSize beyond the log',
    method: 'GET',
    path: '/v1/proofs/inclusion',
    request: { query: { index: '0', treeSize: '99' } },
    status: 400,
    code: 'TREE_SIZE_BEYOND_LOG',
  },
  {
    name: 'inclusion with index not below treeSize',
    method: 'GET',
    path: '/v1/proofs/inclusion',
    request: { query: { index: '1', treeSize: '1' } },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'consistency with from > to',
    method: 'GET',
    path: '/v1/proofs/consistency',
    request: { query: { from: '2', to: '1' } },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'consistency from the empty tree (RFC 6962 defines none)',
    method: 'GET',
    path: '/v1/proofs/consistency',
    request: { query: { from: '0', to: '1' } },
    status: 400,
    code: 'RANGE_INVALID',
  },
  {
    name: 'consistency with to beyond the log',
    method: 'GET',
    path: '/v1/proofs/consistency',
    request: { query: { from: '1', to: '99' } },
    status: 400,
    code: 'TREE_SIZE_BEYOND_LOG',
  },
  {
    name: 'consistency without from',
    method: 'GET',
    path: '/v1/proofs/consistency',
    request: { query: { to: '1' } },
    status: 400,
    code: 'MALFORMED',
  },
  // Evidence (uploads are signed by the uploading party; evidence-access.test.ts has the rest).
  {
    name: 'evidence request unsigned',
    method: 'POST',
    path: '/v1/evidence',
    request: json({ sha256: 'e'.repeat(64), size: 1, mediaType: 'text/plain' }),
    status: 401,
    code: 'AUTH_REQUIRED',
  },
  {
    name: 'evidence request not JSON',
    method: 'POST',
    path: '/v1/evidence',
    request: signed({ headers: { 'content-type': 'application/json' }, body: 'sha256=abc' }),
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'evidence request with duplicate keys',
    method: 'POST',
    path: '/v1/evidence',
    request: signed({
      headers: { 'content-type': 'application/json' },
      body: '{"size":1,"size":2}',
    }),
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'evidence request empty',
    method: 'POST',
    path: '/v1/evidence',
    request: signed({ headers: { 'content-type': 'application/json' } }),
    status: 400,
    code: 'BODY_EMPTY',
  },
  {
    name: 'evidence request of another type',
    method: 'POST',
    path: '/v1/evidence',
    request: signed({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'evidence request over 4 KiB',
    method: 'POST',
    path: '/v1/evidence',
    request: signed(json({ sha256: 'e'.repeat(64), size: 1, mediaType: 'x'.repeat(5000) })),
    status: 413,
    code: 'BODY_TOO_LARGE',
  },
  {
    name: 'evidence request not UTF-8',
    method: 'POST',
    path: '/v1/evidence',
    request: signed({
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
      base64: true,
    }),
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'evidence request with an unknown field',
    method: 'POST',
    path: '/v1/evidence',
    request: signed(json({ sha256: 'e'.repeat(64), size: 1, mediaType: 'text/plain', name: 'x' })),
    status: 400,
    code: 'UNKNOWN_FIELD',
  },
  {
    name: 'evidence request with a bad hash',
    method: 'POST',
    path: '/v1/evidence',
    request: signed(json({ sha256: 'E'.repeat(64), size: 1, mediaType: 'text/plain' })),
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
  {
    name: 'evidence over the size limit',
    method: 'POST',
    path: '/v1/evidence',
    request: signed(json({ sha256: 'e'.repeat(64), size: 104_857_601, mediaType: 'text/plain' })),
    status: 413,
    code: 'EVIDENCE_TOO_LARGE',
  },
  {
    name: 'evidence download of a bad hash',
    method: 'GET',
    path: '/v1/evidence/xyz',
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'evidence download of uncited evidence',
    method: 'GET',
    path: `/v1/evidence/${'f'.repeat(64)}`,
    status: 404,
    code: 'NOT_FOUND',
  },
  // Parties.
  {
    name: 'party id malformed',
    method: 'GET',
    path: '/v1/parties/JOR',
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'unknown party',
    method: 'GET',
    path: '/v1/parties/state:ZZZ',
    status: 404,
    code: 'NOT_FOUND',
  },
  // Routing.
  { name: 'unknown path', method: 'GET', path: '/v1/nothing', status: 404, code: 'NOT_FOUND' },
  { name: 'trailing slash', method: 'GET', path: '/v1/ledger/', status: 404, code: 'NOT_FOUND' },
  {
    name: 'empty path parameter',
    method: 'GET',
    path: '/v1/entries/',
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'undecodable path',
    method: 'GET',
    path: '/v1/parties/%E0%A4%A',
    status: 400,
    code: 'MALFORMED',
  },
  // Dot segments (issue 9 §3): refused, encoded or not, never resolved to another path.
  ...[
    '/v1/statements/%2e%2e/ledger',
    '/v1/statements/%2E%2E/ledger',
    '/v1/statements/../ledger',
    '/v1/./ledger',
    '/v1/parties/%2e',
    '/v1/entries/..',
  ].map((path): Row => ({
    name: `dot segment ${path}`,
    method: 'GET',
    path,
    status: 400,
    code: 'MALFORMED',
  })),
  {
    name: 'wrong method',
    method: 'DELETE',
    path: '/v1/statements',
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
  },
  {
    name: 'GET of the submission path',
    method: 'PUT',
    path: '/v1/ledger',
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
  },
  // Statement schemas (GET /v1/schemas/{type}).
  {
    name: 'schema of an unknown statement type',
    method: 'GET',
    path: '/v1/schemas/exercise.rumour',
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'schema of a type named in another case',
    method: 'GET',
    path: '/v1/schemas/Exercise.Notification',
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'schema of a very long type',
    method: 'GET',
    path: `/v1/schemas/${'x'.repeat(5000)}`,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'schema of a prototype member',
    method: 'GET',
    path: '/v1/schemas/__proto__',
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'below a schema',
    method: 'GET',
    path: '/v1/schemas/exercise.notification/body',
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'dot segment below the schemas',
    method: 'GET',
    path: '/v1/schemas/..',
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'query parameter on the schema list',
    method: 'GET',
    path: '/v1/schemas',
    request: { query: { type: 'exercise.notification' } },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'query parameter on a schema',
    method: 'GET',
    path: '/v1/schemas/exercise.notification',
    request: { query: { version: '1' } },
    status: 400,
    code: 'MALFORMED',
  },
  {
    name: 'a schema posted',
    method: 'POST',
    path: '/v1/schemas/exercise.notification',
    request: json({}),
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
  },
  {
    name: 'query parameter on the ledger',
    method: 'GET',
    path: '/v1/ledger',
    request: { query: { verbose: '1' } },
    status: 400,
    code: 'MALFORMED',
  },
];

describe('bad input', () => {
  let ledger: TestLedger;
  let jor: Party;

  beforeAll(async () => {
    ledger = await createTestLedger();
    jor = await ledger.registerState('state:JOR');
    // One admitted statement, so seq gap and prev mismatch have a chain to break.
    const first = ledger.sign(jor, 'risk.request', risk);
    expect((await ledger.submit(first)).statusCode).toBe(202);
    await ledger.integrator.runUntilIdle();
  });

  it.each(rows)('$name → $status $code, nothing written', async (row) => {
    const before = ledger.dump();
    const request = typeof row.request === 'function' ? row.request(ledger, jor) : row.request;
    const answer = await ledger.call(row.method, row.path, request);
    expect(answer.statusCode, answer.body).toBe(row.status);
    expect(answer.headers?.['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(answer.body) as Record<string, unknown>;
    expect(problem).toMatchObject({
      code: row.code,
      status: row.status,
      type: `urn:cbm-ledger:problem:${row.code.toLowerCase().replaceAll('_', '-')}`,
    });
    expect(typeof problem['title']).toBe('string');
    expect(typeof problem['detail']).toBe('string');
    if (row.status === 405) expect(answer.headers?.['allow']).toMatch(/^[A-Z, ]+$/);
    if (row.errors !== undefined) {
      const errors = problem['errors'] as { code: string; path: string; message: string }[];
      expect(errors.map((e) => [e.code, e.path])).toEqual(row.errors);
      expect([problem['code'], problem['path']]).toEqual(row.errors[0]);
      for (const e of errors) expect(e.message).toMatch(/\S/);
    }
    expect(ledger.dump()).toBe(before);
    expect(ledger.logger.errors).toEqual([]);
  });
});
