import { createHash, createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64, toBase64Url, utf8Encode } from '../src/bytes.js';
import { naclEd25519, nodeEd25519 } from '../src/ed25519.js';
import type { HttpRequestParts, SignatureParameters } from '../src/http-signature.js';
import {
  HttpSignatureError,
  contentDigest,
  formatQuery,
  hasRequestSignature,
  parseSignatureField,
  parseSignatureInput,
  requestTarget,
  serializeSignatureParams,
  signRequestHeaders,
  signatureBase,
  verifyRequestSignature,
} from '../src/http-signature.js';
import { keyId } from '../src/keys.js';

const ORIGIN = 'cbm-ledger.example/mena';
const SEED = new Uint8Array(32).fill(7);
const PUBLIC_KEY = naclEd25519.publicKeyFromSeed(SEED);
const KEYID = keyId(PUBLIC_KEY);
const CREATED = 1_760_000_000;
const NOW_MS = CREATED * 1000 + 5_000;
const NONCE = toBase64Url(new Uint8Array(16).fill(0xa5));

/** Ed25519 by node:crypto from a raw seed (PKCS#8 prefix), independent of src/ed25519.ts. */
function independentSign(seed: Uint8Array, message: string): string {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return nodeSign(null, Buffer.from(message, 'utf8'), key).toString('base64');
}

function independentPublicKey(seed: Uint8Array): Uint8Array {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({
    format: 'jwk',
  });
  return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
}

const options = {
  now: NOW_MS,
  tag: ORIGIN,
  publicKey: (keyid: string): Uint8Array => {
    if (keyid !== KEYID) throw new Error(`unknown key ${keyid}`);
    return PUBLIC_KEY;
  },
};

function signed(
  request: Omit<HttpRequestParts, 'headers'>,
  extra: Partial<{ created: number; expires: number; nonce: string; tag: string }> = {},
): HttpRequestParts {
  const headers = signRequestHeaders(request, {
    seed: SEED,
    tag: extra.tag ?? ORIGIN,
    created: extra.created ?? CREATED,
    expires: extra.expires ?? (extra.created ?? CREATED) + 60,
    nonce: extra.nonce ?? NONCE,
  });
  return { ...request, headers };
}

/** Signs arbitrary parameters (ones signRequestHeaders would never produce) over the base. */
function signedWith(
  request: HttpRequestParts,
  overrides: Partial<SignatureParameters>,
  serialized?: string,
): HttpRequestParts {
  const params: SignatureParameters = {
    components: ['@method', '@path', '@query'],
    created: CREATED,
    expires: CREATED + 60,
    nonce: NONCE,
    keyid: KEYID,
    alg: 'ed25519',
    tag: ORIGIN,
    ...overrides,
  };
  const value = serialized ?? serializeSignatureParams(params);
  const base = signatureBase(request, { label: 'cbm', params, serialized: value });
  return {
    ...request,
    headers: {
      ...request.headers,
      'signature-input': `cbm=${value}`,
      signature: `cbm=:${independentSign(SEED, base)}:`,
    },
  };
}

const GET: Omit<HttpRequestParts, 'headers'> = {
  method: 'GET',
  path: '/v1/entries',
  query: 'start=0&limit=10',
};
const BODY = utf8Encode('{"checkpoint":"x","cosignature":"y"}');
const POST: Omit<HttpRequestParts, 'headers'> = {
  method: 'POST',
  path: '/v1/checkpoint/cosignatures',
  query: '',
  body: BODY,
};

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpSignatureError) return e.reason;
    throw e;
  }
  return 'verified';
}

