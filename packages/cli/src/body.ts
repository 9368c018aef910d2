/**
 * Reading a statement body from a JSON or YAML file, or from stdin.
 */
import { readFile } from 'node:fs/promises';
import { parseJsonStrict } from '@cbm-ledger/protocol';
import { parse as parseYaml } from 'yaml';
import { CommandError } from './errors.js';
import type { Io } from './io.js';

async function readAll(stream: Io['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string, source: string): unknown {
  try {
    // Strict: duplicate keys and numbers beyond 2^53 are refused, as the ledger refuses them.
    return parseJsonStrict(text, { maxDepth: 16 });
  } catch (e) {
    throw new CommandError(
      'BODY_MALFORMED',
      `${source} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function parseYamlText(text: string, source: string): unknown {
  try {
    // YAML 1.2 core schema: no implicit dates; duplicate keys refused.
    return parseYaml(text, { uniqueKeys: true, prettyErrors: false }) as unknown;
  } catch (e) {
    throw new CommandError(
      'BODY_MALFORMED',
      `${source} is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
  }
}

/** The body from `arg`: `-` for stdin (JSON, or YAML if it does not start with { or [). */
export async function readBody(arg: string, path: (p: string) => string, io: Io): Promise<unknown> {
  if (arg === '-') {
    const text = await readAll(io.stdin);
    const trimmed = text.trimStart();
    return trimmed.startsWith('{') || trimmed.startsWith('[')
      ? parseJson(text, 'the body on stdin')
      : parseYamlText(text, 'the body on stdin');
  }
  const file = path(arg);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CommandError(
      'BODY_UNREADABLE',
      `cannot read the body file ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(e))}`,
    );
  }
  return /\.ya?ml$/i.test(file) ? parseYamlText(text, file) : parseJson(text, file);
}
