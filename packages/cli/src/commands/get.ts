/**
 * `cbm get ID|INDEX`: one statement (by id) or log entry (by index), with its statement when the
 * caller may read it (--key signs the read).
 */
import { currentReceipt } from '@cbm-ledger/client';
import { isClaimType } from '@cbm-ledger/compliance';
import type { EntryView, LedgerClient, Receipt, StatementView } from '@cbm-ledger/client';
import { fromBase64, isStatementId, statementId, utf8Decode } from '@cbm-ledger/protocol';
import type { Envelope, Leaf, Statement } from '@cbm-ledger/protocol';
import type { Command, Context } from '../command.js';
import { keyOption, shortTime, stringOption, writeFileAtomic } from '../command.js';
import { CommandError, EXIT_OK, UsageError } from '../errors.js';

/** The statement inside an envelope, after checking that its payload is the statement named. */
function openEnvelope(envelope: Envelope, id: string): Statement {
  const payload = fromBase64(envelope.payload);
  if (statementId(payload) !== id) {
    throw new CommandError(
      'STATEMENT_ID_MISMATCH',
      `the ledger served an envelope whose payload is not statement ${id}`,
    );
  }
  return JSON.parse(utf8Decode(payload)) as Statement;
}

function printStatement(ctx: Context, statement: Statement | undefined): void {
  if (statement === undefined) {
    ctx.out.line('  (the statement is not readable to you: only its leaf is public; try --key)');
    return;
  }
  ctx.out.line(`  issued       ${shortTime(statement.issuedAt)}`);
  if (statement.audience !== undefined)
    ctx.out.line(`  audience     ${statement.audience.join(', ')}`);
  if (statement.refs !== undefined) ctx.out.line(`  refers to    ${statement.refs.join(', ')}`);
  for (const e of statement.evidence ?? []) {
    ctx.out.line(
      `  evidence     ${e.name ?? '(unnamed)'} ${e.mediaType}, ${e.size} bytes, sha256 ${e.sha256}`,
    );
  }
  ctx.out.line('  body');
  for (const line of JSON.stringify(statement.body, null, 2).split('\n'))
    ctx.out.line(`    ${line}`);
}

/** A claim's replies (right of reply), shown with the claim so neither is read alone. */
function printReplies(ctx: Context, replies: StatementView['replies']): void {
  if (replies === undefined) return;
  if (replies.length === 0) {
    ctx.out.line('  replies      none yet (the party the claim is about may answer it)');
  }
  for (const r of replies) {
    const position = r.position === 'dispute' ? 'DISPUTED' : 'acknowledged';
    ctx.out.line(`  reply        ${position} by ${r.issuer}, entry ${r.index} (${r.statement})`);
  }
}

/** The receipt against the current, cosigned checkpoint (see currentReceipt). */
async function saveReceipt(
  ctx: Context,
  client: LedgerClient,
  id: string,
  out: string,
): Promise<string | undefined> {
  const receipt: Receipt | undefined = await currentReceipt(client, id);
  if (receipt === undefined) return undefined;
  const file = ctx.path(out);
  await writeFileAtomic(file, `${JSON.stringify(receipt, null, 2)}\n`);
  return file;
}

async function byIndex(ctx: Context, client: LedgerClient, index: number): Promise<number> {
  const view: EntryView = await client.entry(index);
  const leaf: Leaf = view.leaf;
  const statement =
    view.envelope === undefined ? undefined : openEnvelope(view.envelope, leaf.statement);
  // An entry carries no replies (entries are final, replies come later): the statement view has them.
  const replies = isClaimType(leaf.type)
    ? (await client.statement(leaf.statement)).replies
    : undefined;
  const receiptOut = stringOption(ctx.values, 'receipt-out');
  let receiptFile: string | undefined;
  if (receiptOut !== undefined)
    receiptFile = await saveReceipt(ctx, client, leaf.statement, receiptOut);
  ctx.out.result({
    ok: true,
    ...view,
    ...(statement === undefined ? {} : { statement }),
    ...(replies === undefined ? {} : { replies }),
    ...(receiptFile === undefined ? {} : { receiptFile }),
  });
  ctx.out.line(
    `Entry ${leaf.index}: ${leaf.type} by ${leaf.issuer} (seq ${leaf.seq}), ${leaf.visibility}`,
  );
  ctx.out.line(`  statement    ${leaf.statement}`);
  ctx.out.line(`  integrated   ${shortTime(leaf.integratedAt)}`);
  ctx.out.line(`  leaf hash    ${view.leafHash}`);
  printStatement(ctx, statement);
  printReplies(ctx, replies);
  if (receiptFile !== undefined) ctx.out.line(`Receipt written to ${receiptFile}`);
  return EXIT_OK;
}

async function byId(ctx: Context, client: LedgerClient, id: string): Promise<number> {
  const view: StatementView = await client.statement(id);
  const statement =
    view.envelope === undefined ? undefined : openEnvelope(view.envelope, view.statement);
  const receiptOut = stringOption(ctx.values, 'receipt-out');
  let receiptFile: string | undefined;
  if (receiptOut !== undefined && view.receipt !== undefined) {
    receiptFile = await saveReceipt(ctx, client, view.statement, receiptOut);
  }
  ctx.out.result({
    ok: true,
    ...view,
    ...(statement === undefined ? {} : { statementBody: statement }),
    ...(receiptFile === undefined ? {} : { receiptFile }),
  });
  ctx.out.line(`Statement ${view.statement}`);
  ctx.out.line(`  ${view.type} by ${view.issuer} (seq ${view.seq}), ${view.visibility}`);
  ctx.out.line(`  admitted     ${shortTime(view.admittedAt)}`);
  ctx.out.line(
    view.status === 'integrated'
      ? `  integrated   as entry ${String(view.index)} at ${shortTime(view.receipt?.leaf.integratedAt)}`
      : '  pending      not yet integrated into the log',
  );
  printStatement(ctx, statement);
  printReplies(ctx, view.replies);
  if (receiptFile !== undefined) ctx.out.line(`Receipt written to ${receiptFile}`);
  else if (receiptOut !== undefined)
    ctx.out.note(`cbm: no receipt yet (pending); nothing written to ${receiptOut}`);
  return EXIT_OK;
}

export const getCommand: Command = {
  name: 'get',
  usage: 'get ID|INDEX [--key FILE] [--receipt-out FILE]',
  summary: 'show a statement (sha256:…) or a log entry (its index)',
  help: [
    'Options:',
    "  --key FILE          read as this key's party (signed request): restricted statements",
    '  --receipt-out FILE  write the current receipt (against the latest checkpoint)',
  ].join('\n'),
  options: { key: { type: 'string' }, 'receipt-out': { type: 'string' } },
  positionals: [1, 1],
  async run(ctx) {
    const target = ctx.positionals[0]!;
    const key = await keyOption(ctx, 'key');
    const client = ctx.client(key);
    if (/^(?:0|[1-9][0-9]*)$/.test(target)) return byIndex(ctx, client, Number(target));
    if (isStatementId(target)) return byId(ctx, client, target);
    throw new UsageError(
      `expected a statement id (sha256:<64 hex>) or an entry index, not ${String(target)}`,
    );
  },
};
