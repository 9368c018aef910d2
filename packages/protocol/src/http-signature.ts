import { fromBase64, fromBase64Url, toBase64, toBase64Url, toHex, utf8Encode } from './bytes.js';
import type { Ed25519 } from './ed25519.js';
import { ED25519_SIGNATURE_LENGTH, ed25519, randomSeed } from './ed25519.js';
import { ErrorCode, ProtocolError } from './errors.js';
import { keyId } from './keys.js';
import { sha256 } from './sha256.js';

/**
 * The CBM profile of RFC 9421 HTTP Message Signatures, by which a party reads beyond the public
 * view with one of its registered Ed25519 statement keys. One implementation for client, CLI and
 * server:
 *
 *   Signature-Input: cbm=("@method" "@path" "@query" ["content-digest"]);created=<unix s>;
 *     expires=<unix s>;nonce="<base64url>";keyid="<hex>";alg="ed25519";tag="<ledger origin>"
 *   Signature: cbm=:<base64 of the 64-byte Ed25519 signature>:
 *   Content-Digest: sha-256=:<base64>:   (RFC 9530; present and covered iff there is a body)
 *
 * The signature base is RFC 9421 §2.5: one line `"<component>": <value>` per covered component,
 * then `"@signature-params": <the inner list exactly as serialised in Signature-Input>`, joined
 * by "\n" with no trailing newline. `@query` is `?` plus the query string (`?` alone when there
 * is none, RFC 9421 §2.2.7); `@path` is the path as sent.
 *
 * The parser accepts only this profile: one dictionary member, the fixed component list, the six
 * parameters (any order, each once), no component parameters. Everything here is
 * attacker-controlled on the server, so anything else is refused rather than interpreted.
 */

export const HTTP_SIGNATURE_LABEL = 'cbm';
export const HTTP_SIGNATURE_ALG = 'ed25519';
/** Longest `expires - created` accepted, in seconds. */
export const MAX_SIGNATURE_WINDOW_SECONDS = 300;
/** How far `created` may lie ahead of the verifier's clock, in seconds. */
export const MAX_SIGNATURE_CLOCK_SKEW_SECONDS = 30;
export const MIN_NONCE_BYTES = 16;
export const MAX_NONCE_BYTES = 64;

/** Why a request signature was refused; the server maps `expired` to AUTH_EXPIRED. */
export type HttpSignatureFailure =
  | 'missing'
  | 'malformed'
  | 'label'
  | 'alg'
  | 'tag'
  | 'components'
  | 'window'
  | 'created'
  | 'expired'
  | 'digest'
  | 'signature';

export class HttpSignatureError extends ProtocolError {
  readonly reason: HttpSignatureFailure;

  constructor(reason: HttpSignatureFailure, message: string) {
    super(
      reason === 'malformed' || reason === 'missing'
        ? ErrorCode.MALFORMED
        : ErrorCode.SIGNATURE_INVALID,
      message,
    );
    this.reason = reason;
  }
}

/** The parts of an HTTP request that the profile covers. */
export interface HttpRequestParts {
  /** As sent, e.g. `GET`. */
  readonly method: string;
  /** The path as sent, percent-encoding unchanged; starts with `/`. */
  readonly path: string;
  /** The query string without its `?`; `''` when there is none. */
  readonly query: string;
  /** Header values by lower-case name; a repeated field joined with ", " (RFC 9110 §5.3). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body bytes; absent or empty when there is no body. */
  readonly body?: Uint8Array;
}

export interface SignatureParameters {
  /** Covered component identifiers, in order. */
  readonly components: readonly string[];
  /** POSIX seconds. */
  readonly created: number;
  /** POSIX seconds. */
  readonly expires: number;
  /** base64url (unpadded) of 16 to 64 random bytes. */
  readonly nonce: string;
  /** Lowercase hex SHA-256 of the signing key (DESIGN.md §2). */
  readonly keyid: string;
  readonly alg: string;
  /** The ledger origin the signature is meant for. */
  readonly tag: string;
}

