/**
 * Log leaves (DESIGN.md section 4, normative): one per integrated statement, serialised with
 * RFC 8785 (JCS) and hashed as an RFC 6962 leaf.
 *
 * Two versions live side by side (docs/promises.md): v1 as DESIGN.md §4 defines it, and v2, which
 * adds `acceptedAt` (the ledger clock at the durable accept, as the statement's admission promise
 * signed it) and `integrateBy` (the promised integration deadline). Old logs keep their v1 leaves
 * valid forever; a v2 leaf commits the log to the times a submitter can prove with its promise.
 */
import type { Visibility } from './statement/model.js';
import { toHex, utf8Encode } from './bytes.js';
import { ErrorCode, ProtocolError } from './errors.js';
import {
  SHA256_HEX_RE,
  formatUtcMillis,
  isPartyId,
  isStatementId,
  parseUtcTimestamp,
} from './identifiers.js';
import { canonicalize } from './jcs.js';
import { hashLeaf } from './tree-hash.js';

export type { Visibility };

/** Fields both leaf versions share. */
interface LeafFields {
  /** Position in the log, from 0. */
  index: number;
  /** Hex leaf hash of leaf `index - 1`; GENESIS_PREV for leaf 0. The ledger-wide chain. */
  prev: string;
  /** RFC 3339 UTC with exactly three fractional digits and `Z`. */
  integratedAt: string;
  /** Statement id: `sha256:` + hex SHA-256 of the payload bytes. */
  statement: string;
  /** envelopeDigest of the submitted envelope. */
  envelope: string;
  type: string;
  issuer: string;
  /** The issuer's own sequence number from the statement (starts at 1). */
  seq: number;
  visibility: Visibility;
  /** `sha256:<hex>` of each evidence object, in the statement's order. */
  evidence: string[];
}

export interface LeafV1 extends LeafFields {
  v: 1;
}

export interface LeafV2 extends LeafFields {
  v: 2;
  /** Ledger clock at the durable accept (RFC 3339 ms Z), as the admission promise states it. */
  acceptedAt: string;
  /** The promised integration deadline: acceptedAt + the maximum merge delay (RFC 3339 ms Z). */
  integrateBy: string;
}

export type Leaf = LeafV1 | LeafV2;

/**
 * The time the log commits to having received the statement: what deadlines are judged on.
 * `acceptedAt` for a v2 leaf (the submitter holds a signed promise of it), `integratedAt` for v1.
 */
export function leafRecordedAt(leaf: Leaf): string {
  return leaf.v === 2 ? leaf.acceptedAt : leaf.integratedAt;
}

export const GENESIS_PREV = '0'.repeat(64);

const LEAF_FIELDS = [
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
] as const;
const LEAF_V2_FIELDS = [...LEAF_FIELDS, 'acceptedAt', 'integrateBy'] as const;
const LEAF_FIELD_SET: ReadonlySet<string> = new Set(LEAF_FIELDS);
const LEAF_V2_FIELD_SET: ReadonlySet<string> = new Set(LEAF_V2_FIELDS);

const VISIBILITIES: ReadonlySet<string> = new Set(['public', 'participants', 'restricted']);

/** Exactly the form formatUtcMillis (Date.toISOString) writes for years 0000–9999. */
const INTEGRATED_AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Statement type syntax (`exercise.notification`); which types exist is the statement layer's
 * business, so a verifier can still hash and chain leaves of types newer than itself. */
const TYPE_RE = /^[a-z][a-z0-9-]{0,31}(?:\.[a-z][a-z0-9-]{0,31}){1,3}$/;

/**
 * The JCS serialisation of a leaf. Built from the defined fields of its version only (eleven for
 * v1, thirteen for v2), so a runtime object carrying extra properties cannot change what is hashed.
 */
export function canonicalLeaf(leaf: Leaf): string {
  const common = {
    v: leaf.v,
    index: leaf.index,
    prev: leaf.prev,
    integratedAt: leaf.integratedAt,
    statement: leaf.statement,
    envelope: leaf.envelope,
    type: leaf.type,
    issuer: leaf.issuer,
    seq: leaf.seq,
    visibility: leaf.visibility,
    evidence: leaf.evidence,
  };
  if (leaf.v !== 2) return canonicalize(common);
  return canonicalize({ ...common, acceptedAt: leaf.acceptedAt, integrateBy: leaf.integrateBy });
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ UTF-8 of the canonical leaf). */
export function leafHash(leaf: Leaf): Uint8Array {
  return hashLeaf(utf8Encode(canonicalLeaf(leaf)));
}

export function leafHashHex(leaf: Leaf): string {
  return toHex(leafHash(leaf));
}

function violation(message: string, path: string): ProtocolError {
  return new ProtocolError(ErrorCode.SCHEMA_VIOLATION, message, path);
}

function isNonNegativeSafeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Validates a parsed leaf (e.g. from a receipt) and returns a fresh copy holding only its fields.
 *
 * Security: leaves in receipts and audits come from the operator, whom verifiers do not trust.
 * Every field must be present with exactly its defined form, since the leaf hash commits to the
 * exact canonical bytes and a lenient reader would accept leaves other verifiers reject.
 *
 * Throws ProtocolError: SCHEMA_VIOLATION (missing or malformed field, with its path),
 * UNKNOWN_FIELD (a field the leaf format does not define).
 */
export function parseLeaf(input: unknown): Leaf {
  try {
    return parseLeafValue(input);
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw violation('invalid leaf', '$'); // e.g. a throwing getter on a non-JSON input
  }
}

