/**
 * Method and path dispatch for the API. Matches `event.path` itself (not `event.resource`), so
 * the same router serves one `{proxy+}` resource on API Gateway, several explicit resources, and
 * the local runtime's adapter.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { LedgerError } from '@cbm-ledger/ledger';
import { problemResponse } from './problem.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface Route<D> {
  readonly method: HttpMethod;
  /** `/v1/entries/{index}`: literal segments and whole-segment `{name}` parameters. */
  readonly path: string;
  readonly handler: (request: RouteRequest, deps: D) => Promise<APIGatewayProxyResult>;
}

export interface RouteRequest {
  readonly event: APIGatewayProxyEvent;
  /** Percent-decoded path parameters, by template name. */
  readonly params: Readonly<Record<string, string>>;
  readonly requestId: string | undefined;
}

interface CompiledRoute<D> {
  readonly route: Route<D>;
  readonly segments: readonly ({ literal: string } | { param: string })[];
}

/** Finds the route for an event; the caller then runs it with its dependencies. */
export type Resolve<D> = (
  event: APIGatewayProxyEvent,
  requestId: string | undefined,
) => (deps: D) => Promise<APIGatewayProxyResult>;

/**
 * Throws NOT_FOUND (no route has the path) or MALFORMED (undecodable path); a path that exists
 * with another method answers 405 with `Allow`. HEAD is answered on every GET path as RFC 9110
 * §9.3.2 asks: the GET handler runs (so status and headers are exactly GET's) and the body is
 * dropped.
 */
export function createRouter<D>(
  routes: readonly Route<D>[],
  options: { readonly head?: boolean } = {},
): Resolve<D> {
  const serveHead = options.head ?? true;
  const compiled: CompiledRoute<D>[] = routes.map((route) => ({
    route,
    segments: route.path
      .split('/')
      .slice(1)
      .map((s) => {
        const m = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(s);
        return m ? { param: m[1]! } : { literal: s };
      }),
  }));

  return (event, requestId) => {
    const segments = splitPath(event.path);
    const allowed = new Set<HttpMethod>();
    const head = serveHead && event.httpMethod === 'HEAD';
    for (const candidate of compiled) {
      const params = match(candidate.segments, segments);
      if (params === undefined) continue;
      if (candidate.route.method === event.httpMethod) {
        const { handler } = candidate.route;
        return (deps) => handler({ event, params, requestId }, deps);
      }
      if (head && candidate.route.method === 'GET') {
        const { handler } = candidate.route;
        return (deps) => handler({ event, params, requestId }, deps);
      }
      allowed.add(candidate.route.method);
      if (serveHead && candidate.route.method === 'GET') allowed.add('HEAD');
    }
    if (allowed.size === 0) {
      throw new LedgerError('NOT_FOUND', `no route for ${event.path}`);
    }
    const allow = [...allowed].sort().join(', ');
    const answer = problemResponse(
      new LedgerError(
        'METHOD_NOT_ALLOWED',
        `${event.httpMethod} is not allowed here; use ${allow}`,
      ),
      { allow },
    );
    return () => Promise.resolve(answer);
  };
}

/** `.` and `..`, also percent-encoded (`%2e%2E`), as RFC 3986 §3.3 dot segments. */
export function isDotSegment(decoded: string): boolean {
  return decoded === '.' || decoded === '..';
}

/**
 * The answer as sent for the request's method: for HEAD, GET's status and headers without the
 * body (success or problem alike), its content-length what GET's would be.
 */
export function answerFor(
  event: APIGatewayProxyEvent,
  result: APIGatewayProxyResult,
): APIGatewayProxyResult {
  return event.httpMethod === 'HEAD' ? withoutBody(result) : result;
}

function withoutBody(result: APIGatewayProxyResult): APIGatewayProxyResult {
  const length = Buffer.byteLength(
    result.body,
    result.isBase64Encoded === true ? 'base64' : 'utf8',
  );
  return {
    ...result,
    body: '',
    isBase64Encoded: false,
    headers: { ...result.headers, 'content-length': String(length) },
  };
}

function splitPath(path: string): string[] {
  if (!path.startsWith('/')) throw new LedgerError('NOT_FOUND', 'path must start with /');
  return path
    .split('/')
    .slice(1)
    .map((segment) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        throw new LedgerError('MALFORMED', 'path is not valid percent-encoded UTF-8');
      }
      // Security: a dot segment would name another resource once some layer (a proxy, a URL
      // parser) resolved it, so `/v1/statements/%2e%2e/ledger` could serve `/v1/ledger` there
      // and a 404 here. Refused everywhere alike, never resolved.
      if (isDotSegment(decoded)) {
        throw new LedgerError('MALFORMED', 'path has a dot segment (. or ..)');
      }
      return decoded;
    });
}

function match(
  template: CompiledRoute<unknown>['segments'],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const s = segments[i]!;
    if ('literal' in t) {
      if (t.literal !== s) return undefined;
    } else {
      // An empty segment (`/v1/entries/`) names nothing: it is a different, unknown path.
      if (s === '') return undefined;
      params[t.param] = s;
    }
  }
  return params;
}
