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
  isValidKeyName,
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
    '  --witness-name NAME  this key also witnesses checkpoints as NAME: print the `witness`',
    '                       member party.register takes, and the cosignature vkey verifiers use',
    '',
    'Give the operator the keyid and public key (never the file) to register the party: the',
    '`register` lines are the body members of party.register, ready to paste.',
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
    if (witnessName !== undefined && !isValidKeyName(witnessName)) {
      throw new UsageError('--witness-name must be a key name (no spaces or "+")');
    }
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
    // What party.register takes: the raw public key (as in `keys`), not the vkey.
    const register = {
      keys: [{ keyid: keyFile.keyid, publicKey: keyFile.publicKey }],
      ...(witnessName === undefined
        ? {}
        : { witness: { name: witnessName, publicKey: keyFile.publicKey } }),
    };
    ctx.out.result({
      ok: true,
      file: out,
      party,
      keyid: keyFile.keyid,
      publicKey: keyFile.publicKey,
      ...(witnessVkey === undefined ? {} : { witnessVkey }),
      register,
    });
    ctx.out.line(`Wrote a new key for ${party} to ${out} (mode 0600). Keep it secret.`);
    ctx.out.line(`  keyid       ${keyFile.keyid}`);
    ctx.out.line(`  public key  ${keyFile.publicKey}`);
    if (witnessVkey !== undefined)
      ctx.out.line(`  witness     ${witnessVkey} (vkey, for verifiers)`);
    ctx.out.line('Give the operator the keyid and public key to register or rotate to this key.');
    ctx.out.line('For the party.register body:');
    ctx.out.line(`  "keys": ${JSON.stringify(register.keys)}`);
    if (register.witness !== undefined) {
      ctx.out.line(`  "witness": ${JSON.stringify(register.witness)}`);
    }
    return EXIT_OK;
  },
};