function parseLeafValue(input: unknown): Leaf {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw violation('leaf must be a JSON object', '$');
  }
  const obj = input as Record<string, unknown>;
  const fields = obj.v === 2 ? LEAF_V2_FIELDS : LEAF_FIELDS;
  const fieldSet = obj.v === 2 ? LEAF_V2_FIELD_SET : LEAF_FIELD_SET;
  for (const k of Object.keys(obj)) {
    if (!fieldSet.has(k)) {
      throw new ProtocolError(
        ErrorCode.UNKNOWN_FIELD,
        `unknown field ${JSON.stringify(k)}`,
        `$.${k}`,
      );
    }
  }
  for (const k of fields) {
    if (obj[k] === undefined) throw violation('missing field', `$.${k}`);
  }
  const { v, index, prev, integratedAt, statement, envelope, type, issuer, seq, visibility } = obj;

  if (v !== 1 && v !== 2) throw violation('must be 1 or 2', '$.v');
  if (!isNonNegativeSafeInteger(index))
    throw violation('must be a non-negative integer', '$.index');
  if (typeof prev !== 'string' || !SHA256_HEX_RE.test(prev)) {
    throw violation('must be 64 lowercase hex digits', '$.prev');
  }
  if (!isLeafTime(integratedAt)) {
    throw violation('must be an RFC 3339 UTC time with milliseconds and Z', '$.integratedAt');
  }
  if (!isStatementId(statement)) throw violation('must be sha256:<hex>', '$.statement');
  if (!isStatementId(envelope)) throw violation('must be sha256:<hex>', '$.envelope');
  if (typeof type !== 'string' || !TYPE_RE.test(type)) {
    throw violation('must be a statement type', '$.type');
  }
  if (!isPartyId(issuer)) throw violation('must be a party id', '$.issuer');
  // DESIGN.md section 3: an issuer's seq starts at 1.
  if (!isNonNegativeSafeInteger(seq) || seq < 1) {
    throw violation('must be a positive integer', '$.seq');
  }
  if (typeof visibility !== 'string' || !VISIBILITIES.has(visibility)) {
    throw violation('must be public, participants or restricted', '$.visibility');
  }
  const evidence = obj.evidence;
  if (!Array.isArray(evidence)) throw violation('must be an array', '$.evidence');
  const evidenceIds: string[] = [];
  for (let i = 0; i < evidence.length; i++) {
    const e: unknown = evidence[i];
    if (!isStatementId(e)) throw violation('must be sha256:<hex>', `$.evidence[${i}]`);
    evidenceIds.push(e);
  }
  const common: LeafFields = {
    index,
    prev,
    integratedAt,
    statement,
    envelope,
    type,
    issuer,
    seq,
    visibility: visibility as Visibility,
    evidence: evidenceIds,
  };
  if (v === 1) return { v: 1, ...common };
  const { acceptedAt, integrateBy } = obj;
  if (!isLeafTime(acceptedAt)) {
    throw violation('must be an RFC 3339 UTC time with milliseconds and Z', '$.acceptedAt');
  }
  if (!isLeafTime(integrateBy)) {
    throw violation('must be an RFC 3339 UTC time with milliseconds and Z', '$.integrateBy');
  }
  // Same-length fixed-format UTC strings compare as their instants do. A statement cannot be
  // integrated before it was accepted, nor promised a deadline before its acceptance; an
  // integratedAt after integrateBy is valid (a broken promise, reported against the operator).
  if (acceptedAt > integratedAt) {
    throw violation('must not be later than integratedAt', '$.acceptedAt');
  }
  if (integrateBy < acceptedAt)
    throw violation('must not be earlier than acceptedAt', '$.integrateBy');
  return { v: 2, ...common, acceptedAt, integrateBy };
}

function isLeafTime(t: unknown): t is string {
  return typeof t === 'string' && INTEGRATED_AT_RE.test(t) && isExactUtcMillis(t);
}

/** True when the timestamp names a real instant and is exactly how that instant is written, which
 * rules out impossible dates and any second spelling of one instant. */
function isExactUtcMillis(s: string): boolean {
  const ms = parseUtcTimestamp(s);
  if (ms === undefined) return false;
  try {
    return formatUtcMillis(ms) === s;
  } catch {
    return false; // toISOString throws outside Date's range
  }
}

/**
 * Checks that `leaf` directly follows `prevLeaf` in the ledger-wide chain: index contiguity and
 * `prev` = leafHashHex(prevLeaf); with no previous leaf, `leaf` must be leaf 0 with GENESIS_PREV.
 * Both leaves are assumed to have passed parseLeaf. Throws ProtocolError LEAF_INVALID.
 */
export function verifyLeafChain(prevLeaf: Leaf | undefined, leaf: Leaf): void {
  if (prevLeaf === undefined) {
    if (leaf.index !== 0) {
      throw new ProtocolError(
        ErrorCode.LEAF_INVALID,
        `leaf ${leaf.index} has no predecessor`,
        '$.index',
      );
    }
    if (leaf.prev !== GENESIS_PREV) {
      throw new ProtocolError(
        ErrorCode.LEAF_INVALID,
        'leaf 0 must have prev of 64 zeros',
        '$.prev',
      );
    }
    return;
  }
  if (leaf.index !== prevLeaf.index + 1) {
    throw new ProtocolError(
      ErrorCode.LEAF_INVALID,
      `leaf ${leaf.index} does not follow leaf ${prevLeaf.index}`,
      '$.index',
    );
  }
  if (leaf.prev !== leafHashHex(prevLeaf)) {
    throw new ProtocolError(
      ErrorCode.LEAF_INVALID,
      `prev of leaf ${leaf.index} is not the hash of leaf ${prevLeaf.index}`,
      '$.prev',
    );
  }
}
