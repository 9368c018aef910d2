/**
 * `cbm status [--log-vkey VKEY] [--now T]`: holds the ledger to every admission promise this CLI
 * kept (docs/promises.md). For each: the promise must verify with the log key; then the
 * statement must be integrated, by its deadline, in a leaf that commits to the promise's times.
 * A statement the ledger does not know, or still pending after its deadline, or integrated late,
 * is a broken promise: the signed promise is printed — proof anyone can verify that the log
 * accepted the statement and did not integrate it in time. Exit 1 when any promise is broken.
 */
import { isApiError, verifyPromise, verifyReceipt, VerificationError } from '@cbm-ledger/client';
import type { LedgerClient } from '@cbm-ledger/client';
import type { AdmissionPromise } from '@cbm-ledger/protocol';
import { parseUtcTimestamp } from '@cbm-ledger/protocol';
import type { Command } from '../command.js';
import { stringOption } from '../command.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../errors.js';
import { listPromises } from '../promises.js';

/** What became of one kept promise. */
export type PromiseState =
  /** Integrated by its deadline, in a leaf matching the promise. */
  | 'kept'
  /** Pending, deadline not yet passed. */
  | 'pending'
  /** Pending after its deadline. */
  | 'overdue'
  /** Integrated after its deadline. */
  | 'late'
  /** The ledger denies knowing the statement. */
  | 'dropped'
  /** Integrated, but the receipt or its leaf contradicts the promise. */
  | 'contradicted'
  /** The kept promise itself does not verify with the log key. */
  | 'invalid';

const BROKEN: ReadonlySet<PromiseState> = new Set(['overdue', 'late', 'dropped', 'contradicted']);

interface Row {
  statement: string;
  state: PromiseState;
  acceptedAt?: string;
  integrateBy?: string;
  index?: number;
  integratedAt?: string;
  detail: string;
  /** The signed promise, for every broken one. */
  promise?: string;
}

export const statusCommand: Command = {
  name: 'status',
  usage: 'status [--log-vkey VKEY] [--now T]',
  summary: 'check the admission promises this CLI kept against the log',
  help: [
    'Every submission answer carries a promise signed by the log key: the ledger accepted the',
    'statement at acceptedAt and will integrate it by integrateBy. `cbm submit` keeps each one',
    'under $CBM_HOME/promises (default ~/.cbm). This command checks each promise of this ledger:',
    'a statement the ledger denies, one pending past its deadline, one integrated late, or a leaf',
    'that contradicts the promise is a BROKEN promise, printed in full as proof (exit 1).',
    '  --log-vkey VKEY  the log key you trust (default: the one the ledger publishes)',
    '  --now T          judge deadlines at T (RFC 3339 UTC) instead of this machine’s clock',
  ].join('\n'),
  options: {
    'log-vkey': { type: 'string' },
    now: { type: 'string' },
  },
  positionals: [0, 0],
  async run(ctx) {
    const nowText = stringOption(ctx.values, 'now');
    const now = nowText === undefined ? Date.now() : parseUtcTimestamp(nowText);
    if (now === undefined) throw new UsageError('--now must be an RFC 3339 UTC time ending in Z');
    const client = ctx.client();
    const info = await client.info();
    const trusted = stringOption(ctx.values, 'log-vkey');
    const logVkey = trusted ?? info.logVkey;
    if (trusted === undefined) {
      ctx.out.note('cbm: using the log key the ledger publishes; pass --log-vkey to use your own');
    }
    const { kept, unreadable } = await listPromises(ctx.io.env);
    const rows: Row[] = [];
    for (const k of kept.filter((p) => p.origin === info.origin)) {
      rows.push(await check(k.statement, k.promise, logVkey, now, client));
    }
    const broken = rows.filter((r) => BROKEN.has(r.state));
    const invalid = rows.filter((r) => r.state === 'invalid');
    ctx.out.result({
      ok: broken.length === 0 && invalid.length === 0,
      origin: info.origin,
      promises: rows,
      broken: broken.length,
      ...(unreadable.length === 0 ? {} : { unreadable }),
    });
    ctx.out.line(`${rows.length} kept promise(s) of ${info.origin}; ${broken.length} broken`);
    for (const r of rows) {
      ctx.out.line(`  ${r.state.toUpperCase().padEnd(12)} ${r.statement}  ${r.detail}`);
      if (r.promise !== undefined) {
        ctx.out.line('    the signed promise (verify it with the log key):');
        for (const line of r.promise.trimEnd().split('\n')) ctx.out.line(`    | ${line}`);
      }
    }
    for (const name of unreadable) ctx.out.note(`cbm: promise file ${name} is unreadable`);
    return broken.length === 0 && invalid.length === 0 ? EXIT_OK : EXIT_FAILED;
  },
};

async function check(
  statement: string,
  note: string,
  logVkey: string,
  now: number,
  client: LedgerClient,
): Promise<Row> {
  let promise: AdmissionPromise;
  try {
    promise = verifyPromise(note, { logVkey, statement });
  } catch (e) {
    if (!(e instanceof VerificationError)) throw e;
    return { statement, state: 'invalid', detail: `${e.code}: ${e.message}` };
  }
  const times = { acceptedAt: promise.acceptedAt, integrateBy: promise.integrateBy };
  const deadline = Date.parse(promise.integrateBy);
  let view;
  try {
    view = await client.statement(statement);
  } catch (e) {
    if (isApiError(e) && e.status === 404) {
      return {
        statement,
        state: 'dropped',
        ...times,
        detail: `the ledger does not know the statement it promised to integrate by ${promise.integrateBy}`,
        promise: note,
      };
    }
    throw e;
  }
  if (view.receipt === undefined) {
    if (now > deadline) {
      return {
        statement,
        state: 'overdue',
        ...times,
        detail: `still pending after its deadline ${promise.integrateBy}`,
        promise: note,
      };
    }
    return { statement, state: 'pending', ...times, detail: `due by ${promise.integrateBy}` };
  }
  try {
    // Our own promise, not the one the ledger serves now, is what the receipt must honour.
    const v = verifyReceipt({ ...view.receipt, promise: note }, { logVkey, statement });
    const at = { index: v.index, integratedAt: v.leaf.integratedAt };
    if (v.promise?.kept === true) {
      return { statement, state: 'kept', ...times, ...at, detail: `entry ${v.index}` };
    }
    return {
      statement,
      state: 'late',
      ...times,
      ...at,
      detail: `integrated ${v.leaf.integratedAt}, after its deadline ${promise.integrateBy}`,
      promise: note,
    };
  } catch (e) {
    if (!(e instanceof VerificationError)) throw e;
    return {
      statement,
      state: 'contradicted',
      ...times,
      detail: `${e.code}: ${e.message}`,
      promise: note,
    };
  }
}
