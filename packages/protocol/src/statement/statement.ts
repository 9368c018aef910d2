/**
 * Statement parsing and validation (DESIGN.md §3, normative): the envelope fields, the per-type
 * bodies, and who must sign.
 */
import { MAX_PAYLOAD_BYTES } from '../dsse.js';
import { fromBase64Url, utf8Decode } from '../bytes.js';
import { ErrorCode, ProtocolError } from '../errors.js';
import { parseJsonStrict } from '../json.js';
import type { DatashareAlertBody } from './alert.js';
import { datashareAlertRule } from './alert.js';
import { claimReplyRule } from './claim.js';
import type { ClaimReplyBody } from './claim.js';
import { name, origin, partyId, sha256HexString, statementId } from './common.js';
import {
  genesisRule,
  keyAddRule,
  keyRevokeRule,
  keyRotateRule,
  partyRecoverRule,
  partyRegisterRule,
  recoveryVetoRule,
  witnessSetRule,
} from './ledger.js';
import type {
  GenesisBody,
  KeyAddBody,
  KeyRevokeBody,
  KeyRotateBody,
  PartyRecoverBody,
  PartyRegisterBody,
  RecoveryVetoBody,
  WitnessSetBody,
} from './ledger.js';
import {
  measureDefineRule,
  measureRenewRule,
  measureReviewRule,
  measureWithdrawRule,
} from './measure.js';
import type {
  MeasureDefineBody,
  MeasureRenewBody,
  MeasureReviewBody,
  MeasureWithdrawBody,
} from './measure.js';
import {
  calendarAnnualRule,
  exerciseCancelRule,
  exerciseNotificationRule,
  exerciseUpdateRule,
  infoExchangeRule,
} from './military.js';
import type {
  CalendarAnnualBody,
  ExerciseCancelBody,
  ExerciseNotificationBody,
  ExerciseUpdateBody,
  InfoExchangeBody,
} from './military.js';
import { isStatementType, STATEMENT_TYPES, VISIBILITIES } from './model.js';
import type {
  EvidenceRef,
  SignerRequirement,
  Statement,
  StatementType,
  TypeRule,
} from './model.js';
import { observerReportRule } from './observer.js';
import type { ObserverReportBody } from './observer.js';
import { riskRequestRule, riskResponseRule } from './risk.js';
import type { RiskRequestBody, RiskResponseBody } from './risk.js';
import {
  FieldErrors,
  array,
  describe,
  ensure,
  fail,
  integer,
  isPlainObject,
  nullable,
  object,
  oneOf,
  refine,
  string,
  timestamp,
  withSchema,
} from './validate.js';
import type { JsonSchema, Validator } from './validate.js';

/** Payload limit (DESIGN.md §3): 64 KiB of UTF-8; larger material goes to evidence. */
// One limit for DSSE payloads and statements (DESIGN.md §3).
export { MAX_PAYLOAD_BYTES };

/** Deepest JSON nesting any v1 statement needs (a MultiPolygon inside a risk.request is 9). */
export const MAX_PAYLOAD_DEPTH = 16;

/** The body type of each statement type. */
export interface StatementBodies {
  'ledger.genesis': GenesisBody;
  'party.register': PartyRegisterBody;
  'key.rotate': KeyRotateBody;
  'key.revoke': KeyRevokeBody;
  'measure.define': MeasureDefineBody;
  'measure.review': MeasureReviewBody;
  'measure.renew': MeasureRenewBody;
  'measure.withdraw': MeasureWithdrawBody;
  'calendar.annual': CalendarAnnualBody;
  'exercise.notification': ExerciseNotificationBody;
  'exercise.update': ExerciseUpdateBody;
  'exercise.cancel': ExerciseCancelBody;
  'info.exchange': InfoExchangeBody;
  'datashare.alert': DatashareAlertBody;
  'risk.request': RiskRequestBody;
  'risk.response': RiskResponseBody;
  'observer.report': ObserverReportBody;
  'key.add': KeyAddBody;
  'witness.set': WitnessSetBody;
  'party.recover': PartyRecoverBody;
  'recovery.veto': RecoveryVetoBody;
  'claim.reply': ClaimReplyBody;
}

/** A statement of one known type, its body typed accordingly. */
export type TypedStatement<T extends StatementType> = Statement<StatementBodies[T]> & { type: T };

/** Narrows a statement to its type's body. */
export function isStatementOf<T extends StatementType>(
  s: Statement,
  type: T,
): s is TypedStatement<T> {
  return s.type === type;
}

/** Any valid statement, discriminated on `type`. */
export type AnyStatement = { [T in StatementType]: TypedStatement<T> }[StatementType];

