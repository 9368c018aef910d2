/**
 * Offline receipt verification (DESIGN.md §4): a receipt `{statement, leaf, inclusion,
 * checkpoint}` proves, with no help from the ledger, that the statement is entry `leaf.index`
 * of the log whose checkpoint the log key signed — and, with witness keys, that enough
 * independent witnesses saw that checkpoint.
 *
 * Security: receipts come from the operator, whom verifiers do not trust. Every field is checked
 * and each failure names the check (VerificationError.code).
 */
import {
  checkWitnessQuorum,
  fromBase64,
  isProtocolError,
  leafHash,
  openCheckpoint,
  parseCheckpoint,
  parseLeaf,
  parseNote,
  toBase64,
  verifyCosignatures,
  verifyInclusion,
} from '@cbm-ledger/protocol';
import type {
  AdmissionPromise,
  Checkpoint,
  Leaf,
  NoteVerifierKey,
  VerifiedCosignature,
  WitnessKey,
} from '@cbm-ledger/protocol';
import type { LedgerClient } from './client.js';
import { VerificationError } from './errors.js';
import { checkLeafAgainstPromise, verifyPromise } from './promise.js';
import { logKey, witnessKey } from './trusted-keys.js';
import type { Receipt } from './types.js';

export interface ReceiptOptions {
  /** The log's C2SP vkey (`<origin>+<hash>+<key>`, type 0x01), from a source you trust. */
  logVkey: string | NoteVerifierKey;
  /** Witness cosignature vkeys (type 0x04), e.g. as GET /v1/ledger lists them. */
  witnesses?: readonly (string | WitnessKey)[];
  /** Required number of distinct known witnesses; default: every witness given. */
  quorum?: number;
  /** When given, the receipt must be for this statement id. */
  statement?: string;
}

export interface VerifiedReceipt {
  statement: string;
  leaf: Leaf;
  index: number;
  treeSize: number;
  /** base64 RFC 6962 root of the checkpoint. */
  rootHash: string;
  origin: string;
  checkpoint: Checkpoint;
  /** Cosignatures by the given witnesses that verified (names, times). */
  cosignatures: VerifiedCosignature[];
  /** The quorum that was required (0 without witnesses). */
  quorum: number;
  /**
   * The receipt's admission promise, verified against the log key and matched with the leaf;
   * `kept` is false when the statement was integrated after the promised deadline (the
   * operator's fault). Absent when the receipt carries none (statements from before promises).
   */
  promise?: AdmissionPromise & { kept: boolean };
}

export { logKey, witnessKey };

const RECEIPT_FIELDS = new Set(['statement', 'leaf', 'inclusion', 'checkpoint', 'promise']);
const INCLUSION_FIELDS = new Set(['index', 'treeSize', 'leafHash', 'hashes']);

