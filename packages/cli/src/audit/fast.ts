/**
 * Fast paths for the audit's per-entry work, which runs ~10^5 times per audit next to one
 * Ed25519 verification each: the generic JCS serialiser and the portable base64 decoder cost as
 * much as a third of a verification, the specialised forms here a small fraction.
 *
 * Each function is the protocol's reference function specialised to inputs that already passed
 * the protocol's validation (parseLeaf for leaves; the shape checks below for envelopes), for
 * which JCS needs no escaping or sorting beyond a fixed key order. Tests compare them with the
 * reference functions on valid and random inputs, and the audit re-checks any mismatch with
 * the reference before it reports a failure, so a slip here can cost speed, never a wrong verdict.
 */
import { hash } from 'node:crypto';
import { PARTY_ID_RE, STATEMENT_PAYLOAD_TYPE } from '@cbm-ledger/protocol';
import type { Envelope, EnvelopeSignature, Leaf } from '@cbm-ledger/protocol';

const LEAF_FIELDS: ReadonlySet<string> = new Set([
  'v',
  'index',
  'prev',
  'integratedAt',
  'statement',
  'envelope',
  'type',
  'issuer',
  'seq',
  'visibility',
  'evidence',
]);
const HEX64_RE = /^[0-9a-f]{64}$/;
const ID_RE = /^sha256:[0-9a-f]{64}$/;
// protocol leaf.ts: statement type syntax, and integratedAt exactly as toISOString writes it.
const TYPE_RE = /^[a-z][a-z0-9-]{0,31}(?:\.[a-z][a-z0-9-]{0,31}){1,3}$/;
const AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let lastGoodTime = '';

const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * The checks of protocol parseLeaf, returning the leaf itself rather than a copy, or undefined
 * when any fails (the caller then asks parseLeaf for the precise error).
 */
export function checkLeafFast(value: unknown): Leaf | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  let n = 0;
  for (const k in o) {
    if (!LEAF_FIELDS.has(k)) return undefined;
    n++;
  }
  if (n !== 11 || o.v !== 1 || !isCount(o.index) || !isCount(o.seq) || o.seq < 1) return undefined;
  if (typeof o.prev !== 'string' || !HEX64_RE.test(o.prev)) return undefined;
  if (typeof o.statement !== 'string' || !ID_RE.test(o.statement)) return undefined;
  if (typeof o.envelope !== 'string' || !ID_RE.test(o.envelope)) return undefined;
  if (typeof o.type !== 'string' || !TYPE_RE.test(o.type)) return undefined;
  if (typeof o.issuer !== 'string' || !PARTY_ID_RE.test(o.issuer)) return undefined;
  if (
    o.visibility !== 'public' &&
    o.visibility !== 'participants' &&
    o.visibility !== 'restricted'
  ) {
    return undefined;
  }
  const at = o.integratedAt;
  if (typeof at !== 'string') return undefined;
  // A batch of entries shares one integration time: check each distinct one once.
  if (at !== lastGoodTime) {
    if (!AT_RE.test(at)) return undefined;
    const ms = Date.parse(at);
    // One spelling per instant: an impossible date (02-30) does not survive the round trip.
    if (!Number.isFinite(ms) || new Date(ms).toISOString() !== at) return undefined;
    lastGoodTime = at;
  }
  const evidence = o.evidence;
  if (!Array.isArray(evidence)) return undefined;
  for (const e of evidence as unknown[]) {
    if (typeof e !== 'string' || !ID_RE.test(e)) return undefined;
  }
  return value as Leaf;
}

/**
 * JCS of a leaf that passed parseLeaf: every string field is ASCII without quotes or
 * backslashes (hex, base64-free ids, party ids, type names, RFC 3339 times), so JSON.stringify
 * would add nothing; keys in UTF-16 order.
 */
export function canonicalLeafFast(leaf: Leaf): string {
  let evidence = '';
  for (let i = 0; i < leaf.evidence.length; i++) {
    evidence += (i === 0 ? '"' : ',"') + leaf.evidence[i]! + '"';
  }
  return (
    '{"envelope":"' +
    leaf.envelope +
    '","evidence":[' +
    evidence +
    '],"index":' +
    leaf.index +
    ',"integratedAt":"' +
    leaf.integratedAt +
    '","issuer":"' +
    leaf.issuer +
    '","prev":"' +
    leaf.prev +
    '","seq":' +
    leaf.seq +
    ',"statement":"' +
    leaf.statement +
    '","type":"' +
    leaf.type +
    '","v":1,"visibility":"' +
    leaf.visibility +
    '"}'
  );
}

/** RFC 6962 leaf hash of a parsed leaf: SHA-256(0x00 ‖ JCS); the JCS text is ASCII. */
export function leafHashFast(leaf: Leaf): Buffer {
  return hash('sha256', `\u0000${canonicalLeafFast(leaf)}`, 'buffer');
}

const node = Buffer.alloc(65);
node[0] = 1;

/** RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right). */
export function hashChildrenFast(left: Uint8Array, right: Uint8Array): Buffer {
  node.set(left, 1);
  node.set(right, 33);
  return hash('sha256', node, 'buffer');
}

/**
 * The right frontier of an RFC 6962 tree (what protocol's CompactRange keeps), without the node
 * bookkeeping the log's store needs: appending costs one hash per completed level.
 */
export class MerkleFrontier {
  #size: number;
  /** Perfect subtrees left to right, strictly decreasing levels. */
  readonly #levels: number[] = [];
  readonly #hashes: Uint8Array[] = [];

