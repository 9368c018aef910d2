import { problemStatus } from '@cbm-ledger/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerError } from '@cbm-ledger/ledger';
import { Query, bodyBytes, header, mediaType } from '../src/http/request.js';
import { parseNonNegativeInteger, preferWaitSeconds } from '../src/index.js';
import { createTestLedger, event } from '@cbm-ledger/functions/testing';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof LedgerError) return e.code;
    throw e;
  }
}

describe('integers in paths and queries', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['1000', 1000],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %j as %d', (raw, value) => {
    expect(parseNonNegativeInteger(raw, 'x')).toBe(value);
  });

  it.each([
    ['-1', 'RANGE_INVALID'],
    ['-0', 'RANGE_INVALID'],
    ['9007199254740992', 'RANGE_INVALID'],
    ['99999999999999999999999', 'RANGE_INVALID'],
    ['', 'MALFORMED'],
    [' 1', 'MALFORMED'],
    ['1 ', 'MALFORMED'],
    ['01', 'MALFORMED'],
    ['00', 'MALFORMED'],
    ['+1', 'MALFORMED'],
    ['1e3', 'MALFORMED'],
    ['1.0', 'MALFORMED'],
    ['0x10', 'MALFORMED'],
    ['١', 'MALFORMED'],
    ['--1', 'MALFORMED'],
    ['Infinity', 'MALFORMED'],
  ])('refuses %j with %s', (raw, code) => {
    expect(codeOf(() => parseNonNegativeInteger(raw, 'x'))).toBe(code);
  });

  it('accepts exactly the canonical decimal spelling of each safe integer (fuzzed)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (raw) => {
        let value: number;
        try {
          value = parseNonNegativeInteger(raw, 'x');
        } catch (e) {
          expect(e).toBeInstanceOf(LedgerError);
          expect(problemStatus((e as LedgerError).code)).toBe(400);
          return;
        }
        expect(String(value)).toBe(raw);
        expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseNonNegativeInteger(String(n), 'x')).toBe(n);
      }),
    );
  });
});

describe('Prefer: wait', () => {
  it.each([
    [undefined, undefined],
    ['wait=0', 0],
    ['wait=20', 20],
    ['WAIT = 5', 5],
    ['wait="7"', 7],
    ['respond-async, wait=3', 3],
    ['return=minimal; foo="a,b", wait=4;x=y', 4],
    ['respond-async', undefined],
    ['handling=lenient', undefined],
  ])('reads %j as %j', (prefer, wait) => {
    expect(preferWaitSeconds(prefer, 20)).toBe(wait);
  });

  it.each([
    ['wait', 'MALFORMED'],
    ['wait=', 'MALFORMED'],
    ['wait=abc', 'MALFORMED'],
    ['wait=1.5', 'MALFORMED'],
    ['wait=05', 'MALFORMED'],
    ['wait=1, wait=2', 'MALFORMED'],
    ['wait=-1', 'RANGE_INVALID'],
    ['wait=21', 'RANGE_INVALID'],
  ])('refuses %j with %s', (prefer, code) => {
    expect(codeOf(() => preferWaitSeconds(prefer, 20))).toBe(code);
  });

  it('never throws anything but a 400 LedgerError (fuzzed)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (prefer) => {
        try {
          const wait = preferWaitSeconds(prefer, 20);
          if (wait !== undefined) expect(wait >= 0 && wait <= 20).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(LedgerError);
          expect(problemStatus((e as LedgerError).code)).toBe(400);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('reading an API Gateway event', () => {
  it('finds headers whatever their case, joining repeated ones', () => {
    const e = event('GET', '/v1/ledger', {
      headers: { 'Content-Type': 'text/plain', PREFER: ['a', 'b'] },
    });
    expect(header(e, 'content-type')).toBe('text/plain');
    expect(header(e, 'prefer')).toBe('a, b');
    expect(header(e, 'x-missing')).toBeUndefined();
    expect(header({ ...e, multiValueHeaders: {} }, 'CONTENT-TYPE')).toBe('text/plain');
  });

  it('decodes base64 bodies to the exact bytes and text bodies as UTF-8', () => {
    const bytes = new Uint8Array([0, 255, 1, 128]);
    expect([...bodyBytes(event('POST', '/', { body: bytes, base64: true }))]).toEqual([...bytes]);
    expect([...bodyBytes(event('POST', '/', { body: 'é' }))]).toEqual([0xc3, 0xa9]);
    expect(bodyBytes(event('POST', '/')).length).toBe(0);
  });

  it('reads media types without parameters, case-insensitively', () => {
    expect(mediaType('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaType('  ')).toBeUndefined();
    expect(mediaType(undefined)).toBeUndefined();
  });

  it('falls back to single-valued query parameters when API Gateway sends no multi-valued ones', () => {
    const e = {
      ...event('GET', '/v1/entries', { query: { start: '3' } }),
      multiValueQueryStringParameters: null,
    };
    expect(new Query(e).allowOnly(['start']).integer('start')).toBe(3);
  });
});

describe('the router, fuzzed', () => {
  it('answers any method and path with a documented 2xx/3xx or a 4xx problem, never 5xx', async () => {
    const ledger = await createTestLedger();
    const segment = fc.oneof(
      fc.constantFrom(
        'v1',
        'ledger',
        'statements',
        'entries',
        'proofs',
        'inclusion',
        'evidence',
        'parties',
        'checkpoint',
        'openapi.json',
        '0',
        '-1',
        '%',
        '%2F',
        'state:JOR',
        '',
      ),
      fc.string({ maxLength: 8 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.dictionary(
          fc.constantFrom('start', 'limit', 'index', 'treeSize', 'from', 'to', 'x'),
          fc.string({ maxLength: 6 }),
          { maxKeys: 3 },
        ),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        async (method, segments, query, body) => {
          const path = '/' + segments.join('/');
          const answer = await ledger.api(
            event(method, path, {
              query,
              headers: { 'content-type': 'application/json' },
              ...(body === undefined ? {} : { body }),
            }),
          );
          expect(answer.statusCode, `${method} ${path} ${answer.body}`).toBeLessThan(500);
          if (answer.statusCode >= 400) {
            expect(answer.headers?.['content-type']).toBe('application/problem+json');
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(ledger.logger.errors).toEqual([]);
  });
});
