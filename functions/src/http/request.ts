/**
 * Reading an API Gateway REST proxy event. Everything here is attacker-controlled, so each reader
 * accepts exactly one spelling and answers anything else with a 4xx LedgerError.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LedgerError } from '@cbm-ledger/ledger';

/** Case-insensitive header lookup; repeated headers are joined with ", " (RFC 9110 §5.3). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const multi = event.multiValueHeaders as Record<string, string[] | undefined> | null | undefined;
  if (multi) {
    const values: string[] = [];
    for (const [key, list] of Object.entries(multi)) {
      if (key.toLowerCase() === wanted && list) values.push(...list);
    }
    if (values.length > 0) return values.join(', ');
  }
  const single = event.headers as Record<string, string | undefined> | null | undefined;
  if (single) {
    for (const [key, value] of Object.entries(single)) {
      if (key.toLowerCase() === wanted && value !== undefined) return value;
    }
  }
  return undefined;
}

/** The request body as bytes. API Gateway base64-encodes binary media types. */
export function bodyBytes(event: APIGatewayProxyEvent): Uint8Array {
  if (event.body === null || event.body === undefined) return new Uint8Array(0);
  const buffer = event.isBase64Encoded
    ? Buffer.from(event.body, 'base64')
    : Buffer.from(event.body, 'utf8');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Query parameters, each present at most once. A repeated parameter is refused rather than
 * resolved first- or last-wins: a cache or proxy in front of us might pick the other one.
 */
export class Query {
  private readonly values = new Map<string, string>();

  constructor(event: APIGatewayProxyEvent) {
    const multi = event.multiValueQueryStringParameters as
      Record<string, string[] | undefined> | null | undefined;
    const single = event.queryStringParameters as
      Record<string, string | undefined> | null | undefined;
    if (multi) {
      for (const [name, list] of Object.entries(multi)) {
        if (!list || list.length === 0) continue;
        if (list.length > 1) {
          throw new LedgerError('MALFORMED', `query parameter ${name} given more than once`, {
            parameter: name,
          });
        }
        this.values.set(name, list[0]!);
      }
    } else if (single) {
      for (const [name, value] of Object.entries(single)) {
        if (value !== undefined) this.values.set(name, value);
      }
    }
  }

  /** Refuses parameters the route does not define, so a typo is an error, not a silent default. */
  allowOnly(names: readonly string[]): this {
    for (const name of this.values.keys()) {
      if (!names.includes(name)) {
        throw new LedgerError('MALFORMED', `unknown query parameter ${name}`, { parameter: name });
      }
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** A required non-negative integer; see {@link parseNonNegativeInteger}. */
  integer(name: string): number {
    const raw = this.values.get(name);
    if (raw === undefined) {
      throw new LedgerError('MALFORMED', `query parameter ${name} is required`, {
        parameter: name,
      });
    }
    return parseNonNegativeInteger(raw, `query parameter ${name}`, { parameter: name });
  }

  optionalInteger(name: string): number | undefined {
    return this.values.has(name) ? this.integer(name) : undefined;
  }
}

const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/;
const NEGATIVE_RE = /^-(?:0|[1-9][0-9]*)$/;

/**
 * A non-negative safe integer written in canonical decimal: digits only, no sign, no leading
 * zeros, no spaces, no exponent. The split between codes is deliberate and documented in the
 * OpenAPI document: a well-formed integer outside the range (`-1`, `2^53`) is RANGE_INVALID;
 * anything that is not one canonical decimal integer (``, ` 1`, `01`, `+1`, `1e3`, `1.0`, `0x1`)
 * is MALFORMED.
 */
export function parseNonNegativeInteger(
  raw: string,
  what: string,
  extensions?: Record<string, unknown>,
): number {
  if (NEGATIVE_RE.test(raw)) {
    throw new LedgerError('RANGE_INVALID', `${what} must not be negative`, extensions);
  }
  if (!DECIMAL_RE.test(raw)) {
    throw new LedgerError(
      'MALFORMED',
      `${what} must be a decimal integer (digits only, no sign or leading zeros)`,
      extensions,
    );
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) {
    throw new LedgerError('RANGE_INVALID', `${what} is too large`, extensions);
  }
  return value;
}

/**
 * The `wait` preference of `Prefer` (RFC 7240 §4.3), in seconds, or undefined when absent. Other
 * preferences are ignored, as RFC 7240 asks. `wait` itself is read strictly: one occurrence, a
 * canonical decimal integer (bare or quoted), at most `maxWaitSeconds` — a client asking for
 * longer than we would ever wait learns so instead of getting a silently shorter wait.
 */
export function preferWaitSeconds(
  prefer: string | undefined,
  maxWaitSeconds: number,
): number | undefined {
  if (prefer === undefined) return undefined;
  let wait: number | undefined;
  for (const preference of splitOutsideQuotes(prefer, ',')) {
    // Parameters after ';' belong to the preference; `wait` defines none, so they are ignored.
    const [head = ''] = splitOutsideQuotes(preference, ';');
    const eq = head.indexOf('=');
    const name = (eq < 0 ? head : head.slice(0, eq)).trim().toLowerCase();
    if (name !== 'wait') continue;
    if (wait !== undefined) {
      throw new LedgerError('MALFORMED', 'Prefer: wait given more than once');
    }
    if (eq < 0) throw new LedgerError('MALFORMED', 'Prefer: wait needs a value in seconds');
    let value = head.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    wait = parseNonNegativeInteger(value, 'Prefer: wait');
    if (wait > maxWaitSeconds) {
      throw new LedgerError('RANGE_INVALID', `Prefer: wait must be at most ${maxWaitSeconds}`, {
        maxWaitSeconds,
      });
    }
  }
  return wait;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i]!;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * The media type of a Content-Type header, lowercased and without parameters, or undefined.
 */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const [type = ''] = contentType.split(';');
  const trimmed = type.trim().toLowerCase();
  return trimmed === '' ? undefined : trimmed;
}