  /** A tree of `size` leaves whose frontier (largest subtree first) is `hashes`. */
  constructor(size = 0, hashes: readonly Uint8Array[] = []) {
    const levels: number[] = [];
    for (let level = 52; level >= 0; level--) {
      if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
    }
    if (levels.length !== hashes.length) {
      throw new Error(`a tree of ${size} leaves has a frontier of ${levels.length} hashes`);
    }
    this.#size = size;
    this.#levels.push(...levels);
    this.#hashes.push(...hashes);
  }

  get size(): number {
    return this.#size;
  }

  append(leafHash: Uint8Array): void {
    let level = 0;
    let h = leafHash;
    while (this.#levels.length > 0 && this.#levels[this.#levels.length - 1] === level) {
      this.#levels.pop();
      h = hashChildrenFast(this.#hashes.pop()!, h);
      level++;
    }
    this.#levels.push(level);
    this.#hashes.push(h);
    this.#size++;
  }

  /** MTH of the tree; SHA-256 of nothing for the empty tree. */
  root(): Uint8Array {
    if (this.#hashes.length === 0) return hash('sha256', Buffer.alloc(0), 'buffer');
    let acc = this.#hashes[this.#hashes.length - 1]!;
    for (let i = this.#hashes.length - 2; i >= 0; i--)
      acc = hashChildrenFast(this.#hashes[i]!, acc);
    return acc;
  }

  frontier(): Uint8Array[] {
    return [...this.#hashes];
  }
}

const HEX_64_RE = /^[0-9a-f]{64}$/;
const SIG_B64_LENGTH = 88; // base64 of 64 bytes, padded

/** Decodes standard padded base64, or undefined unless it is the one canonical spelling. */
export function decodeBase64Canonical(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Buffer's decoder skips invalid characters and ignores trailing bits; re-encoding catches both.
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** An envelope that passed `checkEnvelopeFast`, its payload decoded once. */
export interface FastEnvelope {
  readonly envelope: Envelope;
  readonly payload: Buffer;
  /** The decoded signatures, in envelope order. */
  readonly signatures: Buffer[];
}

/**
 * The checks of the protocol's parseEnvelope (exact fields, the statement payloadType, canonical
 * base64, 1..100 signatures with distinct 64-hex keyids and 64-byte signatures, payload at most
 * 64 KiB), or undefined when any fails: the caller then asks parseEnvelope for the precise error.
 */
export function checkEnvelopeFast(value: unknown): FastEnvelope | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const env = value as Record<string, unknown>;
  let fields = 0;
  for (const k in env) {
    if (k !== 'payloadType' && k !== 'payload' && k !== 'signatures') return undefined;
    fields++;
  }
  if (fields !== 3 || env.payloadType !== STATEMENT_PAYLOAD_TYPE) return undefined;
  const payloadText = env.payload;
  if (typeof payloadText !== 'string' || payloadText.length > 87_384) return undefined;
  const payload = decodeBase64Canonical(payloadText);
  if (payload === undefined || payload.length > 65_536) return undefined;
  const sigs = env.signatures;
  if (!Array.isArray(sigs) || sigs.length === 0 || sigs.length > 100) return undefined;
  const decoded: Buffer[] = [];
  for (let i = 0; i < sigs.length; i++) {
    const s: unknown = sigs[i];
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return undefined;
    const sig = s as Record<string, unknown>;
    let n = 0;
    for (const k in sig) {
      if (k !== 'keyid' && k !== 'sig') return undefined;
      n++;
    }
    if (n !== 2 || typeof sig.keyid !== 'string' || !HEX_64_RE.test(sig.keyid)) return undefined;
    if (typeof sig.sig !== 'string' || sig.sig.length !== SIG_B64_LENGTH) return undefined;
    const bytes = decodeBase64Canonical(sig.sig);
    if (bytes?.length !== 64) return undefined;
    for (let j = 0; j < i; j++) {
      if ((sigs[j] as EnvelopeSignature).keyid === sig.keyid) return undefined;
    }
    decoded.push(bytes);
  }
  return { envelope: value as Envelope, payload, signatures: decoded };
}

function compareSignatures(a: EnvelopeSignature, b: EnvelopeSignature): number {
  if (a.keyid !== b.keyid) return a.keyid < b.keyid ? -1 : 1;
  return a.sig < b.sig ? -1 : a.sig > b.sig ? 1 : 0;
}

/**
 * envelopeDigest of an envelope that passed checkEnvelopeFast: every string is base64, hex or
 * the constant payloadType, so the JCS form is a fixed template.
 */
export function envelopeDigestFast(env: Envelope): string {
  const signatures =
    env.signatures.length === 1 ? env.signatures : [...env.signatures].sort(compareSignatures);
  let sigs = '';
  for (let i = 0; i < signatures.length; i++) {
    const s = signatures[i]!;
    sigs += (i === 0 ? '{"keyid":"' : ',{"keyid":"') + s.keyid + '","sig":"' + s.sig + '"}';
  }
  const canonical =
    '{"payload":"' +
    env.payload +
    '","payloadType":' +
    JSON.stringify(env.payloadType) +
    ',"signatures":[' +
    sigs +
    ']}';
  return 'sha256:' + hash('sha256', canonical, 'hex');
}

/** Statement id of payload bytes. */
export function statementIdFast(payload: Uint8Array): string {
  return 'sha256:' + hash('sha256', payload, 'hex');
}
