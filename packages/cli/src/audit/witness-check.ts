/**
 * `cbm audit --witness-times`: gathers the witnesses' cosignature times for the audited log and
 * checks every leaf's integratedAt and acceptedAt against them (witness-times.ts).
 *
 * Security: nothing the ledger serves is taken on trust. The leaves are read again and must hash
 * to the root the audit verified; each checkpoint must verify with the log key and be for the
 * size asked; each cosignature must verify with a witness key the caller gave (or, failing that,
 * one the ledger lists, which the report says).
 */
import type { LedgerClient } from '@cbm-ledger/client';
import {
  CompactRange,
  leafHash,
  openCheckpoint,
  parseLeaf,
  toBase64,
  verifyCosignatures,
} from '@cbm-ledger/protocol';
import type { Leaf, NoteVerifierKey, WitnessKey } from '@cbm-ledger/protocol';
import { isApiError } from '@cbm-ledger/client';
import type { AuditFinding } from './core.js';
import { witnessTimeViolations } from './witness-times.js';
import type { WitnessTime } from './witness-times.js';

export interface WitnessCheckResult {
  /** Checkpoints looked at (one per integration batch) and cosignatures that verified. */
  checkpoints: number;
  cosignatures: number;
  skewMs: number;
  failures: AuditFinding[];
}

export async function checkWitnessTimes(options: {
  client: LedgerClient;
  logKey: NoteVerifierKey;
  witnesses: readonly WitnessKey[];
  treeSize: number;
  rootHash: string;
  skewMs: number;
  pageSize: number;
}): Promise<WitnessCheckResult> {
  const { client, logKey, witnesses, treeSize, rootHash, skewMs, pageSize } = options;
  const leaves: Leaf[] = [];
  const range = CompactRange.empty();
  while (leaves.length < treeSize) {
    const page = await client.entries(leaves.length, Math.min(pageSize, treeSize - leaves.length));
    if (page.entries.length === 0) break;
    for (const e of page.entries.slice(0, treeSize - leaves.length)) {
      const leaf = parseLeaf(e.leaf);
      leaves.push(leaf);
      range.append(leafHash(leaf));
    }
  }
  if (leaves.length !== treeSize || toBase64(range.root()) !== rootHash) {
    return {
      checkpoints: 0,
      cosignatures: 0,
      skewMs,
      failures: [
        {
          check: 'WITNESS_LEAVES_CHANGED',
          message: 'the ledger served other leaves to the witness-time check than to the audit',
        },
      ],
    };
  }
  // The integrator signs one checkpoint per batch, and a batch's leaves share integratedAt: the
  // sizes where it changes, and the tree size, are where checkpoints were signed.
  const sizes = new Set<number>([treeSize]);
  for (let i = 1; i < leaves.length; i++) {
    if (leaves[i]!.integratedAt !== leaves[i - 1]!.integratedAt) sizes.add(i);
  }
  const times: WitnessTime[] = [];
  const failures: AuditFinding[] = [];
  let checkpoints = 0;
  for (const size of [...sizes].sort((a, b) => a - b)) {
    let note: string;
    try {
      note = (await client.checkpointStatus(size)).checkpoint;
    } catch (e) {
      if (isApiError(e) && e.status === 404) continue; // no checkpoint signed at this size
      throw e;
    }
    checkpoints++;
    try {
      const { checkpoint } = openCheckpoint(note, logKey);
      if (checkpoint.size !== size) throw new Error(`it is for size ${checkpoint.size}`);
      for (const c of verifyCosignatures(note, [...witnesses])) {
        times.push({ size, witness: c.name, time: c.time });
      }
    } catch (e) {
      failures.push({
        check: 'WITNESS_CHECKPOINT_INVALID',
        message: `checkpoint ${size}: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }
  failures.push(...witnessTimeViolations(leaves, times, skewMs));
  return { checkpoints, cosignatures: times.length, skewMs, failures };
}
