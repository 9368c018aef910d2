/**
 * `cbm verify RECEIPT --log-vkey VKEY [--witness VKEY]… [--quorum K]`: checks a receipt offline,
 * against keys the caller trusts. No network.
 */
import { VerificationError, verifyReceipt } from '@cbm-ledger/client';
import type { VerifiedReceipt } from '@cbm-ledger/client';
import type { Command } from '../command.js';
import { integerOption, listOption, readJsonFile, requiredOption, shortTime } from '../command.js';
import { CommandError, EXIT_OK } from '../errors.js';

export const verifyCommand: Command = {
  name: 'verify',
  usage: 'verify RECEIPT --log-vkey VKEY [--witness VKEY]… [--quorum K]',
  summary: 'verify a receipt offline against the log key (and a witness quorum)',
  help: [
    "Checks that the receipt's leaf is in the tree of its checkpoint, that the log key signed that",
    'checkpoint, and, with --witness, that at least K of the witnesses cosigned it (default: all).',
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
    });
    ctx.out.line(`Receipt verified: ${v.statement}`);
    ctx.out.line(`  entry ${v.index} of ${v.origin}, integrated ${shortTime(v.leaf.integratedAt)}`);
    ctx.out.line(
      `  in the tree of checkpoint ${v.treeSize} (root ${v.rootHash}), signed by the log key`,
    );
    if (witnesses.length > 0) {
      const names = [...new Set(v.cosignatures.map((c) => c.name))];
      ctx.out.line(
        `  cosigned by ${names.length} of ${witnesses.length} witnesses (${names.join(', ') || 'none'}); ${v.quorum} required`,
      );
    }
    return EXIT_OK;
  },
};
