/**
 * `cbm sign FILE --key KEY`: adds one signature to a signing file (cbm draft), offline. Refuses
 * a file changed after an earlier signature, a key or party that already signed, and a party the
 * statement does not need; writes the file back in place (or to --out).
 */
import { readKeyFile } from '@cbm-ledger/client/node';
import type { Command } from '../command.js';
import { requiredOption, stringOption, writeFileAtomic } from '../command.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { addSignature, checkSigningFile, missingSigners, readTextArg } from '../signing.js';

export const signCommand: Command = {
  name: 'sign',
  usage: 'sign FILE|- --key KEY [--out FILE]',
  summary:
    'add your signature to a drafted statement, offline (cbm draft, then cbm submit --envelope)',
  help: [
    'FILE is a signing file written by cbm draft (or by an earlier cbm sign); - reads stdin.',
    'Each signer runs this on their own machine, in any order; no ledger is contacted. Every',
    'signature already in the file is verified first, so a file changed after it was signed is',
    'refused (SIGNING_FILE_INVALID), as are a second signature by the same party (ALREADY_SIGNED)',
    'and a party the statement does not need (SIGNER_NOT_REQUIRED).',
    '',
    'Options:',
    '  --key KEY   your key file',
    '  --out FILE  write the signed file there (default: back to FILE; stdout when FILE is -)',
  ].join('\n'),
  options: { key: { type: 'string' }, out: { type: 'string' } },
  positionals: [1, 1],
  async run(ctx) {
    const [fileArg] = ctx.positionals as [string];
    const key = await readKeyFile(ctx.path(requiredOption(ctx.values, 'key')));
    const out = stringOption(ctx.values, 'out') ?? (fileArg === '-' ? undefined : fileArg);
    if (out === '-') throw new UsageError('--out - is not needed: leave --out away with FILE -');
    const source = fileArg === '-' ? 'the signing file on stdin' : ctx.path(fileArg);
    const checked = checkSigningFile(
      await readTextArg(fileArg, (p) => ctx.path(p), ctx.io, 'the signing file'),
      source,
    );
    const file = addSignature(checked, key);
    const text = `${JSON.stringify(file, null, 2)}\n`;
    if (out !== undefined) await writeFileAtomic(ctx.path(out), text);
    const missing = missingSigners({ file, statement: checked.statement });
    ctx.out.result({
      ok: true,
      statement: file.statement,
      signedBy: key.party,
      keyid: key.keyid,
      signers: file.signers.map((r) => r.party),
      missing,
      ...(out === undefined ? { file } : { signingFile: ctx.path(out) }),
    });
    if (out === undefined) {
      if (!ctx.out.json) ctx.io.stdout.write(text);
    } else {
      ctx.out.line(`Signed ${file.statement} as ${key.party} (key ${key.keyid.slice(0, 16)}…)`);
      ctx.out.line(`  signatures: ${file.signers.map((r) => r.party).join(', ')}`);
      ctx.out.line(
        missing.length === 0
          ? `  every required signer has signed: cbm submit --envelope ${out}`
          : `  still to sign: ${missing.join(', ')}`,
      );
    }
    return EXIT_OK;
  },
};
