/**
 * Identifier syntax shared by every format (DESIGN.md section 2).
 */

/** `state:<ISO 3166-1 alpha-3>`, `observer:<slug>` or `operator:<slug>`. */
export const PARTY_ID_RE = /^(?:state:[A-Z]{3}|(?:observer|operator):[a-z0-9][a-z0-9.-]{0,63})$/;

export type PartyKind = 'state' | 'observer' | 'operator';

export function isPartyId(s: unknown): s is string {
  return typeof s === 'string' && PARTY_ID_RE.test(s);
}

export function partyKind(id: string): PartyKind {
  return id.slice(0, id.indexOf(':')) as PartyKind;
}

/** Lowercase hex SHA-256: keyids and evidence hashes. */
export const SHA256_HEX_RE = /^[0-9a-f]{64}$/;

/** `sha256:<hex>`: statement ids and envelope digests. */
export const STATEMENT_ID_RE = /^sha256:[0-9a-f]{64}$/;

export function isStatementId(s: unknown): s is string {
  return typeof s === 'string' && STATEMENT_ID_RE.test(s);
}

// RFC 3339 restricted to UTC with a `Z` suffix and optional fractional seconds (up to ms
// precision is meaningful; more digits are accepted but truncated by Date).
const RFC3339_UTC_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

/**
 * Parses an RFC 3339 UTC timestamp (`Z` only) to epoch milliseconds, or returns undefined.
 * Rejects impossible dates (2026-02-30) that Date.parse would silently roll over.
 */
export function parseUtcTimestamp(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const m = RFC3339_UTC_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  // setUTCFullYear, because Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const ms = date.getTime();
  if (date.getUTCDate() !== day) return undefined;
  const frac = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  return ms + frac;
}

/** Formats epoch milliseconds as RFC 3339 UTC with milliseconds, as leaves record it. */
export function formatUtcMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** `YYYY-MM-DD` calendar date, validated. Returns epoch ms of its 00:00Z, or undefined. */
export function parseDate(s: unknown): number | undefined {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  return parseUtcTimestamp(`${s}T00:00:00Z`);
}