function fail(code: string, message: string, cause?: unknown): never {
  throw new VerificationError(code, message, cause === undefined ? undefined : { cause });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Verifies a receipt offline. Checks, in order: its shape; the leaf's format; that the receipt
 * names the leaf's statement; that the proof is for the leaf's index and its leaf hash is the
 * hash of the leaf; the log's signature on the checkpoint; that the proof is for the
 * checkpoint's tree size; the inclusion proof against the checkpoint's root; the witnesses'
 * cosignatures and quorum. Throws VerificationError naming the first check that fails.
 */
export function verifyReceipt(receipt: unknown, options: ReceiptOptions): VerifiedReceipt {
  if (!isRecord(receipt)) fail('RECEIPT_MALFORMED', 'the receipt is not a JSON object');
  for (const k of Object.keys(receipt)) {
    if (!RECEIPT_FIELDS.has(k)) fail('RECEIPT_MALFORMED', `the receipt has an unknown field ${k}`);
  }
  const { statement, inclusion, checkpoint: note } = receipt as Partial<Receipt>;
  if (typeof statement !== 'string') fail('RECEIPT_MALFORMED', 'the receipt names no statement');
  if (typeof note !== 'string') fail('RECEIPT_MALFORMED', 'the receipt carries no checkpoint');
  if (!isRecord(inclusion)) fail('RECEIPT_MALFORMED', 'the receipt carries no inclusion proof');
  for (const k of Object.keys(inclusion)) {
    if (!INCLUSION_FIELDS.has(k)) {
      fail('RECEIPT_MALFORMED', `the inclusion proof has an unknown field ${k}`);
    }
  }

  let leaf: Leaf;
  try {
    leaf = parseLeaf(receipt.leaf);
  } catch (e) {
    fail('LEAF_INVALID', `the receipt's leaf is malformed: ${reason(e)}`, e);
  }
  if (statement !== leaf.statement) {
    fail(
      'STATEMENT_MISMATCH',
      `the receipt is for ${statement} but its leaf records ${leaf.statement}`,
    );
  }
  if (options.statement !== undefined && options.statement !== statement) {
    fail('STATEMENT_MISMATCH', `the receipt is for ${statement}, not ${options.statement}`);
  }

  const { index, treeSize, leafHash: claimedHash, hashes } = inclusion;
  if (index !== leaf.index) {
    fail('INDEX_MISMATCH', `the proof is for index ${String(index)}, the leaf is ${leaf.index}`);
  }
  if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize)) {
    fail('RECEIPT_MALFORMED', 'the inclusion proof has no tree size');
  }
  const computed = leafHash(leaf);
  if (claimedHash !== toBase64(computed)) {
    fail('LEAF_HASH_MISMATCH', `the proof's leaf hash is not the hash of the receipt's leaf`);
  }
  if (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'string')) {
    fail('RECEIPT_MALFORMED', 'the inclusion proof hashes are not a list of base64 strings');
  }
  let proof: Uint8Array[];
  try {
    proof = hashes.map((h) => fromBase64(h, 32));
  } catch (e) {
    fail('INCLUSION_PROOF_INVALID', 'an inclusion proof hash is not base64 of 32 bytes', e);
  }

  const key = logKey(options.logVkey);
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(note, key).checkpoint;
  } catch (e) {
    fail('CHECKPOINT_INVALID', `the checkpoint is not signed by the log key: ${reason(e)}`, e);
  }
  if (checkpoint.size !== treeSize) {
    fail(
      'TREE_SIZE_MISMATCH',
      `the proof is for tree size ${treeSize}, the checkpoint for ${checkpoint.size}`,
    );
  }
  try {
    verifyInclusion(leaf.index, treeSize, computed, proof, checkpoint.rootHash);
  } catch (e) {
    fail(
      'INCLUSION_PROOF_INVALID',
      `the inclusion proof does not lead to the checkpoint's root: ${reason(e)}`,
      e,
    );
  }

  const witnesses = (options.witnesses ?? []).map(witnessKey);
  const quorum = options.quorum ?? witnesses.length;
  let cosignatures: VerifiedCosignature[] = [];
  if (witnesses.length > 0 || quorum > 0) {
    try {
      cosignatures = verifyCosignatures(note, witnesses);
    } catch (e) {
      fail('COSIGNATURE_INVALID', `a witness cosignature does not verify: ${reason(e)}`, e);
    }
    try {
      checkWitnessQuorum(cosignatures, witnesses, quorum);
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      const code = e.code === 'RANGE_INVALID' ? 'QUORUM_INVALID' : 'WITNESS_QUORUM_UNMET';
      fail(code, e.message, e);
    }
  }

  const result: VerifiedReceipt = {
    statement,
    leaf,
    index: leaf.index,
    treeSize,
    rootHash: toBase64(checkpoint.rootHash),
    origin: checkpoint.origin,
    checkpoint,
    cosignatures,
    quorum,
  };
  const promiseNote = (receipt as { promise?: unknown }).promise;
  if (promiseNote !== undefined) {
    const promise = verifyPromise(promiseNote, { logVkey: key, statement });
    result.promise = { ...promise, kept: checkLeafAgainstPromise(leaf, promise) };
  }
  return result;
}

/**
 * A receipt for an integrated statement against the ledger's current checkpoint as GET
 * /v1/checkpoint serves it — with every witness cosignature the ledger holds — and an inclusion
 * proof for that checkpoint's size. Receipts handed out at submission carry the checkpoint of
 * that moment, before any witness could cosign it; this one can satisfy a witness quorum.
 * Nothing here is trusted: verify the result with verifyReceipt. Undefined while pending.
 */
export async function currentReceipt(
  client: LedgerClient,
  statement: string,
): Promise<Receipt | undefined> {
  const view = await client.statement(statement);
  const leaf = view.receipt?.leaf;
  if (leaf === undefined) return undefined;
  const note = await client.checkpoint();
  let size: number;
  try {
    size = parseCheckpoint(parseNote(note).text).size;
  } catch (e) {
    fail('CHECKPOINT_INVALID', `the ledger's checkpoint is malformed: ${reason(e)}`, e);
  }
  const inclusion = await client.inclusionProof(leaf.index, size);
  return {
    statement: view.statement,
    leaf,
    inclusion,
    checkpoint: note,
    ...(view.promise === undefined ? {} : { promise: view.promise }),
  };
}
