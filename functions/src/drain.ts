/**
 * The scheduled integrator's loop, kept free of Lambda and AWS imports so it can be tested (and
 * reused) on its own.
 */
import type { Integrator } from '@cbm-ledger/ledger';

/** Leave this much of the invocation for one more batch to finish and the logs to flush. */
export const SAFETY_MARGIN_MS = 10_000;

export interface DrainResult {
  readonly integrated: number;
  readonly treeSize: number;
  readonly batches: number;
  /** True when the loop stopped for time, with work possibly left. */
  readonly outOfTime: boolean;
}

/** Runs batches until one integrates nothing, or `remainingMs()` drops below the margin. */
export async function drain(
  integrator: Pick<Integrator, 'runOnce'>,
  remainingMs: () => number,
  marginMs = SAFETY_MARGIN_MS,
): Promise<DrainResult> {
  let integrated = 0;
  let treeSize = 0;
  let batches = 0;
  for (;;) {
    if (remainingMs() < marginMs) return { integrated, treeSize, batches, outOfTime: true };
    const run = await integrator.runOnce();
    batches++;
    integrated += run.integrated;
    treeSize = run.treeSize;
    if (run.integrated === 0) return { integrated, treeSize, batches, outOfTime: false };
  }
}
