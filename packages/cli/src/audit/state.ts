/**
 * The audit's state file: the last checkpoint this auditor verified (so the next audit proves the
 * log only grew from it) and how far it got (so it resumes instead of starting over).
 */
import type { RegistrySnapshot } from '@cbm-ledger/ledger';

/** Where a scan of the log stands after its first `next` entries. */
export interface AuditProgress {
  /** Entries [0, next) are audited. */
  next: number;
  /** Hex leaf hash of entry next-1 (64 zeros at 0): what entry `next` must name as prev. */
  lastLeafHash: string;
  /** integratedAt of entry next-1; it never runs backwards. */
  lastIntegratedAt: string | null;
  /** base64 hashes of the Merkle tree's right frontier at size `next` (a compact range). */
  frontier: string[];
  /** The registry of parties and keys as the first `next` entries built it. */
  registry: RegistrySnapshot;
  /** Registry entries whose statement this auditor could not read. */
  registryGaps: number[];
  /** integratedAt of the entries that retired or revoked a key, by index. */
  stopTimes: Record<string, string>;
  /** Each issuer's chain head: [seq, statement id]. */
  issuers: Record<string, [number, string]>;
}

export interface VerifiedCheckpoint {
  size: number;
  /** base64 root hash. */
  rootHash: string;
  /** The signed note as the ledger served it. */
  note: string;
  /** When this auditor verified it, RFC 3339. */
  verifiedAt: string;
}

export interface AuditState {
  version: 1;
  origin: string;
  /** The log key the audits were verified with. */
  logVkey: string;
  /** The last checkpoint a complete audit verified, and the scan state at its size. */
  verified?: { checkpoint: VerifiedCheckpoint; progress: AuditProgress };
  /** An interrupted scan beyond `verified`, resumed by the next audit. */
  partial?: AuditProgress;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Light structural check of a state file read from disk; throws a readable Error. */
export function parseAuditState(value: unknown): AuditState {
  if (!isRecord(value) || value.version !== 1) {
    throw new Error('not an audit state file (version 1)');
  }
  if (typeof value.origin !== 'string' || typeof value.logVkey !== 'string') {
    throw new Error('the audit state names no origin or log key');
  }
  const progressOk = (p: unknown): boolean =>
    isRecord(p) &&
    Number.isSafeInteger(p.next) &&
    typeof p.lastLeafHash === 'string' &&
    Array.isArray(p.frontier) &&
    isRecord(p.registry) &&
    isRecord(p.issuers);
  if (value.verified !== undefined) {
    const v = value.verified;
    if (!isRecord(v) || !isRecord(v.checkpoint) || !progressOk(v.progress)) {
      throw new Error('the audit state has a malformed verified checkpoint');
    }
  }
  if (value.partial !== undefined && !progressOk(value.partial)) {
    throw new Error('the audit state has malformed progress');
  }
  return value as unknown as AuditState;
}
