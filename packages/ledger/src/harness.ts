/**
 * A ledger on memory stores with a fake clock, deterministic keys, statement builders that track
 * each issuer's chain, and an invariant checker for DESIGN.md §6.
 */
import {
  STATEMENT_PAYLOAD_TYPE,
  ed25519,
  fromBase64,
  keyId,
  leafHash,
  merkleRoot,
  openCheckpoint,
  parseVkey,
  sha256,
  signEnvelope,
  toBase64,
  toBase64Url,
  utf8Decode,
  utf8Encode,
  verifyLeafChain,
} from '@cbm-ledger/protocol';
import type { Envelope, Leaf, Statement, StatementType } from '@cbm-ledger/protocol';
import assert from 'node:assert/strict';
import {
  Integrator,
  REGISTRY_TYPES,
  Registry,
  createCheckpointSigner,
  defaultLedgerConfig,
  createLedger,
} from './index.js';
import type { LedgerService } from './index.js';
import { createMemoryStores } from './memory.js';
import type {
  CheckpointSigner,
  Clock,
  IntegrationSignal,
  LedgerConfig,
  RegistryCache,
  SubmitOutcome,
} from './index.js';
import type { MemoryStores, Ports } from './memory.js';
import { validStatements } from '@cbm-ledger/protocol/testing';

export const ORIGIN = 'cbm-ledger.test/mena';
export const START = Date.parse('2026-03-01T09:30:00.000Z');

export class FakeClock implements Clock {
  constructor(public t: number = START) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestKey {
  readonly party: string;
  readonly seed: Uint8Array;
  readonly publicKey: string;
  readonly keyid: string;
}

/** A deterministic key for `party`; `label` tells several keys of one party apart. */
export function testKey(party: string, label = 'main'): TestKey {
  const seed = sha256(utf8Encode(`test-key:${party}:${label}`));
  const pk = ed25519.publicKeyFromSeed(seed);
  return { party, seed, publicKey: toBase64(pk), keyid: keyId(pk) };
}

/**
 * The log key. Chosen so its vkey's base64 key data holds no '+': the protocol's genesis
 * validator (statement/ledger.ts, logVkey) currently splits the vkey on every '+', which rejects
 * such keys although parseVkey accepts them (reported to the lead). One line keeps the tests
 * independent of that until it is fixed.
 */
export const LOG_SEED = findLogSeed();

function findLogSeed(label = 'test-log-key'): Uint8Array {
  for (let i = 0; ; i++) {
    const seed = sha256(utf8Encode(`${label}:${i}`));
    if (
      !createCheckpointSigner(ORIGIN, seed)
        .vkey.slice(ORIGIN.length + 10)
        .includes('+')
    ) {
      return seed;
    }
  }
}

/** A well-formed log vkey for this origin that is not the test ledger's. */
export function otherLogVkey(): string {
  return createCheckpointSigner(ORIGIN, findLogSeed('another-log-key')).vkey;
}
export const OPERATOR = 'operator:cbm';

let nonceCounter = 0;
export function nonce(): string {
  nonceCounter += 1;
  return toBase64Url(sha256(utf8Encode(`nonce:${nonceCounter}`)).subarray(0, 16));
}

/** A body for each type that needs no other statement, taken from the protocol fixtures. */
export function fixtureBody(type: StatementType): unknown {
  return structuredClone(validStatements[type].body);
}

export function infoExchangeBody(year = 2026): unknown {
  const body = fixtureBody('info.exchange') as { year: number };
  return { ...body, year };
}

export function bodyOf(envelope: unknown): Uint8Array {
  return utf8Encode(JSON.stringify(envelope));
}

export function sign(statement: unknown, keys: readonly TestKey[]): Envelope {
  return signEnvelope(
    STATEMENT_PAYLOAD_TYPE,
    utf8Encode(JSON.stringify(statement)),
    keys.map((k) => k.seed),
  );
}

export interface HarnessOptions {
  readonly config?: Partial<LedgerConfig>;
  /** Stores the service and integrator use (e.g. wrapped ones); default: `memory`. */
  readonly ports?: Ports;
  readonly memory?: MemoryStores;
  readonly integration?: IntegrationSignal;
  /** Admission's registry copy; the harness's integrators hand it each snapshot they store. */
  readonly registryCache?: RegistryCache;
}

export interface IssueOptions {
  readonly signers?: readonly TestKey[];
  readonly extra?: Record<string, unknown>;
  readonly waitSeconds?: number;
  readonly seq?: number;
  readonly prev?: string | null;
}

export class Harness {
  readonly clock = new FakeClock();
  readonly memory: MemoryStores;
  readonly ports: Ports;
  readonly config: LedgerConfig;
  readonly signer: CheckpointSigner;
  readonly service: LedgerService;
  readonly integrator: Integrator;
  readonly registryCache: RegistryCache | undefined;
  /** Current signing key of each party. */
  readonly keys = new Map<string, TestKey>();
  /** Each issuer's chain as far as this harness knows it. */
  readonly chains = new Map<string, { seq: number; id: string }>();

