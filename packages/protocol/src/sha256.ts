import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type * as NodeCryptoModule from 'node:crypto';
import { toHex } from './bytes.js';

// On Node we use node:crypto (OpenSSL, several times faster); in browsers the audited
// @noble/hashes implementation. process.getBuiltinModule avoids a static import so bundlers for
// the browser never see node:crypto.
type NodeCrypto = typeof NodeCryptoModule;
const nodeCrypto: NodeCrypto | undefined = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;

export const sha256: (data: Uint8Array) => Uint8Array = nodeCrypto
  ? (data) => {
      const d = nodeCrypto.createHash('sha256').update(data).digest();
      return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    }
  : (data) => nobleSha256(data);

/** The portable implementation, exported so tests can cross-check it against node:crypto. */
export const sha256Portable = (data: Uint8Array): Uint8Array => nobleSha256(data);

export function sha256Hex(data: Uint8Array): string {
  return toHex(sha256(data));
}
