/**
 * `cbm verify RECEIPT|PROMISE --log-vkey VKEY [--witness VKEY]… [--quorum K]`: checks a receipt
 * (with its admission promise, when it carries one) or a promise note alone, offline, against
 * keys the caller trusts. No network.
 */
import { readFile } from 'node:fs/promises';
import { VerificationError, verifyPromise, verifyReceipt } from '@cbm-ledger/client';
import { PROMISE_HEADER } from '@cbm-ledger/protocol';
import type { VerifiedReceipt } from '@cbm-ledger/client';
import type { Command } from '../command.js';
import { integerOption, listOption, readJsonFile, requiredOption, shortTime } from '../command.js';
import { CommandError, EXIT_OK } from '../errors.js';

export const verifyCommand: Command = {
  name: 'verify',
  usage: 'verify RECEIPT|PROMISE --log-vkey VKEY [--witness VKEY]… [--quorum K]',
  summary: 'verify a receipt or an admission promise offline against the log key',
  help: [
    "Checks that the receipt's leaf is in the tree of its checkpoint, that the log key signed that",
    'checkpoint, and, with --witness, that at least K of the witnesses cosigned it (default: all).',
    "A receipt's admission promise must be signed by the log key and match the leaf; a promise",
    'integrated after its deadline is reported as BROKEN (the operator’s fault; exit 0).',
    'Given a promise note (a file starting "cbm-ledger/promise/v1"), checks the log key signed it.',
    'Nothing is fetched: the keys are the ones you trust.',
  ].join('\n'),
  options: {
    'log-vkey': { type: 'string' },
    witness: { type: 'string', multiple: true },
    quorum: { type: 'string' },
  },
  positionals: [1, 1],
  async run(ctx) {
    const file = ctx.path(ctx.positionals[0]!);
    const logVkey = requiredOption(ctx.values, 'log-vkey');
    const witnesses = listOption(ctx.values, 'witness');
    const quorum = integerOption(ctx.values, 'quorum', {
      min: 0,
      max: Math.max(witnesses.length, 0),
    });
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text?.startsWith(`${PROMISE_HEADER}\n`) === true) {
      let p;
      try {
        p = verifyPromise(text, { logVkey });
      } catch (e) {
        if (!(e instanceof VerificationError)) throw e;
        throw new CommandError(e.code, `promise REJECTED (${e.code}): ${e.message}`);
      }
      ctx.out.result({ ok: true, promise: p });
      ctx.out.line(`Promise verified: ${p.statement}`);
      ctx.out.line(`  ${p.origin} accepted it at ${p.acceptedAt} and promised to integrate it by`);
      ctx.out.line(`  ${p.integrateBy}; signed by the log key`);
      return EXIT_OK;
    }
    const receipt = await readJsonFile(file, 'receipt');
    let v: VerifiedReceipt;
    try {
      v = verifyReceipt(receipt, {
        logVkey,
        witnesses,
        ...(quorum === undefined ? {} : { quorum }),
      });
    } catch (e) {
      if (!(e instanceof VerificationError)) throw e;
      throw new CommandError(e.code, `receipt REJECTED (${e.code}): ${e.message}`);
    }
    ctx.out.result({
      ok: true,
      statement: v.statement,
      index: v.index,
      treeSize: v.treeSize,
      rootHash: v.rootHash,
      origin: v.origin,
      integratedAt: v.leaf.integratedAt,
      cosignatures: v.cosignatures,
      quorum: v.quorum,
      ...(v.promise === undefined ? {} : { promise: v.promise }),
    });
    ctx.out.line(`Receipt verified: ${v.statement}`);
    ctx.out.line(`  entry ${v.index} of ${v.origin}, integrated ${shortTime(v.leaf.integratedAt)}`);
    ctx.out.line(
      `  in the tree of checkpoint ${v.treeSize} (root ${v.rootHash}), signed by the log key`,
    );
    if (v.promise !== undefined) {
      const p = v.promise;
      ctx.out.line(
        p.kept
          ? `  promise kept: accepted ${p.acceptedAt}, integrated by ${p.integrateBy}`
          : `  promise BROKEN by the log: accepted ${p.acceptedAt}, due by ${p.integrateBy}, integrated ${v.leaf.integratedAt}`,
      );
    }
    if (witnesses.length > 0) {
      const names = [...new Set(v.cosignatures.map((c) => c.name))];
      ctx.out.line(
        `  cosigned by ${names.length} of ${witnesses.length} witnesses (${names.join(', ') || 'none'}); ${v.quorum} required`,
      );
    }
    return EXIT_OK;
  },
};
