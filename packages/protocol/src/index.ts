/**
 * @cbm-ledger/protocol — the CBM Ledger protocol core (DESIGN.md §2–4, §9). Pure: no I/O.
 */
export * from './errors.js';
export * from './bytes.js';
export * from './sha256.js';
export * from './jcs.js';
export * from './json.js';
export * from './identifiers.js';
export * from './tree-hash.js';
export * from './merkle.js';
export {
  ed25519,
  naclEd25519,
  nodeEd25519,
  randomSeed,
  isAcceptablePublicKey,
  ED25519_SEED_LENGTH,
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
} from './ed25519.js';
export type { Ed25519 } from './ed25519.js';
export * from './keys.js';
export {
  parseNote,
  formatNote,
  signNoteText,
  verifyNote,
  parseSignatureLine,
  formatSignatureLine,
  MAX_NOTE_SIGNATURES,
  SIGNATURE_LINE_PREFIX,
} from './note.js';
export type { Note, NoteSignature } from './note.js';
export * from './checkpoint.js';
export * from './cosignature.js';
export * from './dsse.js';
export * from './leaf.js';
export * from './promise.js';
export * from './statement/index.js';
export * from './conformance.js';
export * from './http-signature.js';
