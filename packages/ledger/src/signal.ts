/**
 * In-process wake-ups between admission and integration, for the local runtime where both run in
 * one process. On Lambda there is none: the integrator runs on a schedule and a waiting submit
 * polls the store.
 */

export interface IntegrationSignal {
  /** Admission accepted a statement: integration has work. */
  notify(): void;
  /** Resolves when `id` was integrated (committed), or after `timeoutMs`, whichever is first. */
  waitForIntegration(id: string, timeoutMs: number): Promise<void>;
}

/**
 * The in-process signal: the integrator loop subscribes with `onWork`, and the integrator
 * reports committed statements with `integrated`.
 */
export class InProcessIntegrationSignal implements IntegrationSignal {
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #workListeners = new Set<() => void>();

  notify(): void {
    for (const listener of this.#workListeners) listener();
  }

  /** Registers a listener for `notify`; returns a function that removes it. */
  onWork(listener: () => void): () => void {
    this.#workListeners.add(listener);
    return () => this.#workListeners.delete(listener);
  }

  waitForIntegration(id: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(id);
      if (set === undefined) this.#waiters.set(id, (set = new Set()));
      const waiters = set;
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiters.get(id) === waiters) this.#waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      waiters.add(done);
    });
  }

  /** Wakes everyone waiting for these statement ids. */
  integrated(ids: readonly string[]): void {
    for (const id of ids) {
      const waiters = this.#waiters.get(id);
      if (waiters === undefined) continue;
      for (const done of [...waiters]) done();
    }
  }

  /** Number of submits currently waiting, for tests and shutdown. */
  get waiting(): number {
    let n = 0;
    for (const set of this.#waiters.values()) n += set.size;
    return n;
  }
}
