import { describe, expect, it } from 'vitest';
import { toBase64, toBase64Url, utf8Encode } from '../src/bytes.js';
import { ErrorCode, ProtocolError } from '../src/errors.js';
import { ed25519 } from '../src/ed25519.js';
import {
  MAX_PAYLOAD_BYTES,
  parseStatement,
  STATEMENT_TYPES,
  statementSigners,
  validateStatement,
} from '../src/statement/index.js';
import type { Statement, StatementType } from '../src/statement/index.js';
import {
  cloneStatement,
  fakeStatementId,
  FIXTURE_ORIGIN,
  fixtureKeys,
  payloadOf,
  validStatements,
  vkey,
} from '../src/testing.js';

type Segment = string | number;
type Path = string | Segment[];

function segments(path: Path): Segment[] {
  if (Array.isArray(path)) return path;
  return path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Sets (or, with `undefined`, deletes) the value at `path` inside a JSON tree. */
function setAt(root: unknown, path: Path, value: unknown): void {
  const segs = segments(path);
  let node = root as Record<Segment, unknown>;
  for (const s of segs.slice(0, -1)) node = node[s] as Record<Segment, unknown>;
  const last = segs[segs.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
}

function getAt(root: unknown, path: Path): unknown {
  let node = root as Record<Segment, unknown>;
  for (const s of segments(path)) node = node[s] as Record<Segment, unknown>;
  return node;
}

type Edit = [Path, unknown];

function edited(type: StatementType, edits: Edit[]): Statement {
  const s = cloneStatement(validStatements[type]);
  for (const [path, value] of edits) setAt(s, path, value);
  return s;
}

function rejection(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw new Error(`threw a non-ProtocolError: ${String(e)}`);
  }
  throw new Error('was accepted');
}

const DEL = undefined;
const SV = ErrorCode.SCHEMA_VIOLATION;
const UF = ErrorCode.UNKNOWN_FIELD;

describe('valid statements', () => {
  it('has a fixture for every type (v1, registry extension 1, claims) and nothing else', () => {
    expect(Object.keys(validStatements).sort()).toEqual([...STATEMENT_TYPES].sort());
    // 17 of the v1 table, 4 of registry extension 1 (docs/registry.md), appended after them.
    expect(STATEMENT_TYPES).toHaveLength(22);
    expect(STATEMENT_TYPES.slice(17, 21)).toEqual([
      'key.add',
      'witness.set',
      'party.recover',
      'recovery.veto',
    ]);
    // Then the claims extension (docs/compliance-claims.md).
    expect(STATEMENT_TYPES.slice(21)).toEqual(['claim.reply']);
  });

  it.each(STATEMENT_TYPES)('accepts the %s fixture from bytes, text and value', (type) => {
    const s = validStatements[type];
    expect(parseStatement(payloadOf(s))).toEqual(s);
    expect(parseStatement(JSON.stringify(s, null, 2))).toEqual(s);
    expect(validateStatement(cloneStatement(s))).toEqual(s);
  });

  it('accepts a payload of exactly the size limit and rejects one byte more', () => {
    const text = JSON.stringify(validStatements['risk.response']);
    const padded = text.slice(0, -1) + ' '.repeat(MAX_PAYLOAD_BYTES - text.length) + '}';
    expect(utf8Encode(padded)).toHaveLength(MAX_PAYLOAD_BYTES);
    expect(parseStatement(utf8Encode(padded)).type).toBe('risk.response');
    expect(parseStatement(padded).type).toBe('risk.response');
    const over = ' ' + padded;
    expect(rejection(() => parseStatement(utf8Encode(over))).code).toBe(ErrorCode.TOO_LARGE);
    expect(rejection(() => parseStatement(over)).code).toBe(ErrorCode.TOO_LARGE);
  });

  const accepted: [string, StatementType, Edit[]][] = [
    [
      'a first statement with prev null',
      'risk.response',
      [
        ['seq', 1],
        ['prev', null],
      ],
    ],
    ['nonces of 64 bytes', 'risk.response', [['nonce', toBase64Url(new Uint8Array(64))]]],
    [
      'fractional-second timestamps',
      'risk.response',
      [['issuedAt', '2026-03-01T09:30:00.123456Z']],
    ],
    [
      'a nil calendar',
      'calendar.annual',
      [
        ['body.nil', true],
        ['body.activities', []],
      ],
    ],
    [
      'an activity planned for the following year',
      'calendar.annual',
      [
        ['body.activities.0.start', '2028-01-05'],
        ['body.activities.0.end', '2028-01-09'],
      ],
    ],
    [
      'renewal none without a renewal period',
      'measure.define',
      [
        ['body.term.renewal', 'none'],
        ['body.term.renewalPeriodMonths', DEL],
      ],
    ],
    ['no overrides', 'measure.define', [['body.overrides', {}]]],
    [
      'no observers invited, with a reason',
      'exercise.notification',
      [['body.observation', { invited: false, reason: 'Command post exercise only.' }]],
    ],
    ['a notification without geometry', 'exercise.notification', [['body.area.geojson', DEL]]],
    [
      'a MultiPolygon',
      'exercise.notification',
      [
        [
          'body.area.geojson',
          {
            type: 'MultiPolygon',
            coordinates: [
              [
                [
                  [1, 1],
                  [2, 1],
                  [2, 2],
                  [1, 1],
                ],
              ],
            ],
          },
        ],
      ],
    ],
    [
      'a LineString with altitude',
      'exercise.notification',
      [
        [
          'body.area.geojson',
          {
            type: 'LineString',
            coordinates: [
              [1, 1, 100],
              [2, 2, 120],
            ],
          },
        ],
      ],
    ],
    [
      'a MultiPoint',
      'exercise.notification',
      [['body.area.geojson', { type: 'MultiPoint', coordinates: [[1, 1]] }]],
    ],
    [
      'a MultiLineString',
      'exercise.notification',
      [
        [
          'body.area.geojson',
          {
            type: 'MultiLineString',
            coordinates: [
              [
                [1, 1],
                [2, 2],
              ],
            ],
          },
        ],
      ],
    ],
    [
      'a CAP update that references the alert',
      'datashare.alert',
      [
        ['body.alert.msgType', 'Update'],
        [
          'body.alert.references',
          'alerts@health.gov.tn,TN-MOH-2026-0041,2026-02-28T09:00:00-00:00 x,y,2026-02-28T10:00:00+05:30',
        ],
      ],
    ],
    [
      'a CAP cancel without info',
      'datashare.alert',
      [
        ['body.alert.msgType', 'Cancel'],
        [
          'body.alert.references',
          'alerts@health.gov.tn,TN-MOH-2026-0041,2026-02-28T09:00:00-00:00',
        ],
        ['body.alert.info', DEL],
      ],
    ],
    [
      'a CAP area with altitude and ceiling',
      'datashare.alert',
      [
        ['body.alert.info.0.area.0.altitude', 0],
        ['body.alert.info.0.area.0.ceiling', 3000],
      ],
    ],
    ['a key revocation by the party itself', 'key.revoke', [['issuer', 'state:EGY']]],
    ['an observer report by a state', 'observer.report', [['issuer', 'state:TUN']]],
    [
      'free text with newlines and tabs',
      'exercise.cancel',
      [['body.reason', 'line one\n\tline two\r\n']],
    ],
  ];

  it.each(accepted)('accepts %s', (_name, type, edits) => {
    const s = edited(type, edits);
    expect(parseStatement(payloadOf(s))).toEqual(s);
  });
});

describe('statementSigners', () => {
  const expected: Record<StatementType, ReturnType<typeof statementSigners>> = {
    'ledger.genesis': { parties: ['operator:cbm'], rule: 'operator' },
    'party.register': { parties: ['operator:cbm'], rule: 'operator' },
    'key.rotate': {
      parties: ['state:JOR'],
      rule: 'party-and-new-key',
      keyids: [fixtureKeys.jorNext.keyid],
    },
    'key.revoke': { parties: ['operator:cbm'], rule: 'party-or-operator' },
    'measure.define': { parties: ['state:JOR', 'state:EGY', 'state:TUN'], rule: 'every-party' },
    'measure.review': { parties: ['state:EGY'], rule: 'issuer' },
    'measure.renew': { parties: ['state:TUN'], rule: 'issuer' },
    'measure.withdraw': { parties: ['state:TUN'], rule: 'issuer' },
    'calendar.annual': { parties: ['state:JOR'], rule: 'issuer' },
    'exercise.notification': { parties: ['state:JOR'], rule: 'issuer' },
    'exercise.update': { parties: ['state:JOR'], rule: 'issuer' },
    'exercise.cancel': { parties: ['state:JOR'], rule: 'issuer' },
    'info.exchange': { parties: ['state:EGY'], rule: 'issuer' },
    'datashare.alert': { parties: ['state:TUN'], rule: 'issuer' },
    'risk.request': { parties: ['state:EGY'], rule: 'issuer' },
    'risk.response': { parties: ['state:JOR'], rule: 'issuer' },
    'observer.report': { parties: ['observer:osce-team'], rule: 'issuer' },
    'key.add': {
      parties: ['state:EGY'],
      rule: 'party-and-new-key',
      keyids: [fixtureKeys.egyNext.keyid],
    },
    'witness.set': { parties: ['state:TUN'], rule: 'issuer' },
    'party.recover': { parties: ['operator:cbm'], rule: 'operator-and-quorum' },
    'recovery.veto': { parties: ['state:JOR'], rule: 'issuer' },
    'claim.reply': { parties: ['state:JOR'], rule: 'issuer' },
  };

  it.each(STATEMENT_TYPES)('names who must sign a %s', (type) => {
    expect(statementSigners(validStatements[type])).toEqual(expected[type]);
  });

  it('does not hand out the body’s own party list', () => {
    const s = cloneStatement(validStatements['measure.define']);
    statementSigners(s).parties.pop();
    expect(statementSigners(s).parties).toHaveLength(3);
  });
});

// [description, type, edits, code, path, code through JSON text if the strict parser decides first]
type BadCase = [string, StatementType, Edit[], ErrorCode, string, ErrorCode?];

const long = (n: number): string => 'x'.repeat(n);
const otherKey = fixtureKeys.tun;

const badEnvelope: BadCase[] = [
  ['an unknown top-level field', 'risk.response', [['extra', 1]], UF, '$.extra'],
  ['an unknown body field', 'risk.response', [['body.extra', 1]], UF, '$.body.extra'],
  [
    'an unknown nested field',
    'exercise.notification',
    [['body.counts.tanks', 1]],
    UF,
    '$.body.counts.tanks',
  ],
  [
    'an unknown field deep in CAP',
    'datashare.alert',
    [['body.alert.info.0.area.0.zone', 'x']],
    UF,
    '$.body.alert.info[0].area[0].zone',
  ],
  [
    'an unknown field in evidence',
    'datashare.alert',
    [['evidence.0.url', 'x']],
    UF,
    '$.evidence[0].url',
  ],
  [
    'an unknown key that is not an identifier',
    'risk.response',
    [['body.odd key', 1]],
    UF,
    '$.body["odd key"]',
  ],
  [
    'an unknown type',
    'risk.response',
    [['type', 'exercise.notify']],
    ErrorCode.UNKNOWN_STATEMENT_TYPE,
    '$.type',
  ],
  [
    'a type of the wrong case',
    'risk.response',
    [['type', 'Risk.Response']],
    ErrorCode.UNKNOWN_STATEMENT_TYPE,
    '$.type',
  ],
  ['a type that is not a string', 'risk.response', [['type', 7]], SV, '$.type'],
  ['a missing type', 'risk.response', [['type', DEL]], SV, '$.type'],
  ['v 2', 'risk.response', [['v', 2]], SV, '$.v'],
  ['v as a string', 'risk.response', [['v', '1']], SV, '$.v'],
  [
    'a ledger with a scheme',
    'risk.response',
    [['ledger', `https://${FIXTURE_ORIGIN}`]],
    SV,
    '$.ledger',
  ],
  ['a ledger with whitespace', 'risk.response', [['ledger', 'cbm ledger']], SV, '$.ledger'],
  ['a ledger with a plus', 'risk.response', [['ledger', 'cbm+ledger']], SV, '$.ledger'],
  ['an empty ledger', 'risk.response', [['ledger', '']], SV, '$.ledger'],
  ['a ledger of 256 characters', 'risk.response', [['ledger', long(256)]], SV, '$.ledger'],
  ['a lowercase state id', 'risk.response', [['issuer', 'state:jor']], SV, '$.issuer'],
  ['an unknown party kind', 'risk.response', [['issuer', 'admin:root']], SV, '$.issuer'],
  ['seq 0', 'risk.response', [['seq', 0]], SV, '$.seq'],
  ['a fractional seq', 'risk.response', [['seq', 1.5]], SV, '$.seq'],
  ['a seq as a string', 'risk.response', [['seq', '8']], SV, '$.seq'],
  ['a seq beyond 2^53', 'risk.response', [['seq', 2 ** 53]], SV, '$.seq', ErrorCode.MALFORMED],
  ['prev null after seq 1', 'risk.response', [['prev', null]], SV, '$.prev'],
  ['a prev with seq 1', 'risk.response', [['seq', 1]], SV, '$.prev'],
  ['a malformed prev', 'risk.response', [['prev', 'sha256:ABC']], SV, '$.prev'],
  ['a missing prev', 'risk.response', [['prev', DEL]], SV, '$.prev'],
  [
    'an issuedAt with an offset',
    'risk.response',
    [['issuedAt', '2026-03-01T09:30:00+00:00']],
    SV,
    '$.issuedAt',
  ],
  [
    'an impossible issuedAt',
    'risk.response',
    [['issuedAt', '2026-02-30T09:30:00Z']],
    SV,
    '$.issuedAt',
  ],
  ['an issuedAt without time', 'risk.response', [['issuedAt', '2026-03-01']], SV, '$.issuedAt'],
  [
    'a nonce of 15 bytes',
    'risk.response',
    [['nonce', toBase64Url(new Uint8Array(15))]],
    SV,
    '$.nonce',
  ],
  [
    'a nonce of 65 bytes',
    'risk.response',
    [['nonce', toBase64Url(new Uint8Array(65))]],
    SV,
    '$.nonce',
  ],
  ['a padded nonce', 'risk.response', [['nonce', toBase64(new Uint8Array(16))]], SV, '$.nonce'],
  ['a standard-alphabet nonce', 'risk.response', [['nonce', '+/' + 'A'.repeat(20)]], SV, '$.nonce'],
  ['a nonce that is a number', 'risk.response', [['nonce', 12345]], SV, '$.nonce'],
  ['an unknown visibility', 'risk.response', [['visibility', 'private']], SV, '$.visibility'],
  [
    'an audience with public visibility',
    'risk.response',
    [['audience', ['state:EGY']]],
    SV,
    '$.audience',
  ],
  [
    'restricted visibility without an audience',
    'risk.response',
    [['visibility', 'restricted']],
    SV,
    '$.audience',
  ],
  ['an empty audience', 'datashare.alert', [['audience', []]], SV, '$.audience'],
  [
    'a repeated audience member',
    'datashare.alert',
    [['audience', ['state:JOR', 'state:JOR']]],
    SV,
    '$.audience[1]',
  ],
  [
    'an audience member that is no party',
    'datashare.alert',
    [['audience', ['JOR']]],
    SV,
    '$.audience[0]',
  ],
  [
    'repeated refs',
    'observer.report',
    [['refs', [fakeStatementId('a'), fakeStatementId('a')]]],
    SV,
    '$.refs[1]',
  ],
  ['a ref that is no statement id', 'observer.report', [['refs', ['sha256:00']]], SV, '$.refs[0]'],
  ['empty refs', 'observer.report', [['refs', []]], SV, '$.refs'],
  [
    'evidence repeated by hash',
    'datashare.alert',
    [
      ['evidence.1', { sha256: '0'.repeat(64), size: 1, mediaType: 'text/plain' }],
      ['evidence.0.sha256', '0'.repeat(64)],
    ],
    SV,
    '$.evidence[1]',
  ],
  [
    'an evidence hash in uppercase',
    'datashare.alert',
    [['evidence.0.sha256', 'A'.repeat(64)]],
    SV,
    '$.evidence[0].sha256',
  ],
  [
    'a negative evidence size',
    'datashare.alert',
    [['evidence.0.size', -1]],
    SV,
    '$.evidence[0].size',
  ],
  [
    'a media type without subtype',
    'datashare.alert',
    [['evidence.0.mediaType', 'pdf']],
    SV,
    '$.evidence[0].mediaType',
  ],
  [
    'a media type with parameters',
    'datashare.alert',
    [['evidence.0.mediaType', 'text/plain; charset=utf-8']],
    SV,
    '$.evidence[0].mediaType',
  ],
  [
    'an evidence name with a path',
    'datashare.alert',
    [['evidence.0.name', '../../etc/passwd']],
    SV,
    '$.evidence[0].name',
  ],
  [
    'an evidence name of ..',
    'datashare.alert',
    [['evidence.0.name', '..']],
    SV,
    '$.evidence[0].name',
  ],
  ['a missing body', 'risk.response', [['body', DEL]], SV, '$.body'],
  ['a body that is an array', 'risk.response', [['body', []]], SV, '$.body'],
  [
    'a control character in a name',
    'exercise.notification',
    [['body.designation', 'DESERT\u0007SHIELD']],
    SV,
    '$.body.designation',
  ],
  [
    'a newline in a single-line name',
    'exercise.notification',
    [['body.designation', 'DESERT\nSHIELD']],
    SV,
    '$.body.designation',
  ],
  [
    'an unpaired surrogate in text',
    'exercise.cancel',
    [['body.reason', 'bad \ud800 text']],
    SV,
    '$.body.reason',
    ErrorCode.MALFORMED,
  ],
  [
    'an over-long name',
    'exercise.notification',
    [['body.designation', long(257)]],
    SV,
    '$.body.designation',
  ],
  ['an over-long text', 'exercise.cancel', [['body.reason', long(16385)]], SV, '$.body.reason'],
  ['an empty required string', 'exercise.cancel', [['body.reason', '']], SV, '$.body.reason'],
];

const badRegistry: BadCase[] = [
  [
    'genesis after the first statement',
    'ledger.genesis',
    [
      ['seq', 2],
      ['prev', fakeStatementId('x')],
    ],
    SV,
    '$.seq',
  ],
  [
    'genesis for another origin',
    'ledger.genesis',
    [
      ['body.origin', 'other.example/log'],
      ['body.logVkey', vkey('other.example/log', fixtureKeys.log.publicKeyBytes)],
    ],
    SV,
    '$.body.origin',
  ],
  [
    'genesis by someone other than the operator',
    'ledger.genesis',
    [['body.operator.id', 'operator:other']],
    SV,
    '$.issuer',
  ],
  [
    'genesis naming a state as operator',
    'ledger.genesis',
    [['body.operator.id', 'state:JOR']],
    SV,
    '$.body.operator.id',
  ],
  [
    'a log vkey named for another log',
    'ledger.genesis',
    [['body.logVkey', vkey('other.example/log', fixtureKeys.log.publicKeyBytes)]],
    SV,
    '$.body.logVkey',
  ],
  [
    'a log vkey with a wrong hash',
    'ledger.genesis',
    [
      [
        'body.logVkey',
        vkey(FIXTURE_ORIGIN, fixtureKeys.log.publicKeyBytes).replace(
          /\+[0-9a-f]{8}\+/,
          '+00000000+',
        ),
      ],
    ],
    SV,
    '$.body.logVkey',
  ],
  [
    'a log vkey that is not one',
    'ledger.genesis',
    [['body.logVkey', 'not-a-vkey']],
    SV,
    '$.body.logVkey',
  ],
  ['a non-public genesis', 'ledger.genesis', [['visibility', 'participants']], SV, '$.visibility'],
  [
    'a keyid that is not the key’s hash',
    'ledger.genesis',
    [['body.keys.0.keyid', otherKey.keyid]],
    SV,
    '$.body.keys[0].keyid',
  ],
  ['no keys', 'ledger.genesis', [['body.keys', []]], SV, '$.body.keys'],
  [
    'a 31-byte public key',
    'ledger.genesis',
    [['body.keys.0.publicKey', toBase64(new Uint8Array(31))]],
    SV,
    '$.body.keys[0].publicKey',
  ],
  [
    'an unpadded public key',
    'ledger.genesis',
    [['body.keys.0.publicKey', fixtureKeys.operator.publicKey.replace('=', '')]],
    SV,
    '$.body.keys[0].publicKey',
  ],
  [
    'a public key in base64url',
    'ledger.genesis',
    [
      [
        'body.keys.0.publicKey',
        toBase64(new Uint8Array(32).fill(0xfb)).replace(/\+/g, '-').replace(/\//g, '_'),
      ],
    ],
    SV,
    '$.body.keys[0].publicKey',
  ],
  [
    'a party kind contradicting its id',
    'party.register',
    [['body.party.kind', 'state']],
    SV,
    '$.body.party.kind',
  ],
  [
    'an unknown party kind',
    'party.register',
    [['body.party.kind', 'ngo']],
    SV,
    '$.body.party.kind',
  ],
  ['party registration by a state', 'party.register', [['issuer', 'state:JOR']], SV, '$.issuer'],
  [
    'a key registered twice',
    'party.register',
    [
      [
        'body.keys.1',
        { keyid: fixtureKeys.observer.keyid, publicKey: fixtureKeys.observer.publicKey },
      ],
    ],
    SV,
    '$.body.keys[1]',
  ],
  [
    'a witness name with a plus',
    'party.register',
    [['body.witness.name', 'osce+witness']],
    SV,
    '$.body.witness.name',
  ],
  [
    'a restricted party registration',
    'party.register',
    [
      ['visibility', 'restricted'],
      ['audience', ['state:JOR']],
    ],
    SV,
    '$.visibility',
  ],
  ['a key.add issued by another party', 'key.add', [['issuer', 'state:JOR']], SV, '$.issuer'],
  [
    'a key.add with a wrong keyid',
    'key.add',
    [['body.newKey.keyid', fixtureKeys.egy.keyid]],
    SV,
    '$.body.newKey.keyid',
  ],
  ['a restricted key.add', 'key.add', [['visibility', 'participants']], SV, '$.visibility'],
  ['a witness.set by the operator', 'witness.set', [['issuer', 'operator:cbm']], SV, '$.issuer'],
  [
    'a witness.set name with a space',
    'witness.set',
    [['body.witness.name', 'tun witness']],
    SV,
    '$.body.witness.name',
  ],
  [
    'a witness.set without a witness',
    'witness.set',
    [['body.witness', undefined]],
    SV,
    '$.body.witness',
  ],
  ['a party.recover by a state', 'party.recover', [['issuer', 'state:EGY']], SV, '$.issuer'],
  [
    'a party.recover without a reason',
    'party.recover',
    [['body.reason', ' ']],
    SV,
    '$.body.reason',
  ],
  ['a party.recover without keys', 'party.recover', [['body.keys', []]], SV, '$.body.keys'],
  [
    'a party.recover of the operator itself',
    'party.recover',
    [['body.party', 'operator:cbm']],
    SV,
    '$.body.party',
  ],
  [
    'a party.recover without effectiveAt',
    'party.recover',
    [['body.effectiveAt', undefined]],
    SV,
    '$.body.effectiveAt',
  ],
  ['a recovery.veto by another party', 'recovery.veto', [['issuer', 'state:EGY']], SV, '$.issuer'],
  [
    'a recovery.veto naming no statement id',
    'recovery.veto',
    [['body.recovery', 'party.recover']],
    SV,
    '$.body.recovery',
  ],
  [
    'a key rotation issued by another party',
    'key.rotate',
    [['issuer', 'state:EGY']],
    SV,
    '$.issuer',
  ],
  [
    'rotating a key into itself',
    'key.rotate',
    [['body.retiredKeyid', fixtureKeys.jorNext.keyid]],
    SV,
    '$.body.retiredKeyid',
  ],
  [
    'a new key with a wrong keyid',
    'key.rotate',
    [['body.newKey.keyid', fixtureKeys.jor.keyid]],
    SV,
    '$.body.newKey.keyid',
  ],
  ['a revocation by an unrelated state', 'key.revoke', [['issuer', 'state:JOR']], SV, '$.issuer'],
  ['an unknown revocation reason', 'key.revoke', [['body.reason', 'lost']], SV, '$.body.reason'],
];

const badMeasures: BadCase[] = [
  ['no accredited observers', 'measure.define', [['body.observers', []]], SV, '$.body.observers'],
  [
    'an accredited observer twice',
    'measure.define',
    [['body.observers', ['observer:un', 'observer:un']]],
    SV,
    '$.body.observers[1]',
  ],
  [
    'an accredited observer that is no party id',
    'measure.define',
    [['body.observers', ['un-mission']]],
    SV,
    '$.body.observers[0]',
  ],
  [
    'a measure with one party',
    'measure.define',
    [['body.parties', ['state:JOR']]],
    SV,
    '$.body.parties',
  ],
  [
    'a repeated party',
    'measure.define',
    [['body.parties', ['state:JOR', 'state:JOR']]],
    SV,
    '$.body.parties[1]',
  ],
  [
    'an observer as party',
    'measure.define',
    [['body.parties.2', 'observer:osce-team']],
    SV,
    '$.body.parties[2]',
  ],
  [
    'an issuer outside the parties',
    'measure.define',
    [['body.parties', ['state:EGY', 'state:TUN']]],
    SV,
    '$.body.parties',
  ],
  [
    'a measure defined by an observer',
    'measure.define',
    [['issuer', 'observer:osce-team']],
    SV,
    '$.issuer',
  ],
  ['an unknown rule set', 'measure.define', [['body.ruleSet', 'vd1999']], SV, '$.body.ruleSet'],
  [
    'an unknown rule parameter',
    'measure.define',
    [[['body', 'overrides', 'notification.tanks'], 1]],
    UF,
    '$.body.overrides["notification.tanks"]',
  ],
  [
    'a prototype name as rule parameter',
    'measure.define',
    [[['body', 'overrides', 'constructor'], 1]],
    UF,
    '$.body.overrides.constructor',
  ],
  [
    'a tolerance above 1',
    'measure.define',
    [[['body', 'overrides', 'observerReport.tolerance'], 2]],
    SV,
    '$.body.overrides["observerReport.tolerance"]',
  ],
  [
    'a fractional lead time',
    'measure.define',
    [[['body', 'overrides', 'notification.leadTimeDays'], 1.5]],
    SV,
    '$.body.overrides["notification.leadTimeDays"]',
  ],
  ['overrides as an array', 'measure.define', [['body.overrides', []]], SV, '$.body.overrides'],
  [
    'entry into force before adoption',
    'measure.define',
    [['body.inForceAt', '2026-01-01T00:00:00Z']],
    SV,
    '$.body.inForceAt',
  ],
  [
    'a sunset at entry into force',
    'measure.define',
    [['body.term.sunsetAt', '2026-02-01T00:00:00Z']],
    SV,
    '$.body.term.sunsetAt',
  ],
  [
    'a renewal period with renewal none',
    'measure.define',
    [['body.term.renewal', 'none']],
    SV,
    '$.body.term.renewalPeriodMonths',
  ],
  [
    'automatic renewal without a period',
    'measure.define',
    [
      ['body.term.renewal', 'automatic'],
      ['body.term.renewalPeriodMonths', DEL],
    ],
    SV,
    '$.body.term.renewalPeriodMonths',
  ],
  [
    'an unknown renewal mode',
    'measure.define',
    [['body.term.renewal', 'tacit']],
    SV,
    '$.body.term.renewal',
  ],
  [
    'a first review before entry into force',
    'measure.define',
    [['body.review.firstAt', '2026-01-20T00:00:00Z']],
    SV,
    '$.body.review.firstAt',
  ],
  [
    'a zero review interval',
    'measure.define',
    [['body.review.intervalMonths', 0]],
    SV,
    '$.body.review.intervalMonths',
  ],
  ['a measure id with capitals', 'measure.define', [['body.id', 'MENA-2026']], SV, '$.body.id'],
  ['an unknown review outcome', 'measure.review', [['body.outcome', 'pass']], SV, '$.body.outcome'],
  [
    'a renewal without a date',
    'measure.renew',
    [['body.newSunsetAt', DEL]],
    SV,
    '$.body.newSunsetAt',
  ],
  [
    'a withdrawal by an observer',
    'measure.withdraw',
    [['issuer', 'observer:osce-team']],
    SV,
    '$.issuer',
  ],
];

const badMilitary: BadCase[] = [
  [
    'a nil calendar with activities',
    'calendar.annual',
    [['body.nil', true]],
    SV,
    '$.body.activities',
  ],
  [
    'an empty calendar that is not nil',
    'calendar.annual',
    [['body.activities', []]],
    SV,
    '$.body.activities',
  ],
  [
    'an activity ending before it starts',
    'calendar.annual',
    [['body.activities.0.end', '2027-04-09']],
    SV,
    '$.body.activities[0].end',
  ],
  [
    'an activity two years out',
    'calendar.annual',
    [
      ['body.activities.0.start', '2029-04-10'],
      ['body.activities.0.end', '2029-04-20'],
    ],
    SV,
    '$.body.activities[0].start',
  ],
  [
    'an impossible date',
    'calendar.annual',
    [['body.activities.0.start', '2027-02-30']],
    SV,
    '$.body.activities[0].start',
  ],
  [
    'a calendar date with a time',
    'calendar.annual',
    [['body.activities.0.start', '2027-04-10T00:00:00Z']],
    SV,
    '$.body.activities[0].start',
  ],
  [
    'an activity listed twice',
    'calendar.annual',
    [
      [
        'body.activities.1',
        {
          designation: 'DESERT SHIELD 27',
          type: 'exercise',
          start: '2027-05-01',
          end: '2027-05-02',
          troops: 1,
        },
      ],
    ],
    SV,
    '$.body.activities[1]',
  ],
  [
    'an activity without troops',
    'calendar.annual',
    [['body.activities.0.troops', DEL]],
    SV,
    '$.body.activities[0].troops',
  ],
  [
    'a calendar by an observer',
    'calendar.annual',
    [['issuer', 'observer:osce-team']],
    SV,
    '$.issuer',
  ],
  ['a year out of range', 'calendar.annual', [['body.year', 1800]], SV, '$.body.year'],
  [
    'an exercise ending as it starts',
    'exercise.notification',
    [['body.end', '2027-04-10T05:00:00Z']],
    SV,
    '$.body.end',
  ],
  [
    'a negative troop count',
    'exercise.notification',
    [['body.counts.troops', -1]],
    SV,
    '$.body.counts.troops',
  ],
  [
    'a fractional troop count',
    'exercise.notification',
    [['body.counts.troops', 1.5]],
    SV,
    '$.body.counts.troops',
  ],
  [
    'a troop count as a string',
    'exercise.notification',
    [['body.counts.troops', '12000']],
    SV,
    '$.body.counts.troops',
  ],
  [
    'an absurd troop count',
    'exercise.notification',
    [['body.counts.troops', 1_000_000_001]],
    SV,
    '$.body.counts.troops',
  ],
  ['a missing count', 'exercise.notification', [['body.counts.acv', DEL]], SV, '$.body.counts.acv'],
  [
    'an unknown notice class',
    'exercise.notification',
    [['body.noticeClass', 'urgent']],
    SV,
    '$.body.noticeClass',
  ],
  [
    'an observer as participating state',
    'exercise.notification',
    [['body.participatingStates.0', 'observer:osce-team']],
    SV,
    '$.body.participatingStates[0]',
  ],
  [
    'no participating states',
    'exercise.notification',
    [['body.participatingStates', []]],
    SV,
    '$.body.participatingStates',
  ],
  [
    'invitees without an invitation',
    'exercise.notification',
    [['body.observation.invited', false]],
    SV,
    '$.body.observation.invitees',
  ],
  [
    'a refusal reason with an invitation',
    'exercise.notification',
    [['body.observation.reason', 'none']],
    SV,
    '$.body.observation.reason',
  ],
  [
    'a malformed calendar reference',
    'exercise.notification',
    [['body.calendarRef', 'calendar-2027']],
    SV,
    '$.body.calendarRef',
  ],
  [
    'an unclosed polygon ring',
    'exercise.notification',
    [['body.area.geojson.coordinates.0.4', [35.7, 30.0]]],
    SV,
    '$.body.area.geojson.coordinates[0]',
  ],
  [
    'a latitude beyond 90',
    'exercise.notification',
    [['body.area.geojson.coordinates.0.1', [36.2, 91]]],
    SV,
    '$.body.area.geojson.coordinates[0][1][1]',
  ],
  [
    'a ring of three positions',
    'exercise.notification',
    [
      [
        'body.area.geojson.coordinates.0',
        [
          [1, 1],
          [2, 2],
          [1, 1],
        ],
      ],
    ],
    SV,
    '$.body.area.geojson.coordinates[0]',
  ],
  [
    'an unknown geometry type',
    'exercise.notification',
    [['body.area.geojson.type', 'Circle']],
    SV,
    '$.body.area.geojson.type',
  ],
  [
    'a geometry collection',
    'exercise.notification',
    [['body.area.geojson', { type: 'GeometryCollection', geometries: [] }]],
    UF,
    '$.body.area.geojson.geometries',
  ],
  [
    'a geometry with a bbox',
    'exercise.notification',
    [['body.area.geojson.bbox', [0, 0, 1, 1]]],
    UF,
    '$.body.area.geojson.bbox',
  ],
  [
    'a geometry without coordinates',
    'exercise.notification',
    [['body.area.geojson.coordinates', DEL]],
    SV,
    '$.body.area.geojson.coordinates',
  ],
  [
    'a point with one coordinate',
    'exercise.notification',
    [['body.area.geojson', { type: 'Point', coordinates: [1] }]],
    SV,
    '$.body.area.geojson.coordinates',
  ],
  [
    'a notification by an observer',
    'exercise.notification',
    [['issuer', 'observer:osce-team']],
    SV,
    '$.issuer',
  ],
  [
    'an update that changes nothing',
    'exercise.update',
    [['body.changes', {}]],
    SV,
    '$.body.changes',
  ],
  [
    'an update changing the notice class',
    'exercise.update',
    [['body.changes.noticeClass', 'alert']],
    UF,
    '$.body.changes.noticeClass',
  ],
  [
    'an update with end before start',
    'exercise.update',
    [['body.changes.start', '2027-04-23T00:00:00Z']],
    SV,
    '$.body.changes.end',
  ],
  [
    'an update of no notification',
    'exercise.update',
    [['body.notification', 'DESERT SHIELD 27']],
    SV,
    '$.body.notification',
  ],
  ['a cancellation without reason', 'exercise.cancel', [['body.reason', DEL]], SV, '$.body.reason'],
  [
    'an information exchange without personnel',
    'info.exchange',
    [['body.holdings.personnel', DEL]],
    SV,
    '$.body.holdings.personnel',
  ],
  [
    'a unit listed twice',
    'info.exchange',
    [['body.holdings.units.1', { designation: '2nd Field Army', location: 'Suez', personnel: 1 }]],
    SV,
    '$.body.holdings.units[1]',
  ],
];

const badAlerts: BadCase[] = [
  [
    'an unknown CAP status',
    'datashare.alert',
    [['body.alert.status', 'Real']],
    SV,
    '$.body.alert.status',
  ],
  [
    'a CAP time in Z form',
    'datashare.alert',
    [['body.alert.sent', '2026-03-01T09:15:00Z']],
    SV,
    '$.body.alert.sent',
  ],
  [
    'a CAP time with fractional seconds',
    'datashare.alert',
    [['body.alert.sent', '2026-03-01T10:15:00.5+01:00']],
    SV,
    '$.body.alert.sent',
  ],
  [
    'a CAP time with a 25-hour offset',
    'datashare.alert',
    [['body.alert.sent', '2026-03-01T10:15:00+25:00']],
    SV,
    '$.body.alert.sent',
  ],
  [
    'scope Restricted without restriction',
    'datashare.alert',
    [['body.alert.restriction', DEL]],
    SV,
    '$.body.alert.restriction',
  ],
  [
    'scope Private without addresses',
    'datashare.alert',
    [['body.alert.scope', 'Private']],
    SV,
    '$.body.alert.addresses',
  ],
  [
    'an update without references',
    'datashare.alert',
    [['body.alert.msgType', 'Update']],
    SV,
    '$.body.alert.references',
  ],
  [
    'references that are not triples',
    'datashare.alert',
    [
      ['body.alert.msgType', 'Cancel'],
      ['body.alert.references', 'TN-MOH-2026-0041'],
    ],
    SV,
    '$.body.alert.references',
  ],
  [
    'references with an impossible time',
    'datashare.alert',
    [
      ['body.alert.msgType', 'Cancel'],
      ['body.alert.references', 'a,b,2026-02-30T09:00:00-00:00'],
    ],
    SV,
    '$.body.alert.references',
  ],
  ['an alert without info', 'datashare.alert', [['body.alert.info', DEL]], SV, '$.body.alert.info'],
  [
    'an unknown CAP category',
    'datashare.alert',
    [['body.alert.info.0.category.0', 'Weather']],
    SV,
    '$.body.alert.info[0].category[0]',
  ],
  [
    'a repeated CAP category',
    'datashare.alert',
    [['body.alert.info.0.category', ['Health', 'Health']]],
    SV,
    '$.body.alert.info[0].category[1]',
  ],
  [
    'no CAP category',
    'datashare.alert',
    [['body.alert.info.0.category', []]],
    SV,
    '$.body.alert.info[0].category',
  ],
  [
    'a lowercase CAP urgency',
    'datashare.alert',
    [['body.alert.info.0.urgency', 'expected']],
    SV,
    '$.body.alert.info[0].urgency',
  ],
  [
    'an unknown CAP response type',
    'datashare.alert',
    [['body.alert.info.0.responseType.0', 'Panic']],
    SV,
    '$.body.alert.info[0].responseType[0]',
  ],
  [
    'an unclosed CAP polygon',
    'datashare.alert',
    [['body.alert.info.0.area.0.polygon.0', '34.9,10.5 34.9,10.9 34.6,10.9 34.6,10.5']],
    SV,
    '$.body.alert.info[0].area[0].polygon[0]',
  ],
  [
    'a CAP polygon off the globe',
    'datashare.alert',
    [['body.alert.info.0.area.0.polygon.0', '94.9,10.5 34.9,10.9 34.6,10.9 34.6,10.5 94.9,10.5']],
    SV,
    '$.body.alert.info[0].area[0].polygon[0]',
  ],
  [
    'a CAP circle without radius',
    'datashare.alert',
    [['body.alert.info.0.area.0.circle.0', '34.74,10.76']],
    SV,
    '$.body.alert.info[0].area[0].circle[0]',
  ],
  [
    'a ceiling without altitude',
    'datashare.alert',
    [['body.alert.info.0.area.0.ceiling', 100]],
    SV,
    '$.body.alert.info[0].area[0].ceiling',
  ],
  [
    'a CAP identifier with a space',
    'datashare.alert',
    [['body.alert.identifier', 'TN MOH 42']],
    SV,
    '$.body.alert.identifier',
  ],
  [
    'a CAP sender with a comma',
    'datashare.alert',
    [['body.alert.sender', 'a,b']],
    SV,
    '$.body.alert.sender',
  ],
  [
    'an unknown hazard domain',
    'datashare.alert',
    [['body.hazardDomain', 'weather']],
    SV,
    '$.body.hazardDomain',
  ],
  [
    'an assessment time in CAP form',
    'datashare.alert',
    [['body.assessedAt', '2026-03-01T09:45:00+01:00']],
    SV,
    '$.body.assessedAt',
  ],
  ['a request to oneself', 'risk.request', [['body.to', 'state:EGY']], SV, '$.body.to'],
  [
    'an activity seen ending before it started',
    'risk.request',
    [['body.activity.end', '2026-02-28T21:00:00Z']],
    SV,
    '$.body.activity.end',
  ],
  ['a response without answer', 'risk.response', [['body.answer', DEL]], SV, '$.body.answer'],
  ['a report by the operator', 'observer.report', [['issuer', 'operator:cbm']], SV, '$.issuer'],
  [
    'a host reporting on itself',
    'observer.report',
    [['issuer', 'state:JOR']],
    SV,
    '$.body.hostState',
  ],
  [
    'an observation period ending before it starts',
    'observer.report',
    [['body.period.end', '2027-04-11T00:00:00Z']],
    SV,
    '$.body.period.end',
  ],
  [
    'a count compared twice',
    'observer.report',
    [['body.declaredVsObserved.1.item', 'troops']],
    SV,
    '$.body.declaredVsObserved[1]',
  ],
  [
    'an unknown count item',
    'observer.report',
    [['body.declaredVsObserved.0.item', 'tanks']],
    SV,
    '$.body.declaredVsObserved[0].item',
  ],
  ['an unknown access level', 'observer.report', [['body.access', 'partial']], SV, '$.body.access'],
  ['an empty finding', 'observer.report', [['body.findings.0', '']], SV, '$.body.findings[0]'],
  [
    'a host that is not a state',
    'observer.report',
    [['body.hostState', 'observer:other']],
    SV,
    '$.body.hostState',
  ],
];

const badClaimReplies: BadCase[] = [
  ['a reply citing no claim', 'claim.reply', [['body.claim', undefined]], SV, '$.body.claim'],
  [
    'a claim that is no statement id',
    'claim.reply',
    [['body.claim', 'sha256:xyz']],
    SV,
    '$.body.claim',
  ],
  ['an unknown position', 'claim.reply', [['body.position', 'deny']], SV, '$.body.position'],
  ['a position of another type', 'claim.reply', [['body.position', true]], SV, '$.body.position'],
  ['an empty answer', 'claim.reply', [['body.answer', '']], SV, '$.body.answer'],
  ['no answer', 'claim.reply', [['body.answer', undefined]], SV, '$.body.answer'],
  ['an unknown body field', 'claim.reply', [['body.score', 3]], UF, '$.body.score'],
];

describe('additive extensions (docs/compliance-claims.md)', () => {
  it('accepts a measure.define accrediting observers, and one without (the original shape)', () => {
    const s = edited('measure.define', [['body.observers', ['observer:un', 'state:ISR']]]);
    expect(validateStatement(s)).toBe(s);
    expect(validateStatement(edited('measure.define', []))).toBeTruthy();
  });
});

describe.each([
  ['envelope', badEnvelope],
  ['registry', badRegistry],
  ['measure', badMeasures],
  ['military', badMilitary],
  ['alert, risk and observer', badAlerts],
  ['claim reply', badClaimReplies],
] as const)('rejects bad %s fields', (_group, cases) => {
  it.each(cases)('rejects %s', (_name, type, edits, code, path, textCode) => {
    const s = edited(type, edits);
    const fromValue = rejection(() => validateStatement(s));
    expect({ code: fromValue.code, path: fromValue.path }).toEqual({ code, path });
    // The same answer through the payload parser, except where the strict JSON parser already
    // refuses the text (unsafe numbers, lone surrogates).
    const fromText = rejection(() => parseStatement(JSON.stringify(s)));
    expect({ code: fromText.code, path: fromText.path }).toEqual({ code: textCode ?? code, path });
  });
});

describe('rejects malformed payloads', () => {
  const text = JSON.stringify(validStatements['exercise.notification']);

  const malformed: [string, Uint8Array | string, ErrorCode, string | undefined][] = [
    [
      'invalid UTF-8',
      Uint8Array.from([...utf8Encode(text.slice(0, -2)), 0xff, 0x7d]),
      ErrorCode.MALFORMED,
      undefined,
    ],
    [
      'an overlong UTF-8 encoding',
      Uint8Array.from([
        ...utf8Encode(text.slice(0, 10)),
        0xc0,
        0xaf,
        ...utf8Encode(text.slice(10)),
      ]),
      ErrorCode.MALFORMED,
      undefined,
    ],
    [
      'a UTF-8 byte-order mark',
      Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8Encode(text)]),
      ErrorCode.MALFORMED,
      undefined,
    ],
    ['a duplicate key', text.replace('"v":1,', '"v":1,"v":1,'), ErrorCode.MALFORMED, '$.v'],
    [
      'a duplicate nested key',
      text.replace('"troops":12000,', '"troops":12000,"troops":1,'),
      ErrorCode.MALFORMED,
      '$.body.counts.troops',
    ],
    ['trailing garbage', `${text}x`, ErrorCode.MALFORMED, '$'],
    ['two documents', `${text}${text}`, ErrorCode.MALFORMED, '$'],
    ['truncated JSON', text.slice(0, -1), ErrorCode.MALFORMED, '$'],
    [
      'an escaped lone surrogate',
      text.replace('"DESERT SHIELD 27"', '"\\ud800"'),
      ErrorCode.MALFORMED,
      '$.body.designation',
    ],
    [
      'an unsafe integer',
      text.replace('"troops":12000', '"troops":9007199254740993'),
      ErrorCode.MALFORMED,
      '$.body.counts.troops',
    ],
    [
      'nesting beyond the statement depth limit',
      text.replace('"refs":[', `"refs":${'['.repeat(20)}${']'.repeat(20)},"x":[`),
      ErrorCode.MALFORMED,
      undefined,
    ],
    ['a bare array', '[]', SV, '$'],
    ['a bare string', '"statement"', SV, '$'],
    ['null', 'null', SV, '$'],
    ['a __proto__ member', text.replace('{', '{"__proto__":{"v":1},'), UF, '$.__proto__'],
    [
      'an oversized payload',
      utf8Encode(' '.repeat(MAX_PAYLOAD_BYTES + 1)),
      ErrorCode.TOO_LARGE,
      undefined,
    ],
    [
      'an oversized string of multi-byte characters',
      '\u00e9'.repeat(MAX_PAYLOAD_BYTES / 2 + 1),
      ErrorCode.TOO_LARGE,
      undefined,
    ],
  ];

  it.each(malformed)('rejects %s', (_name, payload, code, path) => {
    const e = rejection(() => parseStatement(payload));
    expect(e.code).toBe(code);
    if (path !== undefined) expect(e.path).toBe(path);
  });

  it('rejects input that is neither bytes nor a string', () => {
    expect(rejection(() => parseStatement(42 as unknown as string)).code).toBe(ErrorCode.MALFORMED);
  });

  it('rejects non-JSON values and exotic objects with ProtocolError only', () => {
    const throwing = { ...validStatements['risk.response'] };
    Object.defineProperty(throwing, 'ledger', {
      enumerable: true,
      get() {
        throw new TypeError('boom');
      },
    });
    const values: unknown[] = [
      undefined,
      42,
      'x',
      new Date(0),
      new Map(),
      throwing,
      { ...validStatements['risk.response'], seq: 8n },
      { ...validStatements['risk.response'], seq: Number.NaN },
      { ...validStatements['risk.response'], body: new (class Body {})() },
    ];
    for (const v of values) {
      expect(rejection(() => validateStatement(v))).toBeInstanceOf(ProtocolError);
    }
  });

  it('reports the first problem in field order', () => {
    const s = edited('exercise.notification', [
      ['body.counts.troops', -1],
      ['body.designation', ''],
    ]);
    expect(rejection(() => validateStatement(s)).path).toBe('$.body.designation');
    expect(getAt(s, 'body.counts.troops')).toBe(-1);
  });
});

describe('ledger.genesis log vkey', () => {
  it('accepts a vkey whose base64 key data contains "+" (regression: split at the first two only)', () => {
    // Find a key whose encoded vkey carries a '+' inside the key data.
    let found: string | undefined;
    for (let i = 1; i < 256 && found === undefined; i++) {
      const v = vkey(FIXTURE_ORIGIN, ed25519.publicKeyFromSeed(new Uint8Array(32).fill(i)));
      if (v.split('+').length > 3) found = v;
    }
    expect(found).toBeDefined();
    const genesis = cloneStatement(validStatements['ledger.genesis']);
    (genesis.body as { logVkey: string }).logVkey = found!;
    expect(validateStatement(genesis).type).toBe('ledger.genesis');
  });
});