const RULES: { [T in StatementType]: TypeRule<StatementBodies[T]> } = {
  'ledger.genesis': genesisRule,
  'party.register': partyRegisterRule,
  'key.rotate': keyRotateRule,
  'key.revoke': keyRevokeRule,
  'measure.define': measureDefineRule,
  'measure.review': measureReviewRule,
  'measure.renew': measureRenewRule,
  'measure.withdraw': measureWithdrawRule,
  'calendar.annual': calendarAnnualRule,
  'exercise.notification': exerciseNotificationRule,
  'exercise.update': exerciseUpdateRule,
  'exercise.cancel': exerciseCancelRule,
  'info.exchange': infoExchangeRule,
  'datashare.alert': datashareAlertRule,
  'risk.request': riskRequestRule,
  'risk.response': riskResponseRule,
  'observer.report': observerReportRule,
  'key.add': keyAddRule,
  'witness.set': witnessSetRule,
  'party.recover': partyRecoverRule,
  'recovery.veto': recoveryVetoRule,
  'claim.reply': claimReplyRule,
};

function ruleFor(type: StatementType): TypeRule<unknown> {
  return RULES[type] as TypeRule<unknown>;
}

/** Nonces carry 16 to 64 random bytes, base64url without padding (22 to 86 characters). */
const nonce: Validator<string> = withSchema(
  {
    type: 'string',
    // 22 to 86 digits, never 1 mod 4; a last partial digit's unused bits are zero (canonical).
    pattern:
      '^(?=.{22,86}$)(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?$',
    description: 'Canonical unpadded base64url of 16 to 64 random bytes.',
  },
  (value, path) => {
    if (typeof value !== 'string' || value.length < 22 || value.length > 86) {
      fail(path, 'must be base64url of 16 to 64 bytes');
    }
    let bytes: Uint8Array;
    try {
      bytes = fromBase64Url(value);
    } catch {
      fail(path, 'not canonical unpadded base64url');
    }
    if (bytes.length < 16 || bytes.length > 64) fail(path, 'must be base64url of 16 to 64 bytes');
    return value;
  },
);

/** RFC 6838 `type/subtype`: restricted-name tokens, no parameters. */
const MEDIA_TYPE_RE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** File-name hint. Security: clients may save evidence under it, so no path separators or dot-names. */
const evidenceName = refine(
  'A plain file name: no `/` or `\\`, not `.` or `..`.',
  name,
  (value, path) => {
    if (/[/\\]/.test(value) || value === '.' || value === '..') {
      fail(path, 'must be a plain file name (no "/", "\\", "." or "..")');
    }
  },
);

const evidenceRef: Validator<EvidenceRef> = object(
  {
    sha256: sha256HexString,
    size: integer(),
    mediaType: string({ max: 255, pattern: MEDIA_TYPE_RE, what: 'a type/subtype media type' }),
  },
  { name: evidenceName },
);

