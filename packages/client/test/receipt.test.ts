/**
 * Offline receipt verification: a genuine receipt passes, with and without a witness quorum;
 * every doctored part is refused with the code of the check it fails.
 */
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  GENESIS_PREV,
  NoteKeyType,
  appendCosignatures,
  cosign,
  ed25519,
  encodeVkey,
  formatCheckpoint,
  fromBase64,
  inclusionProof,
  leafHash,
  leafHashHex,
  signNoteText,
  toBase64,
} from '@cbm-ledger/protocol';
import type { Leaf } from '@cbm-ledger/protocol';
import { VerificationError, verifyReceipt } from '../src/index.js';
import type { Receipt } from '../src/index.js';

const ORIGIN = 'cbm-ledger.test/receipts';
const logSeed = new Uint8Array(32).fill(3);
const logVkey = encodeVkey(ORIGIN, NoteKeyType.ed25519, ed25519.publicKeyFromSeed(logSeed));
const witnesses = ['w1.example', 'w2.example', 'w3.example'].map((name, i) => {
  const seed = new Uint8Array(32).fill(10 + i);
  return {
    name,
    seed,
    vkey: encodeVkey(name, NoteKeyType.cosignatureV1, ed25519.publicKeyFromSeed(seed)),
  };
});

/** A log of `n` leaves and the receipt of leaf `index`, cosigned by the first `cosigners`. */
function receiptFor(index: number, n = 7, cosigners = 0): Receipt {
  const leaves: Leaf[] = [];
  for (let i = 0; i < n; i++) {
    leaves.push({
      v: 1,
      index: i,
      prev: i === 0 ? GENESIS_PREV : leafHashHex(leaves[i - 1]!),
      integratedAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
      statement: `sha256:${String(i).padStart(2, '0').repeat(32)}`,
      envelope: `sha256:${'ee'.repeat(32)}`,
      type: 'exercise.notification',
      issuer: 'state:JOR',
      seq: i + 1,
      visibility: 'public',
      evidence: [],
    });
  }
  const hashes = leaves.map(leafHash);
  const range = CompactRange.empty();
  hashes.forEach((h) => range.append(h));
  const body = formatCheckpoint({
    origin: ORIGIN,
    size: n,
    rootHash: range.root(),
    extensions: [],
  });
  let note = signNoteText(body, [{ name: ORIGIN, seed: logSeed }]);
  note = appendCosignatures(
    note,
    witnesses.slice(0, cosigners).map((w) => cosign(body, w.name, w.seed, 1_790_000_000)),
  );
  return {
    statement: leaves[index]!.statement,
    leaf: leaves[index]!,
    inclusion: {
      index,
      treeSize: n,
      leafHash: toBase64(hashes[index]!),
      hashes: inclusionProof(hashes, index, n).map(toBase64),
    },
    checkpoint: note,
  };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerificationError) return e.code;
    throw e;
  }
  return 'OK';
}

