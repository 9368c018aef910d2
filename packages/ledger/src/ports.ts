/**
 * Ports: what the ledger domain needs from the outside world. The domain never imports the AWS
 * SDK; `@cbm-ledger/store-aws` implements these over DynamoDB and S3, and `./memory.ts` in
 * memory for tests.
 *
 * Every write that decides something (who holds an issuer's `seq`, which leaf sits at an index,
 * how far the log has advanced) is a single conditional write, so the invariants of DESIGN.md §6
 * hold without transactions: dynalite has none, and none are needed.
 */
import type { KeyRecord, KeyStatus } from '@cbm-ledger/contract';

export type { KeyRecord, KeyStatus };
import type { MeasureRecord, RecoveryRecord } from '@cbm-ledger/compliance';
import type {
  Envelope,
  Leaf,
  NodeId,
  StatementType,
  TreeNode,
  Visibility,
} from '@cbm-ledger/protocol';

/** A statement admitted into the ledger. Durable once `StatementStore.accept` resolves. */
export interface AdmittedStatement {
  /** `sha256:<hex>` of the DSSE payload bytes. */
  readonly id: string;
  readonly issuer: string;
  readonly seq: number;
  readonly prev: string | null;
  readonly type: StatementType;
  readonly visibility: Visibility;
  /** Parties that may read a restricted statement besides its issuer and the operator. */
  readonly audience: readonly string[];
  /** Lowercase hex SHA-256 of every evidence object the statement cites. */
  readonly evidence: readonly string[];
  /** The envelope as admitted (the payload bytes are what was signed). */
  readonly envelope: Envelope;
  /** `sha256:<hex>` of the JCS envelope with signatures sorted by keyid (DESIGN.md §4). */
  readonly envelopeDigest: string;
  /** Ledger clock at admission, epoch ms. Orders integration. */
  readonly admittedAt: number;
  /**
   * The signed admission promise (docs/promises.md), stored by the same conditional write that
   * accepts the statement, so every later answer returns these exact bytes. Absent only for
   * statements accepted before promises existed; those are integrated as v1 leaves.
   */
  readonly promise?: string;
  /** The statement's leaf index, once integrated. */
  readonly index?: number;
}

export type AcceptOutcome =
  | { readonly accepted: true }
  /** Another statement already holds (issuer, seq); `existing` is it (maybe the same one). */
  | { readonly accepted: false; readonly existing: AdmittedStatement };

export interface StatementStore {
  /**
   * Claims (issuer, seq) for this statement and records it as pending integration, in one
   * conditional write. Returns the holder when the slot is taken.
   */
  accept(statement: AdmittedStatement): Promise<AcceptOutcome>;
  /** Records id → (issuer, seq) so the statement can be found by id. Idempotent. */
  link(statement: AdmittedStatement): Promise<void>;
  getById(id: string): Promise<AdmittedStatement | undefined>;
  getBySeq(issuer: string, seq: number): Promise<AdmittedStatement | undefined>;
  /** The issuer's accepted statement with the highest seq. */
  head(issuer: string): Promise<AdmittedStatement | undefined>;
  /**
   * Statements accepted but not yet marked integrated, oldest `admittedAt` first, ties broken by
   * issuer then seq. (Admission never gives seq k an earlier admittedAt than seq k-1, so each
   * issuer's statements come in seq order.) May lag behind markIntegrated; the integrator
   * re-reads each statement before using it.
   */
  pending(limit: number): Promise<AdmittedStatement[]>;
  /**
   * Records each statement's leaf index and drops it from `pending`, and does what `link` does
   * (id pointer, citations): admission may have stopped between accept and link, and the
   * integrator relies on this one call rather than a second write per statement. Idempotent.
   */
  markIntegrated(
    entries: readonly { statement: AdmittedStatement; index: number }[],
  ): Promise<void>;
  /**
   * Accepted statements that cite the evidence object `sha256` (lowercase hex), up to `limit`, in
   * any order. Backs the evidence download check (DESIGN.md §5: only callers who may read a
   * citing statement). A statement must be found here once `link` has resolved for it (a store
   * can write the evidence → statement index entries in `link`, which is idempotent).
   */
  citing(sha256: string, limit: number): Promise<AdmittedStatement[]>;
}

