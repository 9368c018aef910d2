/** A growable array of 32-byte hashes (the leaf hashes of this run, for locating a fault). */
export class HashList {
  #buffer = Buffer.allocUnsafe(32 * 4096);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * 32 > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(this.#buffer.length * 2);
      this.#buffer.copy(grown);
      this.#buffer = grown;
    }
    this.#buffer.set(hash, this.length * 32);
    this.length++;
  }

  get(i: number): Uint8Array {
    return this.#buffer.subarray(i * 32, i * 32 + 32);
  }
}