describe('verifyReceipt', () => {
  it('accepts a genuine receipt for every position', () => {
    for (let i = 0; i < 7; i++) {
      const v = verifyReceipt(receiptFor(i), { logVkey });
      expect(v).toMatchObject({ index: i, treeSize: 7, origin: ORIGIN, quorum: 0 });
    }
  });

  it('checks a witness quorum: by default every witness given, or k of them', () => {
    const r = receiptFor(3, 7, 2);
    const vkeys = witnesses.map((w) => w.vkey);
    expect(verifyReceipt(r, { logVkey, witnesses: vkeys.slice(0, 2) }).cosignatures).toHaveLength(
      2,
    );
    expect(code(() => verifyReceipt(r, { logVkey, witnesses: vkeys }))).toBe(
      'WITNESS_QUORUM_UNMET',
    );
    expect(verifyReceipt(r, { logVkey, witnesses: vkeys, quorum: 2 }).quorum).toBe(2);
  });

  const doctored: [string, (r: Receipt & Record<string, unknown>) => void, string][] = [
    ['an unknown field', (r) => void (r.note = 'x'), 'RECEIPT_MALFORMED'],
    ['no checkpoint', (r) => void delete (r as Partial<Receipt>).checkpoint, 'RECEIPT_MALFORMED'],
    [
      'a malformed leaf',
      (r) => void ((r.leaf as unknown as Record<string, unknown>).seq = 0),
      'LEAF_INVALID',
    ],
    [
      'another statement',
      (r) => void (r.statement = `sha256:${'ab'.repeat(32)}`),
      'STATEMENT_MISMATCH',
    ],
    ['a proof for another index', (r) => void (r.inclusion.index = 2), 'INDEX_MISMATCH'],
    ['a changed leaf', (r) => void (r.leaf.issuer = 'state:EGY'), 'LEAF_HASH_MISMATCH'],
    [
      'a flipped proof hash',
      (r) => {
        const h = fromBase64(r.inclusion.hashes[1]!);
        h[7] = h[7]! ^ 4;
        r.inclusion.hashes[1] = toBase64(h);
      },
      'INCLUSION_PROOF_INVALID',
    ],
    [
      'a proof hash that is not 32 bytes',
      (r) => void (r.inclusion.hashes[0] = 'AAAA'),
      'INCLUSION_PROOF_INVALID',
    ],
    ['a dropped proof hash', (r) => void r.inclusion.hashes.pop(), 'INCLUSION_PROOF_INVALID'],
    ['another tree size', (r) => void (r.inclusion.treeSize = 8), 'TREE_SIZE_MISMATCH'],
    [
      'a checkpoint with another size line',
      (r) => void (r.checkpoint = r.checkpoint.replace(`${ORIGIN}\n7\n`, `${ORIGIN}\n8\n`)),
      'CHECKPOINT_INVALID',
    ],
    [
      'a checkpoint signed by another key',
      (r) => {
        const body = r.checkpoint.slice(0, r.checkpoint.indexOf('\n\n') + 1);
        r.checkpoint = signNoteText(body, [{ name: ORIGIN, seed: new Uint8Array(32).fill(4) }]);
      },
      'CHECKPOINT_INVALID',
    ],
  ];
  for (const [what, doctor, expected] of doctored) {
    it(`refuses ${what} (${expected})`, () => {
      const r = structuredClone(receiptFor(5)) as Receipt & Record<string, unknown>;
      doctor(r);
      expect(code(() => verifyReceipt(r, { logVkey }))).toBe(expected);
    });
  }

  it('refuses a forged cosignature by a known witness', () => {
    const r = receiptFor(1, 7, 1);
    const line = r.checkpoint.trimEnd().split('\n').pop()!;
    const sig = fromBase64(line.split(' ')[2]!);
    sig[20] = sig[20]! ^ 1;
    r.checkpoint = r.checkpoint.replace(
      line,
      `${line.split(' ').slice(0, 2).join(' ')} ${toBase64(sig)}`,
    );
    expect(code(() => verifyReceipt(r, { logVkey, witnesses: [witnesses[0]!.vkey] }))).toBe(
      'COSIGNATURE_INVALID',
    );
  });

  it('refuses keys of the wrong type', () => {
    const r = receiptFor(1);
    expect(code(() => verifyReceipt(r, { logVkey: witnesses[0]!.vkey }))).toBe('LOG_KEY_INVALID');
    expect(code(() => verifyReceipt(r, { logVkey, witnesses: [logVkey] }))).toBe(
      'WITNESS_KEY_INVALID',
    );
    expect(code(() => verifyReceipt(r, { logVkey: 'not a vkey' }))).toBe('LOG_KEY_INVALID');
  });

  it('can insist on the statement it was asked about', () => {
    const r = receiptFor(2);
    expect(code(() => verifyReceipt(r, { logVkey, statement: receiptFor(3).statement }))).toBe(
      'STATEMENT_MISMATCH',
    );
  });
});
