/**
 * The log's checkpoint signer from a 32-byte Ed25519 seed. The key is named by the origin
 * (C2SP tlog-checkpoint), so the vkey doubles as the ledger's published log key.
 */
import { NoteKeyType, ed25519, encodeVkey, signNoteText } from '@cbm-ledger/protocol';
import type { CheckpointSigner } from './ports.js';

export function createCheckpointSigner(origin: string, seed: Uint8Array): CheckpointSigner {
  const publicKey = ed25519.publicKeyFromSeed(seed);
  const vkey = encodeVkey(origin, NoteKeyType.ed25519, publicKey);
  const signingSeed = seed.slice();
  return {
    origin,
    vkey,
    sign: (body) => signNoteText(body, [{ name: origin, seed: signingSeed }]),
  };
}
