/**
 * A tiny schema toolkit for statement payloads. Every validator is a function
 * `(value, path) => value` that returns its input typed, or throws a ProtocolError naming the
 * JSON path of the first offending field (`$.body.counts.troops`) and, in `errors`, every
 * offending field it found: objects and arrays check all their members before they throw.
 *
 * Every validator also carries `schema`, the JSON Schema (draft 2020-12) of what it accepts,
 * built by the same combinators that build the check; the published statement schemas
 * (schema.ts) are these, so the documentation and the validation cannot drift apart. Rules a
 * JSON Schema cannot state (cross-field rules, keys that must hash to their keyid) are `refine`
 * steps, and each one says what it checks in its schema's `description`.
 *
 * Security: everything here sees attacker-controlled JSON on every submission. Validators
 * therefore bound every string and array, read only own properties (never the prototype
 * chain), reject fields they do not know, bound the errors they collect (MAX_FIELD_ERRORS), and
 * throw nothing but ProtocolError.
 */
import { ErrorCode, MAX_FIELD_ERRORS, ProtocolError, fieldErrors } from '../errors.js';
import type { FieldError } from '../errors.js';
import { parseDate, parseUtcTimestamp } from '../identifiers.js';

/** A JSON Schema (draft 2020-12) node: plain JSON, never mutated once built. */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface Validator<T> {
  (value: unknown, path: string): T;
  /** The JSON Schema of what the check accepts, up to the rules its `description`s state. */
  readonly schema: JsonSchema;
}
export type Infer<V> = V extends Validator<infer T> ? T : never;

/** Gives a hand-written check its schema; the two sit side by side, in one place. */
export function withSchema<T>(
  schema: JsonSchema,
  check: (value: unknown, path: string) => T,
): Validator<T> {
  return Object.assign((value: unknown, path: string) => check(value, path), { schema });
}

/** `schema` with `note` added to its description (a rule the schema's keywords cannot state). */
export function describedAs(schema: JsonSchema, note: string): JsonSchema {
  const before = schema['description'];
  return { ...schema, description: typeof before === 'string' ? `${before} ${note}` : note };
}

/**
 * Gathers the field errors of several checks, so that one answer lists them all. A ProtocolError
 * naming no field (a decoder's) is not a field error and passes through at once, as does any
 * other exception.
 */
export class FieldErrors {
  private readonly found: FieldError[] = [];

  get count(): number {
    return this.found.length;
  }

  add(error: FieldError): void {
    this.found.push(error);
    // Enough to act on; stop walking a hostile input.
    if (this.found.length >= MAX_FIELD_ERRORS) throw fieldErrors(this.found);
  }

  /** Runs `check`, keeping its field errors; returns its result, or undefined if it failed. */
  attempt<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof ProtocolError) || e.errors.length === 0) throw e;
      for (const error of e.errors) this.add(error);
      return undefined;
    }
  }

  /** Throws one ProtocolError carrying every error found, if any was. */
  throwIfAny(): void {
    if (this.found.length > 0) throw fieldErrors(this.found);
  }
}

/** Default bound for a string field, in UTF-16 code units. */
export const MAX_STRING = 4096;
/** Default bound for an array field. */
export const MAX_ITEMS = 1000;

export function fail(path: string, message: string): never {
  throw new ProtocolError(ErrorCode.SCHEMA_VIOLATION, message, path);
}

/** Cross-field rule: throws SCHEMA_VIOLATION at `path` unless `condition` holds. */
export function ensure(condition: boolean, path: string, message: string): asserts condition {
  if (!condition) fail(path, message);
}