export interface ParsedSignatureInput {
  readonly label: string;
  readonly params: SignatureParameters;
  /** The member's value (inner list and parameters) exactly as it appears in the header. */
  readonly serialized: string;
}

export interface VerifiedRequestSignature {
  readonly keyid: string;
  readonly nonce: string;
  readonly created: number;
  readonly expires: number;
}

const KEYID_RE = /^[0-9a-f]{64}$/;
const SF_KEY_RE = /^[a-z*][a-z0-9_\-.*]*/;
const SF_INTEGER_RE = /^(?:0|[1-9][0-9]{0,14})/;
const PARAMETER_NAMES = ['created', 'expires', 'nonce', 'keyid', 'alg', 'tag'] as const;
type ParameterName = (typeof PARAMETER_NAMES)[number];
const BASE_COMPONENTS = ['@method', '@path', '@query'] as const;
const DIGEST_COMPONENT = 'content-digest';

function malformed(message: string): HttpSignatureError {
  return new HttpSignatureError('malformed', message);
}

/** RFC 9530 `Content-Digest` value for `body`: `sha-256=:<base64>:`. */
export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${toBase64(sha256(body))}:`;
}

/** The covered components the profile requires for a request with or without a body. */
export function requiredComponents(hasBody: boolean): string[] {
  return hasBody ? [...BASE_COMPONENTS, DIGEST_COMPONENT] : [...BASE_COMPONENTS];
}

const hasBody = (body: Uint8Array | undefined): boolean => body !== undefined && body.length > 0;

/** RFC 8941 sf-string serialisation; only printable ASCII can be one. */
function serializeString(value: string, what: string): string {
  if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value)) {
    throw malformed(`${what} must be printable ASCII`);
  }
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The Signature-Input member value for `params`, in the profile's parameter order. */
export function serializeSignatureParams(params: SignatureParameters): string {
  for (const [name, value] of [
    ['created', params.created],
    ['expires', params.expires],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > 999_999_999_999_999) {
      throw malformed(`${name} must be a non-negative integer of at most 15 digits`);
    }
  }
  const components = params.components.map((c) => serializeString(c, 'component')).join(' ');
  return (
    `(${components});created=${params.created};expires=${params.expires}` +
    `;nonce=${serializeString(params.nonce, 'nonce')}` +
    `;keyid=${serializeString(params.keyid, 'keyid')}` +
    `;alg=${serializeString(params.alg, 'alg')}` +
    `;tag=${serializeString(params.tag, 'tag')}`
  );
}

/** Reads one sf-string at `text[at]` (which must be `"`); returns its value and the next index. */
function readString(text: string, at: number): { value: string; end: number } {
  if (text[at] !== '"') throw malformed('expected a quoted string');
  let value = '';
  for (let i = at + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next !== '"' && next !== '\\') throw malformed('bad escape in a quoted string');
      value += next;
      i++;
    } else if (ch === '"') {
      return { value, end: i + 1 };
    } else {
      const code = ch.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) throw malformed('a quoted string must be printable ASCII');
      value += ch;
    }
  }
  throw malformed('unterminated quoted string');
}

