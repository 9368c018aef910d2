/**
 * The local runtime's HTTP server: turns each node:http request into the API Gateway REST proxy
 * event that API Gateway would build, runs the very handler the Lambda runs, and writes back the
 * result. Bodies are always passed base64-encoded (as API Gateway does with binary media types),
 * so the handler sees the exact bytes that were signed.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { LedgerError } from '@cbm-ledger/ledger';
import { isDotSegment, problemResponse } from '@cbm-ledger/functions';
import type { ApiHandler } from '@cbm-ledger/functions';

/** API Gateway refuses payloads over 10 MB; so do we, without reading them into memory. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** A route the adapter serves itself, outside the API (the evidence upload of evidence.ts). */
export interface LocalRoute {
  readonly prefix: string;
  /** When present, decides instead of `prefix` (the site serves `/` and `/assets/` only). */
  readonly matches?: (pathname: string) => boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

/** Connections served at once; more are refused (closed at once) until some end. */
export const DEFAULT_MAX_CONNECTIONS = 256;
/** A connection that sends nothing (no request, or no next request) for this long is closed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 65_000;

export interface LocalServerOptions {
  readonly api: ApiHandler;
  /** The body bytes kept for the handler; the rest is read and dropped. */
  readonly maxBodyBytes: number;
  readonly routes?: readonly LocalRoute[];
  readonly onError?: (error: unknown) => void;
  /** One line per request the client aborted (no stack: it is not our fault). */
  readonly onAborted?: (line: string) => void;
  /** Default DEFAULT_MAX_CONNECTIONS. */
  readonly maxConnections?: number;
  /**
   * Inactivity allowed on a connection, in ms, before and between requests and while a request
   * is being received. Must exceed the longest `Prefer: wait` (an answer is being awaited then,
   * which this does not cut: see below). Default DEFAULT_IDLE_TIMEOUT_MS.
   */
  readonly idleTimeoutMs?: number;
}

/** Whether a request failed because its client went away (reset, aborted, closed early). */
function isClientAbort(req: IncomingMessage, error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    req.destroyed ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (error instanceof Error && error.message === 'aborted')
  );
}

/** The raw path of the request target, before any URL parser resolves dot segments in it. */
function rawPath(req: IncomingMessage): string {
  const target = req.url ?? '/';
  const end = target.search(/[?#]/);
  return end < 0 ? target : target.slice(0, end);
}

function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => {
    try {
      return isDotSegment(decodeURIComponent(segment));
    } catch {
      return false; // the router answers undecodable paths itself
    }
  });
}

interface ReadBody {
  readonly bytes: Buffer;
  /** Total bytes the client sent. */
  readonly received: number;
}

/**
 * Reads the body, keeping at most `keep` bytes: enough for the handler to see that the body is
 * over its limit (and answer 413 itself, as on Lambda) without buffering an arbitrarily large
 * upload. Stops reading beyond MAX_REQUEST_BYTES.
 */
export function readBody(req: IncomingMessage, keep: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (kept < keep) {
        const part = chunk.subarray(0, keep - kept);
        chunks.push(part);
        kept += part.length;
      }
      if (received > MAX_REQUEST_BYTES) {
        req.pause();
        resolve({ bytes: Buffer.concat(chunks), received });
      }
    });
    req.on('end', () => resolve({ bytes: Buffer.concat(chunks), received }));
    req.on('error', reject);
  });
}

