/**
 * `cbm audit --evidence`: every evidence object a leaf cites and this auditor may read is
 * downloaded and hashed; bytes that do not hash to the cited SHA-256 (or a copy the ledger can no
 * longer serve intact) fail the audit, naming the first citing index. Objects the auditor may not
 * read (docs/evidence-access.md: they answer 404, like unknown ones) are counted, not failed:
 * only their readers can check them.
 */
import { createHash } from 'node:crypto';
import type { EntriesPage } from '@cbm-ledger/ledger';

export interface EvidenceAuditSource {
  entries(start: number, limit: number): Promise<EntriesPage>;
  /** The download URL of GET /v1/evidence/{sha256}; rejects with code NOT_FOUND when unreadable. */
  evidenceUrl(sha256: string): Promise<string>;
  /** The bytes at a download URL; undefined when it serves none (not 2xx). */
  download(url: string): Promise<Uint8Array | undefined>;
}

export interface EvidenceFinding {
  readonly index: number;
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
  // First citing index of each object, in log order.
  const firstCited = new Map<string, number>();
  for (let start = 0; start < treeSize;) {
    const page = await source.entries(start, Math.min(pageSize, treeSize - start));
    if (page.entries.length === 0) break;
    for (const entry of page.entries) {
      for (const ref of entry.leaf.evidence) {
        const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
        if (!firstCited.has(hex)) firstCited.set(hex, entry.index);
      }
    }
    start += page.entries.length;
  }
  let verified = 0;
  let unreadable = 0;
  const failures: EvidenceFinding[] = [];
  for (const [sha256, index] of firstCited) {
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
        sha256,
        message: `evidence ${sha256} (cited at ${index}): the store serves no intact copy`,
      });
      continue;
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== sha256) {
      failures.push({
        index,
        sha256,
        message: `evidence ${sha256} (cited at ${index}) downloads as bytes hashing to ${digest}`,
      });
    } else verified++;
  }
  failures.sort((a, b) => a.index - b.index);
  return { ok: failures.length === 0, cited: firstCited.size, verified, unreadable, failures };
}
