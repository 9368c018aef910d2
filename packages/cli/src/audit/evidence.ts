/**
 * `cbm audit --evidence`: every evidence object a leaf cites and this auditor may read is
 * downloaded and hashed; bytes that do not hash to the cited SHA-256 (or a copy the ledger can no
 * longer serve intact) fail the audit, naming every index that cites them (each of those entries
 * now points at bytes nobody can check). Objects the auditor may not
 * read (docs/evidence-access.md: they answer 404, like unknown ones) are counted, not failed:
 * only their readers can check them.
 */
import { createHash } from 'node:crypto';
import type { EntriesPage } from '@cbm-ledger/contract';

export interface EvidenceAuditSource {
  entries(start: number, limit: number): Promise<EntriesPage>;
  /** The download URL of GET /v1/evidence/{sha256}; rejects with code NOT_FOUND when unreadable. */
  evidenceUrl(sha256: string): Promise<string>;
  /** The bytes at a download URL; undefined when it serves none (not 2xx). */
  download(url: string): Promise<Uint8Array | undefined>;
}

export interface EvidenceFinding {
  /** The first citing index (findings are ordered by it). */
  readonly index: number;
  /** Every citing index among the audited entries, ascending. */
  readonly citedAt: readonly number[];
  readonly sha256: string;
  readonly message: string;
}

export interface EvidenceAuditReport {
  readonly ok: boolean;
  /** Distinct objects cited by the first `treeSize` entries. */
  readonly cited: number;
  /** Downloaded and found to hash to their name. */
  readonly verified: number;
  /** Not readable by this auditor. */
  readonly unreadable: number;
  readonly failures: EvidenceFinding[];
}

export async function auditEvidence(
  source: EvidenceAuditSource,
  treeSize: number,
  pageSize = 1000,
): Promise<EvidenceAuditReport> {
  // Citing indices of each object, in log order.
  const citing = new Map<string, number[]>();
  for (let start = 0; start < treeSize;) {
    const page = await source.entries(start, Math.min(pageSize, treeSize - start));
    if (page.entries.length === 0) break;
    for (const entry of page.entries) {
      for (const ref of entry.leaf.evidence) {
        const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
        const at = citing.get(hex);
        if (at === undefined) citing.set(hex, [entry.index]);
        else if (at[at.length - 1] !== entry.index) at.push(entry.index);
      }
    }
    start += page.entries.length;
  }
  let verified = 0;
  let unreadable = 0;
  const failures: EvidenceFinding[] = [];
  for (const [sha256, citedAt] of citing) {
    const index = citedAt[0]!;
    const where = describeIndices(citedAt);
    let url: string;
    try {
      url = await source.evidenceUrl(sha256);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'NOT_FOUND') {
        unreadable++;
        continue;
      }
      throw e;
    }
    const bytes = await source.download(url);
    if (bytes === undefined) {
      failures.push({
        index,
        citedAt,
        sha256,
        message: `evidence ${sha256} (cited at ${where}): the store serves no intact copy`,
      });
      continue;
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== sha256) {
      failures.push({
        index,
        citedAt,
        sha256,
        message: `evidence ${sha256} (cited at ${where}) downloads as bytes hashing to ${digest}`,
      });
    } else verified++;
  }
  failures.sort((a, b) => a.index - b.index);
  return { ok: failures.length === 0, cited: citing.size, verified, unreadable, failures };
}

/** "3", "3, 7 and 12", or the first ten and a count, so one object cited everywhere stays one line. */
function describeIndices(indices: readonly number[]): string {
  if (indices.length === 1) return String(indices[0]);
  const shown = indices.slice(0, 10);
  const rest = indices.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}