const envelope = object(
  {
    v: withSchema({ const: 1 }, (value, path): 1 => {
      if (value !== 1) fail(path, 'must be 1');
      return 1;
    }),
    ledger: origin,
    type: withSchema(
      { type: 'string', enum: [...STATEMENT_TYPES] },
      (value, path): StatementType => {
        if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`);
        if (!isStatementType(value)) {
          const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
          throw new ProtocolError(
            ErrorCode.UNKNOWN_STATEMENT_TYPE,
            `unknown statement type ${JSON.stringify(shown)}`,
            path,
          );
        }
        return value;
      },
    ),
    issuer: partyId,
    seq: integer({ min: 1 }),
    prev: nullable(statementId),
    issuedAt: timestamp,
    nonce,
    visibility: oneOf(VISIBILITIES),
    // The body is validated after the envelope, by the rule of its type.
    body: withSchema({ type: 'object' }, (value: unknown): unknown => value),
  },
  {
    audience: array(partyId, { min: 1, max: 1000, uniqueBy: 'self' }),
    refs: array(statementId, { min: 1, max: 1000, uniqueBy: 'self' }),
    evidence: array(evidenceRef, { min: 1, max: 1000, uniqueBy: 'sha256' }),
  },
);

/**
 * Validates a parsed statement against DESIGN.md §3: envelope fields, the body of its type, and
 * the cross-field rules readable from the statement alone (issuer kind, prev/seq, audience).
 * Rules needing ledger state (origin equality, clock skew, seq continuity, registered keys) are
 * the service's.
 *
 * Returns `value` itself, typed. Security: `value` is attacker-controlled. Throws only
 * ProtocolError: UNKNOWN_FIELD (path of the field), UNKNOWN_STATEMENT_TYPE (`$.type`),
 * SCHEMA_VIOLATION (path of the offending field). Fields are checked in declaration order, so
 * the error reported for a given input is deterministic.
 */
export function validateStatement(value: unknown): Statement {
  try {
    return validate(value);
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    // Not reachable by design; a bug here must still not leak as a 5xx-shaped exception.
    throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'statement could not be validated');
  }
}

/**
 * The envelope's two cross-field rules (checked in validate below) as JSON Schema, for the
 * published schemas: unlike most cross-field rules, these two are expressible, and every
 * statement is subject to them. The agreement test holds both forms to the same bad inputs.
 */
const ENVELOPE_RULES: readonly JsonSchema[] = [
  {
    if: { properties: { seq: { const: 1 } } },
    then: { properties: { prev: { type: 'null' } } },
    else: { properties: { prev: { type: 'string' } } },
  },
  {
    if: { properties: { visibility: { const: 'restricted' } } },
    then: { required: ['audience'] },
    else: { not: { required: ['audience'] } },
  },
];

function validate(value: unknown): Statement {
  if (!isPlainObject(value)) fail('$', `expected an object, got ${describe(value)}`);
  const errors = new FieldErrors();
  const s = errors.attempt(() => envelope(value, '$') as Statement);
  if (s !== undefined) {
    errors.attempt(() =>
      ensure((s.seq === 1) === (s.prev === null), '$.prev', 'must be null exactly when seq is 1'),
    );
    errors.attempt(() => {
      if (s.visibility === 'restricted') {
        ensure(s.audience !== undefined, '$.audience', 'required with restricted visibility');
      } else {
        ensure(s.audience === undefined, '$.audience', 'only with restricted visibility');
      }
    });
  }
  // The body is checked whenever its type is known, even beside envelope errors, so that one
  // answer lists every error of the statement.
  const type = value['type'];
  if (isStatementType(type) && Object.prototype.hasOwnProperty.call(value, 'body')) {
    errors.attempt(() => ruleFor(type).body(value['body'], '$.body'));
  }
  errors.throwIfAny();
  // Only reached with no errors, so the envelope (s) was accepted; the envelope-and-body rules
  // (issuer kind, visibility) assume a valid body.
  if (s === undefined) fail('$', 'statement could not be validated');
  ruleFor(s.type).check?.(s);
  return s;
}

/** The JSON Schema dialect of the published statement schemas. */
export const STATEMENT_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** The `$id` of the schema of statements of `type`. */
export function statementSchemaId(type: StatementType): string {
  return `urn:cbm-ledger:schema:statement:${type}`;
}

/**
 * The JSON Schema (draft 2020-12) of a statement of `type`: the envelope with `type` fixed and
 * the type's body. Built from the validators themselves (validate.ts), so it says what
 * validateStatement accepts. What no keyword can state is in `description`s: cross-field rules,
 * keyids that must hash their keys, and the rules of the envelope and body together that the
 * ledger checks on admission (issuer kind, visibility, who signs).
 */
export function statementSchema(type: StatementType): JsonSchema {
  const { properties, ...rest } = envelope.schema as JsonSchema & {
    properties: Record<string, JsonSchema>;
  };
  return {
    $schema: STATEMENT_SCHEMA_DIALECT,
    $id: statementSchemaId(type),
    title: `${type} statement`,
    $comment:
      'minLength and maxLength count UTF-16 code units in the ledger: a string of characters outside the Basic Multilingual Plane may pass maxLength here and still be refused.',
    ...rest,
    ...(ruleFor(type).checks === undefined ? {} : { description: ruleFor(type).checks }),
    properties: { ...properties, type: { const: type }, body: ruleFor(type).body.schema },
    allOf: ENVELOPE_RULES,
  };
}

/**
 * Which parties (and keys) must have signed `s`, per the "signatures required" column of
 * DESIGN.md §3. Rules across statements are the ledger's: for measure.renew this returns only
 * the issuer, and the ledger checks that every party of the measure renewed.
 * `s` must be a validated statement.
 */
export function statementSigners(s: Statement): SignerRequirement {
  return ruleFor(s.type).signers(s);
}

/**
 * Parses a DSSE payload: size limit (TOO_LARGE), strict UTF-8 without a byte-order mark
 * (MALFORMED), strict JSON (MALFORMED: syntax, duplicate keys, unsafe numbers, nesting), then
 * validateStatement.
 *
 * Security: `payload` is attacker-controlled. The size check comes before any decoding, and only
 * ProtocolError is ever thrown.
 */
export function parseStatement(payload: Uint8Array | string): Statement {
  let text: string;
  if (typeof payload === 'string') {
    // Each UTF-16 code unit encodes to at least one UTF-8 byte: a cheap bound before encoding.
    if (payload.length > MAX_PAYLOAD_BYTES || utf8Length(payload) > MAX_PAYLOAD_BYTES) {
      throw new ProtocolError(ErrorCode.TOO_LARGE, `payload exceeds ${MAX_PAYLOAD_BYTES} bytes`);
    }
    text = payload;
  } else if (payload instanceof Uint8Array) {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new ProtocolError(ErrorCode.TOO_LARGE, `payload exceeds ${MAX_PAYLOAD_BYTES} bytes`);
    }
    // TextDecoder silently drops a leading BOM, so look at the bytes themselves.
    if (payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf) {
      throw new ProtocolError(ErrorCode.MALFORMED, 'payload starts with a byte-order mark');
    }
    text = utf8Decode(payload);
  } else {
    throw new ProtocolError(ErrorCode.MALFORMED, 'payload must be bytes or a string');
  }
  return validateStatement(parseJsonStrict(text, { maxDepth: MAX_PAYLOAD_DEPTH }));
}

/** UTF-8 length of a string, counting a lone surrogate as the 3 bytes of U+FFFD. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
