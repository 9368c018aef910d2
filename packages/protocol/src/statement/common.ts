/**
 * Field validators shared by several statement types: identifiers, keys, text, counts.
 */
import { fromBase64 } from '../bytes.js';
import {
  isPartyId,
  isStatementId,
  PARTY_ID_RE,
  partyKind,
  SHA256_HEX_RE,
  STATEMENT_ID_RE,
} from '../identifiers.js';
import type { PartyKind } from '../identifiers.js';
import { sha256Hex } from '../sha256.js';
import {
  decodeAt,
  fail,
  integer,
  object,
  patternOf,
  refine,
  string,
  withSchema,
} from './validate.js';
import type { Validator } from './validate.js';

/** Longest free text (descriptions, answers, findings), in UTF-16 code units. */
export const MAX_TEXT = 16384;
/** Longest name or designation. */
export const MAX_NAME = 256;

/** Single-line name: a person, party, exercise designation. */
export const name: Validator<string> = string({ max: MAX_NAME });
/** Free text of up to MAX_STRING characters; newlines allowed. */
export const shortText: Validator<string> = string({ multiline: true });
/** Free text of up to MAX_TEXT characters; newlines allowed. */
export const longText: Validator<string> = string({ max: MAX_TEXT, multiline: true });

/** `[a-z0-9][a-z0-9.-]{0,63}`, as party slugs (DESIGN.md §2); also measure ids. */
export const SLUG_RE = /^[a-z0-9][a-z0-9.-]{0,63}$/;
export const slug: Validator<string> = string({ max: 64, pattern: SLUG_RE, what: 'a slug' });

export const partyId: Validator<string> = withSchema(
  {
    type: 'string',
    pattern: patternOf(PARTY_ID_RE),
    description: 'Party id: `state:<ISO 3166-1 alpha-3>`, `observer:<slug>` or `operator:<slug>`.',
  },
  (value, path) => {
    if (!isPartyId(value)) fail(path, 'not a party id (state:XXX, observer:slug, operator:slug)');
    return value;
  },
);

// Id patterns of one kind each, for the schema: the kind is the id's prefix.
const KIND_PATTERNS: Record<PartyKind, string> = {
  state: '^state:[A-Z]{3}$',
  observer: '^observer:[a-z0-9][a-z0-9.-]{0,63}$',
  operator: '^operator:[a-z0-9][a-z0-9.-]{0,63}$',
};

function partyIdOfKind(...kinds: PartyKind[]): Validator<string> {
  const what = kinds.map((k) => `a ${k} id`).join(' or ');
  const schema =
    kinds.length === 1
      ? { type: 'string', pattern: KIND_PATTERNS[kinds[0]!] }
      : { type: 'string', anyOf: kinds.map((k) => ({ pattern: KIND_PATTERNS[k] })) };
  return withSchema(schema, (value, path) => {
    if (!isPartyId(value) || !kinds.includes(partyKind(value))) fail(path, `not ${what}`);
    return value;
  });
}

/** `state:<ISO 3166-1 alpha-3>`. */
export const stateId: Validator<string> = partyIdOfKind('state');
export const operatorId: Validator<string> = partyIdOfKind('operator');

/** Requires the statement's issuer to be of one of `kinds` (a rule readable from the id). */
export function requireIssuerKind(issuer: string, ...kinds: PartyKind[]): void {
  if (!kinds.includes(partyKind(issuer))) {
    fail('$.issuer', `must be ${kinds.map((k) => `a ${k}`).join(' or ')} for this type`);
  }
}

/** `sha256:<64 hex>`. */
export const statementId: Validator<string> = withSchema(
  {
    type: 'string',
    pattern: patternOf(STATEMENT_ID_RE),
    description: 'Statement id: `sha256:` and 64 lowercase hex characters.',
  },
  (value, path) => {
    if (!isStatementId(value)) fail(path, 'not a statement id (sha256:<64 lowercase hex>)');
    return value;
  },
);

/** 64 lowercase hex characters: keyids, evidence hashes. */
export const sha256HexString: Validator<string> = string({
  max: 64,
  pattern: SHA256_HEX_RE,
  what: '64 lowercase hex characters',
});

