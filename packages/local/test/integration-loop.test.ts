import { describe, expect, it } from 'vitest';
import { InProcessIntegrationSignal } from '@cbm-ledger/ledger';
import { IntegratorLoop } from '../src/index.js';

/** An integrator that integrates `pending` in batches of at most 2, recording each run. */
function fakeIntegrator(options: { failFirst?: number; runMs?: number } = {}) {
  const state = { pending: 0, runs: 0, failures: options.failFirst ?? 0, treeSize: 0 };
  return {
    state,
    async runOnce() {
      state.runs++;
      await new Promise((r) => setTimeout(r, options.runMs ?? 1));
      if (state.failures > 0) {
        state.failures--;
        throw new Error('throttled');
      }
      const integrated = Math.min(2, state.pending);
      state.pending -= integrated;
      state.treeSize += integrated;
      return { integrated, treeSize: state.treeSize };
    },
  };
}

const until = async (condition: () => boolean, ms = 2000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('the in-process integrator loop', () => {
  it('integrates right after admission signals work, batch after batch, then idles', async () => {
    const integrator = fakeIntegrator();
    const signal = new InProcessIntegrationSignal();
    const loop = new IntegratorLoop(integrator, signal, { sweepMs: 60_000 });
    loop.start();
    await until(() => integrator.state.runs === 1);
    integrator.state.pending = 5;
    signal.notify();
    await until(() => integrator.state.treeSize === 5, 500);
    const runs = integrator.state.runs;
    await new Promise((r) => setTimeout(r, 50));
    expect(integrator.state.runs).toBe(runs); // idle: no busy loop
    await loop.stop();
  });

  it('sweeps periodically without being signalled (work left by an earlier process)', async () => {
    const integrator = fakeIntegrator();
    const loop = new IntegratorLoop(integrator, new InProcessIntegrationSignal(), { sweepMs: 20 });
    loop.start();
    await until(() => integrator.state.runs >= 1);
    integrator.state.pending = 3;
    await until(() => integrator.state.treeSize === 3, 1000);
    await loop.stop();
  });

  it('backs off and retries after a failing batch, reporting the error', async () => {
    const integrator = fakeIntegrator({ failFirst: 2 });
    integrator.state.pending = 1;
    const errors: unknown[] = [];
    const loop = new IntegratorLoop(integrator, new InProcessIntegrationSignal(), {
      sweepMs: 60_000,
      onError: (e) => errors.push(e),
    });
    loop.start();
    await until(() => integrator.state.treeSize === 1, 2000);
    expect(errors).toHaveLength(2);
    await loop.stop();
  });

  it('finishes the batch in progress before stopping, and runs no more', async () => {
    const integrator = fakeIntegrator({ runMs: 50 });
    integrator.state.pending = 100;
    const loop = new IntegratorLoop(integrator, new InProcessIntegrationSignal());
    loop.start();
    await until(() => integrator.state.runs === 2);
    await loop.stop();
    const { runs, treeSize } = integrator.state;
    expect(treeSize).toBe(runs * 2); // every started batch completed
    await new Promise((r) => setTimeout(r, 80));
    expect(integrator.state.runs).toBe(runs);
  });
});
