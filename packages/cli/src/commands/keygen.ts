/**
 * `cbm keygen --party ID --out FILE`: a new Ed25519 key file (DESIGN.md §2), mode 0600, never
 * overwriting an existing file.
 */
import { open } from 'node:fs/promises';
import {
  NoteKeyType,
  encodeVkey,
  fromBase64,
  generateKeyFile,
  isPartyId,
} from '@cbm-ledger/protocol';
import type { Command } from '../command.js';
import { requiredOption, stringOption } from '../command.js';
import { CommandError, EXIT_OK, UsageError } from '../errors.js';

export const keygenCommand: Command = {
  name: 'keygen',
  usage: 'keygen --party ID --out FILE [--witness-name NAME]',
  summary: 'create a key file for a party (mode 0600; refuses to overwrite)',
  help: [
    'Options:',
    '  --party ID           state:<ISO alpha-3>, observer:<slug> or operator:<slug>',
    '  --out FILE           where to write the key file',
    '  --witness-name NAME  also print the cosignature vkey this key has as witness NAME',
    '',
    'Give the operator the keyid and public key (never the file) to register the party.',
  ].join('\n'),
  options: {
    party: { type: 'string' },
    out: { type: 'string' },
    'witness-name': { type: 'string' },
  },
  positionals: [0, 0],
  async run(ctx) {
    const party = requiredOption(ctx.values, 'party');
    const out = ctx.path(requiredOption(ctx.values, 'out'));
    if (!isPartyId(party)) {
      throw new UsageError(
        `--party must be state:<ISO 3166-1 alpha-3>, observer:<slug> or operator:<slug>, not ${String(party)}`,
      );
    }
    const witnessName = stringOption(ctx.values, 'witness-name');
    const keyFile = generateKeyFile(party);
    const witnessVkey =
      witnessName === undefined
        ? undefined
        : encodeVkey(witnessName, NoteKeyType.cosignatureV1, fromBase64(keyFile.publicKey, 32));
    let handle;
    try {
      // 'wx': create, fail if it exists. The mode applies at creation, before any byte is written.
      handle = await open(out, 'wx', 0o600);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EEXIST') {
        throw new CommandError('FILE_EXISTS', `${out} exists; refusing to overwrite a key file`);
      }
      throw new CommandError('FILE_UNWRITABLE', `cannot create ${out}: ${code ?? String(e)}`);
    }
    try {
      await handle.writeFile(`${JSON.stringify(keyFile, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    ctx.out.result({
      ok: true,
      file: out,
      party,
      keyid: keyFile.keyid,
      publicKey: keyFile.publicKey,
      ...(witnessVkey === undefined ? {} : { witnessVkey }),
    });
    ctx.out.line(`Wrote a new key for ${party} to ${out} (mode 0600). Keep it secret.`);
    ctx.out.line(`  keyid       ${keyFile.keyid}`);
    ctx.out.line(`  public key  ${keyFile.publicKey}`);
    if (witnessVkey !== undefined) ctx.out.line(`  witness     ${witnessVkey}`);
    ctx.out.line('Give the operator the keyid and public key to register or rotate to this key.');
    return EXIT_OK;
  },
};
