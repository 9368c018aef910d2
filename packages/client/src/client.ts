/**
 * A typed client for every path of the CBM Ledger HTTP API (DESIGN.md §5, functions/src/openapi.json).
 * Plain `fetch`, so it runs on Node 20 and in browsers. Errors are typed: ApiError for a
 * problem+json answer, ConnectionError when the ledger cannot be reached, ResponseError when an
 * answer is not what the API promises.
 *
 * Reads are anonymous (the public view) unless the client is given a key: then every GET carries
 * an RFC 9421 signature by that key (the CBM profile in @cbm-ledger/protocol), and the ledger
 * shows what that key's party may read.
 */
import { formatQuery, keyFileSeed, signRequestHeaders } from '@cbm-ledger/protocol';
import type { Envelope, KeyFile } from '@cbm-ledger/protocol';
import { ApiError, ConnectionError, ResponseError } from './errors.js';
import { RETRY_STATUSES, defaultSleep, parseRetryAfter, retryDelay } from './retry.js';
import type { RetryOptions } from './retry.js';
import type { Problem } from './errors.js';
import type {
  ComplianceAnswer,
  ComplianceQuery,
  ComplianceReport,
  CheckpointStatus,
  ComplianceSummary,
  ConsistencyProofJson,
  CosignatureReceipt,
  CosignatureSubmission,
  EntriesPage,
  EntryView,
  EvidenceUploadView,
  InclusionProofJson,
  LedgerInfo,
  MeasureList,
  MeasureTimelineView,
  PartyView,
  PublicFeed,
  StatementView,
  SubmitResult,
} from './types.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8787';

/** Signs requests for authenticated reads. */
export interface ReadAuth {
  /** A registered statement key of the reading party. */
  readonly keyFile: KeyFile;
  /** The ledger's origin (the signature's `tag`); fetched from GET /v1/ledger when absent. */
  readonly origin?: string;
}

export interface ClientOptions {
  /** Base URL of the ledger, e.g. https://ledger.example (a path prefix is kept). */
  readonly server?: string;
  readonly fetch?: typeof fetch;
  /** Sign reads with this key (RFC 9421); anonymous otherwise. */
  readonly auth?: ReadAuth;
  /** Per-request timeout; default 120 s (a submit may wait 20 s for integration). */
  readonly timeoutMs?: number;
  /** Retrying 429 and 503 answers (Retry-After honoured, with jitter); see retry.ts. */
  readonly retry?: RetryOptions;
}

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  readonly query?: Query;
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  /** Expected 2xx statuses; others are errors. Default: any 2xx. */
  readonly redirect?: RequestRedirect;
  readonly sign?: boolean;
}

const encoder = new TextEncoder();

/** A path segment: party and statement ids keep their `:` (RFC 3986 allows it in a segment). */
function segment(value: string): string {
  return encodeURIComponent(value).replaceAll('%3A', ':');
}

function connectionReason(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const name = (e as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timed out';
    default:
      break;
  }
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return e instanceof Error ? e.message : String(e);
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Problem).code === 'string' &&
    typeof (value as Problem).status === 'number'
  );
}

export class LedgerClient {
  readonly server: string;
  readonly #fetch: typeof fetch;
  readonly #auth: ReadAuth | undefined;
  readonly #timeoutMs: number;
  readonly #retry: RetryOptions;
  #origin: Promise<string> | undefined;