/** Trims HTTP optional whitespace (SP and HTAB) from both ends of a field value. */
function trimOws(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** Splits `label=rest` of a one-member dictionary, refusing more members or another label. */
function member(field: string, what: string): { label: string; value: string } {
  const text = trimOws(field);
  const key = SF_KEY_RE.exec(text);
  if (key === null || text[key[0].length] !== '=') {
    throw malformed(`${what} must be a dictionary member <label>=<value>`);
  }
  const label = key[0];
  if (label !== HTTP_SIGNATURE_LABEL) {
    throw new HttpSignatureError('label', `${what}: the only accepted label is cbm`);
  }
  return { label, value: text.slice(label.length + 1) };
}

/**
 * Parses a Signature-Input field value of the CBM profile. Throws HttpSignatureError: `label`
 * for another label or a second member, `malformed` for anything that is not exactly one inner
 * list of strings followed by the six parameters, each once, with well-formed values.
 */
export function parseSignatureInput(field: string): ParsedSignatureInput {
  if (typeof field !== 'string') throw malformed('Signature-Input must be a string');
  const { label, value } = member(field, 'Signature-Input');
  if (value[0] !== '(') throw malformed('Signature-Input: expected an inner list');
  const components: string[] = [];
  let i = 1;
  while (value[i] !== ')') {
    if (components.length > 0) {
      if (value[i] !== ' ') throw malformed('Signature-Input: components are separated by a space');
      i++;
    }
    const { value: component, end } = readString(value, i);
    components.push(component);
    i = end;
    if (i >= value.length) throw malformed('Signature-Input: unterminated inner list');
  }
  i++;
  const found: Partial<Record<ParameterName, string | number>> = {};
  while (i < value.length) {
    if (value[i] === ',') {
      throw new HttpSignatureError('label', 'Signature-Input: exactly one signature is accepted');
    }
    if (value[i] !== ';') throw malformed('Signature-Input: expected ";" before a parameter');
    i++;
    const key = SF_KEY_RE.exec(value.slice(i));
    if (key === null) throw malformed('Signature-Input: bad parameter name');
    const name = key[0];
    i += name.length;
    if (!(PARAMETER_NAMES as readonly string[]).includes(name)) {
      throw malformed(`Signature-Input: unknown parameter ${name}`);
    }
    if (name in found) throw malformed(`Signature-Input: parameter ${name} given twice`);
    if (value[i] !== '=') throw malformed(`Signature-Input: parameter ${name} needs a value`);
    i++;
    if (name === 'created' || name === 'expires') {
      const digits = SF_INTEGER_RE.exec(value.slice(i));
      if (digits === null) throw malformed(`Signature-Input: ${name} must be an integer`);
      found[name] = Number(digits[0]);
      i += digits[0].length;
    } else {
      const { value: text, end } = readString(value, i);
      found[name as ParameterName] = text;
      i = end;
    }
  }
  for (const name of PARAMETER_NAMES) {
    if (!(name in found)) throw malformed(`Signature-Input: parameter ${name} is required`);
  }
  const params: SignatureParameters = {
    components,
    created: found.created as number,
    expires: found.expires as number,
    nonce: found.nonce as string,
    keyid: found.keyid as string,
    alg: found.alg as string,
    tag: found.tag as string,
  };
  return { label, params, serialized: value };
}

/** Parses a Signature field value: `cbm=:<base64 of 64 bytes>:`. */
export function parseSignatureField(field: string): Uint8Array {
  if (typeof field !== 'string') throw malformed('Signature must be a string');
  const { value } = member(field, 'Signature');
  if (value.includes(',')) {
    throw new HttpSignatureError('label', 'Signature: exactly one signature is accepted');
  }
  if (value.length < 2 || value[0] !== ':' || value[value.length - 1] !== ':') {
    throw malformed('Signature: expected a byte sequence :<base64>:');
  }
  try {
    return fromBase64(value.slice(1, -1), ED25519_SIGNATURE_LENGTH);
  } catch {
    throw malformed('Signature: expected canonical base64 of 64 bytes');
  }
}

function componentValue(request: HttpRequestParts, component: string): string {
  switch (component) {
    case '@method':
      return request.method;
    case '@path':
      return request.path;
    case '@query':
      return `?${request.query}`;
    default: {
      const value = request.headers[component];
      if (value === undefined) {
        throw new HttpSignatureError('digest', `covered header ${component} is missing`);
      }
      return trimOws(value);
    }
  }
}

/**
 * The RFC 9421 §2.5 signature base for `request` under `input` (the parsed Signature-Input, or
 * its serialised member value). Throws HttpSignatureError when a covered header is missing or a
 * component value would break the line structure.
 */
export function signatureBase(
  request: HttpRequestParts,
  input: ParsedSignatureInput | string,
): string {
  const parsed =
    typeof input === 'string' ? parseSignatureInput(`${HTTP_SIGNATURE_LABEL}=${input}`) : input;
  const lines = parsed.params.components.map((component) => {
    const value = componentValue(request, component);
    // Security: a newline inside a value would let one request's base impersonate another's.
    if (/[\r\n]/.test(value)) throw malformed(`${component} contains a line break`);
    return `"${component}": ${value}`;
  });
  lines.push(`"@signature-params": ${parsed.serialized}`);
  return lines.join('\n');
}

/** Splits a request target (`/v1/entries?start=0`) into path and raw query; drops a fragment. */
export function requestTarget(target: string): { path: string; query: string } {
  const hash = target.indexOf('#');
  const noFragment = hash < 0 ? target : target.slice(0, hash);
  const q = noFragment.indexOf('?');
  return q < 0
    ? { path: noFragment, query: '' }
    : { path: noFragment.slice(0, q), query: noFragment.slice(q + 1) };
}

const UNRESERVED_RE = /^[A-Za-z0-9\-._~]$/;

function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    if (UNRESERVED_RE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of utf8Encode(ch)) out += `%${toHex(Uint8Array.of(byte)).toUpperCase()}`;
  }
  return out;
}

