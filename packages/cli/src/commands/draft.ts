/**
 * `cbm draft TYPE BODY --issuer ID`: writes the unsigned statement (a signing file, signing.ts)
 * that the offices then sign one after another with `cbm sign`, each on its own machine, and
 * anyone submits with `cbm submit --envelope`. The issuer's seq and prev come from the ledger, or
 * from --seq/--prev (with --ledger) to draft with no ledger in reach.
 */
import { buildStatement, chainHead } from '@cbm-ledger/client';
import type { ChainHead, StatementDraft } from '@cbm-ledger/client';
import {
  STATEMENT_TYPES,
  isPartyId,
  isProtocolError,
  isStatementId,
  isStatementType,
  parseStatement,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Visibility } from '@cbm-ledger/protocol';
import { readBody } from '../body.js';
import type { Command } from '../command.js';
import {
  commaList,
  integerOption,
  requiredOption,
  stringOption,
  writeFileAtomic,
} from '../command.js';
import { CommandError, EXIT_OK, UsageError } from '../errors.js';
import { draftSigningFile, missingSigners } from '../signing.js';

const VISIBILITIES: readonly Visibility[] = ['public', 'participants', 'restricted'];

export const draftCommand: Command = {
  name: 'draft',
  usage:
    'draft TYPE BODY.json|BODY.yaml|- --issuer ID [--out FILE] [--seq N --prev ID|null --ledger ORIGIN] [--visibility V] [--audience IDS] [--refs IDS]',
  summary:
    'write an unsigned statement for the offices to sign (cbm sign), then cbm submit --envelope',
  help: [
    `TYPE is one of: ${STATEMENT_TYPES.filter((t) => t !== 'ledger.genesis').join(', ')}.`,
    'BODY is the type-specific body, as JSON or YAML; - reads it from stdin.',
    '',
    'The statement is fixed here (its nonce and issuedAt too): every signer signs these exact',
    'bytes. A statement signed by two or more parties may be submitted up to the ledger’s signing',
    'window after it was drafted (CBM_MAX_SIGNING_DAYS, default 14 days); one signed by a single',
    'party within 10 minutes.',
    '',
    'Options:',
    '  --issuer ID         the issuing party (its chain head is read from the ledger)',
    '  --out FILE          write the signing file there (default: stdout)',
    '  --seq N, --prev ID  the issuer’s chain position, given instead of read (--prev null for seq 1)',
    '  --ledger ORIGIN     the ledger’s origin, with --seq (else read from the ledger)',
    '  --visibility V      public (default), participants or restricted',
    '  --audience IDS      comma-separated party ids allowed to read a restricted statement',
    '  --refs IDS          comma-separated statement ids this one refers to',
  ].join('\n'),
  options: {
    issuer: { type: 'string' },
    out: { type: 'string' },
    seq: { type: 'string' },
    prev: { type: 'string' },
    ledger: { type: 'string' },
    visibility: { type: 'string' },
    audience: { type: 'string', multiple: true },
    refs: { type: 'string', multiple: true },
  },
  positionals: [2, 2],
  async run(ctx) {
    const [type, bodyArg] = ctx.positionals as [string, string];
    if (!isStatementType(type) || type === 'ledger.genesis') {
      throw new UsageError(`unknown statement type ${type} (see 'cbm help draft')`);
    }
    const issuer = requiredOption(ctx.values, 'issuer');
    if (!isPartyId(issuer)) throw new UsageError(`--issuer ${String(issuer)} is not a party id`);
    const seq = integerOption(ctx.values, 'seq', { min: 1, max: Number.MAX_SAFE_INTEGER });
    const prevText = stringOption(ctx.values, 'prev');
    const ledgerOption = stringOption(ctx.values, 'ledger');
    if ((seq === undefined) !== (prevText === undefined)) {
      throw new UsageError('--seq and --prev go together');
    }
    if (ledgerOption !== undefined && seq === undefined) {
      throw new UsageError('--ledger goes with --seq and --prev');
    }
    let head: ChainHead | undefined;
    if (seq !== undefined) {
      const prev = prevText === 'null' ? null : prevText!;
      if ((seq === 1) !== (prev === null)) {
        throw new UsageError('--prev is null exactly when --seq is 1');
      }
      if (prev !== null && !isStatementId(prev)) {
        throw new UsageError(`--prev ${String(prev)} is not a statement id (sha256:<64 hex>)`);
      }
      head = prev === null ? null : { seq: seq - 1, statement: prev };
    }
    const audience = commaList(ctx.values, 'audience');
    const refs = commaList(ctx.values, 'refs');
    let visibility = stringOption(ctx.values, 'visibility') as Visibility | undefined;
    if (visibility !== undefined && !VISIBILITIES.includes(visibility)) {
      throw new UsageError(`--visibility must be one of ${VISIBILITIES.join(', ')}`);
    }
    if (visibility === undefined && audience.length > 0) visibility = 'restricted';
    const body = await readBody(bodyArg, (p) => ctx.path(p), ctx.io);

    const draft: StatementDraft = {
      type,
      body,
      ...(visibility === undefined ? {} : { visibility }),
      ...(audience.length === 0 ? {} : { audience }),
      ...(refs.length === 0 ? {} : { refs }),
    };
    // Offline only when everything the ledger would tell is given.
    const origin = ledgerOption ?? (await ctx.client().info()).origin;
    const statement = buildStatement(
      origin,
      issuer,
      head === undefined ? await chainHead(ctx.client(), issuer) : head,
      draft,
    );
    const payload = utf8Encode(JSON.stringify(statement));
    try {
      parseStatement(payload);
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      throw new CommandError(
        'BODY_INVALID',
        `the statement does not validate: ${e.message}`,
        e.path,
      );
    }
    const file = draftSigningFile(payload);
    const text = `${JSON.stringify(file, null, 2)}\n`;
    const out = stringOption(ctx.values, 'out');
    if (out !== undefined) await writeFileAtomic(ctx.path(out), text);
    const signers = missingSigners({ file, statement });
    ctx.out.result({
      ok: true,
      statement: file.statement,
      type,
      issuer,
      seq: statement.seq,
      issuedAt: statement.issuedAt,
      signers,
      ...(out === undefined ? { file } : { signingFile: ctx.path(out) }),
    });
    if (out === undefined) {
      if (!ctx.out.json) ctx.io.stdout.write(text);
      ctx.out.note(`cbm: drafted ${file.statement}; to be signed by ${signers.join(', ')}`);
    } else {
      ctx.out.line(`Drafted ${type} ${file.statement} (seq ${statement.seq} of ${issuer})`);
      ctx.out.line(`  written to ${ctx.path(out)}; to be signed by ${signers.join(', ')}`);
      ctx.out.line(`  each signer: cbm sign ${out} --key KEY; then cbm submit --envelope ${out}`);
    }
    return EXIT_OK;
  },
};
