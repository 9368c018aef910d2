/**
 * A tiny schema toolkit for statement payloads. Every validator is a function
 * `(value, path) => value` that returns its input typed, or throws a ProtocolError naming the
 * JSON path of the first offending field (`$.body.counts.troops`).
 *
 * Security: everything here sees attacker-controlled JSON on every submission. Validators
 * therefore bound every string and array, read only own properties (never the prototype
 * chain), reject fields they do not know, and throw nothing but ProtocolError.
 */
import { ErrorCode, ProtocolError } from '../errors.js';
import { parseDate, parseUtcTimestamp } from '../identifiers.js';

export type Validator<T> = (value: unknown, path: string) => T;
export type Infer<V> = V extends Validator<infer T> ? T : never;

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
  return (value, path) => {
    if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`);
    if (value.length < min) fail(path, min === 1 ? 'must not be empty' : `shorter than ${min}`);
    if (value.length > max) fail(path, `longer than ${max} characters`);
    if (pattern) {
      if (!pattern.test(value)) fail(path, `not ${what ?? `matching ${String(pattern)}`}`);
    } else if (forbidden.test(value)) {
      fail(path, 'contains control characters or unpaired surrogates');
    }
    return value;
  };
}

export function literal<const T extends string | number | boolean | null>(
  expected: T,
): Validator<T> {
  return (value, path) => {
    if (value !== expected) fail(path, `must be ${JSON.stringify(expected)}`);
    return value as T;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Validator<T> {
  const allowed = new Set<string>(values);
  const list = values.join(', ');
  return (value, path) => {
    if (typeof value !== 'string' || !allowed.has(value)) fail(path, `must be one of ${list}`);
    return value as T;
  };
}

export const boolean: Validator<boolean> = (value, path) => {
  if (typeof value !== 'boolean') fail(path, `expected a boolean, got ${describe(value)}`);
  return value;
};

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
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || Object.is(value, -0)) {
      fail(path, `expected an integer, got ${describe(value)}`);
    }
    if (value < min || value > max) fail(path, `must be between ${min} and ${max}`);
    return value;
  };
}

/** A finite number in [min, max]. */
export function number(options: { min: number; max: number }): Validator<number> {
  const { min, max } = options;
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      fail(path, `expected a number, got ${describe(value)}`);
    }
    if (value < min || value > max) fail(path, `must be between ${min} and ${max}`);
    return value;
  };
}

/** RFC 3339 UTC timestamp with a `Z` suffix (identifiers.ts). */
export const timestamp: Validator<string> = (value, path) => {
  if (typeof value !== 'string' || value.length > 40 || parseUtcTimestamp(value) === undefined) {
    fail(path, 'not an RFC 3339 UTC timestamp (YYYY-MM-DDThh:mm:ss[.fff]Z)');
  }
  return value;
};

/** `YYYY-MM-DD` calendar date. */
export const date: Validator<string> = (value, path) => {
  if (typeof value !== 'string' || parseDate(value) === undefined) {
    fail(path, 'not a calendar date (YYYY-MM-DD)');
  }
  return value;
};

/** Epoch milliseconds of a value that `timestamp` already accepted. */
export function millis(validTimestamp: string): number {
  return parseUtcTimestamp(validTimestamp) ?? NaN;
}

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (value, path) => (value === null ? null : inner(value, path));
}

export interface ArrayOptions<T> {
  /** Default 0. */
  min?: number;
  /** Default MAX_ITEMS. */
  max?: number;
  /** Items must be unique under this key. */
  uniqueBy?: (item: T) => string | number;
}

export function array<T>(item: Validator<T>, options: ArrayOptions<T> = {}): Validator<T[]> {
  const min = options.min ?? 0;
  const max = options.max ?? MAX_ITEMS;
  const { uniqueBy } = options;
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
    // Length first: never walk an oversized array.
    if (value.length < min) fail(path, min === 1 ? 'must not be empty' : `fewer than ${min} items`);
    if (value.length > max) fail(path, `more than ${max} items`);
    const seen = uniqueBy ? new Set<string | number>() : undefined;
    for (let i = 0; i < value.length; i++) {
      const p = `${path}[${i}]`;
      const v = item(value[i], p);
      if (seen && uniqueBy) {
        const key = uniqueBy(v);
        if (seen.has(key)) fail(p, 'duplicate item');
        seen.add(key);
      }
    }
    return value as T[];
  };
}

/** A value that already passed `string()` (or anything) as a uniqueness key. */
export const self = (s: string): string => s;

type Shape = Record<string, Validator<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<R extends Shape, O extends Shape> = Simplify<
  { [K in keyof R]: Infer<R[K]> } & { [K in keyof O]?: Infer<O[K]> }
>;

/**
 * An object with exactly the `required` keys and any of the `optional` ones. Unknown keys fail
 * with UNKNOWN_FIELD before any value is looked at; missing required keys with SCHEMA_VIOLATION.
 * Members are checked in declaration order, so the first error is deterministic.
 */
export function object<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
): Validator<ObjectOf<R, O>> {
  const requiredKeys = Object.keys(required);
  const optionalKeys = optional ? Object.keys(optional) : [];
  const opt: Shape = optional ?? {};
  return (value, path) => {
    if (!isPlainObject(value)) fail(path, `expected an object, got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!hasOwn(required, key) && !hasOwn(opt, key)) {
        throw new ProtocolError(ErrorCode.UNKNOWN_FIELD, 'unknown field', memberPath(path, key));
      }
    }
    for (const key of requiredKeys) {
      const p = memberPath(path, key);
      if (!hasOwn(value, key)) fail(p, 'required');
      required[key]!(value[key], p);
    }
    for (const key of optionalKeys) {
      if (hasOwn(value, key)) opt[key]!(value[key], memberPath(path, key));
    }
    return value as ObjectOf<R, O>;
  };
}

/** Adds a cross-field rule, run after `inner` accepted the value. */
export function refine<T>(
  inner: Validator<T>,
  rule: (value: T, path: string) => void,
): Validator<T> {
  return (value, path) => {
    const v = inner(value, path);
    rule(v, path);
    return v;
  };
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
