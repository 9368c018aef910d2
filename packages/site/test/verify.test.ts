/**
 * The page's verifier (packages/site/src/verify.ts) in Node, against a real seeded runtime: what
 * passes, and every way a lying server or a changed history must fail — each with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeVkey, generateKeyFile, NoteKeyType, fromBase64 } from '@cbm-ledger/protocol';
import type { SiteConfig } from '../src/config.js';
import { VerificationError, loadLedger, verifyInclusions } from '../src/verify.js';
import type { Api, SeenStore } from '../src/verify.js';
import { startScenario } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';

let scenario: Scenario;
let config: SiteConfig;

beforeAll(async () => {
  scenario = await startScenario();
  config = {
    origin: scenario.runtime.origin,
    logVkey: scenario.runtime.logVkey,
    witnessQuorum: 2,
  };
}, 120_000);
afterAll(() => scenario?.close());

/** The public API, with an optional rewrite of JSON answers (a lying server). */
function api(rewrite?: (path: string, value: unknown) => unknown): Api {
  const base = `${scenario.runtime.url}/public/v1`;
  return {
    text: async (path) => (await fetch(base + path)).text(),
    json: async <T>(path: string) => {
      const value: unknown = await (await fetch(base + path)).json();
      return (rewrite === undefined ? value : rewrite(path, value)) as T;
    },
  };
}

function memorySeen(initial?: { size: number; root: string }): SeenStore & {
  value: { size: number; root: string } | undefined;
} {
  const store = {
    value: initial,
    get: () => store.value,
    set: (_origin: string, v: { size: number; root: string }) => {
      store.value = v;
    },
  };
  return store;
}

async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(VerificationError);
  return (e as VerificationError).message;
}

