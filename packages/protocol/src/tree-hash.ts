import { sha256 } from './sha256.js';

/** RFC 6962 §2.1 domain separation: leaves are hashed with a 0x00 prefix, interior nodes 0x01,
 * so a leaf can never be passed off as an interior node (second-preimage defence). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(data.length + 1);
  buf[0] = 0x00;
  buf.set(data, 1);
  return sha256(buf);
}

export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(65);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 33);
  return sha256(buf);
}

/** MTH({}) = SHA-256() — the root of the empty tree. */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}
