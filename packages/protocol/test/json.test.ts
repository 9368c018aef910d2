import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../src/errors.js';
import { parseJsonStrict } from '../src/json.js';

function parseError(text: string, opts?: { maxDepth?: number }): ProtocolError {
  try {
    parseJsonStrict(text, opts);
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw new Error(`threw a non-ProtocolError: ${String(e)}`);
  }
  throw new Error(`accepted ${JSON.stringify(text)}`);
}

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('parseJsonStrict', () => {
  it('parses the values JSON.parse parses', () => {
    const text =
      ' {"a":[1,-2.5,3e2,true,false,null,"x\\n\\u00e9\\ud83d\\ude00\\/"],"b":{},"c":[],"\\u0062c":0} ';
    expect(parseJsonStrict(text)).toEqual(JSON.parse(text));
  });

  it('accepts the largest safe integers', () => {
    expect(parseJsonStrict('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseJsonStrict('-9007199254740991')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(parseJsonStrict('9.007199254740991e15')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('accepts paired surrogates, raw or escaped', () => {
    expect(parseJsonStrict('"\\ud83d\\ude00"')).toBe('😀');
    expect(parseJsonStrict('"😀"')).toBe('😀');
  });

  it('keeps a __proto__ key as an own property, as JSON.parse does', () => {
    const v = parseJsonStrict('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect((v as { polluted?: unknown }).polluted).toBeUndefined();
    expect(v).toEqual(JSON.parse('{"__proto__":{"polluted":true}}'));
  });

  it('accepts nesting up to maxDepth and rejects one level more', () => {
    expect(() => parseJsonStrict(nested(64))).not.toThrow();
    expect(parseError(nested(65)).code).toBe(ErrorCode.MALFORMED);
    expect(() => parseJsonStrict(nested(3), { maxDepth: 3 })).not.toThrow();
    expect(parseError(nested(4), { maxDepth: 3 }).message).toMatch(/nesting/);
    expect(parseError('{"a":{"b":1}}', { maxDepth: 1 }).path).toBe('$.a');
  });

  it('turns very deep nesting into MALFORMED, not a stack overflow', () => {
    expect(parseError(nested(200_000), { maxDepth: 1_000_000 }).code).toBe(ErrorCode.MALFORMED);
  });

  // Each input must be rejected with MALFORMED; `path` is asserted where one is meaningful.
  const bad: [string, string, string?][] = [
    ['empty text', ''],
    ['whitespace only', ' \n'],
    ['a byte-order mark', '\ufeff{}', '$'],
    ['a duplicate key', '{"a":1,"a":2}', '$.a'],
    ['a duplicate key spelt with an escape', '{"a":1,"\\u0061":2}', '$.a'],
    ['a nested duplicate key', '{"a":{"b":[1,{"c":1,"c":2}]}}', '$.a.b[1].c'],
    ['a duplicate key needing brackets in its path', '{"x y":1,"x y":2}', '$["x y"]'],
    ['a duplicate __proto__ key', '{"__proto__":1,"__proto__":2}'],
    ['an escaped lone high surrogate', '"\\ud800"'],
    ['an escaped lone low surrogate', '"\\udc00"'],
    ['an escaped high surrogate before a non-surrogate escape', '"\\ud800\\u0041"'],
    ['an escaped high surrogate before a plain character', '"\\ud800x"'],
    ['two escaped high surrogates', '"\\ud800\\ud800"'],
    ['a raw lone high surrogate', '"\ud800"'],
    ['a raw lone low surrogate', '"a\udc00b"'],
    ['a raw high surrogate before an escaped low one', '"\ud800\\udc00"'],
    ['a lone surrogate in a key', '{"\\udfff":1}'],
    ['an integer beyond MAX_SAFE_INTEGER', '9007199254740992'],
    ['a negative integer beyond -MAX_SAFE_INTEGER', '{"n":-9007199254740993}', '$.n'],
    ['a huge number in exponent form', '[0,1e16]', '$[1]'],
    ['a number that overflows to Infinity', '1e400'],
    ['NaN', 'NaN'],
    ['Infinity', '-Infinity'],
    ['a leading zero', '01'],
    ['a trailing decimal point', '1.'],
    ['a leading decimal point', '.5'],
    ['a plus sign', '+1'],
    ['an empty exponent', '1e'],
    ['a hex number', '0x10'],
    ['a trailing comma in an object', '{"a":1,}'],
    ['a trailing comma in an array', '[1,]'],
    ['a missing comma', '[1 2]'],
    ['a missing colon', '{"a" 1}'],
    ['a single-quoted key', "{'a':1}"],
    ['an unquoted key', '{a:1}'],
    ['a raw tab in a string', '"a\tb"'],
    ['a raw newline in a string', '"a\nb"'],
    ['a NUL in a string', '"a\u0000b"'],
    ['an invalid escape', '"\\x41"'],
    ['a short \\u escape', '"\\u12"'],
    ['a non-hex \\u escape', '"\\u12g4"'],
    ['an unterminated string', '"abc'],
    ['an unterminated array', '[1,2'],
    ['an unterminated object', '{"a":1'],
    ['a misspelt literal', 'nul'],
    ['a capitalised literal', 'True'],
    ['two values', 'true false'],
    ['trailing garbage', '{"a":1} x'],
    ['a no-break space as whitespace', '\u00a0{}'],
    ['a comment', '// c\n{}'],
    ['undefined', 'undefined'],
  ];

  it.each(bad)('rejects %s', (_name, text, path) => {
    const e = parseError(text);
    expect(e.code).toBe(ErrorCode.MALFORMED);
    if (path !== undefined) expect(e.path).toBe(path);
  });

  it('rejects a non-string input and a bad maxDepth', () => {
    expect(parseError(42 as unknown as string).code).toBe(ErrorCode.MALFORMED);
    expect(parseError('[]', { maxDepth: -1 }).code).toBe(ErrorCode.MALFORMED);
  });

  // Generated values stay within what the parser promises to accept: no lone surrogates (unit
  // 'binary' yields whole code points only) and numbers within ±MAX_SAFE_INTEGER.
  const safeNumber = fc.oneof(
    fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc
      .double({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, noNaN: true })
      .map((d) => (Object.is(d, -0) ? 0 : d)),
  );
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const { json } = fc.letrec<{ json: unknown }>((tie) => ({
    json: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      safeNumber,
      text,
      fc.array(tie('json'), { maxLength: 5 }),
      fc.dictionary(text, tie('json'), { maxKeys: 5 }),
    ),
  }));

  it('round-trips JSON.stringify of random JSON values', () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(parseJsonStrict(JSON.stringify(v))).toEqual(v);
        expect(parseJsonStrict(JSON.stringify(v, null, 2))).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  /** Differential check: we either reject with ProtocolError, or agree with JSON.parse; and we
   * never accept what JSON.parse rejects. */
  function agreesWithJsonParse(s: string): void {
    let ours: unknown;
    try {
      ours = parseJsonStrict(s);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      return;
    }
    expect(ours).toEqual(JSON.parse(s));
  }

  it('never throws anything but ProtocolError on random strings, and agrees with JSON.parse', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), agreesWithJsonParse), { numRuns: 500 });
  });

  it('agrees with JSON.parse on random strings over the JSON alphabet', () => {
    const jsonish = fc.string({
      unit: fc.constantFrom(...'{}[]",:0123456789-+.eEtrufalsn \\u/d8c0\n\t'.split('')),
      maxLength: 24,
    });
    fc.assert(fc.property(jsonish, agreesWithJsonParse), { numRuns: 2000 });
  });

  it('agrees with JSON.parse on one-character mutations of valid JSON', () => {
    fc.assert(
      fc.property(
        json,
        fc.nat(),
        fc.constantFrom(...'{}[]",:0-.e \\ud800'.split('')),
        (v, at, ch) => {
          const s = JSON.stringify(v);
          const i = at % (s.length + 1);
          agreesWithJsonParse(s.slice(0, i) + ch + s.slice(i));
          agreesWithJsonParse(s.slice(0, i) + s.slice(i + 1));
        },
      ),
      { numRuns: 500 },
    );
  });
});
