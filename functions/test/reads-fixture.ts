/**
 * Helpers for authenticated reads and the public view over the test ledger: requests signed per
 * the CBM profile of RFC 9421, and the public handler over the same stores. Every response is
 * checked against the OpenAPI document, as the test ledger's own `call` does.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { PublicLedger } from '@cbm-ledger/ledger';
import {
  formatQuery,
  keyFileSeed,
  signRequestHeaders,
  toBase64Url,
  utf8Encode,
} from '@cbm-ledger/protocol';
import { createPublicHandler } from '../src/index.js';
import type { PublicHandler } from '../src/index.js';
import { ORIGIN, checked, event } from '@cbm-ledger/functions/testing';
import type { Party, RequestOptions, TestLedger } from '@cbm-ledger/functions/testing';

export interface SigningOptions {
  /** Sign for another ledger. */
  tag?: string;
  /** POSIX seconds; default now. */
  created?: number;
  expires?: number;
  nonce?: string;
  /** Sign this path instead of the one requested (to tamper). */
  signedPath?: string;
  /** Sign this query (object) instead of the one requested. */
  signedQuery?: Record<string, string>;
  /** Sign this body instead of the one sent. */
  signedBody?: string;
  /** Change headers after signing (e.g. drop or garble one). */
  after?: (headers: Record<string, string>) => Record<string, string>;
}

let counter = 0;

/** A fresh 16-byte nonce, base64url. */
export function freshNonce(): string {
  counter++;
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(0, counter);
  new DataView(bytes.buffer).setUint32(4, Math.floor(Math.random() * 2 ** 32));
  return toBase64Url(bytes);
}

/** The headers a client holding `seed` sends for this request. */
export function signatureHeaders(
  seed: Uint8Array,
  method: string,
  path: string,
  options: RequestOptions & SigningOptions = {},
): Record<string, string> {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const query = options.signedQuery ?? (options.query as Record<string, string> | undefined) ?? {};
  const body = options.signedBody ?? options.body;
  const bytes = typeof body === 'string' ? utf8Encode(body) : body;
  const headers = signRequestHeaders(
    {
      method,
      path: options.signedPath ?? path,
      query: formatQuery(Object.entries(query)),
      ...(bytes === undefined ? {} : { body: bytes }),
    },
    {
      seed,
      tag: options.tag ?? ORIGIN,
      created,
      expires: options.expires ?? created + 60,
      nonce: options.nonce ?? freshNonce(),
    },
  );
  return options.after ? options.after(headers) : headers;
}

/** Calls the API as `party`, signing with its key. */
export async function callAs(
  ledger: TestLedger,
  party: Party | Uint8Array,
  method: string,
  path: string,
  options: RequestOptions & SigningOptions = {},
): Promise<APIGatewayProxyResult> {
  const seed = party instanceof Uint8Array ? party : keyFileSeed(party.key);
  const headers = {
    ...(options.headers as Record<string, string> | undefined),
    ...signatureHeaders(seed, method, path, options),
  };
  return ledger.call(method, path, { ...options, headers });
}

export interface PublicView {
  readonly handler: PublicHandler;
  call(path: string, options?: RequestOptions): Promise<APIGatewayProxyResult>;
}

/** The public handler over the test ledger's stores, as the public Lambda builds it. */
export function publicView(ledger: TestLedger): PublicView {
  const handler = createPublicHandler(
    new PublicLedger({
      ...ledger.stores,
      clock: { now: () => Date.now() },
      config: ledger.config,
      logVkey: ledger.logVkey,
    }),
    { limits: ledger.config },
  );
  return {
    handler,
    call: async (path, options = {}) =>
      checked('GET', path, await handler(event('GET', path, options))),
  };
}

export function json<T = Record<string, unknown>>(r: { body: string }): T {
  return JSON.parse(r.body) as T;
}
