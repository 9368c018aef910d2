/**
 * Signature worker of the audit (node:worker_threads). Receives batches of DSSE signature checks
 * packed in one transferred buffer, answers one byte per check (1: verifies).
 *
 * The checks are the protocol's Ed25519 rules (an acceptable public key, S < L for the
 * signature, then OpenSSL's verification), with each key's acceptability and KeyObject computed
 * once per key instead of once per signature. The worker loads nothing but this file and
 * keys.ts (not the whole protocol package: each worker would pay its start-up on every audit);
 * a test checks both against the protocol's own definitions.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { TASK_HEADER_BYTES } from './batch.js';
import type { BatchMessage } from './batch.js';
import { PAYLOAD_TYPE, acceptablePublicKey } from './keys.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map<string, KeyObject | null>();
const MAX_KEYS = 100_000;

function keyObject(publicKey: Buffer): KeyObject | null {
  const id = publicKey.toString('latin1');
  let key = keys.get(id);
  if (key === undefined) {
    key = acceptablePublicKey(publicKey)
      ? createPublicKey({
          key: Buffer.concat([SPKI_PREFIX, publicKey]),
          format: 'der',
          type: 'spki',
        })
      : null;
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(id, key);
  }
  return key;
}

// L, the Ed25519 group order, little-endian: a signature's S must be below it (no malleability).
const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

function scalarIsCanonical(sig: Buffer): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = sig[32 + i]!;
    const l = L[i]!;
    if (s < l) return true;
    if (s > l) return false;
  }
  return false;
}

const type = Buffer.from(PAYLOAD_TYPE, 'utf8');
const paeHead = Buffer.from(`DSSEv1 ${type.length} ${PAYLOAD_TYPE} `, 'utf8');
// Payloads are at most 64 KiB (protocol MAX_PAYLOAD_BYTES); the scratch grows if ever needed.
let scratch = Buffer.allocUnsafe(paeHead.length + 8 + 65_536);
paeHead.copy(scratch, 0);

/** The PAE of a statement payload, in a buffer reused from one signature to the next. */
function paeOf(payload: Buffer): Buffer {
  const need = paeHead.length + 8 + payload.length;
  if (need > scratch.length) {
    scratch = Buffer.allocUnsafe(need);
    paeHead.copy(scratch, 0);
  }
  let at = paeHead.length + scratch.write(`${payload.length} `, paeHead.length, 'latin1');
  at += payload.copy(scratch, at);
  return scratch.subarray(0, at);
}

parentPort?.on('message', (message: BatchMessage) => {
  const buffer = Buffer.from(message.buffer);
  const results = new Uint8Array(message.count);
  let offset = 0;
  for (let t = 0; t < message.count; t++) {
    const length = buffer.readUInt32LE(offset);
    const publicKey = buffer.subarray(offset + 4, offset + 36);
    const signature = buffer.subarray(offset + 36, offset + 100);
    const payload = buffer.subarray(
      offset + TASK_HEADER_BYTES,
      offset + TASK_HEADER_BYTES + length,
    );
    offset += TASK_HEADER_BYTES + length;
    const key = keyObject(publicKey);
    if (key === null || !scalarIsCanonical(signature)) continue;
    // DSSE PAE: "DSSEv1" SP len(type) SP type SP len(payload) SP payload, built in place.
    const pae = paeOf(payload);
    try {
      if (verify(null, pae, key, signature)) results[t] = 1;
    } catch {
      // A malformed input fails the check; nothing else to do.
    }
  }
  parentPort?.postMessage({ id: message.id, results }, [results.buffer]);
});
