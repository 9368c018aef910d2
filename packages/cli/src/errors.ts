/**
 * How failures reach the person at the terminal: one line on stderr, followed by one line per
 * offending field when a body has several errors (and, with --json, one JSON object on stdout),
 * and an exit status — 0 success, 1 a failed check or an error, 2 a usage
 * error (as cbm-conformance, DESIGN.md §9).
 */
import { ApiError, ConnectionError, ResponseError, VerificationError } from '@cbm-ledger/client';
import { KeyFileError } from '@cbm-ledger/client/node';
import { isProtocolError } from '@cbm-ledger/protocol';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The command line is wrong: missing or unknown option, bad value. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A check failed or an input is unusable; `code` is stable for --json callers. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code: string;
  readonly path: string | undefined;

  constructor(code: string, message: string, path?: string) {
    super(message);
    this.code = code;
    this.path = path;
  }
}

/** One offending field, as the ledger's problem `errors` or a local validation lists it. */
export interface FieldFailure {
  code: string;
  path: string;
  message: string;
}

export interface Failure {
  exitCode: number;
  code: string;
  message: string;
  path?: string;
  /** Every offending field, when there are several: a refused body is told all at once. */
  errors?: FieldFailure[];
}

/** The lines that follow a failure's message: every offending field, when there are several. */
export function fieldErrorLines(failure: Failure): string[] {
  const errors = failure.errors ?? [];
  if (errors.length < 2) return [];
  return [
    `${errors.length} errors in all:`,
    ...errors.map((e) => `  ${e.code} at ${e.path}: ${e.message}`),
  ];
}

// The ledger's answer is input like any other: keep only well-formed entries, and never let a
// server's text move the cursor or forge lines on the terminal.
const CONTROL_CHARACTERS = /[\p{Cc}\p{Cf}]/gu;
function problemFieldErrors(value: unknown): FieldFailure[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((e: unknown) => {
    const { code, path, message } = (e ?? {}) as Record<string, unknown>;
    if (typeof code !== 'string' || typeof path !== 'string' || typeof message !== 'string') {
      return [];
    }
    return [
      {
        code: code.replace(CONTROL_CHARACTERS, ''),
        path: path.replace(CONTROL_CHARACTERS, ''),
        message: message.replace(CONTROL_CHARACTERS, ''),
      },
    ];
  });
}

function withFieldErrors(errors: FieldFailure[]): { errors?: FieldFailure[] } {
  return errors.length > 1 ? { errors } : {};
}

/** The message without the `$.path: ` prefix ProtocolError puts in front of it. */
function withoutPath(text: string, path: string | undefined): string {
  return path !== undefined && text.startsWith(`${path}: `) ? text.slice(path.length + 2) : text;
}

/** Turns any error into what the person is told. */
export function describeFailure(e: unknown, server: string): Failure {
  if (e instanceof UsageError) return { exitCode: EXIT_USAGE, code: 'USAGE', message: e.message };
  if (e instanceof CommandError) {
    return {
      exitCode: EXIT_FAILED,
      code: e.code,
      message: e.message,
      ...(e.path === undefined ? {} : { path: e.path }),
    };
  }
  if (e instanceof ConnectionError) {
    return {
      exitCode: EXIT_FAILED,
      code: 'UNREACHABLE',
      message: `${e.message}; is the ledger running? Set --server or CBM_SERVER (now ${server})`,
    };
  }
  if (e instanceof KeyFileError) {
    return { exitCode: EXIT_FAILED, code: 'KEY_FILE_INVALID', message: e.message };
  }
  if (e instanceof ApiError) {
    const at = e.path === undefined ? '' : ` at ${e.path}`;
    return {
      exitCode: EXIT_FAILED,
      code: e.code,
      message: `the ledger refused: ${e.code}${at}: ${withoutPath(e.detail, e.path)}`,
      ...(e.path === undefined ? {} : { path: e.path }),
      ...withFieldErrors(problemFieldErrors(e.problem['errors'])),
    };
  }
  if (e instanceof VerificationError) {
    return { exitCode: EXIT_FAILED, code: e.code, message: `verification failed: ${e.message}` };
  }
  if (e instanceof ResponseError) {
    return { exitCode: EXIT_FAILED, code: 'BAD_RESPONSE', message: e.message };
  }
  if (isProtocolError(e)) {
    // Raised while validating what we are about to sign: the body fails the schema.
    const at = e.path === undefined ? '' : ` at ${e.path}`;
    return {
      exitCode: EXIT_FAILED,
      code: e.code,
      message: `the statement fails the schema: ${e.code}${at}: ${withoutPath(e.message, e.path)}`,
      ...(e.path === undefined ? {} : { path: e.path }),
      ...withFieldErrors(e.errors.map(({ code, path, message }) => ({ code, path, message }))),
    };
  }
  return {
    exitCode: EXIT_FAILED,
    code: 'INTERNAL',
    message: `unexpected error: ${e instanceof Error ? e.message : String(e)}`,
  };
}
