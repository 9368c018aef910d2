/**
 * What the entry page says of an admission promise (issue 16): from the leaf's own times, which
 * are as verified as the leaf's inclusion.
 */
import { describe, expect, it } from 'vitest';
import type { LeafV1, LeafV2 } from '@cbm-ledger/protocol';
import { promiseState } from '../src/describe.js';

const common = {
  index: 7,
  statement: `sha256:${'ab'.repeat(32)}`,
  issuer: 'state:EGY',
  seq: 2,
  type: 'exercise.notification',
  visibility: 'public',
  envelope: `sha256:${'cd'.repeat(32)}`,
  evidence: [],
  prev: `sha256:${'ef'.repeat(32)}`,
} as const;

const v2 = (integratedAt: string): LeafV2 => ({
  ...common,
  evidence: [],
  v: 2,
  acceptedAt: '2027-03-01T10:00:00.000Z',
  integrateBy: '2027-03-02T10:00:00.000Z',
  integratedAt,
});

describe('the promise an entry shows', () => {
  it('is kept when the entry was integrated by the promised time, to the millisecond', () => {
    expect(promiseState(v2('2027-03-01T10:00:01.000Z'))).toBe('kept');
    expect(promiseState(v2('2027-03-02T10:00:00.000Z'))).toBe('kept');
  });

  it("is broken when integrated after it: the operator's delay, shown as such", () => {
    expect(promiseState(v2('2027-03-02T10:00:00.001Z'))).toBe('broken');
  });

  it('does not exist for a v1 leaf, filed before promises', () => {
    const v1: LeafV1 = { ...common, evidence: [], v: 1, integratedAt: '2026-01-01T00:00:00.000Z' };
    expect(promiseState(v1)).toBe('none');
  });
});
