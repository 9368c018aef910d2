/**
 * Reads that check what the store hands back (issue 9 §3). A store item edited behind the
 * ledger's back (unparseable, missing, at another index, behind another statement) answers
 * STORE_INTEGRITY naming the entry, not a bare 500 for the whole range, so an auditor can say
 * which one is wrong. Store outages are LedgerErrors (STORE_UNAVAILABLE) and pass through
 * unchanged. Every read path that serves leaves or the statements behind them uses these.
 */
import type { Leaf } from '@cbm-ledger/protocol';
import { LedgerError } from './errors.js';
import type { AdmittedStatement, LogReader, StatementReader } from './ports.js';

export function integrityFault(index: number, why: string): LedgerError {
  return new LedgerError(
    'STORE_INTEGRITY',
    `entry ${index} fails its integrity check in the store: ${why}`,
    { index },
  );
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Leaves [start, start + count) below the head, each checked to be where it is stored. */
export async function readCheckedLeaves(
  log: Pick<LogReader, 'readLeaves'>,
  start: number,
  count: number,
): Promise<Leaf[]> {
  let leaves: Leaf[];
  try {
    leaves = await log.readLeaves(start, count);
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    throw await locateFault(log, start, count, e);
  }
  for (let i = 0; i < count; i++) {
    const leaf = leaves[i];
    if (leaf === undefined) throw integrityFault(start + i, 'the leaf is missing');
    if (leaf.index !== start + i) {
      throw integrityFault(start + i, `the leaf stored there says index ${leaf.index}`);
    }
  }
  return leaves;
}

/** Reads the range one leaf at a time to name the first entry that cannot be read. */
async function locateFault(
  log: Pick<LogReader, 'readLeaves'>,
  start: number,
  count: number,
  cause: unknown,
): Promise<LedgerError> {
  for (let i = start; i < start + count; i++) {
    try {
      await log.readLeaves(i, 1);
    } catch (e) {
      if (e instanceof LedgerError) return e;
      return integrityFault(i, reason(e));
    }
  }
  return integrityFault(start, reason(cause));
}

/** The statement a leaf commits to, checked to be that statement. */
export async function readCheckedStatement(
  statements: Pick<StatementReader, 'getBySeq'>,
  leaf: Leaf,
): Promise<AdmittedStatement> {
  let statement: AdmittedStatement | undefined;
  try {
    statement = await statements.getBySeq(leaf.issuer, leaf.seq);
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    throw integrityFault(leaf.index, `its statement: ${reason(e)}`);
  }
  if (statement === undefined || statement.id !== leaf.statement) {
    throw integrityFault(leaf.index, 'its statement is missing or another one');
  }
  return statement;
}
