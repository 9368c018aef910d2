/**
 * The audit (DESIGN.md §4, §6, §9): reads the log from the start (or from where the state file
 * left off) and checks, without trusting the operator:
 *
 * - every leaf's format and hash, and the ledger-wide chain (each leaf's `prev` is the hash of the
 *   one before); integration times never run backwards;
 * - every readable envelope: its statement id and envelope digest equal the leaf's, the statement
 *   agrees with the leaf (type, issuer, seq, visibility, evidence) and names this ledger, and it
 *   was not integrated before it was issued (beyond the admission window);
 * - every issuer's own chain (`seq` contiguous from 1 in every leaf, `prev` in every statement);
 * - every signature, against the registry of parties and keys as it stood at that index (rebuilt
 *   by replaying the genesis and the party.register / key.rotate / key.revoke entries): a key of a
 *   registered, allowed issuer, valid at that point, with every required co-signer present;
 * - the Merkle root recomputed from the leaves against the checkpoint signed by the log key;
 * - consistency with the checkpoint recorded by the previous audit (RFC 6962 proof).
 *
 * Signatures are checked by a worker pool while the main thread walks the log. The first failing
 * index is reported; when the leaves and the signed tree disagree, consistency proofs against the
 * checkpoint locate the first entry that is not the one the log signed.
 */
import {
  GENESIS_PREV,
  NoteKeyType,
  encodeVkey,
  envelopeDigest,
  fromBase64,
  leafHash,
  openCheckpoint,
  parseEnvelope,
  parseLeaf,
  parseUtcTimestamp,
  statementId,
  toBase64,
} from '@cbm-ledger/protocol';
import type {
  Checkpoint,
  GenesisBody,
  KeyRevokeBody,
  Leaf,
  NoteVerifierKey,
  PartyRecoverBody,
  Statement,
  WitnessSetBody,
} from '@cbm-ledger/protocol';
import { evaluateRegistryPolicy } from '@cbm-ledger/compliance';
import type {
  RegistryPolicyCode,
  RegistryPolicyResult,
  RegistryViolation,
} from '@cbm-ledger/compliance';
import { REGISTRY_TYPES, Registry } from '@cbm-ledger/ledger';
import type { EntriesPage, EntryView } from '@cbm-ledger/contract';
import { SignatureBatch } from './batch.js';
import {
  checkEnvelopeFast,
  checkLeafFast,
  decodeBase64Canonical,
  envelopeDigestFast,
  leafHashFast,
  MerkleFrontier,
  statementIdFast,
} from './fast.js';
import type { FastEnvelope } from './fast.js';
import { HashList } from './hash-list.js';
import type { AuditFinding, AuditOptions, AuditReport } from './report.js';
import { SignedTree } from './signed-tree.js';
import { readStatement, sameEvidence } from './statement-read.js';
import type { AuditProgress, AuditState, VerifiedCheckpoint } from './state.js';

/** Policy violations a registry with unreadable entries may explain (an unknown key, say). */
const UNVERIFIABLE_WITH_GAPS: ReadonlySet<RegistryPolicyCode> = new Set<RegistryPolicyCode>([
  'ISSUER_UNKNOWN',
  'KEY_UNKNOWN',
  'COSIGNATURE_MISSING',
  'RECOVERY_QUORUM_MISSING',
  'PARTY_UNKNOWN',
]);

class AuditStop extends Error {}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export type {
  AuditFinding,
  AuditOptions,
  AuditProgressEvent,
  AuditReport,
  AuditSource,
} from './report.js';

const emptyRegistryState = (): Omit<AuditProgress, 'registry'> => ({
  next: 0,
  lastLeafHash: GENESIS_PREV,
  lastIntegratedAt: null,
  frontier: [],
  registryGaps: [],
  stopTimes: {},
  issuers: {},
});

export class LogAuditor {
  readonly #o: AuditOptions;
  readonly #vkey: string;
  readonly #origin: string;
  readonly #skewMs: number;
  readonly #strict: boolean;

