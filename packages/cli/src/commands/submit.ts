/**
 * `cbm submit TYPE BODY --key FILE …`: builds the issuer's next statement (its chain head read
 * from the ledger), uploads any evidence, signs with the issuer's and co-signers' keys, submits,
 * and with --wait keeps the receipt.
 */
import { basename } from 'node:path';
import { submitStatement, uploadEvidence, verifyReceipt } from '@cbm-ledger/client';
import type { StatementDraft, VerifiedReceipt } from '@cbm-ledger/client';
import { evidenceFromFile, readKeyFile } from '@cbm-ledger/client/node';
import { STATEMENT_TYPES, isStatementType } from '@cbm-ledger/protocol';
import type { EvidenceRef, Visibility } from '@cbm-ledger/protocol';
import { readBody } from '../body.js';
import type { Command } from '../command.js';
import {
  commaList,
  integerOption,
  listOption,
  requiredOption,
  stringOption,
  writeFileAtomic,
} from '../command.js';
import { CommandError, EXIT_OK, UsageError } from '../errors.js';
import { keepPromise } from '../promises.js';

const VISIBILITIES: readonly Visibility[] = ['public', 'participants', 'restricted'];

export const submitCommand: Command = {
  name: 'submit',
  usage:
    'submit TYPE BODY.json|BODY.yaml|- --key FILE [--cosign FILE]… [--visibility V] [--audience IDS] [--refs IDS] [--evidence FILE]… [--wait N] [--receipt-out FILE]',
  summary: 'sign and submit a statement (the issuer chain is handled for you)',
  help: [
    `TYPE is one of: ${STATEMENT_TYPES.filter((t) => t !== 'ledger.genesis').join(', ')}.`,
    'BODY is the type-specific body, as JSON or YAML; - reads it from stdin.',
    '',
    'Options:',
    '  --key FILE          the issuer key file (its party is the issuer)',
    '  --cosign FILE       a co-signer key file (repeatable; measure.define needs every party)',
    '  --visibility V      public (default), participants or restricted',
    '  --audience IDS      comma-separated party ids allowed to read a restricted statement',
    '  --refs IDS          comma-separated statement ids this one refers to',
    '  --evidence FILE     upload FILE and cite it (repeatable)',
    '  --wait N            wait up to N seconds (max 20) for integration and a receipt',
    '  --receipt-out FILE  write the receipt there (needs integration: use --wait)',
  ].join('\n'),
  options: {
    key: { type: 'string' },
    cosign: { type: 'string', multiple: true },
    visibility: { type: 'string' },
    audience: { type: 'string', multiple: true },
    refs: { type: 'string', multiple: true },
    evidence: { type: 'string', multiple: true },
    wait: { type: 'string' },
    'receipt-out': { type: 'string' },
  },
  positionals: [2, 2],
  async run(ctx) {
    const [type, bodyArg] = ctx.positionals as [string, string];
    if (!isStatementType(type)) {
      throw new UsageError(`unknown statement type ${type} (see 'cbm help submit')`);
    }
    const keyPath = ctx.path(requiredOption(ctx.values, 'key'));
    const wait = integerOption(ctx.values, 'wait', { min: 0, max: 600 });
    const receiptOut = stringOption(ctx.values, 'receipt-out');
    const audience = commaList(ctx.values, 'audience');
    const refs = commaList(ctx.values, 'refs');
    let visibility = stringOption(ctx.values, 'visibility') as Visibility | undefined;
    if (visibility !== undefined && !VISIBILITIES.includes(visibility)) {
      throw new UsageError(`--visibility must be one of ${VISIBILITIES.join(', ')}`);
    }
    if (visibility === undefined && audience.length > 0) visibility = 'restricted';

    const key = await readKeyFile(keyPath);
    const cosigners = await Promise.all(
      listOption(ctx.values, 'cosign').map((p) => readKeyFile(ctx.path(p))),
    );
    const body = await readBody(bodyArg, (p) => ctx.path(p), ctx.io);
    const client = ctx.client();
    const info = await client.info();

    const evidence: EvidenceRef[] = [];
    for (const file of listOption(ctx.values, 'evidence')) {
      const source = await evidenceFromFile(ctx.path(file)).catch((e: unknown) => {
        throw new CommandError(
          'EVIDENCE_UNREADABLE',
          `cannot read evidence ${file}: ${e instanceof Error ? e.message : String(e)}`,
        );
      });
      // Signed as the issuer: the upload is the issuer's proof of possession (an unsigned one is
      // refused, and admission accepts only evidence the issuer itself uploaded).
      const { ref, uploaded } = await uploadEvidence(ctx.client(key), source);
      evidence.push(ref);
      ctx.out.note(
        `evidence ${basename(file)}: sha256 ${ref.sha256}, ${ref.size} bytes, ${ref.mediaType}${
          uploaded ? ', uploaded' : ', already stored'
        }`,
      );
    }

    const draft: StatementDraft = {
      type,
      body,
      ...(visibility === undefined ? {} : { visibility }),
      ...(audience.length === 0 ? {} : { audience }),
      ...(refs.length === 0 ? {} : { refs }),
      ...(evidence.length === 0 ? {} : { evidence }),
    };
    const submitted = await submitStatement(client, {
      key,
      cosigners,
      draft,
      origin: info.origin,
      ...(wait === undefined ? {} : { waitSeconds: wait }),
    });
    const { result, statement } = submitted;
    // Kept before anything else can fail: the promise is the proof that the ledger accepted the
    // statement, whatever happens to it later (`cbm status`).
    let promiseFile: string | undefined;
    if (result.promise !== undefined) {
      promiseFile = await keepPromise(ctx.io.env, {
        origin: info.origin,
        server: ctx.server,
        statement: result.statement,
        promise: result.promise,
        receivedAt: new Date().toISOString(),
      });
    }

    let verified: VerifiedReceipt | undefined;
    if (result.receipt !== undefined) {
      // Checked against the log key the ledger itself publishes: this catches a malformed or
      // inconsistent receipt now; `cbm verify` checks it later against a key you trust.
      verified = verifyReceipt(result.receipt, {
        logVkey: info.logVkey,
        statement: result.statement,
      });
      if (receiptOut !== undefined) {
        await writeFileAtomic(ctx.path(receiptOut), `${JSON.stringify(result.receipt, null, 2)}\n`);
      }
    }

    ctx.out.result({
      ok: true,
      statement: result.statement,
      status: result.status,
      httpStatus: result.httpStatus,
      type,
      issuer: statement.issuer,
      seq: statement.seq,
      visibility: statement.visibility,
      ...(result.index === undefined ? {} : { index: result.index }),
      ...(result.promise === undefined ? {} : { promise: result.promise, promiseFile }),
      ...(evidence.length === 0 ? {} : { evidence }),
      ...(result.receipt === undefined ? {} : { receipt: result.receipt }),
      ...(receiptOut === undefined || result.receipt === undefined
        ? {}
        : { receiptFile: ctx.path(receiptOut) }),
    });
    const again = result.httpStatus === 200 ? ' (already known to the ledger)' : '';
    ctx.out.line(`Accepted ${type} ${result.statement}${again}`);
    ctx.out.line(`  issuer ${statement.issuer}, seq ${statement.seq}, ${statement.visibility}`);
    if (promiseFile !== undefined) {
      ctx.out.line(`  signed admission promise kept in ${promiseFile} (see 'cbm status')`);
    }
    if (verified !== undefined) {
      ctx.out.line(
        `  integrated as entry ${verified.index} at ${verified.leaf.integratedAt}; checkpoint size ${verified.treeSize}`,
      );
      ctx.out.line('  receipt verified against the log key the ledger publishes');
      if (receiptOut !== undefined) ctx.out.line(`  receipt written to ${ctx.path(receiptOut)}`);
    } else {
      ctx.out.line(
        `  pending integration; see 'cbm get ${result.statement}'${
          receiptOut === undefined ? '' : ' --receipt-out … once integrated'
        }`,
      );
      if (receiptOut !== undefined) {
        ctx.out.note(
          `cbm: no receipt yet (not integrated${wait === undefined ? '; use --wait N' : ` within ${wait} s`}); nothing written to ${receiptOut}`,
        );
      }
    }
    return EXIT_OK;
  },
};