const IDENTIFIER_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Path of an object member: `$.a.b`, or `$.a["odd key"]` for keys that are not identifiers. */
export function memberPath(path: string, key: string): string {
  if (IDENTIFIER_RE.test(key)) return `${path}.${key}`;
  // An attacker's key may be kilobytes long; the path only has to point at it.
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  return `${path}[${JSON.stringify(shown)}]`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

// Lone surrogates (reachable through JSON `\ud800` escapes) cannot be stored or re-encoded as
// UTF-8 faithfully, and control characters have no business in names; both are rejected.
const SINGLE_LINE_FORBIDDEN = /[\p{Cc}\p{Cs}]/u;
const MULTI_LINE_FORBIDDEN = /\p{Cs}|(?![\t\n\r])\p{Cc}/u;
// The same rules as whole-string patterns, for the schema (JSON Schema patterns are unanchored).
const SINGLE_LINE_PATTERN = '^[^\\p{Cc}\\p{Cs}]*$';
const MULTI_LINE_PATTERN = '^(?:[\\t\\n\\r]|[^\\p{Cc}\\p{Cs}])*$';

/**
 * A RegExp as a JSON Schema pattern. JSON Schema patterns are ECMA-262 regular expressions
 * evaluated with the `u` flag, so only patterns without other flags can be published as they are.
 */
export function patternOf(re: RegExp): string {
  if (re.flags.replace('u', '') !== '') {
    throw new Error(`pattern ${String(re)} has flags a JSON Schema pattern cannot carry`);
  }
  return re.source;
}

export interface StringOptions {
  /** Minimum length; default 1 (empty strings are rejected unless asked for). */
  min?: number;
  /** Maximum length in UTF-16 code units; default MAX_STRING. */
  max?: number;
  /** A pattern the whole string must match (anchor it). It replaces the control-character
   * check, so it must exclude control characters itself. */
  pattern?: RegExp;
  /** What the pattern means, for the error message. */
  what?: string;
  /** Allow tab, CR and LF (free text). Other control characters are always rejected. */
  multiline?: boolean;
}

export function string(options: StringOptions = {}): Validator<string> {
  const min = options.min ?? 1;
  const max = options.max ?? MAX_STRING;
  const forbidden = options.multiline ? MULTI_LINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN;
  const { pattern, what } = options;
  const schema: JsonSchema = {
    type: 'string',
    ...(min > 0 ? { minLength: min } : {}),
    maxLength: max,
    pattern: pattern
      ? patternOf(pattern)
      : options.multiline
        ? MULTI_LINE_PATTERN
        : SINGLE_LINE_PATTERN,
    ...(what ? { description: `${what[0]!.toUpperCase()}${what.slice(1)}.` } : {}),
  };
  return withSchema(schema, (value, path) => {
    if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`);
    if (value.length < min) fail(path, min === 1 ? 'must not be empty' : `shorter than ${min}`);
    if (value.length > max) fail(path, `longer than ${max} characters`);
    if (pattern) {
      if (!pattern.test(value)) fail(path, `not ${what ?? `matching ${String(pattern)}`}`);
    } else if (forbidden.test(value)) {
      fail(path, 'contains control characters or unpaired surrogates');
    }
    return value;
  });
}

export function literal<const T extends string | number | boolean | null>(
  expected: T,
): Validator<T> {
  return withSchema({ const: expected }, (value, path) => {
    if (value !== expected) fail(path, `must be ${JSON.stringify(expected)}`);
    return value as T;
  });
}

export function oneOf<const T extends string>(values: readonly T[]): Validator<T> {
  const allowed = new Set<string>(values);
  const list = values.join(', ');
  return withSchema({ type: 'string', enum: [...values] }, (value, path) => {
    if (typeof value !== 'string' || !allowed.has(value)) fail(path, `must be one of ${list}`);
    return value as T;
  });
}

export const boolean: Validator<boolean> = withSchema({ type: 'boolean' }, (value, path) => {
  if (typeof value !== 'boolean') fail(path, `expected a boolean, got ${describe(value)}`);
  return value;
});

export interface IntegerOptions {
  /** Default 0. */
  min?: number;
  /** Default Number.MAX_SAFE_INTEGER. */
  max?: number;
}

/** A safe integer in [min, max]. `-0` is rejected so each value has one spelling. */
export function integer(options: IntegerOptions = {}): Validator<number> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return withSchema({ type: 'integer', minimum: min, maximum: max }, (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || Object.is(value, -0)) {
      fail(path, `expected an integer, got ${describe(value)}`);
    }
    if (value < min || value > max) fail(path, `must be between ${min} and ${max}`);
    return value;
  });
}

/** A finite number in [min, max]. */
export function number(options: { min: number; max: number }): Validator<number> {
  const { min, max } = options;
  return withSchema({ type: 'number', minimum: min, maximum: max }, (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      fail(path, `expected a number, got ${describe(value)}`);
    }
    if (value < min || value > max) fail(path, `must be between ${min} and ${max}`);
    return value;
  });
}

/** RFC 3339 UTC timestamp with a `Z` suffix (identifiers.ts). */
export const timestamp: Validator<string> = withSchema(
  {
    type: 'string',
    format: 'date-time',
    maxLength: 40,
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z$',
    description: 'RFC 3339 timestamp in UTC (`Z`), a real calendar date and time.',
  },
  (value, path) => {
    if (typeof value !== 'string' || value.length > 40 || parseUtcTimestamp(value) === undefined) {
      fail(path, 'not an RFC 3339 UTC timestamp (YYYY-MM-DDThh:mm:ss[.fff]Z)');
    }
    return value;
  },
);

/** `YYYY-MM-DD` calendar date. */
export const date: Validator<string> = withSchema(
  {
    type: 'string',
    format: 'date',
    pattern: '^\\d{4}-\\d{2}-\\d{2}$',
    description: 'Calendar date YYYY-MM-DD that exists.',
  },
  (value, path) => {
    if (typeof value !== 'string' || parseDate(value) === undefined) {
      fail(path, 'not a calendar date (YYYY-MM-DD)');
    }
    return value;
  },
);

/** Epoch milliseconds of a value that `timestamp` already accepted. */
export function millis(validTimestamp: string): number {
  return parseUtcTimestamp(validTimestamp) ?? NaN;
}

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return withSchema({ anyOf: [inner.schema, { type: 'null' }] }, (value, path) =>
    value === null ? null : inner(value, path),
  );
}

export interface ArrayOptions<T> {
  /** Default 0. */
  min?: number;
  /** Default MAX_ITEMS. */
  max?: number;
  /**
   * Items must be unique: `'self'` as whole values (strings), or by the named member of each
   * item (`'designation'`).
   */
  uniqueBy?: 'self' | (keyof T & string);
}

export function array<T>(item: Validator<T>, options: ArrayOptions<T> = {}): Validator<T[]> {
  const min = options.min ?? 0;
  const max = options.max ?? MAX_ITEMS;
  const { uniqueBy } = options;
  const keyOf =
    uniqueBy === undefined
      ? undefined
      : uniqueBy === 'self'
        ? (v: T): unknown => v
        : (v: T): unknown => (v as Record<string, unknown>)[uniqueBy];
  const schema: JsonSchema = {
    type: 'array',
    items: item.schema,
    ...(min > 0 ? { minItems: min } : {}),
    maxItems: max,
    ...(uniqueBy === 'self' ? { uniqueItems: true } : {}),
    ...(uniqueBy !== undefined && uniqueBy !== 'self'
      ? { description: `No two items have the same \`${uniqueBy}\`.` }
      : {}),
  };
  return withSchema(schema, (value, path) => {
    if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
    // Length first: never walk an oversized array.
    if (value.length < min) fail(path, min === 1 ? 'must not be empty' : `fewer than ${min} items`);
    if (value.length > max) fail(path, `more than ${max} items`);
    const errors = new FieldErrors();
    const seen = keyOf ? new Set<unknown>() : undefined;
    for (let i = 0; i < value.length; i++) {
      const p = `${path}[${i}]`;
      const v = errors.attempt(() => item(value[i], p));
      // Only items that passed have a key to compare.
      if (v === undefined || !seen || !keyOf) continue;
      const key = keyOf(v);
      if (seen.has(key)) errors.attempt(() => fail(p, 'duplicate item'));
      seen.add(key);
    }
    errors.throwIfAny();
    return value as T[];
  });
}