/** The log's committed state: everything below `size` is final. */
export interface LogHead {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Hashes of the perfect subtrees covering [0, size), left to right (a compact range). */
  readonly frontier: readonly Uint8Array[];
  /** The signed checkpoint note for this size (without cosignatures). */
  readonly checkpoint: string;
}

export class LogConflictError extends Error {
  override readonly name = 'LogConflictError';
}

export interface LogStore {
  readHead(): Promise<LogHead | undefined>;
  /**
   * Stages leaves at indices [start, start + leaves.length). Each index is taken by a conditional
   * write: throws LogConflictError when an index already holds a different leaf; rewriting the
   * same leaf is a no-op. Staged leaves at or beyond the head are adopted by the next integrator
   * run, so a crash between staging and commit loses nothing.
   *
   * The writes go in index order, each after the previous one succeeded, so a failure leaves a
   * prefix staged and never a hole: the integrator finds staged leaves by reading forward from
   * the head, and a hole would let a statement staged beyond it be staged a second time.
   */
  writeLeaves(start: number, leaves: readonly Leaf[]): Promise<void>;
  /** Leaves [start, start + limit) in index order, staged ones beyond the head included. */
  readLeaves(start: number, limit: number): Promise<Leaf[]>;
  /** Stores perfect-subtree hashes. Idempotent: a node's hash never changes. */
  writeNodes(nodes: readonly TreeNode[]): Promise<void>;
  /** Returns the stored hashes keyed by `nodeKey(id)`; missing nodes are absent. */
  readNodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>>;
  /** Moves the head from `expectedSize` to `head.size`; false when the head was not at expectedSize. */
  commitHead(expectedSize: number | undefined, head: LogHead): Promise<boolean>;
  /** Keeps every checkpoint the log signed, for audit and cosigning. Idempotent per size. */
  putCheckpoint(size: number, note: string): Promise<void>;
  getCheckpoint(size: number): Promise<string | undefined>;
  /**
   * Keeps a verified witness cosignature line of the checkpoint at `size`, made at `time` (POSIX
   * seconds, from the line), keyed by (size, witness, time): one conditional put that never
   * replaces anything, so earlier cosignatures stay for audit and the newest per witness is the
   * one with the highest time. Returns false when (size, witness, time) was kept already.
   */
  putCosignature(size: number, witness: string, line: string, time: number): Promise<boolean>;
  /** Every cosignature kept for the checkpoint at `size`, by witness name then time. */
  listCosignatures(size: number): Promise<StoredCosignature[]>;
}

export interface StoredCosignature {
  readonly size: number;
  /** The witness's key name (the `witness.name` of its party's registration). */
  readonly witness: string;
  /** The cosignature line, `— <name> <base64>`, without newline. */
  readonly line: string;
  /** POSIX seconds, as signed in the line. */
  readonly time: number;
}

export interface PartyRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: 'state' | 'observer' | 'operator';
  readonly keys: readonly KeyRecord[];
  /** The party's checkpoint-cosigner identity, if it registered one. */
  readonly witness?: { readonly name: string; readonly publicKey: string };
  readonly registeredIndex: number;
  /**
   * Index of the party's own witness.set that last set `witness` (absent: set by its
   * party.register, the one introduction).
   */
  readonly witnessSetIndex?: number;
  /** Every party.recover of the party, vetoed or not: readers see a recovery as one. */
  readonly recoveries?: readonly RecoveryRecord[];
}