  constructor(options: HarnessOptions = {}) {
    this.memory = options.memory ?? createMemoryStores({ now: () => this.clock.now() });
    this.ports = options.ports ?? this.memory;
    this.config = { ...defaultLedgerConfig(ORIGIN), ...options.config };
    this.signer = createCheckpointSigner(ORIGIN, LOG_SEED);
    this.service = createLedger({
      ...this.ports,
      clock: this.clock,
      config: this.config,
      logVkey: this.signer.vkey,
      logSigner: this.signer,
      ...(options.integration === undefined ? {} : { integration: options.integration }),
      ...(options.registryCache === undefined ? {} : { registryCache: options.registryCache }),
    });
    this.registryCache = options.registryCache;
    this.integrator = this.newIntegrator();
    this.keys.set(OPERATOR, testKey(OPERATOR));
  }

  newIntegrator(
    options: {
      ports?: Ports;
      batchSize?: number;
      onIntegrated?: (ids: readonly string[], treeSize: number) => void;
    } = {},
  ): Integrator {
    const { ports = this.ports, batchSize, onIntegrated } = options;
    const cache = this.registryCache;
    return new Integrator({
      ...ports,
      signer: this.signer,
      clock: this.clock,
      config:
        batchSize === undefined ? this.config : { ...this.config, integrationBatchSize: batchSize },
      ...(onIntegrated === undefined ? {} : { onIntegrated }),
      ...(cache === undefined ? {} : { onRegistry: (snapshot) => cache.offer(snapshot) }),
    });
  }

  key(party: string): TestKey {
    const k = this.keys.get(party);
    if (k === undefined) throw new Error(`no key for ${party}`);
    return k;
  }

  /** The next statement in `issuer`'s chain (not yet recorded as submitted). */
  statement(
    issuer: string,
    type: StatementType,
    body: unknown,
    options: IssueOptions = {},
  ): Statement {
    const chain = this.chains.get(issuer);
    const seq = options.seq ?? (chain?.seq ?? 0) + 1;
    return {
      v: 1,
      ledger: ORIGIN,
      type,
      issuer,
      seq,
      prev: options.prev !== undefined ? options.prev : seq === 1 ? null : (chain?.id ?? null),
      issuedAt: new Date(this.clock.now()).toISOString(),
      nonce: nonce(),
      visibility: 'public',
      ...options.extra,
      body,
    };
  }

  async submitEnvelope(envelope: Envelope, waitSeconds?: number): Promise<SubmitOutcome> {
    return this.service.submit({
      body: bodyOf(envelope),
      contentType: 'application/json',
      ...(waitSeconds === undefined ? {} : { waitSeconds }),
    });
  }

  /** Builds, signs (by default with the issuer's key), submits, and records the chain. */
  async issue(
    issuer: string,
    type: StatementType,
    body: unknown,
    options: IssueOptions = {},
  ): Promise<{ outcome: SubmitOutcome; envelope: Envelope; statement: Statement }> {
    const statement = this.statement(issuer, type, body, options);
    const envelope = sign(statement, options.signers ?? [this.key(issuer)]);
    const outcome = await this.submitEnvelope(envelope, options.waitSeconds);
    this.record(statement, outcome.body.statement);
    return { outcome, envelope, statement };
  }

  record(statement: Statement, id: string): void {
    const chain = this.chains.get(statement.issuer);
    if (chain === undefined || chain.seq < statement.seq) {
      this.chains.set(statement.issuer, { seq: statement.seq, id });
    }
  }

  genesisStatement(): Statement {
    const op = this.key(OPERATOR);
    return this.statement(OPERATOR, 'ledger.genesis', {
      origin: ORIGIN,
      logVkey: this.signer.vkey,
      operator: { id: OPERATOR, name: 'Test operator' },
      keys: [{ keyid: op.keyid, publicKey: op.publicKey }],
    });
  }

  async genesis(): Promise<void> {
    const statement = this.genesisStatement();
    const outcome = await this.submitEnvelope(sign(statement, [this.key(OPERATOR)]));
    assert.strictEqual(outcome.status, 202);
    this.record(statement, outcome.body.statement);
  }

  async register(
    party: string,
    options: { witness?: { name: string; publicKey: string }; name?: string } = {},
  ): Promise<TestKey> {
    const key = testKey(party);
    const kind = party.slice(0, party.indexOf(':'));
    const { outcome } = await this.issue(OPERATOR, 'party.register', {
      party: { id: party, name: options.name ?? party, kind },
      keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
      ...(options.witness === undefined ? {} : { witness: options.witness }),
    });
    assert.strictEqual(outcome.status, 202);
    this.keys.set(party, key);
    return key;
  }

