/**
 * Node-only helpers (`@cbm-ledger/client/node`): key files and evidence files on disk. Kept out of
 * the main entry so a browser bundle never pulls in node:fs.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { parseKeyFile } from '@cbm-ledger/protocol';
import type { KeyFile } from '@cbm-ledger/protocol';
import { mediaTypeFor } from './evidence.js';
import type { EvidenceSource } from './evidence.js';

/** A key file that cannot be used: missing, unreadable, or not a valid key file. */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`key file ${file} ${message}`, options);
    this.file = file;
  }
}

/** Reads and checks a key file (DESIGN.md §2); every failure is a KeyFileError naming the file. */
export async function readKeyFile(path: string): Promise<KeyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable (permission denied)'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code ?? String(e)})`;
    throw new KeyFileError(path, why, { cause: e });
  }
  try {
    return parseKeyFile(text);
  } catch (e) {
    throw new KeyFileError(
      path,
      `is not a valid key file: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}

/**
 * A file as an evidence source. The SHA-256 is computed while streaming the file (never holding
 * it in memory), and the upload streams it again. The size is checked against the bytes hashed,
 * so a file that changes in between is noticed by the store's own hash check.
 */
export async function evidenceFromFile(
  path: string,
  options: { mediaType?: string; name?: string } = {},
): Promise<EvidenceSource> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`evidence ${path} is not a regular file`);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
  }
  if (size === 0) throw new Error(`evidence ${path} is empty`);
  const name = options.name ?? basename(path);
  return {
    sha256: hash.digest('hex'),
    size,
    mediaType: options.mediaType ?? mediaTypeFor(name),
    name,
    body: () => Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>,
  };
}
