/**
 * How DynamoDB and S3 failures reach the domain.
 *
 * A conditional-check failure is an answer (the slot is taken, the head moved) and each adapter
 * turns it into its port's outcome. Throttling, timeouts, 5xx and dropped connections are faults
 * that a later retry can clear: after the SDK's own retries they surface as StoreUnavailableError
 * (STORE_UNAVAILABLE, HTTP 503), never as a conditional outcome, so a throttled accept is not
 * mistaken for a lost race. Anything else (validation errors, a missing table) is a bug or a
 * deployment fault and propagates unchanged.
 */
import { LedgerError } from '@cbm-ledger/ledger';

export class StoreUnavailableError extends LedgerError {
  /** Retrying the same call later may succeed. */
  readonly retryable = true;

  constructor(detail: string, cause?: unknown) {
    super('STORE_UNAVAILABLE', detail);
    if (cause !== undefined) this.cause = cause;
  }
}

interface AwsErrorShape {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const RETRYABLE_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionConflictException',
]);

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
]);

export function errorName(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const name = (e as AwsErrorShape).name;
  return typeof name === 'string' ? name : undefined;
}

export function isConditionalCheckFailed(e: unknown): boolean {
  return errorName(e) === 'ConditionalCheckFailedException';
}

export function isNotFound(e: unknown): boolean {
  const name = errorName(e);
  return name === 'NotFound' || name === 'NoSuchKey' || name === 'ResourceNotFoundException';
}

/** True for faults that a retry may clear (see the module comment). */
export function isTransient(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as AwsErrorShape;
  if (isConditionalCheckFailed(e)) return false;
  const name = errorName(e);
  if (name !== undefined && RETRYABLE_NAMES.has(name)) return true;
  if (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) return true;
  if (err.$retryable !== undefined && err.$retryable !== null) return true;
  const status = err.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/** Rethrows `e` as StoreUnavailableError when it is transient, unchanged otherwise. */
export function storeFault(e: unknown, what: string): unknown {
  if (e instanceof StoreUnavailableError) return e;
  if (isTransient(e)) {
    const name = errorName(e) ?? 'error';
    return new StoreUnavailableError(`${what}: ${name}`, e);
  }
  return e;
}
