/**
 * Admission's in-process copy of the state it derives from the log: the registry snapshot
 * (parties, keys and measures; see registry.ts), held as a ready-built Registry and keyed by the
 * snapshot's `asOf`. Reading and rebuilding it for every submission cost a store round trip and a
 * deep copy each; it changes once per integrator batch at most.
 *
 * Freshness, which is what makes a cache here safe:
 * - `offer` takes a snapshot the integrator just wrote (the local runtime's in-process
 *   integrator calls it before committing the batch), so there a revocation or a new measure
 *   binds admission from the moment its entry is integrated.
 * - Otherwise (Lambda: the integrator is another process) the copy is read again once it is
 *   older than `maxAgeMs`, measured from when the read was issued; so an integration takes effect
 *   for admission within `maxAgeMs`. With `maxAgeMs` 0 every call reads the store.
 * - The copy only ever moves forward: a slow read that returns an older snapshot than one already
 *   held never replaces it.
 */
import type { RegistrySnapshot, RegistryStore } from './ports.js';
import { Registry } from './registry.js';

export interface RegistryCacheOptions {
  readonly registry: Pick<RegistryStore, 'read'>;
  /** How long a copy may serve without a store read, in ms; 0: always read. */
  readonly maxAgeMs: number;
  /** A monotonic clock in ms (default: performance.now); the ledger clock may jump. */
  readonly now?: () => number;
}

interface Held {
  readonly registry: Registry;
  /** When the read that produced (or confirmed) this copy was issued. */
  readonly at: number;
}

export class RegistryCache {
  readonly #store: Pick<RegistryStore, 'read'>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #held: Held | undefined;
  /** Bumped by invalidate: reads issued before it may not fill the copy. */
  #generation = 0;
  /** A read in flight that callers arriving while it is young enough may share. */
  #reading: { readonly at: number; readonly result: Promise<Registry> } | undefined;

  constructor(options: RegistryCacheOptions) {
    if (!(options.maxAgeMs >= 0)) throw new RangeError('maxAgeMs must be 0 or more');
    this.#store = options.registry;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * The registry as of the newest snapshot seen, no older than `maxAgeMs`. Callers must not
   * change it: it is shared by every submission until the next snapshot.
   */
  current(): Promise<Registry> {
    const now = this.#now();
    const held = this.#held;
    if (held !== undefined && now - held.at < this.#maxAgeMs) return Promise.resolve(held.registry);
    // Sharing a read issued before this call is only right while that read is young enough to
    // have been a fresh one; with maxAgeMs 0 every call issues its own.
    const reading = this.#reading;
    if (reading !== undefined && now - reading.at < this.#maxAgeMs) return reading.result;
    const result = this.#read(now);
    if (this.#maxAgeMs > 0) {
      const entry = { at: now, result };
      this.#reading = entry;
      const clear = (): void => {
        if (this.#reading === entry) this.#reading = undefined;
      };
      result.then(clear, clear);
    }
    return result;
  }

  /** A snapshot known to be stored (the integrator just wrote or read it). */
  offer(snapshot: RegistrySnapshot): void {
    this.#accept(snapshot, this.#now());
  }

  /** Forgets the copy: the next call reads the store. */
  invalidate(): void {
    this.#held = undefined;
    this.#reading = undefined;
    this.#generation++;
  }

  async #read(at: number): Promise<Registry> {
    const generation = this.#generation;
    const snapshot = await this.#store.read();
    // Nothing is stored before genesis is integrated: the empty registry, not worth holding.
    if (snapshot === undefined) return this.#held?.registry ?? Registry.empty();
    if (generation !== this.#generation) return Registry.fromSnapshot(snapshot);
    return this.#accept(snapshot, at);
  }

  /** Keeps the newer of the held copy and `snapshot`; returns what is held. */
  #accept(snapshot: RegistrySnapshot, at: number): Registry {
    const held = this.#held;
    if (held !== undefined && held.registry.asOf > snapshot.asOf) return held.registry;
    // A snapshot is a function of the log's first `asOf` entries, so one with the same asOf is
    // the same registry: keep the built one and only note that it was confirmed.
    const registry =
      held !== undefined && held.registry.asOf === snapshot.asOf
        ? held.registry
        : Registry.fromSnapshot(snapshot);
    this.#held = { registry, at: Math.max(at, held?.at ?? at) };
    return registry;
  }
}