describe('the CBM profile of RFC 9421: known answers', () => {
  it('the test key is the same under node:crypto and tweetnacl', () => {
    expect(toBase64(independentPublicKey(SEED))).toBe(toBase64(PUBLIC_KEY));
  });

  it('signs a GET over the hand-built signature base', () => {
    const request = signed(GET);
    const params =
      `("@method" "@path" "@query");created=1760000000;expires=1760000060` +
      `;nonce="${NONCE}";keyid="${KEYID}";alg="ed25519";tag="cbm-ledger.example/mena"`;
    const base = [
      '"@method": GET',
      '"@path": /v1/entries',
      '"@query": ?start=0&limit=10',
      `"@signature-params": ${params}`,
    ].join('\n');
    expect(request.headers).toEqual({
      'signature-input': `cbm=${params}`,
      signature: `cbm=:${independentSign(SEED, base)}:`,
    });
    expect(signatureBase(request, parseSignatureInput(request.headers['signature-input']!))).toBe(
      base,
    );
    expect(verifyRequestSignature(request, options)).toEqual({
      keyid: KEYID,
      nonce: NONCE,
      created: CREATED,
      expires: CREATED + 60,
    });
  });

  it('signs a POST over the hand-built base, covering the RFC 9530 content digest', () => {
    const request = signed(POST);
    const digest = `sha-256=:${createHash('sha256').update(BODY).digest('base64')}:`;
    const params =
      `("@method" "@path" "@query" "content-digest");created=1760000000;expires=1760000060` +
      `;nonce="${NONCE}";keyid="${KEYID}";alg="ed25519";tag="cbm-ledger.example/mena"`;
    const base = [
      '"@method": POST',
      '"@path": /v1/checkpoint/cosignatures',
      '"@query": ?',
      `"content-digest": ${digest}`,
      `"@signature-params": ${params}`,
    ].join('\n');
    expect(request.headers).toEqual({
      'content-digest': digest,
      'signature-input': `cbm=${params}`,
      signature: `cbm=:${independentSign(SEED, base)}:`,
    });
    expect(contentDigest(BODY)).toBe(digest);
    expect(verifyRequestSignature(request, options).keyid).toBe(KEYID);
  });

  it('verifies alike with node:crypto and tweetnacl', () => {
    const request = signed(GET);
    expect(verifyRequestSignature(request, { ...options, impl: naclEd25519 }).keyid).toBe(KEYID);
    if (nodeEd25519 !== undefined) {
      expect(verifyRequestSignature(request, { ...options, impl: nodeEd25519 }).keyid).toBe(KEYID);
    }
  });

  it('uses the parameters exactly as serialised by the client, in any order', () => {
    const serialized =
      `("@method" "@path" "@query");tag="${ORIGIN}";alg="ed25519";keyid="${KEYID}"` +
      `;nonce="${NONCE}";expires=1760000060;created=1760000000`;
    const request = signedWith({ ...GET, headers: {} }, {}, serialized);
    expect(verifyRequestSignature(request, options).created).toBe(CREATED);
  });

  it('round-trips serialised parameters through the parser', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[\x20-\x7e]{1,40}$/),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 300 }),
        (tag, created, window) => {
          const params: SignatureParameters = {
            components: ['@method', '@path', '@query', 'content-digest'],
            created,
            expires: created + window,
            nonce: NONCE,
            keyid: KEYID,
            alg: 'ed25519',
            tag,
          };
          const serialized = serializeSignatureParams(params);
          expect(parseSignatureInput(`cbm=${serialized}`)).toEqual({
            label: 'cbm',
            params,
            serialized,
          });
        },
      ),
    );
  });

  it('tells signed requests from unsigned ones by either header', () => {
    expect(hasRequestSignature({})).toBe(false);
    expect(hasRequestSignature({ signature: 'x' })).toBe(true);
    expect(hasRequestSignature({ 'signature-input': 'x' })).toBe(true);
  });
});