/**
 * The canonical query string (no `?`): each name and value percent-encoded except RFC 3986
 * unreserved characters, `%XX` upper case, pairs joined by `&`, in the order given. API Gateway
 * hands the server decoded parameters only, so the server rebuilds `@query` this way: clients
 * must send their query in exactly this form (build it with this function).
 */
export function formatQuery(params: Iterable<readonly [string, string]>): string {
  const parts: string[] = [];
  for (const [name, value] of params) parts.push(`${percentEncode(name)}=${percentEncode(value)}`);
  return parts.join('&');
}

export interface RequestSigner {
  /** 32-byte Ed25519 seed of a registered statement key of the signing party. */
  readonly seed: Uint8Array;
  /** The ledger origin (the `tag`). */
  readonly tag: string;
  /** POSIX seconds; default now. */
  readonly created?: number;
  /** POSIX seconds; default created + 60. */
  readonly expires?: number;
  /** Default: 32 random bytes, base64url. */
  readonly nonce?: string;
  readonly impl?: Ed25519;
}

/** What the client sends: a request without its signature headers. */
export type UnsignedRequest = Omit<HttpRequestParts, 'headers'> & {
  readonly headers?: HttpRequestParts['headers'];
};

/**
 * Signs a request per the profile. Returns the headers to add (lower-case names):
 * `signature-input`, `signature` and, when there is a body, `content-digest`.
 */
export function signRequestHeaders(
  request: UnsignedRequest,
  signer: RequestSigner,
): Record<string, string> {
  const impl = signer.impl ?? ed25519;
  const created = signer.created ?? Math.floor(Date.now() / 1000);
  const expires = signer.expires ?? created + 60;
  const nonce = signer.nonce ?? toBase64Url(randomSeed());
  const out: Record<string, string> = {};
  const body = hasBody(request.body);
  if (body) out['content-digest'] = contentDigest(request.body!);
  const params: SignatureParameters = {
    components: requiredComponents(body),
    created,
    expires,
    nonce,
    keyid: keyId(impl.publicKeyFromSeed(signer.seed)),
    alg: HTTP_SIGNATURE_ALG,
    tag: signer.tag,
  };
  const serialized = serializeSignatureParams(params);
  const input: ParsedSignatureInput = { label: HTTP_SIGNATURE_LABEL, params, serialized };
  const base = signatureBase(
    { ...request, headers: { ...(request.headers ?? {}), ...out } },
    input,
  );
  out['signature-input'] = `${HTTP_SIGNATURE_LABEL}=${serialized}`;
  out['signature'] =
    `${HTTP_SIGNATURE_LABEL}=:${toBase64(impl.sign(signer.seed, utf8Encode(base)))}:`;
  return out;
}

/** True when the request carries either signature header (and so must verify). */
export function hasRequestSignature(headers: HttpRequestParts['headers']): boolean {
  return headers['signature-input'] !== undefined || headers['signature'] !== undefined;
}

