/**
 * Integration: turns accepted statements into leaves, extends the Merkle tree and signs a
 * checkpoint, one batch per run. Safe to run concurrently in several processes and to crash at
 * any point, because of the order of its writes:
 *
 *   writeLeaves  — the decision. Each index is a conditional write; whoever stages index k first
 *                  owns it and a loser gets LogConflictError and stops. Staged leaves are final.
 *   then, concurrently, as each is a function of the staged leaves alone and idempotent:
 *   registry     — folded in from the staged leaves (conditional on the snapshot's asOf).
 *   writeNodes   — perfect-subtree hashes, a pure function of the leaves.
 *   putCheckpoint— signed over a body derived from the leaves alone; Ed25519 is deterministic, so
 *                  a re-run signs the identical note and the log never signs two for one size.
 *   markIntegrated — per statement (it also links each), idempotent.
 *   and last:
 *   commitHead   — moves the head conditionally from the size the batch started at.
 *
 * A run first looks for leaves staged at or beyond the head (a crashed or slower run) and
 * finishes those instead of staging new ones, so every accepted statement gets exactly one leaf.
 */
import {
  CompactRange,
  GENESIS_PREV,
  formatCheckpoint,
  formatUtcMillis,
  fromBase64,
  leafHash,
  leafHashHex,
  parseNote,
  parsePromise,
  parseUtcTimestamp,
  utf8Decode,
} from '@cbm-ledger/protocol';
import type { Leaf, Statement } from '@cbm-ledger/protocol';
import type { LedgerConfig } from './config.js';
import { LogConflictError } from './ports.js';
import type {
  AdmittedStatement,
  CheckpointSigner,
  Clock,
  LogHead,
  LogStore,
  RegistrySnapshot,
  RegistryStore,
  StatementStore,
} from './ports.js';
import { REGISTRY_TYPES, Registry } from './registry.js';

export interface IntegratorDeps {
  readonly statements: StatementStore;
  readonly log: LogStore;
  readonly registry: RegistryStore;
  readonly signer: CheckpointSigner;
  readonly clock: Clock;
  readonly config: LedgerConfig;
  /** Called after this run committed a batch (the local runtime wakes waiting submits). */
  readonly onIntegrated?: (statementIds: readonly string[], treeSize: number) => void;
  /**
   * Called with the registry snapshot covering the batch, as soon as it is stored (before the
   * head moves): the local runtime hands it to admission's RegistryCache, so a revocation binds
   * admission from the moment it is integrated.
   */
  readonly onRegistry?: (snapshot: RegistrySnapshot) => void;
  /**
   * Called when a staged leaf's statement is missing from the store or is not the statement the
   * leaf commits to (an item deleted or replaced behind the ledger's back). The leaf is final,
   * so the run carries on without that statement (it is not marked integrated) and the log
   * keeps growing; the deployment alarms on these. Without this hook the incident is thrown
   * instead (IntegrationIncidentError), which stops integration until the item is restored.
   * A registry entry's statement cannot be done without (the registry would be folded wrong):
   * it is reported and then thrown, whatever the hook.
   */
  readonly onIncident?: (incident: IntegrationIncident) => void;
}

/** A leaf whose statement the store no longer holds as committed. */
export interface IntegrationIncident {
  readonly code: 'STATEMENT_MISSING' | 'STATEMENT_ALTERED';
  /** The leaf's index. */
  readonly index: number;
  /** The statement id the leaf commits to. */
  readonly statement: string;
  readonly issuer: string;
  readonly seq: number;
  readonly detail: string;
}

export class IntegrationIncidentError extends Error {
  override readonly name = 'IntegrationIncidentError';
  readonly code: IntegrationIncident['code'];
  constructor(readonly incident: IntegrationIncident) {
    super(`entry ${incident.index}: ${incident.detail}`);
    this.code = incident.code;
  }
}

export interface IntegrationResult {
  /** Statements this run committed (0 when there was nothing to do or another run won). */
  readonly integrated: number;
  /** The log's size as this run left it. */
  readonly treeSize: number;
}