export function toEvent(req: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEvent {
  const multiValueHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values === undefined) continue;
    multiValueHeaders[name] = values;
    headers[name] = values[values.length - 1]!;
  }
  let query: Record<string, string> | null = null;
  let multiQuery: Record<string, string[]> | null = null;
  for (const [name, v] of url.searchParams) {
    query ??= {};
    multiQuery ??= {};
    query[name] = v;
    (multiQuery[name] ??= []).push(v);
  }
  const requestId = randomUUID();
  const method = req.method ?? 'GET';
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: { proxy: url.pathname.slice(1) },
    stageVariables: null,
    body: body.length === 0 ? null : body.toString('base64'),
    isBase64Encoded: body.length > 0,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: undefined,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: '/{proxy+}',
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export function writeResult(
  res: ServerResponse,
  result: APIGatewayProxyResult,
  extraHeaders: Record<string, string> = {},
): void {
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body, 'utf8');
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    res.setHeader(name, String(value));
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    res.setHeader(name, values.map(String));
  }
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  // A HEAD answer has no body but keeps the length GET's would have (set by the router).
  if (body.length > 0 || !res.hasHeader('content-length'))
    res.setHeader('content-length', body.length);
  res.statusCode = result.statusCode;
  res.end(body);
}

export function createLocalServer(options: LocalServerOptions): Server {
  const routes = options.routes ?? [];
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const server = createServer((req, res) => {
    void (async () => {
      const path = rawPath(req);
      // Security: WHATWG URL parsing resolves `..` and `%2e%2e`, which would route
      // `/v1/statements/%2e%2e/ledger` to `/v1/ledger`. Refused here as the router refuses it.
      if (!path.startsWith('/') || hasDotSegment(path)) {
        writeResult(
          res,
          problemResponse(new LedgerError('MALFORMED', 'path has a dot segment (. or ..)')),
          { connection: 'close' },
        );
        req.resume();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = routes.find((r) =>
        r.matches === undefined ? url.pathname.startsWith(r.prefix) : r.matches(url.pathname),
      );
      if (route !== undefined) return route.handle(req, res, url);
      // One byte past the limit lets the handler itself answer 413 BODY_TOO_LARGE.
      const { bytes, received } = await readBody(req, options.maxBodyBytes + 1);
      if (received > MAX_REQUEST_BYTES) {
        writeResult(
          res,
          problemResponse(
            new LedgerError('BODY_TOO_LARGE', `request body exceeds ${MAX_REQUEST_BYTES} bytes`),
          ),
          { connection: 'close' },
        );
        req.destroy();
        return;
      }
      // While the API works (a waiting submit may take maxWaitSeconds) the client is only
      // waiting: that is not idleness.
      req.socket.setTimeout(0);
      const event = toEvent(req, url, bytes);
      const result = await options.api(event, { awsRequestId: event.requestContext.requestId });
      req.socket.setTimeout(idleTimeoutMs);
      writeResult(res, result);
    })().catch((error: unknown) => {
      if (isClientAbort(req, error)) {
        const code = (error as { code?: unknown } | null)?.code;
        options.onAborted?.(
          `${req.method ?? '?'} ${rawPath(req)} aborted by the client (${typeof code === 'string' ? code : error instanceof Error ? error.message : 'closed'})`,
        );
        res.destroy();
        return;
      }
      options.onError?.(error);
      if (!res.headersSent) {
        writeResult(res, problemResponse(new LedgerError('INTERNAL', 'internal error')), {
          connection: 'close',
        });
      } else {
        res.destroy();
      }
    });
  });
  // Security: without a cap and an idle timeout, sockets that send nothing pile up without
  // bound (issue 9 §3: 19,000 accepted). Excess connections are closed on accept.
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  // Inactivity timeout of every socket, from accept: a connection that never sends a request,
  // stalls mid-request, or idles between requests is destroyed (no 'timeout' listener).
  server.timeout = idleTimeoutMs;
  // Long enough for `Prefer: wait=20`.
  server.requestTimeout = 60_000;
  // Node closes an idle kept-alive socket after 5 s by default, and a client that sends its next
  // request on it in that instant gets ECONNRESET. Idle sockets stay open longer than clients
  // keep them (as load balancers do: 60 s upstream, 65 s here), and headersTimeout must exceed
  // keepAliveTimeout so a request arriving at the end of the idle time is not cut off.
  server.keepAliveTimeout = Math.min(65_000, idleTimeoutMs);
  server.headersTimeout = Math.min(66_000, idleTimeoutMs + 1000);
  return server;
}