export interface VerifyRequestOptions {
  /** The verifier's clock, epoch milliseconds. */
  readonly now: number;
  /** The ledger origin: `tag` must equal it. */
  readonly tag: string;
  /**
   * The 32-byte public key of `keyid`. Throw to refuse the key (unknown, revoked): the error
   * propagates unchanged, so the caller chooses its code.
   */
  readonly publicKey: (keyid: string) => Uint8Array;
  readonly maxWindowSeconds?: number;
  readonly maxSkewSeconds?: number;
  readonly impl?: Ed25519;
}

/**
 * Verifies a signed request against the profile, cheapest checks first: parse; label, alg and
 * tag; the covered components (exactly `@method @path @query`, plus `content-digest` iff there
 * is a body); `expires - created` within the window; `created` not ahead of the clock by more
 * than the skew; not expired; the body digest; nonce and keyid shape; then the key lookup and the
 * Ed25519 signature. Throws HttpSignatureError (reason says which) or whatever `publicKey`
 * throws. Replay (the nonce) is the caller's to check, once this has passed.
 */
export function verifyRequestSignature(
  request: HttpRequestParts,
  options: VerifyRequestOptions,
): VerifiedRequestSignature {
  const inputField = request.headers['signature-input'];
  const signatureField = request.headers['signature'];
  if (inputField === undefined || signatureField === undefined) {
    throw new HttpSignatureError('missing', 'send both Signature-Input and Signature');
  }
  const input = parseSignatureInput(inputField);
  const signature = parseSignatureField(signatureField);
  const { params } = input;
  if (params.alg !== HTTP_SIGNATURE_ALG) {
    throw new HttpSignatureError('alg', 'alg must be "ed25519"');
  }
  if (params.tag !== options.tag) {
    throw new HttpSignatureError('tag', 'the signature is tagged for another ledger');
  }
  const body = hasBody(request.body);
  const required = requiredComponents(body);
  if (
    params.components.length !== required.length ||
    params.components.some((c, i) => c !== required[i])
  ) {
    throw new HttpSignatureError(
      'components',
      `covered components must be exactly (${required.map((c) => `"${c}"`).join(' ')})`,
    );
  }
  const window = options.maxWindowSeconds ?? MAX_SIGNATURE_WINDOW_SECONDS;
  if (params.expires <= params.created || params.expires - params.created > window) {
    throw new HttpSignatureError(
      'window',
      `expires must be after created, by at most ${window} seconds`,
    );
  }
  const now = Math.floor(options.now / 1000);
  const skew = options.maxSkewSeconds ?? MAX_SIGNATURE_CLOCK_SKEW_SECONDS;
  if (params.created > now + skew) {
    throw new HttpSignatureError('created', 'created lies in the future');
  }
  if (params.expires <= now) throw new HttpSignatureError('expired', 'the signature has expired');
  if (body) {
    const sent = request.headers[DIGEST_COMPONENT];
    if (sent === undefined || trimOws(sent) !== contentDigest(request.body!)) {
      throw new HttpSignatureError('digest', 'Content-Digest does not match the body');
    }
  }
  let nonceBytes: Uint8Array;
  try {
    nonceBytes = fromBase64Url(params.nonce);
  } catch {
    throw malformed('nonce must be base64url without padding');
  }
  if (nonceBytes.length < MIN_NONCE_BYTES || nonceBytes.length > MAX_NONCE_BYTES) {
    throw malformed(`nonce must hold ${MIN_NONCE_BYTES} to ${MAX_NONCE_BYTES} bytes`);
  }
  if (!KEYID_RE.test(params.keyid)) throw malformed('keyid must be 64 lowercase hex digits');
  const base = signatureBase(request, input);
  const publicKey = options.publicKey(params.keyid);
  const impl = options.impl ?? ed25519;
  if (!impl.verify(publicKey, utf8Encode(base), signature)) {
    throw new HttpSignatureError('signature', 'the signature does not verify');
  }
  return {
    keyid: params.keyid,
    nonce: params.nonce,
    created: params.created,
    expires: params.expires,
  };
}
