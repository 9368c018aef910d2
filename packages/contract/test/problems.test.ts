import { describe, expect, it } from 'vitest';
import {
  PROBLEMS,
  isProblemCode,
  problemJson,
  problemStatus,
  problemTitle,
  problemType,
} from '@cbm-ledger/contract';
import type { ProblemCode } from '@cbm-ledger/contract';

const CODES = Object.keys(PROBLEMS) as ProblemCode[];

describe('the problem table', () => {
  it('gives every code a 4xx or 5xx status and a title of its own', () => {
    for (const code of CODES) {
      expect(problemStatus(code), code).toBeGreaterThanOrEqual(400);
      expect(problemStatus(code), code).toBeLessThan(600);
      expect(problemTitle(code).length, code).toBeGreaterThan(0);
    }
    const titles = new Set(CODES.map(problemTitle));
    // MALFORMED-like codes may share nothing: a title names one problem.
    expect(titles.size).toBe(CODES.length);
  });

  it('answers 5xx only for faults of the ledger, never for anything a caller sent', () => {
    const faults = CODES.filter((c) => problemStatus(c) >= 500).sort();
    expect(faults).toEqual(['INTERNAL', 'STORE_INTEGRITY', 'STORE_UNAVAILABLE']);
  });

  it('names each problem by a URN derived from its code', () => {
    expect(problemType('SEQ_CONFLICT')).toBe('urn:cbm-ledger:problem:seq-conflict');
    expect(new Set(CODES.map(problemType)).size).toBe(CODES.length);
  });

  it('serialises a problem document with the members in the order the functions write them', () => {
    expect(problemJson('THROTTLED', 'retry later')).toBe(
      '{"type":"urn:cbm-ledger:problem:throttled","title":"Too many requests","status":429,"detail":"retry later","code":"THROTTLED"}',
    );
    expect(JSON.parse(problemJson('INTERNAL', 'timed out', 504))).toMatchObject({ status: 504 });
  });

  it('recognises its own codes only', () => {
    expect(isProblemCode('NOT_FOUND')).toBe(true);
    expect(isProblemCode('not_found')).toBe(false);
    expect(isProblemCode('toString')).toBe(false);
    expect(isProblemCode('__proto__')).toBe(false);
  });
});
