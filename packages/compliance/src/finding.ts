/**
 * A finding: what the compliance report says about one party under one rule, and its outcome.
 * The engine (engine.ts) produces them; the judges (judge/) build them; readers get them as
 * they are.
 */
import type { RuleSetId } from '@cbm-ledger/protocol';
import type { Standing } from './claims.js';
import type { RuleId } from './rules.js';

export const OUTCOMES = [
  'compliant',
  'late',
  'missing',
  'exceeded',
  'discrepancy',
  'not-assessable',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Finding {
  rule: RuleId;
  ruleSet: { id: RuleSetId; version: string };
  party: string;
  measure: string;
  /** Statement ids the finding rests on, sorted. */
  subjects: string[];
  outcome: Outcome;
  /** When the obligation fell due (for limits: when the activity started). */
  due: string;
  /** When it was met, or null (missing, or not a deadline: limits and observer reports). */
  actual: string | null;
  detail: string;
  /**
   * From rules 2.0.0: how far the finding holds (docs/compliance-claims.md). `established` for
   * findings from the party's own statements and the log's clock; for findings resting on
   * another party's claim, established only when corroborated or acknowledged.
   */
  standing?: Standing;
  /** From rules 2.0.0: the parties whose claims the finding rests on, sorted (empty: none). */
  claimants?: string[];
  /** From rules 2.0.0: the replies of the party judged to the claims it rests on. */
  replies?: string[];
}
