/**
 * The one mapping from errors to RFC 9457 `application/problem+json`. Every route, the router's
 * own 404/405 answers and the local runtime's adapter go through here, so a code always yields
 * the same status, type and title.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  PROBLEM_CONTENT_TYPE,
  problemStatus,
  problemTitle,
  problemType,
} from '@cbm-ledger/contract';
import type { Problem } from '@cbm-ledger/contract';
import { LedgerError, isLedgerError } from '@cbm-ledger/ledger';

export { PROBLEM_CONTENT_TYPE, problemType };
export type { Problem };

// Members an extension may not overwrite: the problem's identity must come from the code.
const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'instance']);

export function problemBody(error: LedgerError): Problem {
  const problem: Problem = {
    type: problemType(error.code),
    title: problemTitle(error.code),
    status: problemStatus(error.code),
    detail: error.detail,
    code: error.code,
  };
  for (const [key, value] of Object.entries(error.extensions ?? {})) {
    if (!RESERVED.has(key)) problem[key] = value;
  }
  return problem;
}

export function problemResponse(
  error: LedgerError,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const extra: Record<string, string> = { ...headers };
  // A store outage is transient; tell well-behaved clients when to come back.
  if (error.code === 'STORE_UNAVAILABLE') extra['retry-after'] ??= '1';
  return {
    statusCode: problemStatus(error.code),
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
      ...extra,
    },
    body: JSON.stringify(problemBody(error)),
  };
}

/** Minimal logging surface: Powertools' Logger satisfies it, and so does a test double. */
export interface ApiLogger {
  error(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  debug(message: string, ...extra: unknown[]): void;
}

/**
 * Maps anything a route threw. LedgerErrors answer their code's status; anything else is a fault of
 * ours and becomes 500 INTERNAL with nothing of the error in the body (security: stack traces
 * and store messages can reveal table names, keys or paths), only a reference to the log line.
 */
export function errorResponse(
  error: unknown,
  logger: ApiLogger,
  requestId: string | undefined,
): APIGatewayProxyResult {
  if (isLedgerError(error)) {
    if (problemStatus(error.code) >= 500)
      logger.error('request failed', { code: error.code, error, requestId });
    return problemResponse(error);
  }
  logger.error('unexpected error', { error, requestId });
  const reference = requestId === undefined ? '' : ` (request ${requestId})`;
  return problemResponse(new LedgerError('INTERNAL', `internal error${reference}`));
}