/** The registry as derived from the log's first `asOf` entries. */
export interface RegistrySnapshot {
  readonly asOf: number;
  readonly parties: readonly PartyRecord[];
  /**
   * The measures those entries define, with their reviews, renewals and withdrawals, in the order
   * they were defined: what measure admission checks against. Absent while there are none.
   */
  readonly measures?: readonly MeasureRecord[];
}

export interface RegistryStore {
  read(): Promise<RegistrySnapshot | undefined>;
  /** Conditional on the stored snapshot's `asOf` being `expectedAsOf` (undefined: none stored). */
  write(snapshot: RegistrySnapshot, expectedAsOf: number | undefined): Promise<boolean>;
}

export interface EvidenceObject {
  readonly sha256: string;
  readonly size: number;
  readonly mediaType?: string;
}

export interface EvidenceUpload {
  readonly url: string;
  readonly method: 'PUT';
  /** Headers the uploader must send unchanged (the checksum among them). */
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

/**
 * Evidence objects, kept per uploading party (docs/evidence-access.md). Security: knowing a hash
 * proves nothing, so the store answers only about what one named party itself uploaded; nothing
 * here tells whether somebody else holds an object.
 */
export interface EvidenceStore {
  /**
   * The object `party` proved it possesses: uploaded under `sha256`, the store having verified
   * the bytes hash to it. Undefined when that party uploaded no such object, whoever else did.
   */
  possessed(sha256: string, party: string): Promise<EvidenceObject | undefined>;
  /**
   * A presigned upload bound to `party`: the store rejects a body that does not hash to
   * `sha256` or is not `size` bytes, and a completed upload is `party`'s proof of possession.
   */
  createUpload(
    object: EvidenceObject,
    party: string,
    expiresInSeconds: number,
  ): Promise<EvidenceUpload>;
  /** A short-lived download URL of the copy `party` uploaded. */
  createDownload(sha256: string, party: string, expiresInSeconds: number): Promise<string>;
}

export interface EvidenceQuotaLimits {
  /** Most upload grants per party per UTC day. */
  readonly count: number;
  /** Most bytes granted per party per UTC day. */
  readonly bytes: number;
}

/**
 * Per-party daily upload budget: evidence sits under Object Lock for years, so what a party may
 * make the operator store is bounded. One conditional write per grant.
 */
export interface EvidenceQuota {
  /**
   * Counts one upload of `bytes` against `party` on `day` (UTC `YYYY-MM-DD`) if both limits
   * still hold afterwards; false, recording nothing, when either would be exceeded.
   */
  reserve(party: string, day: string, bytes: number, limits: EvidenceQuotaLimits): Promise<boolean>;
}

/** The log's signing identity. The integrator (checkpoints) and admission (promises) hold one. */
export interface CheckpointSigner {
  readonly origin: string;
  /** C2SP vkey of the log key (`<origin>+<hash>+<key>`). */
  readonly vkey: string;
  /** Signs a note body (a checkpoint, or an admission promise), returning the signed note. */
  sign(body: string): string;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/**
 * Replay protection for signed requests (the RFC 9421 profile's nonce): a nonce is claimed once
 * per key until the signature expires. One conditional put; the store may forget a claim once
 * `expiresAt` has passed (a DynamoDB TTL attribute), since an expired signature is refused anyway.
 */
export interface ReplayGuard {
  /**
   * True the first time (keyid, nonce) is claimed while unexpired; false for a replay.
   * `expiresAt` is the signature's `expires`, POSIX seconds.
   */
  claim(keyid: string, nonce: string, expiresAt: number): Promise<boolean>;
}

/**
 * The read side of each store: what a read-only process (the public view) is handed. Built by
 * picking, so the full stores satisfy them, and a holder of one cannot even name a write.
 */
export type StatementReader = Pick<StatementStore, 'getById' | 'getBySeq' | 'head' | 'citing'>;
export type LogReader = Pick<
  LogStore,
  'readHead' | 'readLeaves' | 'readNodes' | 'getCheckpoint' | 'listCosignatures'
>;
export type RegistryReader = Pick<RegistryStore, 'read'>;
