/**
 * Fault injection at every store call of admission and of integration: the k-th call throws,
 * either before it reaches the store (a store error) or after it took effect (the process died
 * between this call and the next). After recovery — the client retrying, the integrator running
 * again until idle — DESIGN.md §6 holds and every acknowledged statement is integrated exactly
 * once.
 */
import { sha256Hex, utf8Encode } from '@cbm-ledger/protocol';
import { describe, expect, it } from 'vitest';
import {
  FaultInjector,
  InjectedFault,
  createMemoryStores,
  faultyStores,
} from '@cbm-ledger/ledger/testing';
import type { SubmitOutcome } from '@cbm-ledger/ledger';
import type { FaultTiming } from '@cbm-ledger/ledger/testing';
import {
  Harness,
  OPERATOR,
  bodyOf,
  checkInvariants,
  infoExchangeBody,
  sign,
  testKey,
} from '@cbm-ledger/ledger/testing';

const TIMINGS: FaultTiming[] = ['before', 'after'];
const evidence = utf8Encode('satellite imagery');
const evidenceHex = sha256Hex(evidence);

async function preparedLedger(): Promise<{ h: Harness; injector: FaultInjector }> {
  const memory = createMemoryStores();
  const injector = new FaultInjector();
  const h = new Harness({ memory, ports: faultyStores(memory, injector) });
  await h.bootstrap(['state:JOR', 'state:EGY']);
  await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2025));
  await h.integrate();
  await h.issue('state:EGY', 'info.exchange', infoExchangeBody(2025)); // left pending
  memory.evidence.putVerified(evidenceHex, evidence, 'image/png', 'state:JOR');
  return { h, injector };
}

/** The statement under test: seq 2 of JOR, citing evidence, so every admission step runs. */
function submission(h: Harness): { body: Uint8Array; contentType: string } {
  const statement = h.statement('state:JOR', 'info.exchange', infoExchangeBody(2026), {
    extra: { evidence: [{ sha256: evidenceHex, size: evidence.length, mediaType: 'image/png' }] },
  });
  return { body: bodyOf(sign(statement, [h.key('state:JOR')])), contentType: 'application/json' };
}

async function attempt(
  h: Harness,
  req: { body: Uint8Array; contentType: string },
): Promise<SubmitOutcome | InjectedFault> {
  try {
    return await h.service.submit(req);
  } catch (e) {
    // A fault must surface as itself, never be mistaken for bad input.
    if (e instanceof InjectedFault) return e;
    throw e;
  }
}

describe('fault injection in admission', () => {
  it('keeps the invariants whichever store call fails, whether or not the client retries', async () => {
    const { h: probe, injector: counter } = await preparedLedger();
    const before = counter.calls;
    const clean = await probe.service.submit(submission(probe));
    expect(clean.status).toBe(202);
    const calls = counter.calls - before;
    // registry read, evidence stat, accept, link (the predecessor is remembered from seq 1).
    expect(calls).toBeGreaterThanOrEqual(4);

    for (let k = 1; k <= calls; k++) {
      for (const timing of TIMINGS) {
        for (const retry of [true, false]) {
          const label = `call ${k} ${timing}, retry ${retry}`;
          const { h, injector } = await preparedLedger();
          const req = submission(h);
          injector.arm(injector.calls + k, timing);
          const first = await attempt(h, req);
          expect(injector.fired, label).toBeDefined();
          let acknowledged = !(first instanceof InjectedFault);
          if (retry && !acknowledged) {
            const second = await h.service.submit(req);
            expect([200, 202], label).toContain(second.status);
            acknowledged = true;
          }
          await h.integrate();
          const leaves = await checkInvariants(h.memory, h.signer.vkey);
          const jor2 = (await h.memory.statements.getBySeq('state:JOR', 2))?.id;
          const count = leaves.filter((l) => l.issuer === 'state:JOR' && l.seq === 2).length;
          if (acknowledged) expect(count, label).toBe(1);
          else expect(count, label).toBe(jor2 === undefined ? 0 : 1);
        }
      }
    }
  });
});