/** Standard padded base64 of exactly 32 bytes: an Ed25519 public key (DESIGN.md §2). */
export const publicKey: Validator<string> = withSchema(
  {
    type: 'string',
    // 32 bytes are 43 base64 digits, the last carrying 2 bits (canonical: the rest zero), and `=`.
    pattern: '^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$',
    description: 'Ed25519 public key: standard padded base64 of 32 bytes.',
  },
  (value, path) => {
    if (typeof value !== 'string' || value.length !== 44) {
      fail(path, 'not a base64 32-byte Ed25519 public key');
    }
    decodeAt(path, 'a base64 32-byte Ed25519 public key', () => fromBase64(value, 32));
    return value;
  },
);

export interface KeyEntry {
  /** Lowercase hex SHA-256 of the 32 public-key bytes. */
  keyid: string;
  /** Ed25519 public key, base64 (standard, padded). */
  publicKey: string;
}

/** `{keyid, publicKey}` where keyid must be the SHA-256 of the key, so nobody can mislabel one. */
export const keyEntry: Validator<KeyEntry> = refine(
  '`keyid` is the lowercase hex SHA-256 of the 32 bytes of `publicKey`.',
  object({ keyid: sha256HexString, publicKey }),
  (k, path) => {
    if (sha256Hex(fromBase64(k.publicKey, 32)) !== k.keyid) {
      fail(`${path}.keyid`, 'is not the SHA-256 of publicKey');
    }
  },
);

/** C2SP signed-note key names exclude whitespace and `+`; checkpoint origins are key names. */
export const KEY_NAME_RE = /^[^\s+\p{Cc}\p{Cs}]{1,255}$/u;

/**
 * Personnel and equipment counts. Capped at 10^9 so that sums over many activities stay exact
 * integers in a double.
 */
export const MAX_COUNT = 1_000_000_000;
export const count: Validator<number> = integer({ max: MAX_COUNT });

/** Calendar years the ledger deals with. */
export const year: Validator<number> = integer({ min: 1900, max: 9999 });

/** The force and equipment counts of a notifiable military activity (Vienna Document 2011 §38–40). */
export interface ActivityCounts {
  troops: number;
  battleTanks: number;
  /** Armoured combat vehicles. */
  acv: number;
  /** Artillery pieces (100 mm calibre and above). */
  artillery: number;
  aircraftSorties: number;
  amphibiousTroops: number;
  airborneTroops: number;
}

export const COUNT_FIELDS = [
  'troops',
  'battleTanks',
  'acv',
  'artillery',
  'aircraftSorties',
  'amphibiousTroops',
  'airborneTroops',
] as const satisfies readonly (keyof ActivityCounts)[];
export type CountField = (typeof COUNT_FIELDS)[number];

export const activityCounts: Validator<ActivityCounts> = object({
  troops: count,
  battleTanks: count,
  acv: count,
  artillery: count,
  aircraftSorties: count,
  amphibiousTroops: count,
  airborneTroops: count,
});

/**
 * Kinds of notifiable military activity (Vienna Document 2011 §38): a land exercise under a
 * single operational command, an amphibious landing, a parachute assault, a transfer into the
 * zone, a concentration; `other` for anything else a measure covers.
 */
export const ACTIVITY_TYPES = [
  'exercise',
  'amphibious-landing',
  'parachute-assault',
  'transfer',
  'concentration',
  'other',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/**
 * A ledger origin (DESIGN.md §2): a schema-less URL such as `cbm-ledger.example/mena`. It is
 * also the log key's name in C2SP signed notes, so it excludes whitespace and `+` as key names
 * must. Equality with the ledger's own origin is the service's check.
 */
export const origin: Validator<string> = refine(
  'Schema-less: no `://`.',
  string({ max: 255, pattern: KEY_NAME_RE, what: 'an origin (no whitespace or "+")' }),
  (value, path) => {
    if (value.includes('://')) fail(path, 'an origin is schema-less (no "://")');
  },
);

/** Public registry statements must stay readable by every verifier: they carry the keys. */
export function requirePublic(visibility: string): void {
  if (visibility !== 'public') fail('$.visibility', 'must be public for this type');
}
