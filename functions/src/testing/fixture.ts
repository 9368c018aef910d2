/**
 * A ledger on the memory stores behind the real API handler, with helpers to build API Gateway
 * events and sign statements. Every response a test receives through `call` is checked against
 * the OpenAPI document before the test sees it.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import assert from 'node:assert/strict';
import {
  InProcessIntegrationSignal,
  Integrator,
  createCheckpointSigner,
  createGenesis,
  defaultLedgerConfig,
  newNonce,
  signStatement,
  createLedger,
} from '@cbm-ledger/ledger';
import type { LedgerService } from '@cbm-ledger/ledger';
import { createMemoryStores, dumpMemoryStores } from '@cbm-ledger/ledger/testing';
import type { CheckpointSigner, LedgerConfig } from '@cbm-ledger/ledger';
import type { MemoryStores } from '@cbm-ledger/ledger/testing';
import {
  fromBase64,
  generateKeyFile,
  keyFileSeed,
  statementId,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope, KeyFile, Statement } from '@cbm-ledger/protocol';
import { createApiHandler } from '../index.js';
import type { ApiHandler, ApiLogger } from '../index.js';
import { checkResponse } from './openapi-check.js';

export const ORIGIN = 'cbm-ledger.test/http';

export interface RequestOptions {
  query?: Record<string, string | string[]>;
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  /** Send the body base64-encoded, as API Gateway does for binary media types. */
  base64?: boolean;
}

/** An API Gateway REST proxy event as API Gateway (and the local adapter) builds it. */
export function event(
  method: string,
  path: string,
  options: RequestOptions = {},
): APIGatewayProxyEvent {
  const multiHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    const list = Array.isArray(v) ? v : [v];
    multiHeaders[k] = list;
    headers[k] = list[list.length - 1]!;
  }
  let multiQuery: Record<string, string[]> | null = null;
  let query: Record<string, string> | null = null;
  if (options.query) {
    multiQuery = {};
    query = {};
    for (const [k, v] of Object.entries(options.query)) {
      const list = Array.isArray(v) ? v : [v];
      multiQuery[k] = list;
      query[k] = list[list.length - 1]!;
    }
  }
  let body: string | null = null;
  const bytes = typeof options.body === 'string' ? utf8Encode(options.body) : options.body;
  if (bytes !== undefined) {
    body = options.base64
      ? Buffer.from(bytes).toString('base64')
      : Buffer.from(bytes).toString('utf8');
  }
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: multiHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body,
    isBase64Encoded: options.base64 ?? false,
    requestContext: { requestId: 'test-request' } as APIGatewayProxyEvent['requestContext'],
  };
}

export interface RecordingLogger extends ApiLogger {
  readonly errors: unknown[][];
}

export function recordingLogger(): RecordingLogger {
  const errors: unknown[][] = [];
  return {
    errors,
    error: (...args: unknown[]) => void errors.push(args),
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
  };
}

export interface Party {
  readonly id: string;
  readonly key: KeyFile;
  seq: number;
  prev: string | null;
}

export interface TestLedger {
  readonly stores: MemoryStores;
  readonly service: LedgerService;
  readonly integrator: Integrator;
  readonly signal: InProcessIntegrationSignal;
  /** Integrates in the background whenever admission signals work (as the local runtime does). */
  autoIntegrate(): void;
  readonly config: LedgerConfig;
  readonly logVkey: string;
  /** The log key's signer: checkpoints and admission promises. */
  readonly logSigner: CheckpointSigner;
  readonly operator: Party;
  readonly api: ApiHandler;
  readonly logger: RecordingLogger;
  /** Calls the API and checks the response against the OpenAPI document. */
  call(method: string, path: string, options?: RequestOptions): Promise<APIGatewayProxyResult>;
  /** Registers a state (`state:JOR`) signed by the operator and integrates it. */
  registerState(id: string): Promise<Party>;
  /** A signed statement of `party` with its next seq (not submitted; the chain is advanced). */
  sign(party: Party, type: Statement['type'], body: unknown, extra?: Partial<Statement>): Envelope;
  /** Submits through the API and returns the parsed body. */
  submit(envelope: Envelope, headers?: Record<string, string>): Promise<APIGatewayProxyResult>;
  dump(): string;
}

