/**
 * Strong entity tags over answer bodies, and conditional GET (RFC 9110 §8.8.3, §13.1.2): the
 * public view tags every 200, the API its static reads (the statement schemas).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { sha256, toBase64Url, utf8Encode } from '@cbm-ledger/protocol';
import { header } from './request.js';

/** Strong entity tag over the exact body bytes. */
export function entityTag(body: string): string {
  return `"${toBase64Url(sha256(utf8Encode(body)))}"`;
}

/**
 * RFC 9110 §13.1.2: If-None-Match matches when it is `*` or lists the tag, compared weakly (a
 * `W/` prefix on the client's copy does not matter).
 */
export function ifNoneMatch(field: string | undefined, tag: string): boolean {
  if (field === undefined) return false;
  if (field.trim() === '*') return true;
  return field
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .includes(tag);
}

/** Adds the ETag of a 200's body; answers 304 when the request's If-None-Match matches it. */
export function withEntityTag(
  event: APIGatewayProxyEvent,
  result: APIGatewayProxyResult,
): APIGatewayProxyResult {
  if (result.statusCode !== 200) return result;
  const tag = entityTag(result.body);
  const headers: Record<string, string | number | boolean> = {
    ...(result.headers ?? {}),
    etag: tag,
  };
  if (ifNoneMatch(header(event, 'if-none-match'), tag)) {
    // 304 carries the validators and caching headers, never a body or its type.
    delete headers['content-type'];
    return { statusCode: 304, headers, body: '' };
  }
  return { ...result, headers };
}