describe('loadLedger', () => {
  it('verifies a genuine ledger, names its parties, counts its witnesses and remembers the tree', async () => {
    const seen = memorySeen();
    const ledger = await loadLedger(api(), config, seen);
    expect(ledger.failures).toEqual([]);
    expect(ledger.consistency).toEqual({ kind: 'first-visit' });
    expect(ledger.entries).toHaveLength(ledger.checkpoint.size);
    expect(ledger.names.get('state:EGY')).toBe('Arab Republic of Egypt');
    expect(ledger.cosignatures.map((c) => c.name).sort()).toEqual([
      'jordan.witness',
      'un-team.witness',
    ]);
    expect(ledger.witnessSource).toBe('log');
    // Restricted and participants entries come as leaves only.
    expect(ledger.entries[scenario.index.restricted]?.statement).toBeUndefined();
    expect(ledger.entries[scenario.index.participants]?.statement).toBeUndefined();
    expect(seen.value?.size).toBe(ledger.checkpoint.size);
    const again = await loadLedger(api(), config, seen);
    expect(again.consistency).toEqual({ kind: 'same', size: ledger.checkpoint.size });
  });

  it('checks consistency from a smaller tree seen before', async () => {
    const small = (await fetch(`${scenario.runtime.url}/public/v1/checkpoints/5`).then((r) =>
      r.json(),
    )) as { checkpoint: string };
    const root = small.checkpoint.split('\n')[2]!;
    const ledger = await loadLedger(api(), config, memorySeen({ size: 5, root }));
    expect(ledger.consistency).toEqual({ kind: 'extends', from: 5 });
    expect(ledger.failures).toEqual([]);
  });

  const bad: [string, () => Promise<unknown>, RegExp][] = [
    [
      'another pinned log key',
      () =>
        loadLedger(
          api(),
          {
            ...config,
            logVkey: encodeVkey(
              config.origin,
              NoteKeyType.ed25519,
              fromBase64(generateKeyFile('operator:local').publicKey),
            ),
          },
          memorySeen(),
        ),
      /checkpoint signature does not verify against the pinned log key/,
    ],
    [
      'a larger tree seen before (rollback)',
      () => loadLedger(api(), config, memorySeen({ size: 999, root: 'AAAA' })),
      /rolled back: this browser verified a tree of 999 entries before, the server now shows \d+/,
    ],
    [
      'another root at the same size (fork)',
      async () => {
        const size = Number((await api().text('/checkpoint')).split('\n')[1]);
        return loadLedger(api(), config, memorySeen({ size, root: 'A'.repeat(43) + '=' }));
      },
      /forked: a tree of \d+ entries with another root than before/,
    ],
    [
      'a smaller tree seen before with another root',
      () => loadLedger(api(), config, memorySeen({ size: 5, root: 'A'.repeat(43) + '=' })),
      /not consistent with the tree of 5 entries this browser saw before/,
    ],
  ];
  for (const [what, run, reason] of bad) {
    it(`refuses ${what}`, async () => {
      expect(await failure(run())).toMatch(reason);
    });
  }

  it('marks an entry whose served statement is not the one its leaf commits to', async () => {
    const { badr, desert } = scenario.index;
    let desertEnvelope: unknown;
    const lying = api((path, value) => {
      const page = value as { entries?: { index: number; envelope?: unknown }[] };
      if (!path.startsWith('/entries') || page.entries === undefined) return value;
      desertEnvelope ??= page.entries.find((e) => e.index === desert)?.envelope;
      for (const e of page.entries) if (e.index === badr) e.envelope = desertEnvelope;
      return value;
    });
    const seen = memorySeen();
    const ledger = await loadLedger(lying, config, seen);
    expect(ledger.failures).toContainEqual({
      what: 'the statement served is not the one the leaf commits to',
      index: badr,
    });
    expect(ledger.entries[badr]?.statement).toBeUndefined();
    // A tree with failures is not remembered as the new reference.
    expect(seen.value).toBeUndefined();
  });

  it('reports an unmet witness quorum and ignores cosignatures by unpinned keys', async () => {
    const three = await loadLedger(api(), { ...config, witnessQuorum: 3 }, memorySeen());
    expect(three.failures).toEqual([
      { what: 'witness quorum not met: 2 of the required 3 known witnesses cosigned' },
    ]);
    const other = generateKeyFile('state:JOR');
    const pinned = await loadLedger(
      api(),
      {
        ...config,
        witnessQuorum: 1,
        witnesses: [
          {
            vkey: encodeVkey(
              'jordan.witness',
              NoteKeyType.cosignatureV1,
              fromBase64(other.publicKey),
            ),
          },
        ],
      },
      memorySeen(),
    );
    expect(pinned.witnessSource).toBe('pinned');
    expect(pinned.cosignatures).toEqual([]);
    expect(pinned.failures).toEqual([
      { what: 'witness quorum not met: 0 of the required 1 known witnesses cosigned' },
    ]);
  });
});

describe('verifyInclusions', () => {
  it('proves genuine entries and names the index of a proof that does not verify', async () => {
    const ledger = await loadLedger(api(), config, memorySeen());
    const { badr, report } = scenario.index;
    expect(await verifyInclusions(api(), ledger, [badr, report])).toEqual(
      new Map([
        [badr, null],
        [report, null],
      ]),
    );
    const flipped = api((path, value) => {
      const proof = value as { index?: number; hashes?: string[] };
      if (path.startsWith('/proofs/inclusion') && proof.index === badr && proof.hashes?.[0]) {
        const b = Buffer.from(proof.hashes[0], 'base64');
        b[0] = b[0]! ^ 1;
        proof.hashes[0] = b.toString('base64');
      }
      return value;
    });
    const result = await verifyInclusions(flipped, ledger, [badr, report, 10_000]);
    expect(result.get(badr)).toMatch(
      new RegExp(`^inclusion proof of entry ${badr} does not verify`),
    );
    expect(result.get(report)).toBeNull();
    expect(result.get(10_000)).toBe('entry 10000 is not in the verified tree');
  });
});
