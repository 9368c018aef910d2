/**
 * Admission's in-process state (derived-state.ts and the chain memory in admission.ts) and the
 * idempotency rule that goes with reading nothing before the accept: caches that save store
 * calls on the hot path must never let a wrong decision through.
 */
import { describe, expect, it } from 'vitest';
import { LedgerError, Registry, RegistryCache, createLedger } from '@cbm-ledger/ledger';
import {
  FaultInjector,
  createMemoryStores,
  dumpMemoryStores,
  faultyStores,
} from '@cbm-ledger/ledger/testing';
import type { RegistrySnapshot } from '@cbm-ledger/ledger';
import {
  Harness,
  OPERATOR,
  bodyOf,
  checkInvariants,
  fixtureBody,
  infoExchangeBody,
  sign,
} from '@cbm-ledger/ledger/testing';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LedgerError) return e.code;
    throw e;
  }
  return 'accepted';
}

/** A monotonic clock for the cache that the test moves by hand. */
function manualTime(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** A harness whose stores count their calls (in `injector.trace`). */
function counted(
  options: { registryCache?: (registry: Harness['ports']['registry']) => RegistryCache } = {},
): { h: Harness; injector: FaultInjector } {
  const memory = createMemoryStores();
  const injector = new FaultInjector();
  const ports = faultyStores(memory, injector);
  const h = new Harness({
    memory,
    ports,
    ...(options.registryCache === undefined
      ? {}
      : { registryCache: options.registryCache(ports.registry) }),
  });
  return { h, injector };
}

const revokeBody = (h: Harness, party: string): unknown => ({
  party,
  keyid: h.key(party).keyid,
  reason: 'compromised',
  effectiveAt: new Date(h.clock.now()).toISOString(),
});

describe('admission with the in-process integrator’s registry copy (local runtime)', () => {
  it('reads neither the registry nor the predecessor for a submission in steady state', async () => {
    const { h, injector } = counted({
      registryCache: (registry) => new RegistryCache({ registry, maxAgeMs: 60_000 }),
    });
    await h.bootstrap(['state:JOR']);
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2024));
    const from = injector.trace.length;
    for (const year of [2025, 2026, 2027]) {
      const { outcome } = await h.issue('state:JOR', 'info.exchange', infoExchangeBody(year));
      expect(outcome.status).toBe(202);
    }
    expect(injector.trace.slice(from)).toEqual([
      ...['statements.accept', 'statements.link'],
      ...['statements.accept', 'statements.link'],
      ...['statements.accept', 'statements.link'],
    ]);
  });

  it('refuses a revoked key from the moment the revocation is integrated', async () => {
    const memory = createMemoryStores();
    const cache = new RegistryCache({ registry: memory.registry, maxAgeMs: 3_600_000 });
    const local = new Harness({ memory, registryCache: cache });
    await local.bootstrap(['state:JOR', 'state:EGY']);
    expect(
      (await local.issue('state:JOR', 'info.exchange', infoExchangeBody(2025))).outcome.status,
    ).toBe(202);
    await local.issue(OPERATOR, 'key.revoke', revokeBody(local, 'state:JOR'));
    // Accepted but not integrated: the key still signs (DESIGN.md §3, "at the statement's
    // admission", as the log stands).
    expect(
      (await local.issue('state:JOR', 'info.exchange', infoExchangeBody(2026))).outcome.status,
    ).toBe(202);
    await local.integrate();
    const before = dumpMemoryStores(local.memory);
    expect(await codeOf(local.issue('state:JOR', 'info.exchange', infoExchangeBody(2027)))).toBe(
      'KEY_REVOKED',
    );
    expect(dumpMemoryStores(local.memory)).toBe(before);
    await checkInvariants(local.memory, local.signer.vkey);
  });

  it('admits a measure review as soon as its definition is integrated, not before', async () => {
    const cache = (registry: Harness['ports']['registry']): RegistryCache =>
      new RegistryCache({ registry, maxAgeMs: 3_600_000 });
    const { h } = counted({ registryCache: cache });
    await h.bootstrap(['state:JOR', 'state:EGY', 'state:TUN']);
    const signers = ['state:JOR', 'state:EGY', 'state:TUN'].map((p) => h.key(p));
    await h.issue('state:JOR', 'measure.define', fixtureBody('measure.define'), { signers });
    const review = {
      measure: 'mena-notification-2026',
      dueAt: '2027-02-01T00:00:00Z',
      outcome: 'continue',
    };
    expect(await codeOf(h.issue('state:EGY', 'measure.review', review))).toBe('MEASURE_UNKNOWN');
    await h.integrate();
    expect((await h.issue('state:EGY', 'measure.review', review)).outcome.status).toBe(202);
    await h.integrate();
    await checkInvariants(h.memory, h.signer.vkey);
  });
});

