/**
 * The shape every `cbm` command shares, and small helpers for options and files.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { LedgerClient } from '@cbm-ledger/client';
import { readKeyFile } from '@cbm-ledger/client/node';
import type { KeyFile } from '@cbm-ledger/protocol';
import { CommandError, UsageError } from './errors.js';
import type { Io, Output } from './io.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Context {
  readonly io: Io;
  readonly out: Output;
  /** Base URL of the ledger (--server, CBM_SERVER, or the local default). */
  readonly server: string;
  readonly positionals: readonly string[];
  readonly values: Values;
  /** A client for the server; reads are signed with `auth` when given. */
  client(auth?: KeyFile): LedgerClient;
  /** A path from the command line, resolved against the working directory. */
  path(p: string): string;
}

export interface Command {
  readonly name: string;
  /** The synopsis line after `cbm`. */
  readonly usage: string;
  readonly summary: string;
  /** More lines for `cbm help <command>`. */
  readonly help?: string;
  readonly options: OptionsConfig;
  /** Accepted number of positional arguments, [min, max]. */
  readonly positionals: readonly [number, number];
  run(ctx: Context): Promise<number>;
}

export function stringOption(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requiredOption(values: Values, name: string): string {
  const v = stringOption(values, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function listOption(values: Values, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** `a,b , c` → [a, b, c], for options that take a list in one argument. */
export function commaList(values: Values, name: string): string[] {
  return listOption(values, name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function integerOption(
  values: Values,
  name: string,
  range: { min: number; max?: number },
): number | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  if (!/^(?:0|[1-9][0-9]*)$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  const n = Number(v);
  if (n < range.min || (range.max !== undefined && n > range.max)) {
    throw new UsageError(
      `--${name} must be between ${range.min} and ${range.max ?? 'any larger number'}`,
    );
  }
  return n;
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

export async function keyOption(ctx: Context, name: string): Promise<KeyFile | undefined> {
  const p = stringOption(ctx.values, name);
  return p === undefined ? undefined : readKeyFile(ctx.path(p));
}

/** Reads and parses a JSON file; a missing or malformed file is a CommandError naming it. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CommandError(
      'FILE_UNREADABLE',
      `cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(e))}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CommandError(
      'FILE_MALFORMED',
      `${what} ${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * Writes a file atomically (temporary file, fsync, rename) with mode 0600: a crash never leaves a
 * half-written state file or receipt, and nobody else on the machine reads it.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const full = resolve(path);
  const tmp = join(dirname(full), `.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, full);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Reads a state file if it exists. */
export async function readOptionalJson(path: string, what: string): Promise<unknown> {
  try {
    await readFile(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
  }
  return readJsonFile(path, what);
}

/** A short, readable UTC time: 2026-11-24 10:03:12Z. */
export function shortTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
