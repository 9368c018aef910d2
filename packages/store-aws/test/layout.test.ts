import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { layout } from '../src/index.js';

// The deployment grants each function the partitions it writes from layout.ts; a partition that
// a store module writes but layout.ts does not name would be denied on AWS and nowhere else (the
// evidence budget once was: only dynamo.ts was scanned).
const SRC = new URL('../src/', import.meta.url);
const source = readdirSync(SRC)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(new URL(f, SRC), 'utf8'))
  .join('\n');

/** Every literal partition key the store modules build: `pk: S('x')` and `pk: S(`x#${...}`)`. */
function literalPartitions(): string[] {
  const out = new Set<string>();
  for (const m of source.matchAll(/pk:\s*S\((?:'([^']+)'|`([^`$]*)\$\{)/g))
    out.add(m[1] ?? m[2] ?? '');
  for (const m of source.matchAll(/pk:\s*`([^`$]*)\$\{/g)) out.add(m[1] ?? '');
  return [...out].filter((p) => p !== '');
}

describe('table layout (layout.ts)', () => {
  const prefixes = Object.entries(layout)
    .filter(([name]) => name.endsWith('_PARTITION'))
    .map(([, value]) => value as string);

  it('names every partition the store modules write', () => {
    const found = literalPartitions();
    expect(found.length).toBeGreaterThanOrEqual(8);
    for (const pk of found) expect(prefixes, pk).toContain(pk);
  });

  it('builds every other partition key from a layout.ts constant', () => {
    const computed = [...source.matchAll(/pk:\s*S\(`\$\{([A-Z_]+)\}/g)].map((m) => m[1]!);
    expect(computed).toContain('EVIDENCE_QUOTA_PARTITION');
    for (const name of computed) expect(Object.keys(layout), name).toContain(name);
  });

  it('keeps prefixes distinct: no prefix is a prefix of another partition family', () => {
    const families = prefixes.filter((p) => p.endsWith('#'));
    for (const a of families)
      for (const b of families) if (a !== b) expect(b.startsWith(a), `${a} / ${b}`).toBe(false);
  });
});