describe('admission with a registry copy and the integrator in another process (Lambda)', () => {
  it('refuses a revoked key no later than registryMaxAgeMs after its integration', async () => {
    const time = manualTime();
    const memory = createMemoryStores();
    const h = new Harness({ memory });
    await h.bootstrap(['state:JOR']);
    // An API process: its own service and cache, no in-process integrator to tell it anything.
    const api = createLedger({
      ...memory,
      clock: h.clock,
      config: h.config,
      logVkey: h.signer.vkey,
      logSigner: h.signer,
      registryCache: new RegistryCache({
        registry: memory.registry,
        maxAgeMs: 1000,
        now: time.now,
      }),
    });
    const json = async (year: number): Promise<string> => {
      const statement = h.statement('state:JOR', 'info.exchange', infoExchangeBody(year));
      const outcome = api.submit({
        body: bodyOf(sign(statement, [h.key('state:JOR')])),
        contentType: 'application/json',
      });
      const code = await codeOf(outcome);
      if (code === 'accepted') h.record(statement, (await outcome).body.statement);
      return code;
    };
    expect(await json(2025)).toBe('accepted'); // reads and keeps the registry
    await h.issue(OPERATOR, 'key.revoke', revokeBody(h, 'state:JOR'));
    await h.integrate();
    time.advance(999);
    expect(await json(2026)).toBe('accepted'); // within the documented bound
    time.advance(1);
    expect(await json(2027)).toBe('KEY_REVOKED');
  });

  it('reads the registry for every submission with registryMaxAgeMs 0', async () => {
    const memory = createMemoryStores();
    const h = new Harness({ memory });
    const api = createLedger({
      ...memory,
      clock: h.clock,
      config: h.config,
      logVkey: h.signer.vkey,
      logSigner: h.signer,
      registryCache: new RegistryCache({ registry: memory.registry, maxAgeMs: 0 }),
    });
    await h.bootstrap(['state:JOR']);
    const submit = (year: number): Promise<string> =>
      codeOf(
        api.submit({
          body: bodyOf(
            sign(h.statement('state:JOR', 'info.exchange', infoExchangeBody(year)), [
              h.key('state:JOR'),
            ]),
          ),
          contentType: 'application/json',
        }),
      );
    await h.issue(OPERATOR, 'key.revoke', revokeBody(h, 'state:JOR'));
    await h.integrate();
    expect(await submit(2026)).toBe('KEY_REVOKED');
  });
});

describe('RegistryCache', () => {
  const snapshot = (asOf: number): RegistrySnapshot => ({ asOf, parties: [] });

  it('never goes back to an older snapshot than one it holds', async () => {
    let stored: RegistrySnapshot | undefined = snapshot(3);
    let release: () => void = () => undefined;
    const slow = {
      read: async (): Promise<RegistrySnapshot | undefined> => {
        const value = stored;
        await new Promise<void>((resolve) => (release = resolve));
        return value;
      },
    };
    const time = manualTime();
    const cache = new RegistryCache({ registry: slow, maxAgeMs: 1000, now: time.now });
    const reading = cache.current(); // reads asOf 3, slowly
    stored = snapshot(5);
    cache.offer(snapshot(5)); // the integrator moved on meanwhile
    release();
    expect((await reading).asOf).toBe(5);
    expect((await cache.current()).asOf).toBe(5);
  });

  it('shares one read among concurrent callers and keeps the built registry per asOf', async () => {
    let reads = 0;
    const store = {
      read: (): Promise<RegistrySnapshot | undefined> => {
        reads++;
        return Promise.resolve(snapshot(7));
      },
    };
    const time = manualTime();
    const cache = new RegistryCache({ registry: store, maxAgeMs: 1000, now: time.now });
    const [a, b, c] = await Promise.all([cache.current(), cache.current(), cache.current()]);
    expect(reads).toBe(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
    time.advance(1000);
    expect(await cache.current()).toBe(a); // re-read, same asOf: the same built registry
    expect(reads).toBe(2);
    cache.invalidate();
    await cache.current();
    expect(reads).toBe(3);
  });

  it('with maxAgeMs 0 issues its own read for every call', async () => {
    let reads = 0;
    const store = {
      read: (): Promise<RegistrySnapshot | undefined> => {
        reads++;
        return Promise.resolve(snapshot(2));
      },
    };
    const cache = new RegistryCache({ registry: store, maxAgeMs: 0 });
    await Promise.all([cache.current(), cache.current()]);
    cache.offer(snapshot(2));
    await cache.current();
    expect(reads).toBe(3);
  });
});

describe('the registry snapshot’s measures', () => {
  it('round-trip, and are rebuilt from the log when the snapshot lags behind it', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR', 'state:EGY', 'state:TUN']);
    const lagging = (await h.memory.registry.read())!;
    const signers = ['state:JOR', 'state:EGY', 'state:TUN'].map((p) => h.key(p));
    await h.issue('state:JOR', 'measure.define', fixtureBody('measure.define'), { signers });
    await h.integrate();
    // Put the snapshot from before the definition back: the next batch must replay the log.
    const current = (await h.memory.registry.read())!;
    expect(current.measures).toHaveLength(1);
    expect(await h.memory.registry.write(lagging, current.asOf)).toBe(true);
    await h.issue('state:EGY', 'info.exchange', infoExchangeBody());
    await h.integrate();
    const stored = (await h.memory.registry.read())!;
    expect(stored.measures?.map((m) => m.id)).toEqual(['mena-notification-2026']);
    const registry = Registry.fromSnapshot(stored);
    expect(registry.toSnapshot()).toEqual(stored);
    expect(registry.measures().measures.get('mena-notification-2026')?.define.issuer).toBe(
      'state:JOR',
    );
    await checkInvariants(h.memory, h.signer.vkey);
  });
});

