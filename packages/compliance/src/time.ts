/**
 * Calendar arithmetic for deadlines, in UTC only, so that every evaluator (server, CLI,
 * browser) computes the same instants whatever its local time zone.
 */
import { formatUtcMillis, parseDate, parseUtcTimestamp } from '@cbm-ledger/protocol';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Epoch ms of an RFC 3339 UTC timestamp that protocol validation already accepted. */
export function ms(timestamp: string): number {
  const t = parseUtcTimestamp(timestamp);
  if (t === undefined) throw new RangeError(`not an RFC 3339 UTC timestamp: ${timestamp}`);
  return t;
}

/** Epoch ms of 00:00Z on a `YYYY-MM-DD` date that protocol validation already accepted. */
export function dateMs(date: string): number {
  const t = parseDate(date);
  if (t === undefined) throw new RangeError(`not a calendar date: ${date}`);
  return t;
}

/** The one textual form of an instant in reports: RFC 3339 UTC with milliseconds. */
export function iso(t: number): string {
  return formatUtcMillis(t);
}

/** UTC calendar year of an instant. */
export function yearOf(t: number): number {
  return new Date(t).getUTCFullYear();
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0); // day 0 of the next month = last day of `month`
  return d.getUTCDate();
}

/**
 * The last millisecond (23:59:59.999Z) of `day`.`month`.`year`: "by 15 November" means
 * anything integrated during 15 November UTC is on time. A day beyond the month's end (an
 * override of 31 for a 30-day month) means the month's last day.
 */
export function endOfDay(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, Math.min(day, daysInMonth(year, month)));
  d.setUTCHours(23, 59, 59, 999);
  return d.getTime();
}

/**
 * `t` plus `months` calendar months, keeping the time of day; the day is clamped to the target
 * month's end (31 January + 1 month = 28 or 29 February). Always computed from the original
 * instant, so repeated intervals do not drift.
 */
export function addMonths(t: number, months: number): number {
  const d = new Date(t);
  const total = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12; // 0-based
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month + 1));
  const out = new Date(t);
  out.setUTCFullYear(year, month, day);
  return out.getTime();
}

/** A duration as a short deterministic phrase: "3 days 4 hours", "45 minutes". */
export function duration(deltaMs: number): string {
  const abs = Math.abs(deltaMs);
  const days = Math.floor(abs / DAY_MS);
  const hours = Math.floor((abs % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((abs % HOUR_MS) / 60_000);
  const parts: string[] = [];
  if (days > 0) parts.push(`${days} day${days === 1 ? '' : 's'}`);
  if (hours > 0) parts.push(`${hours} hour${hours === 1 ? '' : 's'}`);
  if (days === 0 && minutes > 0) parts.push(`${minutes} minute${minutes === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(' ') : 'less than a minute';
}

/** An integer with thousands separators, independent of any locale ("12,500"). */
export function num(n: number): string {
  const [int, frac] = String(n).split('.');
  const digits = (int ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? digits : `${digits}.${frac}`;
}
