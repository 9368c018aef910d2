/**
 * The witness-time bounds of `cbm audit --witness-times` (audit/witness-times.ts), table-driven:
 * a checkpoint of size S cosigned at T holds only leaves integrated (and accepted) by T + skew,
 * and no leaf beyond S was integrated before T − skew.
 */
import { describe, expect, it } from 'vitest';
import { GENESIS_PREV } from '@cbm-ledger/protocol';
import type { Leaf } from '@cbm-ledger/protocol';
import { witnessTimeViolations } from '../src/audit/witness-times.js';
import type { WitnessTime } from '../src/audit/witness-times.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const MIN = 60_000;

function leaf(index: number, integratedMin: number, acceptedMin?: number): Leaf {
  const base = {
    index,
    prev: GENESIS_PREV,
    integratedAt: new Date(T0 + integratedMin * MIN).toISOString(),
    statement: `sha256:${'0'.repeat(63)}${index}`,
    envelope: `sha256:${'1'.repeat(64)}`,
    type: 'info.exchange',
    issuer: 'state:JOR',
    seq: index + 1,
    visibility: 'public' as const,
    evidence: [],
  };
  if (acceptedMin === undefined) return { v: 1, ...base };
  const acceptedAt = new Date(T0 + acceptedMin * MIN).toISOString();
  return { v: 2, ...base, acceptedAt, integrateBy: base.integratedAt };
}

/** A cosignature of size `size` at `minutes` after T0. */
const at = (size: number, minutes: number): WitnessTime => ({
  size,
  witness: 'w.example',
  time: (T0 + minutes * MIN) / 1000,
});

// Leaves 0–3 integrated at minutes 0, 10, 20, 30 (leaf 3 accepted at minute 25).
const LOG = [leaf(0, 0), leaf(1, 10), leaf(2, 20), leaf(3, 30, 25)];
const SKEW = 5 * MIN;

const cases: [string, WitnessTime[], number[]][] = [
  ['no cosignatures', [], []],
  ['honest: size 2 at minute 15, size 4 at minute 31', [at(2, 15), at(4, 31)], []],
  ['within the skew: size 3 seen at minute 16 (leaf 2 at 20)', [at(3, 16)], []],
  ['leaf 2 integrated after a checkpoint containing it was cosigned', [at(3, 12)], [2]],
  [
    'the same checkpoint cosigned again at minute 40, as the newest: leaf 3 did not exist then',
    [at(3, 12), at(3, 40)],
    [2, 3],
  ],
  ['every leaf after the earliest cosignature containing them', [at(4, 1)], [1, 2, 3]],
  ['leaves 2 and 3 claimed before a witness saw only 2 leaves', [at(2, 40)], [2, 3]],
  ['size 0 cosigned late: nothing existed then', [at(0, 50)], [0, 1, 2, 3]],
  ['sizes beyond the audited log are ignored', [at(9, 0)], []],
];

describe('witness-time bounds', () => {
  it.each(cases)('%s', (_what, times, indices) => {
    const found = witnessTimeViolations(LOG, times, SKEW);
    expect([...new Set(found.map((f) => f.index))]).toEqual(indices);
    for (const f of found) expect(f.check).toBe('WITNESS_TIME_VIOLATED');
  });

  it('checks acceptedAt against the upper bound too', () => {
    // A v2 leaf integrated within the bound but accepted after it: its acceptedAt is contradicted.
    const log = [
      leaf(0, 0),
      { ...leaf(1, 10, 10), acceptedAt: new Date(T0 + 30 * MIN).toISOString() },
    ];
    const found = witnessTimeViolations(log, [at(2, 12)], SKEW);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('acceptedAt');
  });
});
