/**
 * `cbm submit TYPE BODY --key FILE …`: builds the issuer's next statement (its chain head read
 * from the ledger), checks it against the schema, uploads any evidence, signs with the issuer's
 * and co-signers' keys, keeps the signed envelope in the outbox, submits, and with --wait keeps
 * the receipt. Run again before a receipt arrived, it resubmits the envelope from the outbox
 * (outbox.ts) instead of signing a second statement.
 */
import {
  buildStatement,
  envelopeStatementId,
  isApiError,
  submitStatement,
  uploadEvidence,
  verifyReceipt,
} from '@cbm-ledger/client';
import type {
  EvidenceSource,
  LedgerClient,
  StatementDraft,
  SubmitResult,
  VerifiedReceipt,
} from '@cbm-ledger/client';
import { evidenceFromFile, readKeyFile } from '@cbm-ledger/client/node';
import {
  STATEMENT_TYPES,
  isStatementType,
  parseEnvelope,
  parseStatement,
  sha256Hex,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope, EvidenceRef, Statement, Visibility } from '@cbm-ledger/protocol';
import { readBody } from '../body.js';
import type { Command, Context } from '../command.js';
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
import { Outbox, outboxKey } from '../outbox.js';
import { checkSigningFile, envelopeOf, readTextArg } from '../signing.js';

const VISIBILITIES: readonly Visibility[] = ['public', 'participants', 'restricted'];