  /** Genesis plus the given parties, all integrated. */
  async bootstrap(parties: readonly string[]): Promise<void> {
    await this.genesis();
    await this.integrate();
    for (const p of parties) await this.register(p);
    await this.integrate();
  }

  integrate(): Promise<number> {
    return this.integrator.runUntilIdle();
  }
}

/**
 * DESIGN.md §6 checked over the memory stores after integration went idle: contiguous indices
 * and the leaf chain, one leaf per accepted statement (exactly once), contiguous issuer chains
 * entering the log in seq order, checkpoints matching an independent recomputation of the root,
 * and a registry snapshot equal to the registry folded from the log.
 */
export async function checkInvariants(memory: MemoryStores, logVkey: string): Promise<Leaf[]> {
  const head = await memory.log.readHead();
  const size = head?.size ?? 0;
  const leaves = await memory.log.readLeaves(0, size + 1000);
  assert.strictEqual(leaves.length, size, 'every staged leaf is committed');
  leaves.forEach((leaf, i) => {
    assert.strictEqual(leaf.index, i);
    verifyLeafChain(i === 0 ? undefined : leaves[i - 1], leaf);
  });

  const ids = leaves.map((l) => l.statement);
  assert.strictEqual(new Set(ids).size, ids.length, 'no statement twice');
  const statements = memory.statements.all();
  assert.strictEqual(statements.length, leaves.length, 'every accepted statement integrated once');
  assert.deepStrictEqual(await memory.statements.pending(10_000), []);
  const byIssuer = new Map<string, typeof statements>();
  for (const s of statements) {
    assert.notStrictEqual(s.index, undefined, `${s.id} has an index`);
    const leaf = leaves[s.index!]!;
    assert.strictEqual(leaf.statement, s.id);
    assert.strictEqual(leaf.issuer, s.issuer);
    assert.strictEqual(leaf.seq, s.seq);
    assert.strictEqual(leaf.envelope, s.envelopeDigest);
    const list = byIssuer.get(s.issuer) ?? [];
    list.push(s);
    byIssuer.set(s.issuer, list);
  }
  for (const [issuer, list] of byIssuer) {
    list.sort((a, b) => a.seq - b.seq);
    list.forEach((s, i) => {
      assert.strictEqual(s.seq, i + 1, `${issuer} chain contiguous`);
      assert.strictEqual(s.prev, i === 0 ? null : list[i - 1]!.id);
      if (i > 0) assert.ok(s.index! > list[i - 1]!.index!, `${issuer} in seq order`);
    });
  }

  if (size > 0) {
    const hashes = leaves.map(leafHash);
    const logKey = parseVkey(logVkey);
    const { checkpoint } = openCheckpoint(head!.checkpoint, logKey);
    assert.strictEqual(checkpoint.size, size);
    assert.strictEqual(toBase64(checkpoint.rootHash), toBase64(merkleRoot(hashes)));
    assert.strictEqual(toBase64(head!.rootHash), toBase64(checkpoint.rootHash));
    // Every checkpoint the log ever stored is consistent with the log as it stands.
    for (let n = 1; n <= size; n++) {
      const note = await memory.log.getCheckpoint(n);
      if (note === undefined) continue;
      const c = openCheckpoint(note, logKey).checkpoint;
      assert.strictEqual(toBase64(c.rootHash), toBase64(merkleRoot(hashes.slice(0, n))));
    }
  }

  const snapshot = await memory.registry.read();
  assert.strictEqual(snapshot?.asOf ?? 0, size);
  const folded = Registry.empty();
  for (const leaf of leaves) {
    const s = statements.find((x) => x.id === leaf.statement)!;
    const statement = REGISTRY_TYPES.has(leaf.type)
      ? (JSON.parse(utf8Decode(fromBase64(s.envelope.payload))) as Statement)
      : undefined;
    folded.apply(leaf, statement);
  }
  assert.deepStrictEqual(plain(snapshot ?? { asOf: 0, parties: [] }), plain(folded.toSnapshot()));
  return leaves;
}

/** A small deterministic PRNG (mulberry32), so interleavings are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The ports with every call delayed by a random number of event-loop turns, so concurrent
 * submitters and integrators interleave between any two store calls, as separate processes do.
 */
export function jittered(ports: Ports, seed: number): Ports {
  const random = prng(seed);
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        return async (...args: unknown[]): Promise<unknown> => {
          for (let turns = Math.floor(random() * 4); turns > 0; turns--) {
            await new Promise((resolve) => setImmediate(resolve));
          }
          return method.apply(t, args);
        };
      },
    });
  return {
    statements: wrap(ports.statements),
    log: wrap(ports.log),
    registry: wrap(ports.registry),
    evidence: wrap(ports.evidence),
  };
}

/** Sixteen distinct state ids: state:AAA … state:PPP. */
export function states(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `state:${String.fromCharCode(65 + i).repeat(3)}`);
}

/** A value as JSON carries it: undefined members dropped, as the stores and the wire drop them. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
