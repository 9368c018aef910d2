/**
 * `cbm template TYPE`: a filled-in example body of a statement type, one that passes the type's
 * validator, to edit and pass to `cbm submit TYPE FILE`. The examples live with the validators
 * in @cbm-ledger/protocol (statement/examples.ts), where a test keeps them valid.
 */
import { STATEMENT_TYPES, exampleBody, isStatementType } from '@cbm-ledger/protocol';
import type { Command } from '../command.js';
import { CommandError, EXIT_OK, UsageError } from '../errors.js';

export const templateCommand: Command = {
  name: 'template',
  usage: 'template TYPE',
  summary: 'print an example body of a statement type, ready to edit and submit',
  help: [
    `TYPE is one of: ${STATEMENT_TYPES.join(', ')}.`,
    '',
    'The body is printed as JSON on stdout (with or without --json). Its identifiers, keys and',
    'dates are placeholders: replace them, then run cbm submit TYPE FILE --key KEY.',
  ].join('\n'),
  options: {},
  positionals: [1, 1],
  run(ctx) {
    const [type] = ctx.positionals as [string];
    if (!isStatementType(type)) {
      throw new UsageError(`unknown statement type ${type} (one of ${STATEMENT_TYPES.join(', ')})`);
    }
    const body = exampleBody(type);
    if (body === undefined) {
      return Promise.reject(
        new CommandError('NO_TEMPLATE', `there is no example body for ${type} yet`),
      );
    }
    ctx.io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return Promise.resolve(EXIT_OK);
  },
};