export const submitCommand: Command = {
  name: 'submit',
  usage:
    'submit TYPE BODY.json|BODY.yaml|- --key FILE [--cosign FILE]… [--visibility V] [--audience IDS] [--refs IDS] [--evidence FILE]… [--wait N] [--receipt-out FILE]\n       cbm submit --envelope FILE|- [--wait N] [--receipt-out FILE]',
  summary: 'sign and submit a statement (the issuer chain is handled for you)',
  help: [
    `TYPE is one of: ${STATEMENT_TYPES.filter((t) => t !== 'ledger.genesis').join(', ')}.`,
    'BODY is the type-specific body, as JSON or YAML; - reads it from stdin.',
    '',
    'The signed envelope is kept in the outbox ($CBM_HOME/outbox, default ~/.cbm/outbox) until a',
    'receipt arrives: running the same submission again (same ledger, issuer, type, body and',
    'options) resubmits those exact bytes, so a lost reply or a killed run never files twice.',
    '',
    'With --envelope, the statement signed with cbm draft and cbm sign (or any signed DSSE',
    'envelope) is submitted as it is: no key is needed, and nothing is signed or changed.',
    '',
    'Options:',
    '  --envelope FILE     submit this signing file or envelope (- reads stdin); no TYPE, BODY, key',
    '  --key FILE          the issuer key file (its party is the issuer)',
    '  --cosign FILE       a co-signer key file (repeatable; measure.define needs every party)',
    '  --visibility V      public (default), participants or restricted',
    '  --audience IDS      comma-separated party ids allowed to read a restricted statement',
    '  --refs IDS          comma-separated statement ids this one refers to',
    '  --evidence FILE     upload FILE and cite it (repeatable)',
    '  --wait N            wait up to N seconds (max 20) for integration and a receipt',
    '  --receipt-out FILE  write the receipt there (needs integration: use --wait)',
    '  --envelope-out FILE write the signed envelope there before it is sent',
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
    'envelope-out': { type: 'string' },
    envelope: { type: 'string' },
  },
  positionals: [0, 2],
  async run(ctx) {
    if (stringOption(ctx.values, 'envelope') !== undefined) return submitEnvelopeFile(ctx);
    if (ctx.positionals.length !== 2) {
      throw new UsageError('submit needs TYPE and BODY, or --envelope FILE (see cbm help submit)');
    }
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

    const envelopeOut = stringOption(ctx.values, 'envelope-out');

    // Evidence is hashed here but uploaded only once the statement passes the schema: an upload
    // is permanent (Object Lock in production), so a body with a typo must not leave orphans.
    const sources: EvidenceSource[] = [];
    for (const file of listOption(ctx.values, 'evidence')) {
      sources.push(
        await evidenceFromFile(ctx.path(file)).catch((e: unknown) => {
          throw new CommandError(
            'EVIDENCE_UNREADABLE',
            `cannot read evidence ${file}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }),
      );
    }
    const evidence: EvidenceRef[] = sources.map((src) => ({
      sha256: src.sha256,
      size: src.size,
      mediaType: src.mediaType,
      ...(src.name === undefined ? {} : { name: src.name }),
    }));
    const draft: StatementDraft = {
      type,
      body,
      ...(visibility === undefined ? {} : { visibility }),
      ...(audience.length === 0 ? {} : { audience }),
      ...(refs.length === 0 ? {} : { refs }),
      ...(evidence.length === 0 ? {} : { evidence }),
    };
    // The schema does not depend on the chain head: seq 1 stands in for it here.
    parseStatement(utf8Encode(JSON.stringify(buildStatement(info.origin, key.party, null, draft))));
    for (const src of sources) {
      // Signed as the issuer: the upload is the issuer's proof of possession (an unsigned one is
      // refused, and admission accepts only evidence the issuer itself uploaded).
      const { ref, uploaded } = await uploadEvidence(ctx.client(key), src);
      ctx.out.note(
        `evidence ${ref.name ?? ref.sha256}: sha256 ${ref.sha256}, ${ref.size} bytes, ${ref.mediaType}${
          uploaded ? ', uploaded' : ', already stored'
        }`,
      );
    }

    const outbox = Outbox.at(ctx.io.env);
    const outboxId = outboxKey(info.origin, key.party, draft);
    const keep = async (statement: Statement, envelope: Envelope, id: string): Promise<void> => {
      await outbox.put({
        v: 1,
        key: outboxId,
        ledger: info.origin,
        issuer: statement.issuer,
        type: statement.type,
        statement: id,
        envelope,
        signedAt: new Date().toISOString(),
      });
      if (envelopeOut !== undefined) {
        await writeFileAtomic(ctx.path(envelopeOut), `${JSON.stringify(envelope, null, 2)}\n`);
      }
    };

    let submitted = await resubmitPending(
      ctx.out,
      client,
      outbox,
      outboxId,
      wait,
      envelopeOut === undefined ? undefined : ctx.path(envelopeOut),
    );
    if (submitted === undefined) {
      try {
        const fresh = await submitStatement(client, {
          key,
          cosigners,
          draft,
          origin: info.origin,
          ...(wait === undefined ? {} : { waitSeconds: wait }),
          onSigned: ({ statement, envelope, id }) => keep(statement, envelope, id),
        });
        submitted = { ...fresh, resubmitted: false };
      } catch (e) {
        // A definitive refusal: the ledger holds nothing, so there is nothing to resubmit.
        if (isDefinitiveRefusal(e)) await outbox.remove(outboxId);
        throw e;
      }
    }
    if (submitted.result.receipt !== undefined) await outbox.remove(outboxId);
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
      resubmitted: submitted.resubmitted,
      ...(result.index === undefined ? {} : { index: result.index }),
      ...(result.promise === undefined ? {} : { promise: result.promise, promiseFile }),
      ...(evidence.length === 0 ? {} : { evidence }),
      ...(envelopeOut === undefined ? {} : { envelopeFile: ctx.path(envelopeOut) }),
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
        `  kept in the outbox until a receipt arrives: the same command again resubmits it`,
      );
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

/** Options that make no sense with --envelope: the statement is already written and signed. */
const NOT_WITH_ENVELOPE = [
  'key',
  'cosign',
  'visibility',
  'audience',
  'refs',
  'evidence',
  'envelope-out',
] as const;

/**
 * `cbm submit --envelope FILE`: the signed envelope of a signing file (or a bare DSSE envelope)
 * submitted unchanged. Like a fresh submission, it is kept in the outbox before it is sent and
 * until a receipt arrives; being the same bytes, a second run is answered 200, never a new entry.
 */
async function submitEnvelopeFile(ctx: Context): Promise<number> {
  if (ctx.positionals.length > 0) {
    throw new UsageError('submit --envelope FILE takes no TYPE or BODY: the file holds both');
  }
  for (const name of NOT_WITH_ENVELOPE) {
    if (ctx.values[name] !== undefined) {
      throw new UsageError(
        `--${name} does not go with --envelope (the statement is already signed)`,
      );
    }
  }
  const arg = requiredOption(ctx.values, 'envelope');
  const wait = integerOption(ctx.values, 'wait', { min: 0, max: 600 });
  const receiptOut = stringOption(ctx.values, 'receipt-out');
  const source = arg === '-' ? 'the envelope on stdin' : ctx.path(arg);
  const text = await readTextArg(arg, (p) => ctx.path(p), ctx.io, 'the envelope');
  const envelope = envelopeFromFile(text, source);
  const statement = parseStatement(Buffer.from(envelope.payload, 'base64'));
  const id = envelopeStatementId(envelope);
  const client = ctx.client();
  const info = await client.info();
  if (statement.ledger !== info.origin) {
    throw new CommandError(
      'WRONG_LEDGER',
      `${source} is for ledger ${statement.ledger}, but ${ctx.server} is ${info.origin}`,
      '$.ledger',
    );
  }
  const outbox = Outbox.at(ctx.io.env);
  const outboxId = sha256Hex(utf8Encode(`envelope ${id}`));
  await outbox.put({
    v: 1,
    key: outboxId,
    ledger: info.origin,
    issuer: statement.issuer,
    type: statement.type,
    statement: id,
    envelope,
    signedAt: statement.issuedAt,
  });
  let result: SubmitResult;
  try {
    result = await awaitReceipt(
      client,
      await client.submit(envelope, wait === undefined ? {} : { waitSeconds: wait }),
      wait,
    );
  } catch (e) {
    if (isDefinitiveRefusal(e)) await outbox.remove(outboxId);
    throw e;
  }
  if (result.receipt !== undefined) await outbox.remove(outboxId);
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
  if (result.receipt !== undefined) {
    verifyReceipt(result.receipt, { logVkey: info.logVkey, statement: result.statement });
    if (receiptOut !== undefined) {
      await writeFileAtomic(ctx.path(receiptOut), `${JSON.stringify(result.receipt, null, 2)}\n`);
    }
  }
  ctx.out.result({
    ok: true,
    statement: result.statement,
    status: result.status,
    httpStatus: result.httpStatus,
    type: statement.type,
    issuer: statement.issuer,
    seq: statement.seq,
    signatures: envelope.signatures.length,
    ...(result.index === undefined ? {} : { index: result.index }),
    ...(result.promise === undefined ? {} : { promise: result.promise, promiseFile }),
    ...(result.receipt === undefined ? {} : { receipt: result.receipt }),
    ...(receiptOut === undefined || result.receipt === undefined
      ? {}
      : { receiptFile: ctx.path(receiptOut) }),
  });
  const again = result.httpStatus === 200 ? ' (already known to the ledger)' : '';
  ctx.out.line(`Accepted ${statement.type} ${result.statement}${again}`);
  ctx.out.line(
    `  issuer ${statement.issuer}, seq ${statement.seq}, ${envelope.signatures.length} signatures`,
  );
  if (result.receipt !== undefined) {
    ctx.out.line(
      `  integrated as entry ${result.index ?? '?'}; receipt verified against the log key`,
    );
    if (receiptOut !== undefined) ctx.out.line(`  receipt written to ${ctx.path(receiptOut)}`);
  } else {
    ctx.out.line(`  pending integration; see 'cbm get ${result.statement}'`);
    if (receiptOut !== undefined) {
      ctx.out.note(`cbm: no receipt yet (not integrated); nothing written to ${receiptOut}`);
    }
  }
  return EXIT_OK;
}

/** The envelope of a signing file (checked: every signature so far verifies) or a bare one. */
function envelopeFromFile(text: string, source: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CommandError(
      'FILE_MALFORMED',
      `${source} is not JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if ((value as { cbm?: unknown } | null)?.cbm !== undefined) {
    const { file } = checkSigningFile(text, source);
    if (file.signatures.length === 0) {
      throw new CommandError('SIGNING_FILE_INVALID', `${source} has no signature yet (cbm sign)`);
    }
    return envelopeOf(file);
  }
  // A bare DSSE envelope: the ledger parses it again; this catches a wrong file before sending.
  try {
    return parseEnvelope(value).envelope;
  } catch (e) {
    throw new CommandError(
      'SIGNING_FILE_INVALID',
      `${source} is neither a signing file nor a DSSE envelope: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** Polls the statement until it has a receipt or `wait` seconds have passed. */
async function awaitReceipt(
  client: LedgerClient,
  result: SubmitResult,
  wait: number | undefined,
): Promise<SubmitResult> {
  if (result.receipt !== undefined || wait === undefined || wait <= 0) return result;
  const until = Date.now() + wait * 1000;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const view = await client.statement(result.statement);
    if (view.receipt !== undefined) {
      return {
        ...result,
        status: 'integrated',
        receipt: view.receipt,
        ...(view.index === undefined ? {} : { index: view.index }),
      };
    }
  }
  return result;
}

/** A 4xx other than 429 (retried by the client): the ledger refused, and holds nothing. */
function isDefinitiveRefusal(e: unknown): boolean {
  return isApiError(e) && e.status >= 400 && e.status < 500 && e.status !== 429;
}

interface Submitted {
  statement: Statement;
  result: SubmitResult;
  resubmitted: boolean;
}

/**
 * Resubmits the outbox's envelope for this submission, if there is one. The ledger answers an
 * identical statement it holds with 200 and its status, whatever has changed since (its issuedAt
 * window may have passed, its key may be revoked since). So any other refusal (a 4xx) means the
 * ledger holds no statement of ours at that (issuer, seq): the entry is dropped and undefined
 * returned, and the caller signs afresh on the current head — which cannot duplicate anything.
 * A 5xx or an unreachable ledger keeps the entry for the next run.
 */
async function resubmitPending(
  out: { note(text: string): void },
  client: LedgerClient,
  outbox: Outbox,
  key: string,
  wait: number | undefined,
  envelopeOut: string | undefined,
): Promise<Submitted | undefined> {
  const pending = await outbox.get(key);
  if (pending === undefined) return undefined;
  out.note(
    `cbm: resubmitting ${pending.statement} from the outbox (signed ${pending.signedAt}) instead of signing a new statement`,
  );
  if (envelopeOut !== undefined) {
    await writeFileAtomic(envelopeOut, `${JSON.stringify(pending.envelope, null, 2)}\n`);
  }
  const statement = parseStatement(
    Buffer.from(pending.envelope.payload, 'base64').toString('utf8'),
  );
  try {
    const result = await client.submit(pending.envelope, {
      ...(wait === undefined ? {} : { waitSeconds: wait }),
    });
    // The ledger answers a statement it knows at once, without waiting: honour --wait here.
    return { statement, result: await awaitReceipt(client, result, wait), resubmitted: true };
  } catch (e) {
    if (!isDefinitiveRefusal(e)) throw e;
    await outbox.remove(key);
    out.note(`cbm: the ledger does not hold it (${(e as Error).message}); signing it afresh`);
    return undefined;
  }
}