  constructor(options: ClientOptions = {}) {
    const server = options.server ?? DEFAULT_SERVER;
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new TypeError(`not a URL: ${server}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`the ledger URL must be http or https: ${server}`);
    }
    this.server = server.replace(/\/+$/, '');
    // Bound to globalThis: some runtimes refuse a fetch called as a method of another object.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#auth = options.auth;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#retry = options.retry ?? {};
    if (options.auth?.origin !== undefined) this.#origin = Promise.resolve(options.auth.origin);
  }

  /** Whether reads are signed (authenticated) rather than anonymous. */
  get authenticated(): boolean {
    return this.#auth !== undefined;
  }

  /** The ledger's origin, as GET /v1/ledger states it (fetched once). */
  origin(): Promise<string> {
    // Unsigned: signing needs the origin (the signature's tag) in the first place.
    this.#origin ??= this.#json<LedgerInfo>('GET', '/v1/ledger', { sign: false }).then(
      (i) => i.origin,
    );
    // A failed lookup must not stick: the next call tries again.
    this.#origin.catch(() => (this.#origin = undefined));
    return this.#origin;
  }

  // ---- transport --------------------------------------------------------------------------

  /** One request, repeated while the ledger answers 429 or 503 and the retry policy allows. */
  async #send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const sleep = this.#retry.sleep ?? defaultSleep;
    for (let attempt = 0; ; attempt++) {
      // Signed again on every attempt: a signature's nonce and created time are single-use.
      const response = await this.#sendOnce(method, path, options);
      if (!RETRY_STATUSES.has(response.status)) return response;
      const wait = retryDelay(
        attempt,
        parseRetryAfter(response.headers.get('retry-after')),
        this.#retry,
      );
      if (wait === undefined) return response;
      await response.body?.cancel();
      await sleep(wait);
    }
  }

  async #sendOnce(method: string, path: string, options: RequestOptions): Promise<Response> {
    const pairs = Object.entries(options.query ?? {}).filter(
      (e): e is [string, string | number] => e[1] !== undefined,
    );
    // The signed @query must be byte-identical to what the server rebuilds: formatQuery's form.
    const query = formatQuery(pairs.map(([k, v]) => [k, String(v)] as const));
    const target = `${path}${query === '' ? '' : `?${query}`}`;
    const url = `${this.server}${target}`;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    if (this.#auth !== undefined && (options.sign ?? method === 'GET')) {
      const tag = await this.origin();
      const fullPath = new URL(url).pathname;
      Object.assign(
        headers,
        signRequestHeaders(
          {
            method,
            path: fullPath,
            query,
            ...(options.body === undefined ? {} : { body: options.body }),
          },
          { seed: keyFileSeed(this.#auth.keyFile), tag },
        ),
      );
    }
    try {
      return await this.#fetch(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: options.body as Uint8Array<ArrayBuffer> }),
        ...(options.redirect === undefined ? {} : { redirect: options.redirect }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      throw new ConnectionError(this.server, connectionReason(e), { cause: e });
    }
  }

  /** Throws ApiError for a problem answer, ResponseError for anything else that is not 2xx/3xx. */
  async #check(response: Response): Promise<Response> {
    if (response.status < 400) return response;
    const text = await response.text().catch(() => '');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (isProblem(value)) throw new ApiError(value);
    throw new ResponseError(
      `the ledger answered HTTP ${response.status} without a problem document${
        text === '' ? '' : `: ${text.slice(0, 200)}`
      }`,
    );
  }

  async #json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.#check(await this.#send(method, path, options));
    return (await this.#parse(response)) as T;
  }

  async #parse(response: Response): Promise<unknown> {
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new ResponseError(`the ledger answered HTTP ${response.status} with invalid JSON`);
    }
  }

  async #text(path: string, options: RequestOptions = {}): Promise<string> {
    const response = await this.#check(await this.#send('GET', path, options));
    return response.text();
  }

  // ---- /v1 --------------------------------------------------------------------------------

  /** GET /v1/ledger: origin, log vkey, operator, witnesses, rule sets, version, tree size. */
  info(): Promise<LedgerInfo> {
    return this.#json('GET', '/v1/ledger');
  }

  /**
   * POST /v1/statements. With `waitSeconds`, the ledger waits up to that long for integration
   * (`Prefer: wait=N`) and answers 201 with the receipt.
   */
  async submit(envelope: Envelope, options: { waitSeconds?: number } = {}): Promise<SubmitResult> {
    const wait = options.waitSeconds;
    const response = await this.#check(
      await this.#send('POST', '/v1/statements', {
        body: encoder.encode(JSON.stringify(envelope)),
        contentType: 'application/json',
        ...(wait === undefined || wait <= 0 ? {} : { headers: { prefer: `wait=${wait}` } }),
      }),
    );
    const body = (await this.#parse(response)) as Omit<SubmitResult, 'httpStatus'>;
    return { httpStatus: response.status as SubmitResult['httpStatus'], ...body };
  }

  /** GET /v1/statements/{id}: status, receipt once integrated, envelope if readable. */
  statement(id: string): Promise<StatementView> {
    return this.#json('GET', `/v1/statements/${segment(id)}`);
  }

  /** GET /v1/entries: one page of leaves (with the envelopes the caller may read). */
  entries(start: number, limit?: number): Promise<EntriesPage> {
    return this.#json('GET', '/v1/entries', { query: { start, limit } });
  }

  /** GET /v1/entries/{index}. */
  entry(index: number): Promise<EntryView> {
    return this.#json('GET', `/v1/entries/${index}`);
  }

  /** GET /v1/checkpoint: the signed note with every cosignature the ledger kept. */
  checkpoint(): Promise<string> {
    return this.#text('/v1/checkpoint', { headers: { accept: 'text/plain' } });
  }

  /** GET /v1/proofs/inclusion. */
  inclusionProof(index: number, treeSize: number): Promise<InclusionProofJson> {
    return this.#json('GET', '/v1/proofs/inclusion', { query: { index, treeSize } });
  }

  /** GET /v1/proofs/consistency. */
  consistencyProof(from: number, to: number): Promise<ConsistencyProofJson> {
    return this.#json('GET', '/v1/proofs/consistency', { query: { from, to } });
  }

  /** GET /v1/checkpoints/{size}: that checkpoint, its cosignatures and the witness quorum. */
  checkpointStatus(size: number): Promise<CheckpointStatus> {
    return this.#json('GET', `/v1/checkpoints/${size}`);
  }

  /** POST /v1/checkpoint/cosignatures: a witness's cosignature of a checkpoint it verified. */
  postCosignature(submission: CosignatureSubmission): Promise<CosignatureReceipt> {
    return this.#json('POST', '/v1/checkpoint/cosignatures', {
      body: encoder.encode(JSON.stringify(submission)),
      contentType: 'application/json',
    });
  }

  /**
   * POST /v1/evidence, signed as the client's party (the ledger refuses unsigned uploads: an
   * upload is the party's proof of possession): where to upload the party's copy of an object,
   * or that this party uploaded it already.
   */
  createEvidenceUpload(object: {
    sha256: string;
    size: number;
    mediaType: string;
  }): Promise<EvidenceUploadView> {
    return this.#json('POST', '/v1/evidence', {
      body: encoder.encode(JSON.stringify(object)),
      contentType: 'application/json',
      sign: true,
    });
  }

  /**
   * Uploads an object's bytes to the presigned URL of createEvidenceUpload, sending the headers
   * it names unchanged (the store checks the SHA-256 itself). `body` may be a stream: it is sent
   * as read, never buffered whole.
   */
  async uploadEvidenceBody(
    upload: NonNullable<EvidenceUploadView['upload']>,
    body: BodyInit,
    size: number,
  ): Promise<void> {
    const headers: Record<string, string> = {
      ...upload.headers,
      'content-length': String(size),
    };
    let response: Response;
    try {
      response = await this.#fetch(upload.url, {
        method: upload.method,
        headers,
        body,
        // Node's fetch streams a ReadableStream body only in half-duplex mode.
        ...(typeof ReadableStream !== 'undefined' && body instanceof ReadableStream
          ? { duplex: 'half' }
          : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      throw new ConnectionError(new URL(upload.url).origin, connectionReason(e), { cause: e });
    }
    await this.#check(response);
    await response.body?.cancel();
  }

  /**
   * GET /v1/evidence/{sha256}: the short-lived download URL the ledger redirects to (the caller
   * must be allowed to read a statement citing the object).
   */
  async evidenceUrl(sha256: string): Promise<string> {
    const response = await this.#check(
      await this.#send('GET', `/v1/evidence/${segment(sha256)}`, { redirect: 'manual' }),
    );
    const location = response.headers.get('location');
    if (location === null || location === '') {
      throw new ResponseError('the ledger did not redirect to the evidence object');
    }
    await response.body?.cancel();
    return new URL(location, this.server).toString();
  }

  /** GET /v1/parties. */
  async parties(): Promise<PartyView[]> {
    return (await this.#json<{ parties: PartyView[] }>('GET', '/v1/parties')).parties;
  }

  /** GET /v1/parties/{id}: keys with validity and the issuer-chain head `{seq, statement}`. */
  party(id: string): Promise<PartyView> {
    return this.#json('GET', `/v1/parties/${segment(id)}`);
  }

  /** GET /v1/measures. */
  measures(at?: string): Promise<MeasureList> {
    return this.#json('GET', '/v1/measures', { query: { at } });
  }

  /** GET /v1/measures/{id}/timeline. */
  timeline(measure: string, at?: string): Promise<MeasureTimelineView> {
    return this.#json('GET', `/v1/measures/${segment(measure)}/timeline`, { query: { at } });
  }

  /**
   * GET /v1/compliance. Returns the report and the exact bytes sent, which are its canonical
   * (JCS) form: compare those, not a re-serialisation, with a report computed offline.
   */
  async compliance(query: ComplianceQuery = {}): Promise<ComplianceAnswer> {
    const text = await this.#text('/v1/compliance', {
      query: {
        party: query.party,
        measure: query.measure,
        at: query.at,
        treeSize: query.treeSize,
        rulesVersion: query.rulesVersion,
      },
    });
    try {
      return { text, report: JSON.parse(text) as ComplianceReport };
    } catch {
      throw new ResponseError('the ledger answered the compliance report with invalid JSON');
    }
  }

  /** GET /v1/openapi.json: the API's full contract. */
  openApi(): Promise<unknown> {
    return this.#json('GET', '/v1/openapi.json');
  }

  // ---- /public/v1: the read-only, cacheable transparency view ------------------------------

  /** The public view (never signed): what anyone may read, served with read-only rights. */
  get public(): PublicView {
    return new PublicView(this, (path, options) =>
      this.#json('GET', `/public/v1${path}`, { ...options, sign: false }),
    );
  }

  /** @internal for PublicView */
  publicText(path: string): Promise<string> {
    return this.#text(`/public/v1${path}`, { headers: { accept: 'text/plain' }, sign: false });
  }
}

type PublicGet = (path: string, options?: { query?: Query }) => Promise<unknown>;

/** GET /public/v1/…: checkpoint, proofs, entries, measures, timelines, compliance summary. */
export class PublicView {
  readonly #client: LedgerClient;
  readonly #get: PublicGet;

  constructor(client: LedgerClient, get: PublicGet) {
    this.#client = client;
    this.#get = get;
  }

  ledger(): Promise<LedgerInfo> {
    return this.#get('/ledger') as Promise<LedgerInfo>;
  }

  checkpoint(): Promise<string> {
    return this.#client.publicText('/checkpoint');
  }

  checkpointStatus(size: number): Promise<CheckpointStatus> {
    return this.#get(`/checkpoints/${size}`) as Promise<CheckpointStatus>;
  }

  /** Public statements, newest first (JSON Feed 1.1); `before` pages to older ones. */
  feed(options: { before?: number; limit?: number } = {}): Promise<PublicFeed> {
    return this.#get('/feed.json', {
      query: { before: options.before, limit: options.limit },
    }) as Promise<PublicFeed>;
  }

  entries(start: number, limit?: number): Promise<EntriesPage> {
    return this.#get('/entries', { query: { start, limit } }) as Promise<EntriesPage>;
  }

  entry(index: number): Promise<EntryView> {
    return this.#get(`/entries/${index}`) as Promise<EntryView>;
  }

  inclusionProof(index: number, treeSize: number): Promise<InclusionProofJson> {
    return this.#get('/proofs/inclusion', {
      query: { index, treeSize },
    }) as Promise<InclusionProofJson>;
  }

  consistencyProof(from: number, to: number): Promise<ConsistencyProofJson> {
    return this.#get('/proofs/consistency', {
      query: { from, to },
    }) as Promise<ConsistencyProofJson>;
  }

  measures(at?: string): Promise<MeasureList> {
    return this.#get('/measures', { query: { at } }) as Promise<MeasureList>;
  }

  timeline(measure: string, at?: string): Promise<MeasureTimelineView> {
    return this.#get(`/measures/${segment(measure)}/timeline`, {
      query: { at },
    }) as Promise<MeasureTimelineView>;
  }

  /** Per-state counts by outcome. */
  compliance(query: ComplianceQuery = {}): Promise<ComplianceSummary> {
    return this.#get('/compliance', {
      query: { party: query.party, measure: query.measure, at: query.at, treeSize: query.treeSize },
    }) as Promise<ComplianceSummary>;
  }
}