describe('idempotency without a read before the accept', () => {
  it('answers 200 for an identical resubmission that would now fail its checks', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR']);
    const { envelope, outcome } = await h.issue(
      'state:JOR',
      'info.exchange',
      infoExchangeBody(2026),
    );
    expect(outcome.status).toBe(202);
    await h.integrate();
    await h.issue(OPERATOR, 'key.revoke', revokeBody(h, 'state:JOR'));
    await h.integrate();
    h.clock.advance(3_600_000); // far outside the issuedAt window too
    const before = dumpMemoryStores(h.memory);
    const again = await h.submitEnvelope(envelope);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ statement: outcome.body.statement, status: 'integrated' });
    expect(dumpMemoryStores(h.memory)).toBe(before);
    // A new statement signed with that key is refused, and writes nothing.
    const other = h.statement('state:JOR', 'info.exchange', infoExchangeBody(2027));
    expect(await codeOf(h.submitEnvelope(sign(other, [h.key('state:JOR')])))).toBe('KEY_REVOKED');
    expect(dumpMemoryStores(h.memory)).toBe(before);
  });

  it('answers a pending resubmission 200 through the conditional accept', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR']);
    const { envelope, outcome } = await h.issue(
      'state:JOR',
      'info.exchange',
      infoExchangeBody(2026),
    );
    const again = await h.submitEnvelope(envelope);
    expect(outcome.body.promise).toMatch(/^cbm-ledger\/promise\/v1\n/);
    expect(again).toEqual({
      status: 200,
      body: {
        statement: outcome.body.statement,
        status: 'pending',
        promise: outcome.body.promise,
      },
    });
  });

  it('checks the chain against the store when this process has not seen the predecessor', async () => {
    const memory = createMemoryStores();
    const h = new Harness({ memory });
    await h.bootstrap(['state:JOR']);
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2025));
    // Another instance of the service (another Lambda container) knows nothing of seq 1.
    const other = createLedger({
      ...memory,
      clock: h.clock,
      config: h.config,
      logVkey: h.signer.vkey,
      logSigner: h.signer,
    });
    const wrongPrev = h.statement('state:JOR', 'info.exchange', infoExchangeBody(2026), {
      prev: `sha256:${'ab'.repeat(32)}`,
    });
    expect(
      await codeOf(
        other.submit({
          body: bodyOf(sign(wrongPrev, [h.key('state:JOR')])),
          contentType: 'application/json',
        }),
      ),
    ).toBe('PREV_MISMATCH');
    const right = h.statement('state:JOR', 'info.exchange', infoExchangeBody(2026));
    const accepted = await other.submit({
      body: bodyOf(sign(right, [h.key('state:JOR')])),
      contentType: 'application/json',
    });
    expect(accepted.status).toBe(202);
    h.record(right, accepted.body.statement);
    // And the first instance, which remembers seq 1 but not seq 2, still finds the gap right.
    const gap = h.statement('state:JOR', 'info.exchange', infoExchangeBody(2027), { seq: 4 });
    expect(await codeOf(h.submitEnvelope(sign(gap, [h.key('state:JOR')])))).toBe('SEQ_GAP');
    expect(
      (await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2027))).outcome.status,
    ).toBe(202);
    await h.integrate();
    await checkInvariants(memory, h.signer.vkey);
  });
});
