/**
 * The operator's clock, bounded by the witnesses (docs/promises.md, issue 16 §4). A witness that
 * cosigned the checkpoint of size S at time T (C2SP cosignature/v1 signs T) saw those S leaves
 * then, so:
 *
 *   upper bound: every leaf with index < S was integrated (and accepted) by T;
 *   lower bound: a witness cosigns the newest checkpoint the log shows it, so no leaf with
 *                index ≥ S existed at T: each was integrated after T.
 *
 * Both are judged with a stated skew (the witness's clock, its fetch-to-cosign delay). A leaf
 * that breaks either bound carries a time the witnesses contradict: the operator's clock, or its
 * record of it, is wrong. Pure; O((leaves + times) log times).
 */
import { parseUtcTimestamp } from '@cbm-ledger/protocol';
import type { Leaf } from '@cbm-ledger/protocol';
import type { AuditFinding } from './core.js';

/** One verified cosignature: the checkpoint size, the witness's name, and its POSIX seconds. */
export interface WitnessTime {
  readonly size: number;
  readonly witness: string;
  readonly time: number;
}

/** The default skew: five minutes, well above a witness loop's fetch-to-cosign delay. */
export const DEFAULT_WITNESS_SKEW_MS = 300_000;

interface Bound {
  readonly ms: number;
  readonly from: WitnessTime;
}

/**
 * The violations, by leaf index (one finding per bound a leaf breaks). `leaves` must be the
 * audited leaves in index order from 0; times for sizes beyond them are ignored.
 */
export function witnessTimeViolations(
  leaves: readonly Leaf[],
  times: readonly WitnessTime[],
  skewMs: number = DEFAULT_WITNESS_SKEW_MS,
): AuditFinding[] {
  const n = leaves.length;
  // earliest[i]: the earliest time at which a checkpoint containing leaf i was cosigned.
  // latest[i]: the latest time at which a checkpoint not containing leaf i was cosigned.
  const earliest: (Bound | undefined)[] = new Array<Bound | undefined>(n + 1).fill(undefined);
  const latest: (Bound | undefined)[] = new Array<Bound | undefined>(n + 1).fill(undefined);
  for (const t of times) {
    if (!Number.isSafeInteger(t.size) || t.size < 0 || t.size > n) continue;
    const b = { ms: t.time * 1000, from: t };
    // Bucketed at the size, then swept: a checkpoint of size S contains leaves 0 … S-1.
    if (t.size > 0 && (earliest[t.size - 1] === undefined || b.ms < earliest[t.size - 1]!.ms)) {
      earliest[t.size - 1] = b;
    }
    if (latest[t.size] === undefined || b.ms > latest[t.size]!.ms) latest[t.size] = b;
  }
  for (let i = n - 2; i >= 0; i--) {
    const next = earliest[i + 1];
    if (next !== undefined && (earliest[i] === undefined || next.ms < earliest[i]!.ms)) {
      earliest[i] = next;
    }
  }
  for (let i = 1; i < n; i++) {
    const prev = latest[i - 1];
    if (prev !== undefined && (latest[i] === undefined || prev.ms > latest[i]!.ms)) {
      latest[i] = prev;
    }
  }
  const findings: AuditFinding[] = [];
  const iso = (ms: number): string => new Date(ms).toISOString();
  for (let i = 0; i < n; i++) {
    const leaf = leaves[i]!;
    const integratedAt = parseUtcTimestamp(leaf.integratedAt);
    if (integratedAt === undefined) continue; // parseLeaf already refused such a leaf
    const upper = earliest[i];
    if (upper !== undefined) {
      const times = leaf.v === 2 ? [leaf.integratedAt, leaf.acceptedAt] : [leaf.integratedAt];
      const late = times.find((t) => (parseUtcTimestamp(t) ?? 0) > upper.ms + skewMs);
      if (late !== undefined) {
        findings.push({
          index: leaf.index,
          check: 'WITNESS_TIME_VIOLATED',
          message:
            `entry ${leaf.index} says ${late === leaf.integratedAt ? 'integratedAt' : 'acceptedAt'} ` +
            `${late}, but witness ${upper.from.witness} cosigned checkpoint ${upper.from.size}, ` +
            `which contains it, at ${iso(upper.ms)} (skew ${skewMs / 1000} s)`,
        });
      }
    }
    const lower = latest[i];
    if (lower !== undefined && integratedAt < lower.ms - skewMs) {
      findings.push({
        index: leaf.index,
        check: 'WITNESS_TIME_VIOLATED',
        message:
          `entry ${leaf.index} says integratedAt ${leaf.integratedAt}, but witness ` +
          `${lower.from.witness} cosigned checkpoint ${lower.from.size}, which does not contain ` +
          `it, as the newest at ${iso(lower.ms)} (skew ${skewMs / 1000} s)`,
      });
    }
  }
  return findings;
}
