/**
 * Retrying answers that say "not now" (429 Too Many Requests, 503 Service Unavailable). Every
 * request this client sends may be repeated without effect: reads are reads, and the ledger answers
 * an identical statement, evidence announcement or cosignature with what it already holds. Other
 * failures are not retried: a 4xx is the caller's to fix, and a lost connection is left to the
 * caller (the CLI's outbox resubmits the identical envelope on the next run).
 */

/** How the client retries 429 and 503. */
export interface RetryOptions {
  /** Retries after the first attempt; default 3, 0 disables retrying. */
  readonly retries?: number;
  /** Backoff when no Retry-After is given: base · 2^attempt, with full jitter; default 500 ms. */
  readonly baseDelayMs?: number;
  /**
   * The longest single wait; default 30 s. A Retry-After beyond it is not waited for: the answer
   * is returned to the caller as it came, rather than hanging a terminal for minutes.
   */
  readonly maxDelayMs?: number;
  /** For tests: how to wait, and the source of jitter in [0, 1). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * Milliseconds a Retry-After header asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP-date),
 * or undefined when absent or unreadable. Security: the header comes from the server or any proxy
 * in between; a malformed or negative value is ignored rather than trusted.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^[0-9]{1,9}$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3}, /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The wait before retry number `attempt` (0 for the first retry), or undefined to give up.
 * With Retry-After: that long plus up to 20 % jitter, so that many clients told the same second do
 * not all come back in it. Without: full jitter over base · 2^attempt (capped).
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: RetryOptions = {},
): number | undefined {
  const retries = options.retries ?? 3;
  if (attempt >= retries) return undefined;
  const max = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > max) return undefined;
    return Math.min(max, Math.round(retryAfterMs * (1 + 0.2 * random())));
  }
  const base = options.baseDelayMs ?? 500;
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.round(ceiling * random());
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
