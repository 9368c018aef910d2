/**
 * In-memory implementations of every port, for tests and experiments. Each write that decides
 * something has the same conditional semantics as the DynamoDB adapters: (issuer, seq) is claimed
 * once, a leaf index is taken once (writing the identical leaf again is a no-op), the head moves
 * only from the expected size, and the registry snapshot only from the expected `asOf`. Values
 * are copied in and out, so a caller can never change stored state through a reference.
 *
 * `FaultInjector` wraps the stores so that the k-th port call throws, before or after it takes
 * effect, which is how the tests simulate a store error or the process dying between two calls.
 */
import { canonicalLeaf, sha256Hex, toBase64, toHex, fromHex } from '@cbm-ledger/protocol';
import type { Leaf, NodeId, TreeNode } from '@cbm-ledger/protocol';
import { LogConflictError } from './ports.js';
import type {
  AcceptOutcome,
  AdmittedStatement,
  EvidenceObject,
  EvidenceStore,
  EvidenceUpload,
  LogHead,
  LogStore,
  RegistrySnapshot,
  RegistryStore,
  ReplayGuard,
  StatementStore,
  StoredCosignature,
} from './ports.js';

const slot = (issuer: string, seq: number): string => `${issuer}\n${seq}`;

function requireCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer`);
  }
}

export class MemoryStatementStore implements StatementStore {
  readonly #bySlot = new Map<string, AdmittedStatement>();
  readonly #links = new Map<string, string>();
  readonly #pending = new Set<string>();
  readonly #heads = new Map<string, number>();
  readonly #citing = new Map<string, Set<string>>();

  accept(statement: AdmittedStatement): Promise<AcceptOutcome> {
    const key = slot(statement.issuer, statement.seq);
    const existing = this.#bySlot.get(key);
    if (existing !== undefined) {
      return Promise.resolve({ accepted: false, existing: structuredClone(existing) });
    }
    // A statement enters as pending: whatever index the caller's object carries is not stored.
    const pending: AdmittedStatement = structuredClone(statement);
    delete (pending as { index?: number }).index;
    this.#bySlot.set(key, pending);
    this.#pending.add(key);
    if ((this.#heads.get(statement.issuer) ?? 0) < statement.seq) {
      this.#heads.set(statement.issuer, statement.seq);
    }
    return Promise.resolve({ accepted: true });
  }

  link(statement: AdmittedStatement): Promise<void> {
    const key = slot(statement.issuer, statement.seq);
    this.#links.set(statement.id, key);
    for (const hex of statement.evidence) {
      let set = this.#citing.get(hex);
      if (set === undefined) this.#citing.set(hex, (set = new Set()));
      set.add(key);
    }
    return Promise.resolve();
  }

  getById(id: string): Promise<AdmittedStatement | undefined> {
    const key = this.#links.get(id);
    const found = key === undefined ? undefined : this.#bySlot.get(key);
    return Promise.resolve(found?.id === id ? structuredClone(found) : undefined);
  }

  getBySeq(issuer: string, seq: number): Promise<AdmittedStatement | undefined> {
    const found = this.#bySlot.get(slot(issuer, seq));
    return Promise.resolve(found === undefined ? undefined : structuredClone(found));
  }

  head(issuer: string): Promise<AdmittedStatement | undefined> {
    const seq = this.#heads.get(issuer);
    return seq === undefined ? Promise.resolve(undefined) : this.getBySeq(issuer, seq);
  }

  pending(limit: number): Promise<AdmittedStatement[]> {
    requireCount(limit, 'limit');
    const all = [...this.#pending].map((key) => this.#bySlot.get(key)!);
    all.sort(
      (a, b) =>
        a.admittedAt - b.admittedAt ||
        (a.issuer < b.issuer ? -1 : a.issuer > b.issuer ? 1 : 0) ||
        a.seq - b.seq,
    );
    return Promise.resolve(all.slice(0, limit).map((s) => structuredClone(s)));
  }

  markIntegrated(
    entries: readonly { statement: AdmittedStatement; index: number }[],
  ): Promise<void> {
    for (const { statement, index } of entries) {
      const key = slot(statement.issuer, statement.seq);
      const stored = this.#bySlot.get(key);
      if (stored === undefined || stored.id !== statement.id) {
        return Promise.reject(new Error(`markIntegrated: ${statement.id} is not stored`));
      }
      // A statement has one leaf: a second, different index would be a broken invariant.
      if (stored.index !== undefined && stored.index !== index) {
        return Promise.reject(
          new Error(`markIntegrated: ${statement.id} already at ${stored.index}, not ${index}`),
        );
      }
      this.#bySlot.set(key, { ...stored, index });
      this.#pending.delete(key);
      void this.link(stored);
    }
    return Promise.resolve();
  }

  citing(sha256: string, limit: number): Promise<AdmittedStatement[]> {
    requireCount(limit, 'limit');
    const keys = [...(this.#citing.get(sha256) ?? [])].slice(0, limit);
    return Promise.resolve(keys.map((k) => structuredClone(this.#bySlot.get(k)!)));
  }

  /** Every stored statement, in (issuer, seq) order: for test assertions. */
  all(): AdmittedStatement[] {
    return [...this.#bySlot.values()]
      .sort((a, b) => (a.issuer < b.issuer ? -1 : a.issuer > b.issuer ? 1 : 0) || a.seq - b.seq)
      .map((s) => structuredClone(s));
  }

  /** A comparable picture of the whole store, to assert that rejected input wrote nothing. */
  dump(): unknown {
    return {
      statements: [...this.#bySlot.entries()].sort(byKey),
      links: [...this.#links.entries()].sort(byKey),
      pending: [...this.#pending].sort(),
      citing: [...this.#citing.entries()]
        .map(([k, v]): [string, string[]] => [k, [...v].sort()])
        .sort(byKey),
    };
  }
}

function byKey(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

export class MemoryLogStore implements LogStore {
  readonly #leaves = new Map<number, { leaf: Leaf; canonical: string }>();
  readonly #nodes = new Map<string, Uint8Array>();
  readonly #checkpoints = new Map<number, string>();
  /** `<size>\n<witness>\n<time>` → cosignature, as the DynamoDB key (size, witness, time). */
  readonly #cosignatures = new Map<string, StoredCosignature>();
  #head: LogHead | undefined;

  readHead(): Promise<LogHead | undefined> {
    return Promise.resolve(this.#head === undefined ? undefined : structuredClone(this.#head));
  }

  writeLeaves(start: number, leaves: readonly Leaf[]): Promise<void> {
    requireCount(start, 'start');
    // One conditional write per index, in order, as DynamoDB does it: a conflict at index k
    // leaves the leaves before k written.
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i]!;
      const index = start + i;
      if (leaf.index !== index) {
        return Promise.reject(new Error(`leaf ${leaf.index} written at index ${index}`));
      }
      const canonical = canonicalLeaf(leaf);
      const existing = this.#leaves.get(index);
      if (existing !== undefined) {
        if (existing.canonical === canonical) continue;
        return Promise.reject(new LogConflictError(`index ${index} holds another leaf`));
      }
      this.#leaves.set(index, { leaf: structuredClone(leaf), canonical });
    }
    return Promise.resolve();
  }

  readLeaves(start: number, limit: number): Promise<Leaf[]> {
    requireCount(start, 'start');
    requireCount(limit, 'limit');
    const out: Leaf[] = [];
    for (let i = start; i < start + limit; i++) {
      const entry = this.#leaves.get(i);
      if (entry === undefined) break;
      out.push(structuredClone(entry.leaf));
    }
    return Promise.resolve(out);
  }

  writeNodes(nodes: readonly TreeNode[]): Promise<void> {
    for (const n of nodes) {
      const key = `${n.level}/${n.index}`;
      const existing = this.#nodes.get(key);
      // Nodes follow from leaves that never change, so two writers always agree.
      if (existing !== undefined && toHex(existing) !== toHex(n.hash)) {
        return Promise.reject(new Error(`node ${key} would change`));
      }
      this.#nodes.set(key, n.hash.slice());
    }
    return Promise.resolve();
  }

  readNodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const id of ids) {
      const key = `${id.level}/${id.index}`;
      const hash = this.#nodes.get(key);
      if (hash !== undefined) out.set(key, hash.slice());
    }
    return Promise.resolve(out);
  }

  commitHead(expectedSize: number | undefined, head: LogHead): Promise<boolean> {
    if (this.#head?.size !== expectedSize) return Promise.resolve(false);
    this.#head = structuredClone(head);
    return Promise.resolve(true);
  }

  putCheckpoint(size: number, note: string): Promise<void> {
    const existing = this.#checkpoints.get(size);
    // Stricter than a conditional put that keeps the first note: two different notes for one
    // size would break "the log never signs two inconsistent checkpoints", so fail loudly.
    if (existing !== undefined && existing !== note) {
      return Promise.reject(new Error(`a different checkpoint for size ${size} exists`));
    }
    this.#checkpoints.set(size, note);
    return Promise.resolve();
  }

  getCheckpoint(size: number): Promise<string | undefined> {
    return Promise.resolve(this.#checkpoints.get(size));
  }

  putCosignature(size: number, witness: string, line: string, time: number): Promise<boolean> {
    requireCount(size, 'size');
    requireCount(time, 'time');
    const key = `${size}\n${witness}\n${time}`;
    // Conditional put: the first line kept for (size, witness, time) stays.
    if (this.#cosignatures.has(key)) return Promise.resolve(false);
    this.#cosignatures.set(key, { size, witness, line, time });
    return Promise.resolve(true);
  }

  listCosignatures(size: number): Promise<StoredCosignature[]> {
    requireCount(size, 'size');
    const found = [...this.#cosignatures.values()].filter((c) => c.size === size);
    found.sort(
      (a, b) => (a.witness < b.witness ? -1 : a.witness > b.witness ? 1 : 0) || a.time - b.time,
    );
    return Promise.resolve(found.map((c) => ({ ...c })));
  }

  /** Number of leaves written, staged ones included. */
  leafCount(): number {
    return this.#leaves.size;
  }

  dump(): unknown {
    return {
      head: this.#head === undefined ? null : headJson(this.#head),
      leaves: [...this.#leaves.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v.canonical),
      nodes: [...this.#nodes.entries()]
        .map(([k, v]): [string, string] => [k, toHex(v)])
        .sort(byKey),
      checkpoints: [...this.#checkpoints.entries()].sort((a, b) => a[0] - b[0]),
      cosignatures: [...this.#cosignatures.keys()].sort(),
    };
  }
}

function headJson(head: LogHead): unknown {
  return {
    size: head.size,
    rootHash: toHex(head.rootHash),
    frontier: head.frontier.map(toHex),
    checkpoint: head.checkpoint,
  };
}

export class MemoryRegistryStore implements RegistryStore {
  #snapshot: RegistrySnapshot | undefined;

  read(): Promise<RegistrySnapshot | undefined> {
    return Promise.resolve(
      this.#snapshot === undefined ? undefined : structuredClone(this.#snapshot),
    );
  }

  write(snapshot: RegistrySnapshot, expectedAsOf: number | undefined): Promise<boolean> {
    if (this.#snapshot?.asOf !== expectedAsOf) return Promise.resolve(false);
    this.#snapshot = structuredClone(snapshot);
    return Promise.resolve(true);
  }

  dump(): unknown {
    return this.#snapshot ?? null;
  }
}

interface StoredObject {
  bytes: Uint8Array;
  mediaType: string | undefined;
}

/** Evidence per uploading party, as S3EvidenceStore keeps it (`evidence/sha256/<hex>/<party>`). */
export class MemoryEvidenceStore implements EvidenceStore {
  readonly #objects = new Map<string, StoredObject>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  possessed(sha256: string, party: string): Promise<EvidenceObject | undefined> {
    const o = this.#objects.get(`${sha256}/${party}`);
    if (o === undefined) return Promise.resolve(undefined);
    // Report what the content actually hashes to, as S3's stored checksum would; content that
    // reached the store around the checksum proves nothing.
    if (sha256Hex(o.bytes) !== sha256) return Promise.resolve(undefined);
    const object: EvidenceObject = { sha256, size: o.bytes.length };
    return Promise.resolve(
      o.mediaType === undefined ? object : { ...object, mediaType: o.mediaType },
    );
  }

  createUpload(
    object: EvidenceObject,
    party: string,
    expiresInSeconds: number,
  ): Promise<EvidenceUpload> {
    return Promise.resolve({
      url: `memory://evidence/sha256/${object.sha256}/${party}`,
      method: 'PUT',
      headers: {
        'content-length': String(object.size),
        'content-type': object.mediaType ?? 'application/octet-stream',
        'x-amz-checksum-sha256': toBase64(fromHex(object.sha256, 32)),
      },
      expiresAt: new Date(this.#now() + expiresInSeconds * 1000).toISOString(),
    });
  }

  createDownload(sha256: string, party: string, expiresInSeconds: number): Promise<string> {
    const expires = Math.floor(this.#now() / 1000) + expiresInSeconds;
    return Promise.resolve(`memory://evidence/sha256/${sha256}/${party}?expires=${expires}`);
  }

  /**
   * Stores `party`'s upload as a completed presigned upload would: refused unless the bytes hash
   * to sha256. This is the party's proof of possession.
   */
  putVerified(
    sha256: string,
    bytes: Uint8Array,
    mediaType: string | undefined,
    party: string,
  ): void {
    if (sha256Hex(bytes) !== sha256) throw new Error('content does not hash to the given sha256');
    this.#objects.set(`${sha256}/${party}`, { bytes: bytes.slice(), mediaType });
  }

  /**
   * Test helper: places content as `party`'s upload without checking it, simulating an object
   * that reached the bucket around the checksum (possessed then finds it does not hash right).
   */
  putUnchecked(
    sha256: string,
    bytes: Uint8Array,
    mediaType: string | undefined,
    party: string,
  ): void {
    this.#objects.set(`${sha256}/${party}`, { bytes: bytes.slice(), mediaType });
  }

  /** The bytes `party` uploaded, for tests. */
  get(sha256: string, party: string): Uint8Array | undefined {
    return this.#objects.get(`${sha256}/${party}`)?.bytes.slice();
  }

  dump(): unknown {
    return [...this.#objects.keys()].sort();
  }
}

/** Claimed nonces in memory, forgotten once expired (as the DynamoDB TTL would). */
export class MemoryReplayGuard implements ReplayGuard {
  readonly #claims = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  claim(keyid: string, nonce: string, expiresAt: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.#now() / 1000);
    for (const [key, expires] of this.#claims) if (expires <= nowSeconds) this.#claims.delete(key);
    const key = `${keyid}\n${nonce}`;
    if (this.#claims.has(key)) return Promise.resolve(false);
    this.#claims.set(key, expiresAt);
    return Promise.resolve(true);
  }
}

export interface MemoryStores {
  readonly statements: MemoryStatementStore;
  readonly log: MemoryLogStore;
  readonly registry: MemoryRegistryStore;
  readonly evidence: MemoryEvidenceStore;
  readonly replay: MemoryReplayGuard;
}

export function createMemoryStores(options: { now?: () => number } = {}): MemoryStores {
  return {
    statements: new MemoryStatementStore(),
    log: new MemoryLogStore(),
    registry: new MemoryRegistryStore(),
    evidence: new MemoryEvidenceStore(options.now),
    replay: new MemoryReplayGuard(options.now),
  };
}

/** One string capturing everything stored, so a test can assert that nothing changed. */
export function dumpMemoryStores(stores: MemoryStores): string {
  return JSON.stringify(
    {
      statements: stores.statements.dump(),
      log: stores.log.dump(),
      registry: stores.registry.dump(),
      evidence: stores.evidence.dump(),
    },
    (_key, value: unknown) => (value instanceof Uint8Array ? toHex(value) : value),
  );
}

// ---------------------------------------------------------------------------------------------
// Fault injection

/** The error a wrapped store throws when a fault fires. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export type FaultTiming = 'before' | 'after';

/**
 * Counts every call to a wrapped port method, across all stores it wraps, and makes the call
 * numbered `failAt` (1-based) throw InjectedFault: `before` it reaches the store (a store error;
 * nothing happened) or `after` it took effect (the process died between this call and the next).
 * A fault fires once; `arm` again for another.
 */
export class FaultInjector {
  calls = 0;
  /** `port.method` of every call, in order, for diagnostics. */
  readonly trace: string[] = [];
  #failAt: number | undefined;
  #timing: FaultTiming = 'before';
  #fired: string | undefined;

  arm(failAt: number, timing: FaultTiming): void {
    this.#failAt = failAt;
    this.#timing = timing;
    this.#fired = undefined;
  }

  disarm(): void {
    this.#failAt = undefined;
  }

  /** The `port.method` the fault fired in, if it did. */
  get fired(): string | undefined {
    return this.#fired;
  }

  reset(): void {
    this.calls = 0;
    this.trace.length = 0;
    this.#failAt = undefined;
    this.#fired = undefined;
  }

  /** A proxy of `target` whose methods count calls and may fail. */
  wrap<T extends object>(port: string, target: T): T {
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const method = value as (...args: unknown[]) => unknown;
        return async (...args: unknown[]): Promise<unknown> => {
          const n = ++this.calls;
          const name = `${port}.${prop}`;
          this.trace.push(name);
          const fail = n === this.#failAt;
          if (fail && this.#timing === 'before') {
            this.#failAt = undefined;
            this.#fired = name;
            throw new InjectedFault(`injected fault before call ${n} (${name})`);
          }
          const result = await method.apply(t, args);
          if (fail) {
            this.#failAt = undefined;
            this.#fired = name;
            throw new InjectedFault(`injected fault after call ${n} (${name})`);
          }
          return result;
        };
      },
    });
  }
}

export interface Ports {
  readonly statements: StatementStore;
  readonly log: LogStore;
  readonly registry: RegistryStore;
  readonly evidence: EvidenceStore;
}

/** The four stores, each wrapped by `injector`. */
export function faultyStores(stores: Ports, injector: FaultInjector): Ports {
  return {
    statements: injector.wrap('statements', stores.statements),
    log: injector.wrap('log', stores.log),
    registry: injector.wrap('registry', stores.registry),
    evidence: injector.wrap('evidence', stores.evidence),
  };
}