describe('fault injection in integration', () => {
  async function preparedBacklog(): Promise<{
    h: Harness;
    injector: FaultInjector;
    expected: number;
  }> {
    const memory = createMemoryStores();
    const injector = new FaultInjector();
    const h = new Harness({
      memory,
      ports: faultyStores(memory, injector),
      config: { integrationBatchSize: 3 },
    });
    await h.bootstrap(['state:JOR', 'state:EGY', 'state:TUN']);
    // A backlog mixing ordinary and registry statements, spanning several batches.
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2025));
    const next = testKey('state:EGY', 'next');
    await h.issue(
      'state:EGY',
      'key.rotate',
      {
        party: 'state:EGY',
        newKey: { keyid: next.keyid, publicKey: next.publicKey },
        retiredKeyid: h.key('state:EGY').keyid,
      },
      { signers: [h.key('state:EGY'), next] },
    );
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2026));
    const observer = testKey('observer:team');
    await h.issue(OPERATOR, 'party.register', {
      party: { id: 'observer:team', name: 'Observers', kind: 'observer' },
      keys: [{ keyid: observer.keyid, publicKey: observer.publicKey }],
    });
    await h.issue('state:TUN', 'info.exchange', infoExchangeBody(2025));
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2027));
    await h.issue(OPERATOR, 'key.revoke', {
      party: 'state:TUN',
      keyid: h.key('state:TUN').keyid,
      reason: 'retired',
      effectiveAt: new Date(h.clock.now()).toISOString(),
    });
    return { h, injector, expected: 1 + 3 + 7 };
  }

  it('completes every batch exactly once after a crash at any store call', async () => {
    const { h: probe, injector: counter } = await preparedBacklog();
    const before = counter.calls;
    expect(await probe.integrate()).toBe(7);
    const calls = counter.calls - before;
    expect(calls).toBeGreaterThan(20);

    for (let k = 1; k <= calls; k++) {
      for (const timing of TIMINGS) {
        const label = `call ${k} ${timing}`;
        const { h, injector, expected } = await preparedBacklog();
        injector.arm(injector.calls + k, timing);
        const crashed = h.newIntegrator();
        await expect(crashed.runUntilIdle(), label).rejects.toBeInstanceOf(InjectedFault);
        // Restart: a new integrator process picks up where the crashed one stopped.
        await h.newIntegrator().runUntilIdle();
        const leaves = await checkInvariants(h.memory, h.signer.vkey);
        expect(leaves, label).toHaveLength(expected);
        // The registry reflects the rotation and revocation exactly as a clean run does.
        const egy = await h.service.party('state:EGY');
        expect(
          egy.keys.map((key) => key.status),
          label,
        ).toEqual(['retired', 'active']);
        const tun = await h.service.party('state:TUN');
        expect(
          tun.keys.map((key) => key.status),
          label,
        ).toEqual(['revoked']);
      }
    }
  });

  it('recovers when the crashed integrator and its replacement then run concurrently', async () => {
    // The first run's calls: 1–3 head, staged leaves, pending; 4–8 getBySeq; 9–10 leaves;
    // then, concurrently, 11 registry read, 12 nodes, 13 checkpoint, 14 markIntegrated,
    // 15 registry write; 16 commitHead.
    for (const k of [5, 10, 14, 15]) {
      const { h, injector, expected } = await preparedBacklog();
      injector.arm(injector.calls + k, 'after');
      await expect(h.newIntegrator().runOnce()).rejects.toBeInstanceOf(InjectedFault);
      await Promise.all([
        h.newIntegrator().runUntilIdle(),
        h.newIntegrator({ batchSize: 2 }).runUntilIdle(),
      ]);
      expect(await checkInvariants(h.memory, h.signer.vkey)).toHaveLength(expected);
    }
  });
});
