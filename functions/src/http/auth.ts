/**
 * The authentication middleware of /v1: turns an API Gateway event into the request the RFC 9421
 * profile covers and asks the domain who signed it. Unsigned requests read as anonymous (the
 * public view) without touching the domain; signed ones read as the signing party or answer 401.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { SignedRequest, Viewer } from '@cbm-ledger/ledger';
import { formatQuery, hasRequestSignature } from '@cbm-ledger/protocol';
import { bodyBytes } from './request.js';

/** Header values by lower-case name; repeated fields joined with ", " (RFC 9110 §5.3). */
export function lowerCaseHeaders(event: APIGatewayProxyEvent): Record<string, string> {
  const out: Record<string, string> = {};
  const multi = event.multiValueHeaders as Record<string, string[] | undefined> | null | undefined;
  if (multi) {
    for (const [name, values] of Object.entries(multi)) {
      if (!values || values.length === 0) continue;
      const key = name.toLowerCase();
      out[key] = out[key] === undefined ? values.join(', ') : `${out[key]}, ${values.join(', ')}`;
    }
    if (Object.keys(out).length > 0) return out;
  }
  const single = event.headers as Record<string, string | undefined> | null | undefined;
  for (const [name, value] of Object.entries(single ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

/**
 * The query as the client must have signed it. API Gateway hands over decoded parameters only,
 * so `@query` is rebuilt in the profile's canonical form (protocol formatQuery), in the order
 * the parameters arrived; the CBM client sends exactly that form.
 */
export function canonicalQuery(event: APIGatewayProxyEvent): string {
  const multi = event.multiValueQueryStringParameters as
    Record<string, string[] | undefined> | null | undefined;
  const single = event.queryStringParameters as
    Record<string, string | undefined> | null | undefined;
  const pairs: [string, string][] = [];
  if (multi) {
    for (const [name, values] of Object.entries(multi)) {
      for (const value of values ?? []) pairs.push([name, value]);
    }
  } else if (single) {
    for (const [name, value] of Object.entries(single)) {
      if (value !== undefined) pairs.push([name, value]);
    }
  }
  return formatQuery(pairs);
}

/** The parts of the event a request signature covers. */
export function signedRequest(event: APIGatewayProxyEvent): SignedRequest {
  // With a stage or a custom-domain base path the client signed the longer path it sent;
  // API Gateway reports it as requestContext.path.
  const contextPath = (event.requestContext as { path?: unknown } | null | undefined)?.path;
  const alternatePaths =
    typeof contextPath === 'string' &&
    contextPath !== event.path &&
    contextPath.endsWith(event.path)
      ? [contextPath]
      : [];
  return {
    method: event.httpMethod,
    path: event.path,
    query: canonicalQuery(event),
    headers: lowerCaseHeaders(event),
    body: bodyBytes(event),
    alternatePaths,
  };
}

/** What the middleware needs of the domain. */
export interface Authenticate {
  authenticate(request: SignedRequest): Promise<Viewer>;
}

const ANONYMOUS: Viewer = Object.freeze({});

/**
 * The viewer of `event`. Security: signature headers that are present but bad reject the request
 * (AUTH_INVALID, AUTH_EXPIRED, AUTH_REPLAYED, 401); they are never ignored.
 */
export async function requestViewer(
  event: APIGatewayProxyEvent,
  service: Authenticate,
): Promise<Viewer> {
  const request = signedRequest(event);
  if (!hasRequestSignature(request.headers)) return ANONYMOUS;
  return service.authenticate(request);
}
