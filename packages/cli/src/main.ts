/**
 * `cbm`, the command for states and observers (DESIGN.md §9): keys, signed statements,
 * evidence, receipts, audits, witnessing and compliance replay.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVER, LedgerClient } from '@cbm-ledger/client';
import type { KeyFile } from '@cbm-ledger/protocol';
import type { Command, Context, Values } from './command.js';
import { auditCommand } from './commands/audit.js';
import { complianceCommand } from './commands/compliance.js';
import { draftCommand } from './commands/draft.js';
import { signCommand } from './commands/sign.js';
import { getCommand } from './commands/get.js';
import { keygenCommand } from './commands/keygen.js';
import { statusCommand } from './commands/status.js';
import { submitCommand } from './commands/submit.js';
import { templateCommand } from './commands/template.js';
import { timelineCommand } from './commands/timeline.js';
import { verifyCommand } from './commands/verify.js';
import { witnessCommand } from './commands/witness.js';
import { EXIT_OK, EXIT_USAGE, UsageError, describeFailure, fieldErrorLines } from './errors.js';
import { Output, processIo } from './io.js';
import { closest } from './suggest.js';
import type { Io } from './io.js';

export const COMMANDS: readonly Command[] = [
  keygenCommand,
  templateCommand,
  draftCommand,
  signCommand,
  submitCommand,
  getCommand,
  verifyCommand,
  statusCommand,
  auditCommand,
  witnessCommand,
  complianceCommand,
  timelineCommand,
];

const GLOBAL_OPTIONS = {
  server: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'cbm — the CBM Ledger command for states and observers',
    '',
    'Usage: cbm <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Everywhere:',
    '  --server URL   the ledger (default $CBM_SERVER, else http://127.0.0.1:8787)',
    '  --json         print one JSON document on stdout instead of text',
    '  --version      print the version of cbm',
    '',
    "Run 'cbm help <command>' for a command's options.",
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [
    `Usage: cbm ${c.usage}`,
    '',
    c.summary,
    ...(c.help === undefined ? [] : ['', c.help]),
  ].join('\n');
}

/** This package's version, from its package.json (present in the workspace and when installed). */
export function cliVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * The base URL the client appends `/v1/…` to: `https://host`, `https://host/v1` and
 * `https://host/v1/` all mean the same ledger (and `…/public/v1` its public view, `…/public`).
 */
export function normalizeServer(server: string): string {
  return server.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** Runs `cbm` with `argv` (without node and script); resolves with the exit status. */
export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  const server = (() => {
    const i = rest.indexOf('--server');
    const fromFlag = i >= 0 ? rest[i + 1] : rest.find((a) => a.startsWith('--server='))?.slice(9);
    return normalizeServer(fromFlag ?? io.env['CBM_SERVER'] ?? DEFAULT_SERVER);
  })();
  const out = new Output(io, wantsJson);
  try {
    if (name === undefined || name === '--help' || name === '-h') {
      io.stdout.write(`${overview()}\n`);
      return name === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (name === '--version' || name === '-V' || name === 'version') {
      io.stdout.write(`cbm ${cliVersion()}\n`);
      return EXIT_OK;
    }
    if (name === 'help') {
      const c = COMMANDS.find((x) => x.name === rest[0]);
      io.stdout.write(`${c === undefined ? overview() : commandHelp(c)}\n`);
      return EXIT_OK;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (command === undefined) {
      const near = closest(
        name,
        COMMANDS.map((c) => c.name),
      );
      throw new UsageError(
        `unknown command ${name}${near === undefined ? '' : `; did you mean '${near}'?`}`,
      );
    }
    let parsed: { values: Values; positionals: string[] };
    try {
      const result = parseArgs({
        args: [...rest],
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: true,
        strict: true,
      });
      parsed = { values: result.values, positionals: result.positionals };
    } catch (e) {
      const message = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
      const near =
        unknown === undefined
          ? undefined
          : closest(unknown, Object.keys({ ...GLOBAL_OPTIONS, ...command.options }));
      throw new UsageError(
        unknown === undefined
          ? message
          : `unknown option --${unknown}${near === undefined ? '' : `; did you mean --${near}?`}`,
      );
    }
    if (parsed.values['help'] === true) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return EXIT_OK;
    }
    const [min, max] = command.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(`usage: cbm ${command.usage}`);
    }
    const ctx: Context = {
      io,
      out,
      server,
      positionals: parsed.positionals,
      values: parsed.values,
      client: (auth?: KeyFile) =>
        new LedgerClient({ server, ...(auth === undefined ? {} : { auth: { keyFile: auth } }) }),
      path: (p) => (isAbsolute(p) ? p : resolve(io.cwd, p)),
    };
    try {
      new URL(server);
    } catch {
      throw new UsageError(`--server must be a URL such as ${DEFAULT_SERVER}, not ${server}`);
    }
    return await command.run(ctx);
  } catch (e) {
    const failure = describeFailure(e, server);
    io.stderr.write(`cbm: ${failure.message}\n`);
    for (const line of fieldErrorLines(failure)) io.stderr.write(`${line}\n`);
    if (failure.exitCode === EXIT_USAGE && name !== undefined) {
      io.stderr.write(
        `Run 'cbm help${COMMANDS.some((c) => c.name === name) ? ` ${name}` : ''}' for usage.\n`,
      );
    }
    if (wantsJson) {
      out.result({
        ok: false,
        error: {
          code: failure.code,
          message: failure.message,
          ...(failure.path === undefined ? {} : { path: failure.path }),
          ...(failure.errors === undefined ? {} : { errors: failure.errors }),
        },
      });
    }
    if (io.env['CBM_DEBUG'] === '1' && e instanceof Error) io.stderr.write(`${e.stack}\n`);
    return failure.exitCode;
  }
}