  // Scan state.
  #base = 0;
  #baseFrontier: Uint8Array[] = [];
  #next = 0;
  #range = new MerkleFrontier();
  #prevLeaf: Leaf | undefined;
  #prevHashHex = GENESIS_PREV;
  #lastIntegratedAt: string | null = null;
  #registry: Registry = Registry.empty();
  #registryGaps: number[] = [];
  #stopTimes = new Map<number, string>();
  #issuers = new Map<string, [number, string]>();
  #keys = new Map<string, Buffer>();
  /** keyid → [index, integratedAt ms, …] of the entries it signed in this run. */
  readonly #keyUse = new Map<string, number[]>();
  readonly #hashes = new HashList();
  /** The entry being checked and its leaf hash, so a failure can be held against the tree. */
  #current: { index: number; hash: Uint8Array } | undefined;

  // Results.
  #failures: AuditFinding[] = [];
  readonly #warnings: AuditFinding[] = [];
  #envelopes = 0;
  #leafOnly = 0;
  #signatures = 0;

  // Signature batches in flight.
  #batch = new SignatureBatch();
  readonly #inflight: Promise<void>[] = [];

  constructor(options: AuditOptions) {
    this.#o = options;
    const k = options.logKey;
    this.#vkey = encodeVkey(k.name, k.type, k.publicKey);
    this.#origin = k.name;
    this.#skewMs = options.skewMs ?? 600_000;
    this.#strict = options.strictSchema ?? false;
  }