export function checked(
  method: string,
  path: string,
  result: APIGatewayProxyResult,
): APIGatewayProxyResult {
  const headers = (result.headers ?? {}) as Record<string, string | number | boolean>;
  const errors = checkResponse({
    method,
    path,
    status: result.statusCode,
    headers,
    body: result.body,
  });
  assert.deepStrictEqual(
    errors,
    [],
    `${method} ${path} answered ${result.statusCode} ${result.body}`,
  );
  return result;
}

export async function createTestLedger(configure: Partial<LedgerConfig> = {}): Promise<TestLedger> {
  const stores = createMemoryStores();
  const config: LedgerConfig = { ...defaultLedgerConfig(ORIGIN), ...configure };
  const clock = { now: () => Date.now() };
  // Fixed, so every run signs the same checkpoints; each test still gets its own ledger.
  const logSeed = new Uint8Array(32).fill(1);
  const signer = createCheckpointSigner(ORIGIN, logSeed);
  const signal = new InProcessIntegrationSignal();
  const integrator = new Integrator({
    ...stores,
    signer,
    clock,
    config,
    onIntegrated: (ids) => signal.integrated(ids),
  });
  const service = createLedger({
    ...stores,
    clock,
    config,
    logVkey: signer.vkey,
    logSigner: signer,
    integration: signal,
  });
  const logger = recordingLogger();
  const api = createApiHandler(service, { limits: config, logger });
  const operatorKey = generateKeyFile('operator:test');
  const operator: Party = { id: 'operator:test', key: operatorKey, seq: 0, prev: null };

  const call: TestLedger['call'] = async (method, path, options) =>
    checked(method, path, await api(event(method, path, options)));

  const sign: TestLedger['sign'] = (party, type, body, extra = {}) => {
    const statement = {
      v: 1,
      ledger: ORIGIN,
      type,
      issuer: party.id,
      seq: party.seq + 1,
      prev: party.prev,
      issuedAt: new Date().toISOString(),
      nonce: newNonce(),
      visibility: 'public',
      body,
      ...extra,
    } as Statement;
    const envelope = signStatement(statement, [keyFileSeed(party.key)]);
    party.seq = statement.seq;
    party.prev = statementId(fromBase64(envelope.payload));
    return envelope;
  };

  const submit: TestLedger['submit'] = (envelope, headers = {}) =>
    call('POST', '/v1/statements', {
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(envelope),
    });

  const registerState: TestLedger['registerState'] = async (id) => {
    const key = generateKeyFile(id);
    const register = sign(operator, 'party.register', {
      party: { id, name: `State ${id}`, kind: 'state' },
      keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
    });
    const answer = await submit(register);
    assert.strictEqual(answer.statusCode, 202, answer.body);
    await integrator.runUntilIdle();
    return { id, key, seq: 0, prev: null };
  };

  // Genesis: the operator's first statement, integrated as entry 0.
  const genesis = createGenesis({
    origin: ORIGIN,
    operatorKeyFile: operatorKey,
    logSeed,
    now: Date.now(),
  });
  operator.seq = 1;
  operator.prev = statementId(fromBase64(genesis.payload));
  const accepted = await submit(genesis);
  assert.strictEqual(accepted.statusCode, 202, accepted.body);
  await integrator.runUntilIdle();

  return {
    stores,
    service,
    integrator,
    signal,
    autoIntegrate: () => {
      signal.onWork(() => {
        integrator.runUntilIdle().catch((e: unknown) => logger.errors.push(['integrator', e]));
      });
    },
    config,
    logVkey: signer.vkey,
    logSigner: signer,
    operator,
    api,
    logger,
    call,
    sign,
    submit,
    registerState,
    dump: () => dumpMemoryStores(stores),
  };
}
