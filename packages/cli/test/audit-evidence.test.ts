/**
 * `cbm audit --evidence` (issue 9 §2): cited evidence bytes are checked against their hashes;
 * unreadable objects are counted, not failed; a mismatch names every index that cites it.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EntriesPage, EntryView } from '@cbm-ledger/ledger';
import { auditEvidence } from '../src/audit/evidence.js';
import type { EvidenceAuditSource } from '../src/audit/evidence.js';

const hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function entry(index: number, evidence: string[]): EntryView {
  return {
    index,
    leaf: { index, evidence: evidence.map((h) => `sha256:${h}`) },
  } as unknown as EntryView;
}

function source(
  entries: EntryView[],
  objects: Map<string, Uint8Array | 'unreadable' | 'gone'>,
): EvidenceAuditSource {
  return {
    entries: (start, limit): Promise<EntriesPage> =>
      Promise.resolve({ entries: entries.slice(start, start + limit), treeSize: entries.length }),
    evidenceUrl: (sha256) => {
      const o = objects.get(sha256);
      if (o === undefined || o === 'unreadable') {
        return Promise.reject(Object.assign(new Error('NOT_FOUND'), { code: 'NOT_FOUND' }));
      }
      return Promise.resolve(`https://store.invalid/${sha256}`);
    },
    download: (url) => {
      const o = objects.get(url.slice(url.lastIndexOf('/') + 1));
      return Promise.resolve(o instanceof Uint8Array ? o : undefined);
    },
  };
}

describe('the evidence audit', () => {
  it('verifies readable objects, counts unreadable ones, and names every index citing a bad one', async () => {
    const good = hex('annex A');
    const tampered = hex('annex B');
    const hidden = hex('annex C');
    const gone = hex('annex D');
    const objects = new Map<string, Uint8Array | 'unreadable' | 'gone'>([
      [good, bytes('annex A')],
      [tampered, bytes('annex B, edited in the bucket')],
      [hidden, 'unreadable'],
      [gone, 'gone'],
    ]);
    const entries = [
      entry(0, []),
      entry(1, [good]),
      entry(2, [hidden]),
      entry(3, [good, tampered]),
      entry(4, [tampered, gone]),
      entry(5, [tampered, tampered]),
    ];
    const report = await auditEvidence(source(entries, objects), entries.length, 2);
    expect(report).toMatchObject({ ok: false, cited: 4, verified: 1, unreadable: 1 });
    expect(report.failures.map((f) => [f.index, f.citedAt, f.sha256])).toEqual([
      [3, [3, 4, 5], tampered],
      [4, [4], gone],
    ]);
    expect(report.failures[0]!.message).toContain(hex('annex B, edited in the bucket'));
    expect(report.failures[0]!.message).toContain('cited at 3, 4 and 5');
  });

  it('keeps one line for an object cited by many entries', async () => {
    const tampered = hex('annex');
    const entries = Array.from({ length: 25 }, (_, i) => entry(i, [tampered]));
    const report = await auditEvidence(
      source(entries, new Map([[tampered, bytes('edited')]])),
      entries.length,
      7,
    );
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.citedAt).toEqual(entries.map((e) => e.index));
    expect(report.failures[0]!.message).toContain(
      'cited at 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 15 more',
    );
  });

  it('passes a log whose readable evidence is intact', async () => {
    const a = hex('x');
    const report = await auditEvidence(source([entry(0, [a])], new Map([[a, bytes('x')]])), 1);
    expect(report).toEqual({ ok: true, cited: 1, verified: 1, unreadable: 0, failures: [] });
  });
});