  async run(): Promise<AuditReport> {
    const started = performance.now();
    const o = this.#o;
    const previous = o.state;
    if (previous !== undefined && previous.logVkey !== this.#vkey) {
      throw new Error(
        `the state file was written for log key ${previous.logVkey}, not ${this.#vkey}`,
      );
    }
    const note = await o.source.checkpoint();
    let checkpoint: Checkpoint;
    try {
      checkpoint = openCheckpoint(note, o.logKey).checkpoint;
    } catch (e) {
      return this.#report(started, note, undefined, {
        check: 'CHECKPOINT_INVALID',
        message: `the ledger's checkpoint does not verify with the log key: ${message(e)}`,
      });
    }
    const size = checkpoint.size;
    const trusted = previous?.verified?.checkpoint;
    if (trusted !== undefined && trusted.size > size) {
      return this.#report(started, note, checkpoint, {
        check: 'LOG_SHRANK',
        message: `the ledger serves a checkpoint of size ${size}, smaller than the size ${trusted.size} verified before: the log was rolled back or rewritten`,
      });
    }
    // Consistency first: if the log's history was rewritten since the last audit, nothing else
    // it serves matters, and one proof says so.
    let consistency: AuditReport['consistency'];
    if (trusted !== undefined && trusted.size > 0) {
      const failure = await this.#tree().checkConsistency(trusted, size, checkpoint.rootHash);
      if (failure !== undefined) return this.#report(started, note, checkpoint, failure);
      consistency = { from: trusted.size, to: size, fromRoot: trusted.rootHash };
    }
    const progress = previous?.partial ?? previous?.verified?.progress;
    if (progress !== undefined && progress.next > size) {
      return this.#report(started, note, checkpoint, {
        check: 'LOG_SHRANK',
        message: `the state file records ${progress.next} audited entries but the checkpoint has ${size}`,
      });
    }
    this.#restore(progress);

    try {
      await this.#scan(size);
      await this.#drain();
    } catch (e) {
      if (!(e instanceof AuditStop)) throw e;
      await this.#drain().catch(() => undefined);
    }
    if (this.#failures.length > 0) {
      await this.#localise(size, checkpoint.rootHash);
      return this.#report(started, note, checkpoint);
    }

    const root = this.#range.root();
    if (Buffer.compare(Buffer.from(root), Buffer.from(checkpoint.rootHash)) !== 0) {
      const bad = await this.#tree().locate(this.#next, size, checkpoint.rootHash);
      this.#failures.push(bad);
      return this.#report(started, note, checkpoint);
    }

    const verified: VerifiedCheckpoint = {
      size,
      rootHash: toBase64(checkpoint.rootHash),
      note,
      verifiedAt: new Date().toISOString(),
    };
    const state: AuditState = {
      version: 1,
      origin: this.#origin,
      logVkey: this.#vkey,
      verified: { checkpoint: verified, progress: this.#progress() },
    };
    return this.#report(started, note, checkpoint, undefined, state, consistency);
  }

  // ---- state --------------------------------------------------------------------------------

  #restore(progress: AuditProgress | undefined): void {
    if (progress === undefined) return;
    this.#base = progress.next;
    this.#next = progress.next;
    this.#baseFrontier = progress.frontier.map((h) => fromBase64(h, 32));
    this.#range = new MerkleFrontier(progress.next, this.#baseFrontier);
    this.#prevHashHex = progress.lastLeafHash;
    this.#lastIntegratedAt = progress.lastIntegratedAt;
    this.#registry = Registry.fromSnapshot(progress.registry);
    this.#registryGaps = [...progress.registryGaps];
    this.#stopTimes = new Map(Object.entries(progress.stopTimes).map(([k, v]) => [Number(k), v]));
    this.#issuers = new Map(Object.entries(progress.issuers));
  }

  #progress(): AuditProgress {
    return {
      ...emptyRegistryState(),
      next: this.#next,
      lastLeafHash: this.#prevHashHex,
      lastIntegratedAt: this.#lastIntegratedAt,
      frontier: this.#range.frontier().map((h) => Buffer.from(h).toString('base64')),
      registry: this.#registry.toSnapshot(),
      registryGaps: [...this.#registryGaps],
      stopTimes: Object.fromEntries([...this.#stopTimes].map(([k, v]) => [String(k), v])),
      issuers: Object.fromEntries(this.#issuers),
    };
  }

  // ---- the scan -----------------------------------------------------------------------------

  async #scan(size: number): Promise<void> {
    const o = this.#o;
    const pageSize = o.pageSize ?? 1000;
    const saveEvery = o.saveEvery ?? 20_000;
    let lastSave = this.#next;
    const fetchPage = (start: number): Promise<EntriesPage> => {
      const p = o.source.entries(start, Math.min(pageSize, size - start));
      p.catch(() => undefined); // a prefetch abandoned by a failure must not go unhandled
      return p;
    };
    let pending: Promise<EntriesPage> | undefined =
      this.#next < size ? fetchPage(this.#next) : undefined;
    while (pending !== undefined) {
      const page = await pending.catch((e: unknown) => this.#storeIntegrity(e));
      const count = Math.min(page.entries.length, size - this.#next);
      if (count === 0) {
        this.#fail(
          this.#next,
          'ENTRIES_MISSING',
          `the ledger serves no entry ${this.#next} although its checkpoint has ${size}`,
        );
      }
      const after = this.#next + count;
      pending = after < size ? fetchPage(after) : undefined;
      for (let i = 0; i < count; i++) this.#entry(page.entries[i]!, this.#next);
      // Bound the memory held by batches waiting for a worker.
      while (this.#inflight.length > 2 * o.pool.size + 2) await this.#inflight.shift();
      o.onProgress?.({ done: this.#next - this.#base, total: size - this.#base });
      if (o.onSave !== undefined && this.#next - lastSave >= saveEvery && this.#next < size) {
        await this.#drain();
        if (this.#failures.length > 0) throw new AuditStop();
        lastSave = this.#next;
        await o.onSave({
          version: 1,
          origin: this.#origin,
          logVkey: this.#vkey,
          ...(o.state?.verified === undefined ? {} : { verified: o.state.verified }),
          partial: this.#progress(),
        });
      }
    }
  }

  /**
   * A page the ledger could not serve because a stored entry fails its integrity check (problem
   * STORE_INTEGRITY, naming `index`): a finding at that index, not a crash of the audit.
   */
  #storeIntegrity(e: unknown): never {
    const problem = (e as { code?: unknown; problem?: { index?: unknown; detail?: unknown } })
      .problem;
    const index = problem?.index;
    if ((e as { code?: unknown }).code !== 'STORE_INTEGRITY' || typeof index !== 'number') throw e;
    this.#fail(
      index,
      'STORE_INTEGRITY',
      `the ledger cannot serve entry ${index}: ${typeof problem?.detail === 'string' ? problem.detail : 'its stored item fails its integrity check'}`,
    );
  }

  #fail(index: number | undefined, check: string, text: string): never {
    this.#failures.push({ ...(index === undefined ? {} : { index }), check, message: text });
    throw new AuditStop();
  }

  #warn(index: number, check: string, text: string): void {
    if (this.#warnings.length < 1000) this.#warnings.push({ index, check, message: text });
  }

  /** Checks one entry; `expected` is its index. Throws AuditStop after recording a failure. */
  #entry(view: EntryView, expected: number): void {
    let leaf: Leaf;
    try {
      leaf = checkLeafFast(view.leaf) ?? parseLeaf(view.leaf);
    } catch (e) {
      this.#fail(
        expected,
        'LEAF_MALFORMED',
        `entry ${expected}: the leaf is malformed: ${message(e)}`,
      );
    }
    if (leaf.index !== expected || view.index !== expected) {
      this.#fail(
        expected,
        'INDEX_MISMATCH',
        `the ledger served entry ${view.index} with leaf index ${leaf.index} where ${expected} belongs`,
      );
    }
    let hash: Uint8Array = leafHashFast(leaf);
    this.#current = { index: expected, hash };
    if (view.leafHash !== (hash as Buffer).toString('base64')) {
      hash = leafHash(leaf); // the reference decides (see fast.ts)
      this.#current = { index: expected, hash };
      if (view.leafHash !== toBase64(hash)) {
        this.#fail(
          expected,
          'LEAF_HASH_MISMATCH',
          `entry ${expected}: the leaf hash the ledger states is not the hash of the leaf`,
        );
      }
    }
    if (leaf.prev !== this.#prevHashHex) {
      const reference =
        this.#prevLeaf === undefined
          ? this.#prevHashHex
          : Buffer.from(leafHash(this.#prevLeaf)).toString('hex');
      if (leaf.prev !== reference) {
        this.#fail(
          expected,
          'CHAIN_BROKEN',
          expected === 0
            ? 'entry 0 does not start the chain (prev must be 64 zeros)'
            : `entry ${expected}: prev is not the hash of entry ${expected - 1}`,
        );
      }
    }
    if (this.#lastIntegratedAt !== null && leaf.integratedAt < this.#lastIntegratedAt) {
      this.#fail(
        expected,
        'INTEGRATED_AT_BACKWARDS',
        `entry ${expected} was integrated at ${leaf.integratedAt}, before entry ${expected - 1} (${this.#lastIntegratedAt})`,
      );
    }
    const head = this.#issuers.get(leaf.issuer);
    const expectedSeq = (head?.[0] ?? 0) + 1;
    if (leaf.seq !== expectedSeq) {
      this.#fail(
        expected,
        'ISSUER_CHAIN_BROKEN',
        `entry ${expected}: ${leaf.issuer}'s seq ${leaf.seq} does not follow its seq ${expectedSeq - 1}`,
      );
    }

    if (view.envelope === undefined) {
      this.#leafOnly++;
      this.#registryWithout(leaf);
    } else {
      this.#envelope(leaf, view.envelope, head?.[1] ?? null);
    }

    this.#range.append(hash);
    this.#hashes.push(hash);
    this.#issuers.set(leaf.issuer, [leaf.seq, leaf.statement]);
    this.#prevLeaf = leaf;
    this.#prevHashHex = Buffer.from(hash.buffer, hash.byteOffset, 32).toString('hex');
    this.#lastIntegratedAt = leaf.integratedAt;
    this.#next = expected + 1;
  }

  /** An entry this auditor cannot read: the registry skips it, noting a gap if it mattered. */
  #registryWithout(leaf: Leaf): void {
    if (REGISTRY_TYPES.has(leaf.type)) {
      this.#registryGaps.push(leaf.index);
      this.#warn(
        leaf.index,
        'REGISTRY_UNREADABLE',
        `entry ${leaf.index} (${leaf.type}) is not readable: keys it introduced or retired are unknown to this audit`,
      );
      const snapshot = this.#registry.toSnapshot();
      this.#registry = Registry.fromSnapshot({ ...snapshot, asOf: leaf.index + 1 });
    } else {
      this.#registry.apply(leaf);
    }
  }

  #envelope(leaf: Leaf, value: unknown, issuerPrev: string | null): void {
    const index = leaf.index;
    let env: FastEnvelope | undefined = checkEnvelopeFast(value);
    if (env === undefined) {
      try {
        const parsed = parseEnvelope(value);
        env = {
          envelope: parsed.envelope,
          payload: Buffer.from(parsed.payload),
          signatures: parsed.envelope.signatures.map((s) => Buffer.from(fromBase64(s.sig, 64))),
        };
      } catch (e) {
        this.#fail(
          index,
          'ENVELOPE_MALFORMED',
          `entry ${index}: the envelope is malformed: ${message(e)}`,
        );
      }
    }
    if (
      statementIdFast(env.payload) !== leaf.statement &&
      statementId(env.payload) !== leaf.statement
    ) {
      this.#fail(
        index,
        'STATEMENT_ID_MISMATCH',
        `entry ${index}: the envelope's payload hashes to ${statementId(env.payload)}, the leaf records ${leaf.statement}`,
      );
    }
    if (
      envelopeDigestFast(env.envelope) !== leaf.envelope &&
      envelopeDigest(env.envelope) !== leaf.envelope
    ) {
      this.#fail(
        index,
        'ENVELOPE_DIGEST_MISMATCH',
        `entry ${index}: the envelope's digest is not the one the leaf records (its signatures were changed)`,
      );
    }
    let statement: Statement;
    try {
      statement = readStatement(env.payload, leaf.type, this.#strict);
    } catch (e) {
      this.#fail(
        index,
        'STATEMENT_INVALID',
        `entry ${index}: the statement is invalid: ${message(e)}`,
      );
    }
    if (
      statement.type !== leaf.type ||
      statement.issuer !== leaf.issuer ||
      statement.seq !== leaf.seq ||
      statement.visibility !== leaf.visibility ||
      !sameEvidence(leaf, statement)
    ) {
      this.#fail(
        index,
        'STATEMENT_LEAF_MISMATCH',
        `entry ${index}: the leaf's type, issuer, seq, visibility or evidence differ from its statement's`,
      );
    }
    if (statement.ledger !== this.#origin) {
      this.#fail(
        index,
        'WRONG_LEDGER',
        `entry ${index}: the statement is for ledger ${statement.ledger}`,
      );
    }
    if (statement.prev !== issuerPrev) {
      this.#fail(
        index,
        'ISSUER_CHAIN_BROKEN',
        `entry ${index}: ${statement.issuer}'s statement names prev ${String(statement.prev)}, its previous statement is ${String(issuerPrev)}`,
      );
    }
    const issued = parseUtcTimestamp(statement.issuedAt) ?? NaN;
    // parseLeaf accepted exactly the ISO form Date.parse reads.
    const integrated = Date.parse(leaf.integratedAt);
    if (!(issued <= integrated + this.#skewMs)) {
      this.#fail(
        index,
        'INTEGRATED_BEFORE_ISSUED',
        `entry ${index}: integrated at ${leaf.integratedAt}, before its statement was issued (${statement.issuedAt}): the entry is backdated`,
      );
    }
    this.#signers(leaf, statement, env, issued);
    this.#envelopes++;
    try {
      this.#registry.apply(leaf, statement);
    } catch (e) {
      this.#fail(index, 'REGISTRY', `entry ${index}: ${message(e)}`);
    }
    if (statement.type === 'key.rotate' || statement.type === 'key.revoke') {
      this.#stopTimes.set(index, leaf.integratedAt);
    }
    if (statement.type === 'party.recover') {
      // The keys a recovery supersedes stop at its effectiveAt, not at its integration.
      this.#stopTimes.set(index, (statement.body as PartyRecoverBody).effectiveAt);
    }
  }

  #publicKey(keyid: string, base64: string): Buffer {
    let key = this.#keys.get(keyid);
    if (key === undefined) {
      key = decodeBase64Canonical(base64) ?? Buffer.from(fromBase64(base64, 32));
      this.#keys.set(keyid, key);
    }
    return key;
  }

  #check(
    leaf: Leaf,
    keyid: string,
    party: string,
    publicKey: Uint8Array,
    signature: Buffer,
    payload: Buffer,
  ): void {
    this.#batch.add({ index: leaf.index, keyid, party }, publicKey, signature, payload);
    this.#signatures++;
    if (this.#batch.count >= (this.#o.batchSize ?? 1000)) this.#flush();
  }

  /**
   * Who signed, against the registry as the entries before this one built it; the signatures
   * themselves go to the worker pool.
   */
  #signers(leaf: Leaf, statement: Statement, env: FastEnvelope, issued: number): void {
    const index = leaf.index;
    const sigs = env.envelope.signatures;
    if (statement.type === 'ledger.genesis' || index === 0) {
      if (statement.type !== 'ledger.genesis' || index !== 0) {
        this.#fail(
          index,
          'GENESIS_INVALID',
          index === 0
            ? 'entry 0 is not the ledger.genesis'
            : `entry ${index} is a second ledger.genesis`,
        );
      }
      const body = statement.body as GenesisBody;
      if (body.origin !== this.#origin || body.logVkey !== this.#vkey) {
        this.#fail(
          0,
          'GENESIS_INVALID',
          `the genesis names origin ${body.origin} and log key ${body.logVkey}, not the trusted ${this.#vkey}`,
        );
      }
      const keys = new Map(body.keys.map((k) => [k.keyid, k.publicKey]));
      sigs.forEach((s, i) => {
        const publicKey = keys.get(s.keyid);
        if (publicKey === undefined) {
          this.#fail(
            0,
            'KEY_UNKNOWN',
            `the genesis is signed by ${s.keyid}, not an operator key it lists`,
          );
        }
        this.#check(
          leaf,
          s.keyid,
          body.operator.id,
          this.#publicKey(s.keyid, publicKey),
          env.signatures[i]!,
          env.payload,
        );
      });
      return;
    }
    const gaps = this.#registryGaps.length > 0;
    const integrated = Date.parse(leaf.integratedAt);
    // The one signer/registry policy, as admission applies it, judged against the registry the
    // entries before this one built and at the entry's integration time (admission came no
    // later). Every violation is reported; the scan goes on, so one audit lists them all.
    const result = evaluateRegistryPolicy(this.#registry, statement, sigs, { at: integrated });
    for (const violation of result.violations)
      this.#judge(leaf, statement, issued, gaps, result, violation);
    result.uses.forEach((use, i) => {
      if (use === undefined) return;
      this.#check(
        leaf,
        use.keyid,
        use.party,
        this.#publicKey(use.keyid, use.publicKey),
        env.signatures[i]!,
        env.payload,
      );
      if (use.role === 'registered') this.#signedBy(use.keyid, index, integrated);
    });
    this.#registryWarnings(leaf, statement, result);
  }

  /**
   * One policy violation of entry `leaf`: a failure, except where the log cannot show it was
   * one: an entry admitted against a registry that had not yet integrated an earlier entry's
   * change (a race within the admission window), or a registry this auditor cannot fully read.
   */
  #judge(
    leaf: Leaf,
    statement: Statement,
    issued: number,
    gaps: boolean,
    result: RegistryPolicyResult,
    v: RegistryViolation,
  ): void {
    const index = leaf.index;
    const text = `entry ${index}: ${v.detail}`;
    if (gaps && UNVERIFIABLE_WITH_GAPS.has(v.code)) {
      this.#warn(index, 'UNVERIFIABLE', `${text} (the registry has unreadable entries)`);
      return;
    }
    if (v.kind === 'signature' && (v.code === 'KEY_REVOKED' || v.code === 'KEY_RETIRED')) {
      const stopAt =
        v.stoppedAtIndex === undefined ? undefined : this.#stopTimes.get(v.stoppedAtIndex);
      const stopMs = stopAt === undefined ? NaN : (parseUtcTimestamp(stopAt) ?? NaN);
      if (issued <= stopMs + this.#skewMs) {
        this.#warn(
          index,
          'KEY_RETIRED_RACE',
          `${text}, stopped at entry ${String(v.stoppedAtIndex)}, by a statement issued before that took effect`,
        );
        return;
      }
    }
    // A party's own registry statement that conflicts with an earlier one (two rotations of one
    // key, racing admissions): the registry applies it only as far as it still can.
    if (v.kind === 'body' && v.code !== 'PARTY_ALREADY_REGISTERED' && result.signedBySubject) {
      this.#warn(
        index,
        'REGISTRY_CONFLICT',
        `${text} (${statement.type} by the party itself; applied as far as it still can be)`,
      );
      return;
    }
    this.#failures.push({ index, check: v.code, message: text });
  }

  /** Remembers which entries each registered key signed, for backdated revocations. */
  #signedBy(keyid: string, index: number, integrated: number): void {
    let list = this.#keyUse.get(keyid);
    if (list === undefined) this.#keyUse.set(keyid, (list = []));
    if (list[list.length - 2] !== index) list.push(index, integrated);
  }

  /**
   * Warnings about registry changes a reader should look at even though the policy allows them:
   * a change not signed by the party it concerns (an operator's revocation, a recovery, an
   * operator-only registration), a witness identity change, and a revocation backdated over
   * entries already in the log.
   */
  #registryWarnings(leaf: Leaf, statement: Statement, result: RegistryPolicyResult): void {
    const index = leaf.index;
    const subject = result.subject;
    if (subject === undefined) return;
    if (!result.signedBySubject) {
      const what =
        statement.type === 'party.recover'
          ? `a recovery of ${subject} (effective ${(statement.body as PartyRecoverBody).effectiveAt}), not ${subject}'s own act`
          : statement.type === 'party.register'
            ? `${subject}'s registration is signed by ${statement.issuer} alone (its keys did not prove possession)`
            : `${statement.type} of ${subject} is signed by ${statement.issuer}, not by ${subject}`;
      this.#warn(index, 'REGISTRY_CHANGE_NOT_BY_PARTY', `entry ${index}: ${what}`);
    }
    if (statement.type === 'witness.set') {
      const w = (statement.body as WitnessSetBody).witness;
      this.#warn(
        index,
        'WITNESS_CHANGED',
        `entry ${index}: ${subject} changes its witness identity to ${w.name}`,
      );
    }
    if (statement.type === 'key.revoke') {
      const body = statement.body as KeyRevokeBody;
      const effective = parseUtcTimestamp(body.effectiveAt) ?? Infinity;
      const list = this.#keyUse.get(body.keyid) ?? [];
      const covered: number[] = [];
      for (let i = 0; i < list.length; i += 2) {
        if (list[i + 1]! >= effective && list[i]! < index) covered.push(list[i]!);
      }
      if (covered.length > 0) {
        const shown = covered.slice(0, 50).join(', ') + (covered.length > 50 ? ', …' : '');
        this.#warn(
          index,
          'REVOCATION_BACKDATED',
          `entry ${index}: ${subject}'s key ${body.keyid} is revoked (${body.reason}) from ${body.effectiveAt}, before this entry: it now covers ${covered.length} entr${covered.length === 1 ? 'y' : 'ies'} it signed (${shown})`,
        );
      }
    }
  }

  #flush(): void {
    if (this.#batch.count === 0) return;
    const batch = this.#batch;
    this.#batch = new SignatureBatch(Math.max(1 << 16, batch.bytes));
    const done = this.#o.pool.verify(batch).then((results) => {
      for (let i = 0; i < results.length; i++) {
        if (results[i] === 1) continue;
        const c = batch.checks[i]!;
        this.#failures.push({
          index: c.index,
          check: 'SIGNATURE_INVALID',
          message: `entry ${c.index}: the signature by ${c.party}'s key ${c.keyid} does not verify`,
        });
      }
    });
    // Awaited later (drain); marked handled now so a pool failure is not reported twice.
    done.catch(() => undefined);
    this.#inflight.push(done);
  }

  async #drain(): Promise<void> {
    this.#flush();
    const all = this.#inflight.splice(0);
    await Promise.all(all);
  }

  // ---- the tree -----------------------------------------------------------------------------

  #tree(): SignedTree {
    return new SignedTree(this.#o.source, this.#base, this.#baseFrontier, this.#hashes);
  }

  /**
   * Holds the first failing entry against the signed tree. A broken chain at entry j means entry
   * j or j-1 was changed: if the first j entries are a signed prefix, it is j, otherwise the
   * search goes below. Any other failure at entry k: if the first k entries are a signed prefix
   * but k as served is not the signed leaf k, the stored leaf was altered (said, beside the
   * failure itself).
   */
  async #localise(size: number, root: Uint8Array): Promise<void> {
    const first = this.#failures.reduce<AuditFinding | undefined>(
      (min, f) => (f.index !== undefined && (min === undefined || f.index < min.index!) ? f : min),
      undefined,
    );
    if (first?.index === undefined || first.index < this.#base) return;
    const k = first.index;
    if (k > this.#next) return; // a signature failure is never beyond the scan
    if (!(await this.#tree().isSignedPrefix(k, size, root))) {
      this.#failures.push(await this.#tree().locate(k, size, root));
      return;
    }
    const current = this.#current;
    if (k === this.#next && current?.index === k && k < size) {
      this.#hashes.push(current.hash);
      const signed = await this.#tree().isSignedPrefix(k + 1, size, root);
      this.#hashes.length--;
      if (!signed) {
        this.#failures.push({
          index: k,
          check: 'NOT_IN_SIGNED_TREE',
          message: `entry ${k} is not the entry the log signed: the checkpoint of size ${size} commits to another leaf at ${k} (the stored leaf was altered)`,
        });
      }
    }
  }

  // ---- the report ---------------------------------------------------------------------------

  #report(
    started: number,
    note: string,
    checkpoint: Checkpoint | undefined,
    failure?: AuditFinding,
    state?: AuditState,
    consistency?: AuditReport['consistency'],
  ): AuditReport {
    if (failure !== undefined) this.#failures.push(failure);
    const failures = [...this.#failures].sort(
      (a, b) => (a.index ?? Infinity) - (b.index ?? Infinity),
    );
    const indexed = failures.filter((f) => f.index !== undefined);
    const firstBadIndex = indexed.length > 0 ? indexed[0]!.index : undefined;
    const unchanged: AuditState = this.#o.state ?? {
      version: 1,
      origin: this.#origin,
      logVkey: this.#vkey,
    };
    // A failed audit keeps only what was verified before it: never its own partial progress.
    const kept: AuditState = { ...unchanged };
    delete kept.partial;
    return {
      ok: failures.length === 0,
      origin: this.#origin,
      logVkey: this.#vkey,
      treeSize: checkpoint?.size ?? 0,
      rootHash: checkpoint === undefined ? '' : toBase64(checkpoint.rootHash),
      checkpoint: note,
      resumedFrom: this.#base,
      audited: this.#next - this.#base,
      envelopes: this.#envelopes,
      leafOnly: this.#leafOnly,
      signatures: this.#signatures,
      issuers: this.#issuers.size,
      ...(consistency === undefined ? {} : { consistency }),
      ...(firstBadIndex === undefined ? {} : { firstBadIndex }),
      failures,
      warnings: this.#warnings,
      state: failures.length === 0 && state !== undefined ? state : kept,
      durationMs: performance.now() - started,
    };
  }
}

/** The trusted log key from a vkey string (an Ed25519 note key named by the origin). */
export function auditLogKey(vkey: NoteVerifierKey): NoteVerifierKey {
  if (vkey.type !== NoteKeyType.ed25519) throw new Error('the log key must be an Ed25519 note key');
  return vkey;
}

/** Runs an audit (see LogAuditor). */
export function auditLog(options: AuditOptions): Promise<AuditReport> {
  return new LogAuditor(options).run();
}
