/**
 * What a command touches of the outside world, injectable so tests run commands in-process.
 */
import type { Readable } from 'node:stream';

export interface OutputStream {
  write(text: string): unknown;
  /** True for a terminal: progress bars only go there. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: Readable | AsyncIterable<Uint8Array | string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted to stop a long-running command (the witness loop) cleanly. */
  readonly signal?: AbortSignal;
}

export function processIo(signal?: AbortSignal): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    ...(signal === undefined ? {} : { signal }),
  };
}

/** Human or JSON output for one command run. */
export class Output {
  readonly json: boolean;
  readonly #io: Io;

  constructor(io: Io, json: boolean) {
    this.#io = io;
    this.json = json;
  }

  /** A line for people (suppressed with --json, where stdout is one JSON document). */
  line(text = ''): void {
    if (!this.json) this.#io.stdout.write(`${text}\n`);
  }

  /** The command's JSON result (only with --json). */
  result(value: unknown): void {
    if (this.json) this.#io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Notes and warnings: stderr, so they never mix with a result on stdout. */
  note(text: string): void {
    this.#io.stderr.write(`${text}\n`);
  }

  get stderr(): Io['stderr'] {
    return this.#io.stderr;
  }
}
