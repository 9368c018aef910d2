import { describe, expect, it } from 'vitest';
import { toBase64Url, utf8Encode } from '../src/bytes.js';
import { ErrorCode, MAX_FIELD_ERRORS, ProtocolError } from '../src/errors.js';
import { ed25519 } from '../src/ed25519.js';
import {
  MAX_PAYLOAD_BYTES,
  parseStatement,
  STATEMENT_TYPES,
  statementSigners,
  validateStatement,
} from '../src/statement/index.js';
import type { StatementType } from '../src/statement/index.js';
import {
  cloneStatement,
  FIXTURE_ORIGIN,
  fixtureKeys,
  payloadOf,
  validStatements,
  vkey,
} from '../src/testing.js';
import { BAD_STATEMENTS, DEL, edited, getAt, SV, UF } from './fixtures/bad-statements.js';
import type { Edit } from './fixtures/bad-statements.js';

function rejection(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw new Error(`threw a non-ProtocolError: ${String(e)}`);
  }
  throw new Error('was accepted');
}

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

describe('additive extensions (docs/compliance-claims.md)', () => {
  it('accepts a measure.define accrediting observers, and one without (the original shape)', () => {
    const s = edited('measure.define', [['body.observers', ['observer:un', 'state:ISR']]]);
    expect(validateStatement(s)).toBe(s);
    expect(validateStatement(edited('measure.define', []))).toBeTruthy();
  });
});

describe.each(BAD_STATEMENTS)('rejects bad %s fields', (_group, cases) => {
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

describe('reports every error of a statement at once', () => {
  const fields = (e: ProtocolError): [string, string, string][] =>
    e.errors.map((f) => [f.code, f.path, f.message]);

  it('lists each offending field with its path, the first as code and path', () => {
    // The three rounds a new user went through (issue 11), now answered in one.
    const s = edited('exercise.notification', [
      ['body.id', 'exercise-1'],
      ['body.activityType', 'field-training'],
      ['body.counts.acv', DEL],
    ]);
    const e = rejection(() => validateStatement(s));
    expect(fields(e)).toEqual([
      [UF, '$.body.id', 'unknown field'],
      [SV, '$.body.activityType', expect.stringContaining('must be one of') as string],
      [SV, '$.body.counts.acv', 'required'],
    ]);
    expect({ code: e.code, path: e.path }).toEqual({ code: UF, path: '$.body.id' });
    expect(rejection(() => parseStatement(JSON.stringify(s))).errors).toEqual(e.errors);
  });

  it('reports envelope and body errors together, envelope first', () => {
    const s = edited('risk.response', [
      ['nonce', 'short'],
      ['body.answer', ''],
      ['body.note', 'x'],
    ]);
    expect(fields(rejection(() => validateStatement(s))).map(([c, p]) => [c, p])).toEqual([
      [SV, '$.nonce'],
      [UF, '$.body.note'],
      [SV, '$.body.answer'],
    ]);
  });

  it('reports every bad item of an array, and cross-field rules only of valid objects', () => {
    const s = edited('exercise.notification', [
      ['body.participatingStates', ['state:JOR', 'JOR', 'state:jor', 'state:JOR']],
      ['body.end', '2020-01-01T00:00:00Z'],
    ]);
    expect(fields(rejection(() => validateStatement(s))).map(([, p]) => p)).toEqual([
      '$.body.participatingStates[1]',
      '$.body.participatingStates[2]',
      '$.body.participatingStates[3]',
    ]);
  });

  it('keeps a single error as the only one', () => {
    const e = rejection(() => validateStatement(edited('risk.response', [['body.extra', 1]])));
    expect(fields(e)).toEqual([[UF, '$.body.extra', 'unknown field']]);
  });

  it('names no field for errors of the payload as a whole', () => {
    const e = rejection(() => parseStatement(' '.repeat(MAX_PAYLOAD_BYTES + 1)));
    expect(e.code).toBe(ErrorCode.TOO_LARGE);
    expect(e.errors).toEqual([]);
  });

  it(`stops at ${MAX_FIELD_ERRORS} errors on a hostile body`, () => {
    const extra = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x${i}`, i]));
    const s = edited('risk.response', [['body', { ...extra }]]);
    const e = rejection(() => validateStatement(s));
    expect(e.errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(e.errors[0]).toEqual({ code: UF, path: '$.body.x0', message: 'unknown field' });
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
