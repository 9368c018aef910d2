import { ErrorCode, ProtocolError } from './errors.js';

/**
 * RFC 8785 JSON Canonicalization Scheme. Object members are sorted by their UTF-16 code units;
 * strings and numbers serialise as ECMAScript's JSON.stringify does, which is what RFC 8785
 * §3.2.2 specifies. Non-finite numbers and non-JSON values are rejected.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new ProtocolError(ErrorCode.MALFORMED, 'JCS: non-finite number');
      }
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, exactly RFC 8785 §3.2.3.
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`).join(',')}}`;
    }
    default:
      throw new ProtocolError(ErrorCode.MALFORMED, `JCS: cannot canonicalize ${typeof value}`);
  }
}
