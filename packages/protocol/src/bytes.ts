import { ErrorCode, ProtocolError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Strict UTF-8 decode: invalid sequences throw MALFORMED rather than becoming U+FFFD. */
export function utf8Decode(b: Uint8Array): string {
  try {
    return decoder.decode(b);
  } catch {
    throw new ProtocolError(ErrorCode.MALFORMED, 'invalid UTF-8');
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

const HEX = '0123456789abcdef';

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const v = b[i]!;
    s += HEX[v >> 4]! + HEX[v & 15]!;
  }
  return s;
}

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

/** Lowercase hex only: the wire formats never use uppercase, so accepting it would make two
 * spellings of one identifier. */
export function fromHex(s: string, expectedLength?: number): Uint8Array {
  if (typeof s !== 'string' || !HEX_RE.test(s)) {
    throw new ProtocolError(ErrorCode.MALFORMED, 'not lowercase hex');
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new ProtocolError(ErrorCode.MALFORMED, `expected ${expectedLength} bytes of hex`);
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_DEC = new Int16Array(128).fill(-1);
const B64URL_DEC = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  B64_DEC[B64.charCodeAt(i)] = i;
  B64URL_DEC[B64URL.charCodeAt(i)] = i;
}

function encode(b: Uint8Array, alphabet: string, pad: boolean): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s +=
      alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + alphabet[v & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const v = b[i]! << 16;
    s += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8);
    s +=
      alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + (pad ? '=' : '');
  }
  return s;
}

/**
 * Canonical base64 decode. Security: signatures and hashes travel as base64, so we accept exactly
 * one spelling per byte string — no whitespace, no missing or extra padding, no non-zero
 * trailing bits — otherwise one value could hide behind several encodings.
 */
function decode(s: string, table: Int16Array, padded: boolean, what: string): Uint8Array {
  if (typeof s !== 'string') throw new ProtocolError(ErrorCode.MALFORMED, `${what}: not a string`);
  let body = s;
  if (padded) {
    if (s.length % 4 !== 0) throw new ProtocolError(ErrorCode.MALFORMED, `${what}: bad length`);
    if (s.endsWith('==')) body = s.slice(0, -2);
    else if (s.endsWith('=')) body = s.slice(0, -1);
  }
  if (body.length % 4 === 1) throw new ProtocolError(ErrorCode.MALFORMED, `${what}: bad length`);
  const outLen = Math.floor((body.length * 3) / 4);
  const out = new Uint8Array(outLen);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? table[c]! : -1;
    if (v < 0) throw new ProtocolError(ErrorCode.MALFORMED, `${what}: invalid character`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) {
    throw new ProtocolError(ErrorCode.MALFORMED, `${what}: non-canonical trailing bits`);
  }
  return out;
}

/** Standard alphabet, padded (RFC 4648 §4). */
export function toBase64(b: Uint8Array): string {
  return encode(b, B64, true);
}

export function fromBase64(s: string, expectedLength?: number): Uint8Array {
  const out = decode(s, B64_DEC, true, 'base64');
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new ProtocolError(ErrorCode.MALFORMED, `base64: expected ${expectedLength} bytes`);
  }
  return out;
}

/** URL-safe alphabet, unpadded (RFC 4648 §5), as used for statement nonces. */
export function toBase64Url(b: Uint8Array): string {
  return encode(b, B64URL, false);
}

export function fromBase64Url(s: string): Uint8Array {
  return decode(s, B64URL_DEC, false, 'base64url');
}
