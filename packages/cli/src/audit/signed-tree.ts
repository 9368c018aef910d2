/**
 * The audit's view of the signed tree: the root of any prefix of the leaves it read, whether that
 * prefix is one the log signed (an RFC 6962 consistency proof from the log, verified here), the
 * first entry that is not the one the log signed, and consistency with an earlier checkpoint.
 * The proofs come from the operator; only their verification is trusted.
 */
import { fromBase64, verifyConsistency } from '@cbm-ledger/protocol';
import type { ConsistencyProofJson } from '@cbm-ledger/contract';
import { MerkleFrontier } from './fast.js';
import type { HashList } from './hash-list.js';
import type { AuditFinding, AuditSource } from './report.js';
import type { VerifiedCheckpoint } from './state.js';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class SignedTree {
  readonly #source: AuditSource;
  readonly #base: number;
  readonly #baseFrontier: Uint8Array[];
  readonly #hashes: HashList;

  /** `hashes` holds the leaf hashes this run read, from index `base` on. */
  constructor(source: AuditSource, base: number, baseFrontier: Uint8Array[], hashes: HashList) {
    this.#source = source;
    this.#base = base;
    this.#baseFrontier = baseFrontier;
    this.#hashes = hashes;
  }

  /** Root of the first `m` leaves (m ≥ base), from the base frontier and this run's hashes. */
  prefixRoot(m: number): Uint8Array {
    const range = new MerkleFrontier(this.#base, this.#baseFrontier);
    for (let i = this.#base; i < m; i++) range.append(this.#hashes.get(i - this.#base));
    return range.root();
  }

  /** Whether the first `m` leaves this audit read are a prefix of the signed tree. */
  async isSignedPrefix(m: number, size: number, root: Uint8Array): Promise<boolean> {
    if (m === 0) return true;
    const prefix = this.prefixRoot(m);
    if (m === size) return Buffer.compare(Buffer.from(prefix), Buffer.from(root)) === 0;
    try {
      const proof = await this.#source.consistencyProof(m, size);
      verifyConsistency(
        m,
        size,
        prefix,
        root,
        proof.hashes.map((h) => fromBase64(h, 32)),
      );
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The first entry in [base, upper) that is not the entry the log signed: binary search for the
   * longest prefix consistent with the checkpoint (O(log n) consistency proofs).
   */
  async locate(upper: number, size: number, root: Uint8Array): Promise<AuditFinding> {
    let lo = this.#base;
    if (!(await this.isSignedPrefix(lo, size, root))) {
      return {
        check: 'ROOT_MISMATCH',
        message: `the entries before ${lo} (audited earlier, per the state file) are not those of the signed checkpoint: the log was rewritten`,
      };
    }
    let hi = upper; // the prefix of `upper` leaves is known not to match
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (await this.isSignedPrefix(mid, size, root)) lo = mid;
      else hi = mid;
    }
    return {
      index: lo,
      check: 'NOT_IN_SIGNED_TREE',
      message: `entry ${lo} is not the entry the log signed: the checkpoint of size ${size} commits to another leaf at ${lo} (the stored leaf was altered)`,
    };
  }

  async checkConsistency(
    trusted: VerifiedCheckpoint,
    size: number,
    root: Uint8Array,
  ): Promise<AuditFinding | undefined> {
    const trustedRoot = fromBase64(trusted.rootHash, 32);
    const inconsistent = (why: string): AuditFinding => ({
      check: 'INCONSISTENT',
      message: `the ledger's checkpoint of size ${size} is not consistent with the checkpoint of size ${trusted.size} in the state file (${why}): the log's history was rewritten`,
    });
    if (trusted.size === size) {
      return Buffer.compare(Buffer.from(trustedRoot), Buffer.from(root)) === 0
        ? undefined
        : inconsistent('same size, different root');
    }
    let proof: ConsistencyProofJson;
    try {
      proof = await this.#source.consistencyProof(trusted.size, size);
    } catch (e) {
      return inconsistent(`no consistency proof: ${message(e)}`);
    }
    try {
      verifyConsistency(
        trusted.size,
        size,
        trustedRoot,
        root,
        proof.hashes.map((h) => fromBase64(h, 32)),
      );
    } catch (e) {
      return inconsistent(message(e));
    }
    return undefined;
  }
}
