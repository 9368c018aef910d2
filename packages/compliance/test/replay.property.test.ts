import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { canonicalReport, evaluateCompliance, RULES_VERSIONS } from '../src/index.js';
import type { ComplianceEntry, RulesVersion } from '../src/index.js';
import { FIXTURE_ORIGIN, ROOT_HASH } from '../src/testing.js';
import { buildScenario, CANARY } from './fixtures/scenario.js';

const { log } = buildScenario();
const FULL = log.entries;
const N = FULL.length;
const FIRST = Date.parse('2026-01-01T00:00:00Z');
const LAST = Date.parse('2028-06-01T00:00:00Z');

let rulesVersion: RulesVersion = RULES_VERSIONS[0];

function report(entries: readonly ComplianceEntry[], treeSize: number, at: string): string {
  return canonicalReport(
    evaluateCompliance({
      ledger: FIXTURE_ORIGIN,
      treeSize,
      rootHash: ROOT_HASH,
      at,
      entries,
      rulesVersion,
    }),
  );
}

const arbAt = fc.integer({ min: FIRST, max: LAST }).map((t) => new Date(t).toISOString());

/** What may happen to a non-public statement without changing any report. */
const arbHidden = fc.oneof(
  fc.constant<'keep' | 'drop' | 'garble'>('keep'),
  fc.constant<'keep' | 'drop' | 'garble'>('drop'),
  fc.constant<'keep' | 'drop' | 'garble'>('garble'),
);

/** Anything at all, as found beyond treeSize. */
const arbJunk = fc.record({
  integratedAt: fc.oneof(fc.string(), arbAt),
  statementId: fc.string(),
  statement: fc.oneof(fc.constant(undefined), fc.jsonValue()),
});

// Every rules version keeps the property: a report replays from the public view byte for byte.
describe.each(RULES_VERSIONS)(
  'compliance reports (rules %s) depend on nothing but (the first treeSize entries, at)',
  (version) => {
    beforeEach(() => {
      rulesVersion = version;
    });

    it('ignores input order, entries beyond treeSize and the content of non-public statements', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: N }),
          arbAt,
          fc.array(fc.double({ noNaN: true }), { minLength: N + 8, maxLength: N + 8 }),
          fc.array(arbHidden, { minLength: N, maxLength: N }),
          fc.array(fc.tuple(fc.nat({ max: 12 }), arbJunk), { maxLength: 8 }),
          fc.string(),
          (treeSize, at, keys, hidden, junk, garble) => {
            const expected = report(FULL, treeSize, at);
            const variant: ComplianceEntry[] = FULL.map((e, i) => {
              const s = e.statement;
              if (!s || s.visibility === 'public') return e;
              const mode = hidden[i]!;
              if (mode === 'drop') {
                return { index: e.index, integratedAt: e.integratedAt, statementId: e.statementId };
              }
              if (mode === 'garble') {
                return {
                  ...e,
                  statement: { ...s, body: { garble, canary: CANARY } },
                };
              }
              return e;
            });
            for (const [offset, j] of junk) {
              variant.push({ index: treeSize + offset, ...j } as unknown as ComplianceEntry);
            }
            const order = variant.map((e, i) => ({ e, k: keys[i % keys.length]! + i * 1e-9 }));
            order.sort((a, b) => a.k - b.k);
            expect(
              report(
                order.map((x) => x.e),
                treeSize,
                at,
              ),
            ).toBe(expected);
          },
        ),
        { numRuns: 80 },
      );
    });

    it('gives the same bytes for the same instant however `at` is written', () => {
      fc.assert(
        fc.property(fc.integer({ min: FIRST / 1000, max: LAST / 1000 }), (seconds) => {
          const iso = new Date(seconds * 1000).toISOString(); // …:ss.000Z
          const plain = iso.replace('.000Z', 'Z');
          const micro = iso.replace('Z', '000Z');
          const a = report(FULL, N, iso);
          expect(report(FULL, N, plain)).toBe(a);
          expect(report(FULL, N, micro)).toBe(a);
        }),
        { numRuns: 25 },
      );
    });

    it('gives byte-identical reports on repeat and after a JSON round trip of the entries', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: N }), arbAt, (treeSize, at) => {
          const a = report(FULL, treeSize, at);
          expect(report(FULL, treeSize, at)).toBe(a);
          const copied = JSON.parse(JSON.stringify(log.publicView())) as ComplianceEntry[];
          expect(report(copied, treeSize, at)).toBe(a);
          expect(a).not.toContain(CANARY);
        }),
        { numRuns: 40 },
      );
    });
  },
);
