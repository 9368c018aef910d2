/**
 * Signature checks in batches for the worker pool: each check is packed as
 * `u32le payload length ‖ 32-byte public key ‖ 64-byte signature ‖ payload` into one buffer that
 * is transferred, not copied, to a worker.
 */

export const TASK_HEADER_BYTES = 4 + 32 + 64;

export interface BatchMessage {
  readonly id: number;
  readonly buffer: ArrayBuffer;
  readonly count: number;
}

/** What a failed check is about, kept on the main thread. */
export interface SignatureCheck {
  readonly index: number;
  readonly keyid: string;
  readonly party: string;
}

export class SignatureBatch {
  #buffer: Buffer;
  #used = 0;
  readonly checks: SignatureCheck[] = [];

  constructor(initialBytes = 1 << 20) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
  }

  get count(): number {
    return this.checks.length;
  }

  get bytes(): number {
    return this.#used;
  }

  add(
    check: SignatureCheck,
    publicKey: Uint8Array,
    signature: Uint8Array,
    payload: Uint8Array,
  ): void {
    const need = this.#used + TASK_HEADER_BYTES + payload.length;
    if (need > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, this.#used);
      this.#buffer = grown;
    }
    const b = this.#buffer;
    b.writeUInt32LE(payload.length, this.#used);
    b.set(publicKey, this.#used + 4);
    b.set(signature, this.#used + 36);
    b.set(payload, this.#used + TASK_HEADER_BYTES);
    this.#used = need;
    this.checks.push(check);
  }

  /** The packed checks, in a buffer of their own (so it can be transferred). */
  pack(): ArrayBuffer {
    const out = new ArrayBuffer(this.#used);
    new Uint8Array(out).set(this.#buffer.subarray(0, this.#used));
    return out;
  }
}
