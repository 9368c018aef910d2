/**
 * What the signature worker needs of the protocol, without loading the protocol package:
 * the statement payload type and the Ed25519 public-key acceptance rule of protocol ed25519.ts
 * (RFC 8032 §5.1.3 canonical encoding, and none of the eight small-order points). Tested
 * against the protocol's definitions.
 */

/** protocol STATEMENT_PAYLOAD_TYPE. */
export const PAYLOAD_TYPE = 'application/vnd.cbm-ledger.statement+json';

const SMALL_ORDER_KEYS = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
]);

/** protocol isAcceptablePublicKey. */
export function acceptablePublicKey(pk: Uint8Array): boolean {
  if (pk.length !== 32) return false;
  const top = pk[31]! & 0x7f;
  let middleAllOnes = true;
  let middleZero = true;
  for (let i = 1; i < 31; i++) {
    if (pk[i] !== 0xff) middleAllOnes = false;
    if (pk[i] !== 0) middleZero = false;
  }
  if (top === 0x7f && middleAllOnes && pk[0]! >= 0xed) return false; // y >= p
  if ((pk[31]! & 0x80) !== 0) {
    const yIsOne = pk[0] === 1 && middleZero && top === 0;
    const yIsPMinusOne = pk[0] === 0xec && middleAllOnes && top === 0x7f;
    if (yIsOne || yIsPMinusOne) return false; // x = 0 with the sign bit set
  }
  return !SMALL_ORDER_KEYS.has(Buffer.from(pk.buffer, pk.byteOffset, 32).toString('hex'));
}
