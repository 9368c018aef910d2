import type { APIGatewayProxyResult } from 'aws-lambda';

/** Ledger reads change with every integration, so nothing is cacheable unless a route says so. */
const NO_STORE = { 'cache-control': 'no-store' } as const;

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...NO_STORE, ...headers },
    body: JSON.stringify(body),
  };
}

export function text(
  statusCode: number,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE, ...headers },
    body,
  };
}

export function redirect(location: string): APIGatewayProxyResult {
  return { statusCode: 302, headers: { location, ...NO_STORE }, body: '' };
}