interface Entry {
  readonly leaf: Leaf;
  /** Undefined when the store lost or altered the statement (an incident was reported). */
  readonly statement: AdmittedStatement | undefined;
}

/** Why `statement` (read for `leaf`) is not the statement the leaf commits to, if it is not. */
function incidentOf(
  leaf: Leaf,
  statement: AdmittedStatement | undefined,
): IntegrationIncident | undefined {
  const where = {
    index: leaf.index,
    statement: leaf.statement,
    issuer: leaf.issuer,
    seq: leaf.seq,
  };
  if (statement === undefined) {
    return {
      code: 'STATEMENT_MISSING',
      ...where,
      detail: `the statement of ${leaf.issuer} seq ${leaf.seq} is not stored`,
    };
  }
  if (statement.id !== leaf.statement || statement.envelopeDigest !== leaf.envelope) {
    return {
      code: 'STATEMENT_ALTERED',
      ...where,
      detail: `the stored statement of ${leaf.issuer} seq ${leaf.seq} is ${statement.id} with envelope ${statement.envelopeDigest}, not the one the leaf commits to`,
    };
  }
  return undefined;
}

const slot = (issuer: string, seq: number): string => `${issuer}\n${seq}`;

export class Integrator {
  readonly #d: IntegratorDeps;

  constructor(deps: IntegratorDeps) {
    if (deps.signer.origin !== deps.config.origin) {
      throw new Error(`signer origin ${deps.signer.origin} is not ${deps.config.origin}`);
    }
    this.#d = deps;
  }

  /** Integrates one batch: staged leaves left by an earlier run first, else pending statements. */
  async runOnce(): Promise<IntegrationResult> {
    const head = await this.#d.log.readHead();
    const size = head?.size ?? 0;
    const staged = await this.#d.log.readLeaves(size, this.#d.config.integrationBatchSize);
    const entries = staged.length > 0 ? await this.#adopt(staged) : await this.#stage(size);
    if (entries.length === 0) return { integrated: 0, treeSize: size };
    return this.#complete(head, entries);
  }

  /**
   * Runs until nothing is pending or staged, or `maxRuns` runs. For tests and the local
   * runtime's shutdown; returns the number of statements integrated.
   */
  async runUntilIdle(maxRuns = 1000): Promise<number> {
    let total = 0;
    for (let run = 0; run < maxRuns; run++) {
      const { integrated, treeSize } = await this.runOnce();
      total += integrated;
      if (integrated > 0) continue;
      const [pending, staged] = await Promise.all([
        this.#d.statements.pending(1),
        this.#d.log.readLeaves(treeSize, 1),
      ]);
      if (pending.length === 0 && staged.length === 0) return total;
    }
    throw new Error(`integration not idle after ${maxRuns} runs`);
  }