describe('the CBM profile of RFC 9421: bad inputs', () => {
  const get = signed(GET);
  const post = signed(POST);
  const withHeaders = (
    request: HttpRequestParts,
    headers: Record<string, string | undefined>,
  ): HttpRequestParts => ({ ...request, headers: { ...request.headers, ...headers } });
  const input = get.headers['signature-input']!;

  const table: [string, () => HttpRequestParts, string, Partial<typeof options>?][] = [
    [
      'Signature without Signature-Input',
      () => withHeaders(get, { 'signature-input': undefined }),
      'missing',
    ],
    [
      'Signature-Input without Signature',
      () => withHeaders(get, { signature: undefined }),
      'missing',
    ],
    [
      'another label',
      () => withHeaders(get, { 'signature-input': input.replace(/^cbm=/, 'sig1=') }),
      'label',
    ],
    [
      'a second signature',
      () => withHeaders(get, { 'signature-input': `${input}, sig2=("@method");created=1` }),
      'label',
    ],
    [
      'a second Signature member',
      () => withHeaders(get, { signature: `${get.headers['signature']!}, sig2=:AA==:` }),
      'label',
    ],
    ['another algorithm', () => signedWith({ ...GET, headers: {} }, { alg: 'hmac-sha256' }), 'alg'],
    ['another ledger (tag)', () => signed(GET, { tag: 'cbm-ledger.example/other' }), 'tag'],
    [
      '@query not covered',
      () => signedWith({ ...GET, headers: {} }, { components: ['@method', '@path'] }),
      'components',
    ],
    [
      'components reordered',
      () => signedWith({ ...GET, headers: {} }, { components: ['@path', '@method', '@query'] }),
      'components',
    ],
    [
      'a digest covered on a request without body',
      () =>
        signedWith(
          { ...GET, headers: { 'content-digest': contentDigest(new Uint8Array(0)) } },
          { components: ['@method', '@path', '@query', 'content-digest'] },
        ),
      'components',
    ],
    ['a body without covered digest', () => signedWith({ ...POST, headers: {} }, {}), 'components'],
    ['a window over 300 s', () => signed(GET, { expires: CREATED + 301 }), 'window'],
    ['expires not after created', () => signed(GET, { expires: CREATED }), 'window'],
    [
      'created in the future',
      () => signed(GET, { created: CREATED + 36, expires: CREATED + 96 }),
      'created',
    ],
    ['expired', () => signed(GET, { created: CREATED - 100, expires: CREATED + 5 }), 'expired'],
    ['tampered path', () => ({ ...get, path: '/v1/entries/0' }), 'signature'],
    ['tampered query', () => ({ ...get, query: 'start=0&limit=11' }), 'signature'],
    ['tampered method', () => ({ ...get, method: 'HEAD' }), 'signature'],
    [
      'tampered body (digest kept)',
      () => ({ ...post, body: utf8Encode('{"checkpoint":"x","cosignature":"z"}') }),
      'digest',
    ],
    ['digest header dropped', () => withHeaders(post, { 'content-digest': undefined }), 'digest'],
    [
      'digest by another algorithm',
      () => withHeaders(post, { 'content-digest': `sha-512=:${toBase64(new Uint8Array(64))}:` }),
      'digest',
    ],
    [
      'a nonce under 16 bytes',
      () => signed(GET, { nonce: toBase64Url(new Uint8Array(15)) }),
      'malformed',
    ],
    [
      'a nonce over 64 bytes',
      () => signed(GET, { nonce: toBase64Url(new Uint8Array(65)) }),
      'malformed',
    ],
    [
      'a padded nonce',
      () => signed(GET, { nonce: `${toBase64Url(new Uint8Array(16))}==` }),
      'malformed',
    ],
    [
      'an upper-case keyid',
      () => signedWith({ ...GET, headers: {} }, { keyid: KEYID.toUpperCase() }),
      'malformed',
    ],
    [
      'a signature of 63 bytes',
      () => withHeaders(get, { signature: `cbm=:${toBase64(new Uint8Array(63))}:` }),
      'malformed',
    ],
    ['a signature not in base64', () => withHeaders(get, { signature: 'cbm=:!!!:' }), 'malformed'],
    [
      'a signature not a byte sequence',
      () => withHeaders(get, { signature: 'cbm="abc"' }),
      'malformed',
    ],
    [
      'an unknown parameter',
      () => withHeaders(get, { 'signature-input': `${input};foo="1"` }),
      'malformed',
    ],
    [
      'a repeated parameter',
      () => withHeaders(get, { 'signature-input': `${input};created=1` }),
      'malformed',
    ],
    [
      'a missing parameter',
      () => withHeaders(get, { 'signature-input': input.replace(/;expires=\d+/, '') }),
      'malformed',
    ],
    [
      'a component parameter',
      () => withHeaders(get, { 'signature-input': input.replace('"@method"', '"@method";req') }),
      'malformed',
    ],
    [
      'a negative created',
      () => withHeaders(get, { 'signature-input': input.replace(/created=\d+/, 'created=-1') }),
      'malformed',
    ],
    [
      'an unterminated string',
      () => withHeaders(get, { 'signature-input': input.slice(0, -1) }),
      'malformed',
    ],
    [
      'a non-ASCII string',
      () =>
        withHeaders(get, { 'signature-input': input.replace(ORIGIN, 'cbm-ledger.example/ménа') }),
      'malformed',
    ],
    ['no inner list', () => withHeaders(get, { 'signature-input': 'cbm="@method"' }), 'malformed'],
    [
      'the signature of another key',
      () => get,
      'signature',
      { publicKey: () => naclEd25519.publicKeyFromSeed(new Uint8Array(32).fill(8)) },
    ],
  ];

  it.each(table)('refuses %s', (_name, make, expected, extra = {}) => {
    expect(reason(() => verifyRequestSignature(make(), { ...options, ...extra }))).toBe(expected);
  });

  it('refuses a value with a line break instead of signing or verifying it', () => {
    expect(reason(() => signed({ method: 'GET', path: '/v1/x\n"@query": ?', query: '' }))).toBe(
      'malformed',
    );
  });

  it('lets the key lookup refuse a key with its own error', () => {
    const refused = new Error('revoked');
    expect(() =>
      verifyRequestSignature(get, {
        ...options,
        publicKey: () => {
          throw refused;
        },
      }),
    ).toThrow(refused);
  });

  it('reports HttpSignatureError as a protocol error with a stable code', () => {
    try {
      parseSignatureField('cbm=:AA==:');
    } catch (e) {
      expect(e).toBeInstanceOf(HttpSignatureError);
      expect((e as HttpSignatureError).code).toBe('MALFORMED');
    }
    expect.assertions(2);
  });
});

describe('request targets and canonical queries', () => {
  it('splits a target into path and raw query and drops the fragment', () => {
    expect(requestTarget('/v1/entries?start=0&limit=1#x')).toEqual({
      path: '/v1/entries',
      query: 'start=0&limit=1',
    });
    expect(requestTarget('/v1/checkpoint')).toEqual({ path: '/v1/checkpoint', query: '' });
    expect(requestTarget('/v1/checkpoint?')).toEqual({ path: '/v1/checkpoint', query: '' });
  });

  it('percent-encodes everything but RFC 3986 unreserved characters, upper-case hex', () => {
    expect(
      formatQuery([
        ['party', 'state:JOR'],
        ['at', '2026-01-01T00:00:00Z'],
        ['q', 'a b+c/é~'],
      ]),
    ).toBe('party=state%3AJOR&at=2026-01-01T00%3A00%3A00Z&q=a%20b%2Bc%2F%C3%A9~');
    expect(formatQuery([])).toBe('');
  });

  it('gives a query that URLSearchParams decodes back to the same pairs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 5 }), (pairs) => {
        const text = formatQuery(pairs);
        expect([...new URLSearchParams(text)]).toEqual(text === '' ? [] : pairs);
      }),
    );
  });
});
