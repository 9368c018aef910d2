/**
 * A pool of signature workers (node:worker_threads), one per core by default: the audit's
 * Ed25519 checks are independent, so they spread over every core while the main thread keeps
 * reading and checking the log in order.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BatchMessage, SignatureBatch } from './batch.js';

/** The compiled worker; from the TypeScript sources (tests), the built one beside them. */
function workerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  const compiled = here.endsWith('.ts')
    ? new URL('../../dist/audit/worker.js', import.meta.url)
    : new URL('./worker.js', import.meta.url);
  if (!existsSync(compiled)) {
    throw new Error(`${fileURLToPath(compiled)} is missing: build first (npm run build)`);
  }
  return compiled;
}

interface Pending {
  resolve(results: Uint8Array): void;
  reject(error: Error): void;
}

export class VerifyPool {
  readonly size: number;
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: { message: BatchMessage; transfer: ArrayBuffer }[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failed: Error | undefined;

  constructor(size: number = availableParallelism()) {
    this.size = Math.max(1, Math.floor(size));
    const script = workerScript();
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(script);
      worker.on('message', (m: { id: number; results: Uint8Array }) => {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        p?.resolve(m.results);
        this.#dispatch(worker);
      });
      worker.on('error', (e) => this.#fail(e));
      worker.on('exit', (code) => {
        if (code !== 0) this.#fail(new Error(`a signature worker exited with code ${code}`));
      });
      this.#workers.push(worker);
      this.#idle.push(worker);
    }
  }

  #fail(e: Error): void {
    this.#failed ??= e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }

  #dispatch(worker: Worker): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#idle.push(worker);
      return;
    }
    worker.postMessage(next.message, [next.transfer]);
  }

  /** Verifies a batch; resolves with one byte per check, 1 when the signature verifies. */
  verify(batch: SignatureBatch): Promise<Uint8Array> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    const buffer = batch.pack();
    const message: BatchMessage = { id: this.#nextId++, buffer, count: batch.count };
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#pending.set(message.id, { resolve, reject });
      const worker = this.#idle.pop();
      if (worker === undefined) this.#queue.push({ message, transfer: buffer });
      else worker.postMessage(message, [buffer]);
    });
  }

  /** Stops the workers; the pool must be closed, or they keep the process alive. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