type Shape = Record<string, Validator<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<R extends Shape, O extends Shape> = Simplify<
  { [K in keyof R]: Infer<R[K]> } & { [K in keyof O]?: Infer<O[K]> }
>;

/**
 * An object with exactly the `required` keys and any of the `optional` ones. Unknown keys fail
 * with UNKNOWN_FIELD, missing required keys with SCHEMA_VIOLATION, and every member is checked
 * even after one failed. Errors come in a fixed order (unknown keys, then members in declaration
 * order), so the first one, the problem's `code` and `path`, is deterministic.
 */
export function object<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
): Validator<ObjectOf<R, O>> {
  const requiredKeys = Object.keys(required);
  const optionalKeys = optional ? Object.keys(optional) : [];
  const opt: Shape = optional ?? {};
  const properties: Record<string, JsonSchema> = {};
  for (const key of requiredKeys) properties[key] = required[key]!.schema;
  for (const key of optionalKeys) properties[key] = opt[key]!.schema;
  const schema: JsonSchema = {
    type: 'object',
    properties,
    ...(requiredKeys.length > 0 ? { required: requiredKeys } : {}),
    additionalProperties: false,
  };
  return withSchema(schema, (value, path) => {
    if (!isPlainObject(value)) fail(path, `expected an object, got ${describe(value)}`);
    const errors = new FieldErrors();
    for (const key of Object.keys(value)) {
      if (!hasOwn(required, key) && !hasOwn(opt, key)) {
        errors.add({
          code: ErrorCode.UNKNOWN_FIELD,
          path: memberPath(path, key),
          message: 'unknown field',
        });
      }
    }
    for (const key of requiredKeys) {
      const p = memberPath(path, key);
      if (!hasOwn(value, key))
        errors.add({ code: ErrorCode.SCHEMA_VIOLATION, path: p, message: 'required' });
      else errors.attempt(() => required[key]!(value[key], p));
    }
    for (const key of optionalKeys) {
      if (hasOwn(value, key)) errors.attempt(() => opt[key]!(value[key], memberPath(path, key)));
    }
    errors.throwIfAny();
    return value as ObjectOf<R, O>;
  });
}

/**
 * Adds a rule beyond the schema (a cross-field rule, say), run once `inner` accepted the value.
 * `explains` says what it checks, in the schema's description, since JSON Schema cannot.
 */
export function refine<T>(
  explains: string,
  inner: Validator<T>,
  rule: (value: T, path: string) => void,
): Validator<T> {
  return withSchema(describedAs(inner.schema, explains), (value, path) => {
    const v = inner(value, path);
    rule(v, path);
    return v;
  });
}

/**
 * Runs `fn`, turning a ProtocolError without a path (from a decoder such as fromBase64) into a
 * SCHEMA_VIOLATION at `path`.
 */
export function decodeAt<T>(path: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ProtocolError && e.path !== undefined) throw e;
    fail(path, `not ${what}`);
  }
}