  /**
   * Leaves another run staged: pair each with its statement and finish the batch. A statement
   * the store lost or altered is an incident (IntegratorDeps.onIncident), not a reason to stop.
   */
  async #adopt(staged: readonly Leaf[]): Promise<Entry[]> {
    const entries = await Promise.all(
      staged.map(async (leaf) => {
        const statement = await this.#d.statements.getBySeq(leaf.issuer, leaf.seq);
        const incident = incidentOf(leaf, statement);
        if (incident === undefined) return { leaf, statement };
        this.#report(incident, REGISTRY_TYPES.has(leaf.type));
        return { leaf, statement: undefined };
      }),
    );
    return entries;
  }

  /** Reports an incident; throws it when there is no hook or when it cannot be carried past. */
  #report(incident: IntegrationIncident, fatal: boolean): void {
    this.#d.onIncident?.(incident);
    if (fatal || this.#d.onIncident === undefined) throw new IntegrationIncidentError(incident);
  }

  /**
   * Picks pending statements oldest first, skipping any that already have a leaf (the pending
   * list may lag behind markIntegrated) and any whose issuer predecessor is neither integrated
   * nor earlier in this batch, so each issuer's chain enters the log in seq order. Then stages
   * their leaves. Returns [] when nothing is to be done or another run took the indices.
   */
  async #stage(size: number): Promise<Entry[]> {
    const pending = await this.#d.statements.pending(this.#d.config.integrationBatchSize);
    if (pending.length === 0) return [];
    // Each slot is read once: a predecessor pending in this same batch is known from its own
    // read, so only an issuer's first statement in the batch costs a second read.
    const reads = new Map<string, Promise<AdmittedStatement | undefined>>();
    const read = (issuer: string, seq: number): Promise<AdmittedStatement | undefined> => {
      const key = slot(issuer, seq);
      let result = reads.get(key);
      if (result === undefined) reads.set(key, (result = this.#d.statements.getBySeq(issuer, seq)));
      return result;
    };
    const fresh = await Promise.all(
      pending.map(async (p) => {
        const [current, predecessor] = await Promise.all([
          read(p.issuer, p.seq),
          p.seq > 1 ? read(p.issuer, p.seq - 1) : undefined,
        ]);
        return { p, current, predecessor };
      }),
    );
    const chosen: AdmittedStatement[] = [];
    const chosenSlots = new Set<string>();
    for (const { p, current, predecessor } of fresh) {
      if (current === undefined || current.id !== p.id || current.index !== undefined) continue;
      if (chosenSlots.has(slot(p.issuer, p.seq))) continue;
      if (
        p.seq > 1 &&
        predecessor?.index === undefined &&
        !chosenSlots.has(slot(p.issuer, p.seq - 1))
      ) {
        continue;
      }
      chosen.push(current);
      chosenSlots.add(slot(p.issuer, p.seq));
    }
    if (chosen.length === 0) return [];

    let prev = GENESIS_PREV;
    let notBefore = 0;
    if (size > 0) {
      const [last] = await this.#d.log.readLeaves(size - 1, 1);
      if (last === undefined) throw new Error(`leaf ${size - 1} below the head is missing`);
      prev = leafHashHex(last);
      notBefore = parseUtcTimestamp(last.integratedAt) ?? 0;
    }
    // integratedAt never runs backwards along the log, even if the clock does, and never precedes
    // an acceptance in the batch (admission may run on a machine whose clock is ahead): v1
    // deadlines are judged against it (DESIGN.md §7), and a v2 leaf must satisfy
    // acceptedAt ≤ integratedAt (docs/promises.md).
    const integratedAt = formatUtcMillis(
      Math.max(this.#d.clock.now(), notBefore, ...chosen.map((s) => s.admittedAt)),
    );
    const entries: Entry[] = chosen.map((statement, i) => {
      const fields = {
        index: size + i,
        prev,
        integratedAt,
        statement: statement.id,
        envelope: statement.envelopeDigest,
        type: statement.type,
        issuer: statement.issuer,
        seq: statement.seq,
        visibility: statement.visibility,
        evidence: statement.evidence.map((hex) => `sha256:${hex}`),
      };
      // A statement admitted with a promise gets a v2 leaf committing to the promised times;
      // one accepted before promises existed keeps the v1 form (there is nothing to commit to).
      const promised = promisedTimes(statement);
      const leaf: Leaf =
        promised === undefined ? { v: 1, ...fields } : { v: 2, ...fields, ...promised };
      prev = leafHashHex(leaf);
      return { leaf, statement };
    });
    try {
      await this.#d.log.writeLeaves(
        size,
        entries.map((e) => e.leaf),
      );
    } catch (e) {
      // Another integrator staged these indices first; the next run adopts its leaves.
      if (e instanceof LogConflictError) return [];
      throw e;
    }
    return entries;
  }

  async #complete(
    head: LogHead | undefined,
    entries: readonly Entry[],
  ): Promise<IntegrationResult> {
    const size = head?.size ?? 0;
    const newSize = size + entries.length;

    const range =
      head === undefined ? CompactRange.empty() : CompactRange.fromNodes(size, head.frontier);
    const nodes = entries.flatMap((e) => range.append(leafHash(e.leaf)));
    const rootHash = range.root();
    const body = formatCheckpoint({
      origin: this.#d.signer.origin,
      size: newSize,
      rootHash,
      extensions: [],
    });
    const checkpoint = this.#d.signer.sign(body);

    // None of these depends on another (module comment): in parallel, the batch's critical path
    // is the slowest of them rather than their sum. markIntegrated also links each statement
    // (the port's contract), in case admission stopped after accept.
    await Promise.all([
      this.#advanceRegistry(size, entries),
      this.#d.log.writeNodes(nodes),
      this.#d.log.putCheckpoint(newSize, checkpoint),
      this.#d.statements.markIntegrated(
        entries.flatMap((e) =>
          e.statement === undefined ? [] : [{ statement: e.statement, index: e.leaf.index }],
        ),
      ),
    ]);

    const committed = await this.#d.log.commitHead(head?.size, {
      size: newSize,
      rootHash,
      frontier: range.frontier().map((n) => n.hash),
      checkpoint,
    });
    if (!committed) return { integrated: 0, treeSize: size };
    this.#d.onIntegrated?.(
      entries.map((e) => e.leaf.statement),
      newSize,
    );
    return { integrated: entries.length, treeSize: newSize };
  }

  /**
   * Brings the registry snapshot up to `size + entries.length`. A snapshot that lags behind the
   * batch (its write failed in an earlier run) is caught up from the log first. The write is
   * conditional on the snapshot read, so a concurrent run cannot be overwritten with less.
   */
  async #advanceRegistry(size: number, entries: readonly Entry[]): Promise<void> {
    const target = size + entries.length;
    for (;;) {
      const snapshot = await this.#d.registry.read();
      if (snapshot !== undefined && snapshot.asOf >= target) {
        this.#d.onRegistry?.(snapshot);
        return;
      }
      const registry = Registry.fromSnapshot(snapshot);
      if (registry.asOf < size) await this.#replay(registry, size);
      for (const e of entries) registry.apply(e.leaf, registryStatement(e.leaf, e.statement));
      const next = registry.toSnapshot();
      if (await this.#d.registry.write(next, snapshot?.asOf)) {
        this.#d.onRegistry?.(next);
        return;
      }
    }
  }

  /** Folds the committed leaves [registry.asOf, end) into `registry`, page by page. */
  async #replay(registry: Registry, end: number): Promise<void> {
    while (registry.asOf < end) {
      const count = Math.min(this.#d.config.pageLimit, end - registry.asOf);
      const leaves = await this.#d.log.readLeaves(registry.asOf, count);
      if (leaves.length !== count) throw new Error(`leaves below ${end} are missing`);
      for (const leaf of leaves) {
        let statement: AdmittedStatement | undefined;
        if (REGISTRY_TYPES.has(leaf.type)) {
          statement = await this.#d.statements.getBySeq(leaf.issuer, leaf.seq);
          const incident = incidentOf(leaf, statement);
          if (incident !== undefined) this.#report(incident, true);
        }
        registry.apply(leaf, statement && registryStatement(leaf, statement));
      }
    }
  }
}

/**
 * acceptedAt and integrateBy as the statement's stored promise states them. The promise is the
 * ledger's own, written by the accept; one that does not match its statement is a corrupt store,
 * and integrating past it would commit the log to times it never promised.
 */
function promisedTimes(
  statement: AdmittedStatement,
): { acceptedAt: string; integrateBy: string } | undefined {
  if (statement.promise === undefined) return undefined;
  const promise = parsePromise(parseNote(statement.promise).text);
  if (
    promise.statement !== statement.id ||
    promise.acceptedAt !== formatUtcMillis(statement.admittedAt)
  ) {
    throw new Error(`the stored promise of ${statement.id} does not match the statement`);
  }
  return { acceptedAt: promise.acceptedAt, integrateBy: promise.integrateBy };
}

/**
 * The statement behind a registry leaf. Its payload passed admission, so it is read as plain
 * JSON: re-validating with a later, stricter schema must never stop the registry.
 */
function registryStatement(
  leaf: Leaf,
  statement: AdmittedStatement | undefined,
): Statement | undefined {
  if (!REGISTRY_TYPES.has(leaf.type) || statement === undefined) return undefined;
  return JSON.parse(utf8Decode(fromBase64(statement.envelope.payload))) as Statement;
}
