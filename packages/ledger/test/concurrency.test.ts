import { describe, expect, it } from 'vitest';
import { createMemoryStores } from '@cbm-ledger/ledger/testing';
import {
  Harness,
  checkInvariants,
  infoExchangeBody,
  jittered,
  states,
} from '@cbm-ledger/ledger/testing';

describe('concurrent submitters and integrators', () => {
  it('sixteen issuers submitting at once, with integrators racing in between, never fork the log', async () => {
    const memory = createMemoryStores();
    const h = new Harness({
      memory,
      ports: jittered(memory, 16),
      config: { integrationBatchSize: 7 },
    });
    const issuers = states(16);
    await h.bootstrap(issuers);
    const perIssuer = 6;

    let submitting = true;
    const integrators = [3, 7, 11].map((batchSize, i) =>
      h.newIntegrator({ ports: jittered(memory, 100 + i), batchSize }),
    );
    const loops = integrators.map(async (integrator) => {
      let runs = 0;
      while (submitting) {
        await integrator.runOnce();
        runs += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return runs;
    });
    const acknowledged = await Promise.all(
      issuers.map(async (issuer) => {
        const ids: string[] = [];
        for (let k = 0; k < perIssuer; k++) {
          const { outcome } = await h.issue(issuer, 'info.exchange', infoExchangeBody(2000 + k));
          expect(outcome.status).toBe(202);
          ids.push(outcome.body.statement);
        }
        return ids;
      }),
    );
    submitting = false;
    const runs = await Promise.all(loops);
    expect(runs.every((n) => n > 0)).toBe(true);
    await h.integrate();

    const leaves = await checkInvariants(memory, h.signer.vkey);
    expect(leaves).toHaveLength(1 + issuers.length + issuers.length * perIssuer);
    const logged = new Set(leaves.map((l) => l.statement));
    for (const id of acknowledged.flat()) expect(logged.has(id)).toBe(true);
    // Several batches were needed, so the racing integrators really interleaved with submits.
    const checkpoints = [];
    for (let n = 1; n <= leaves.length; n++) {
      if ((await memory.log.getCheckpoint(n)) !== undefined) checkpoints.push(n);
    }
    expect(checkpoints.length).toBeGreaterThan(10);
  });

  it('integrators racing over the same pending statements integrate each exactly once', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const memory = createMemoryStores();
      const h = new Harness({ memory });
      const issuers = states(4);
      await h.bootstrap(issuers);
      for (let k = 0; k < 10; k++) {
        for (const issuer of issuers) {
          await h.issue(issuer, 'info.exchange', infoExchangeBody(2000 + k));
        }
      }
      const racers = [2, 3, 5, 8].map((batchSize, i) =>
        h.newIntegrator({ ports: jittered(memory, seed * 10 + i), batchSize }),
      );
      const totals = await Promise.all(racers.map((r) => r.runUntilIdle()));
      expect(await h.integrate()).toBe(0);
      // Each statement is counted by exactly one run: the one whose commit moved the head.
      expect(totals.reduce((a, b) => a + b, 0)).toBe(40);
      const leaves = await checkInvariants(memory, h.signer.vkey);
      expect(leaves).toHaveLength(1 + 4 + 40);
    }
  });
});

describe('a clock running backwards', () => {
  it('neither blocks an issuer chain nor makes integratedAt decrease along the log', async () => {
    const h = new Harness({ config: { integrationBatchSize: 1 } });
    await h.bootstrap(['state:JOR', 'state:EGY']);
    h.clock.advance(60_000);
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2025));
    h.clock.advance(-30_000);
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2026));
    await h.issue('state:EGY', 'info.exchange', infoExchangeBody(2026));
    expect((await h.integrator.runOnce()).integrated).toBe(1);
    h.clock.advance(-20_000);
    expect(await h.integrate()).toBe(2);
    const leaves = await checkInvariants(h.memory, h.signer.vkey);
    for (let i = 1; i < leaves.length; i++) {
      expect(Date.parse(leaves[i]!.integratedAt)).toBeGreaterThanOrEqual(
        Date.parse(leaves[i - 1]!.integratedAt),
      );
    }
    expect(leaves.slice(-3).map((l) => `${l.issuer}#${l.seq}`)).toEqual([
      'state:EGY#1',
      'state:JOR#1',
      'state:JOR#2',
    ]);
  });
});
