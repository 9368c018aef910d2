/**
 * In-process integration for the local runtime: a single loop that runs an integrator batch as
 * soon as admission signals work (so `Prefer: wait` answers within milliseconds), keeps going
 * while batches find work, and otherwise sweeps periodically, which also finishes anything a
 * previous process accepted but did not integrate before it died.
 */
import type { InProcessIntegrationSignal, Integrator } from '@cbm-ledger/ledger';

export interface IntegratorLoopOptions {
  /** Idle sweep interval. */
  readonly sweepMs?: number;
  readonly onError?: (error: unknown) => void;
}

export class IntegratorLoop {
  readonly #integrator: Pick<Integrator, 'runOnce'>;
  readonly #signal: Pick<InProcessIntegrationSignal, 'onWork'>;
  readonly #sweepMs: number;
  readonly #onError: (error: unknown) => void;
  #stopping = false;
  #woken = false;
  #interrupt: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    integrator: Pick<Integrator, 'runOnce'>,
    signal: Pick<InProcessIntegrationSignal, 'onWork'>,
    options: IntegratorLoopOptions = {},
  ) {
    this.#integrator = integrator;
    this.#signal = signal;
    this.#sweepMs = options.sweepMs ?? 1000;
    this.#onError = options.onError ?? (() => undefined);
  }

  start(): void {
    if (this.#running !== undefined) return;
    const unsubscribe = this.#signal.onWork(() => this.wake());
    this.#unsubscribe = () => void unsubscribe();
    this.#running = this.#run();
  }

  /** Asks for a batch now (admission accepted a statement). */
  wake(): void {
    this.#woken = true;
    this.#interrupt?.();
  }

  /** Finishes the batch in progress, then stops. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    this.#interrupt?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      // Cleared before the batch: a wake-up during it means there may be work it did not see.
      this.#woken = false;
      let integrated = 0;
      try {
        ({ integrated } = await this.#integrator.runOnce());
        failures = 0;
      } catch (error) {
        // A store fault: back off (at most 5 s) and try again; accepted statements stay durable.
        failures++;
        this.#onError(error);
        await this.#pause(Math.min(5000, 50 * 2 ** failures));
        continue;
      }
      if (integrated > 0 || this.#woken) continue;
      await this.#pause(this.#sweepMs);
    }
  }

  /** Sleeps up to `ms`, returning early on a wake-up or stop. */
  #pause(ms: number): Promise<void> {
    if (this.#woken || this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#interrupt = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#interrupt = done;
    });
  }
}
