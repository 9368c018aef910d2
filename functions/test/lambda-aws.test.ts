/**
 * The Lambda entries end to end, as the stack deploys them, against DynamoDB (an in-memory
 * dynalite) and S3 (s3rver), with the log key in Secrets Manager (mocked): the submit function
 * admits, the integrator integrates and reports its metrics, the cosign function keeps a witness
 * cosignature, the read function serves every GET; each answers 404 for routes it does not own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCheckpointSigner, createGenesis, newNonce, signStatement } from '@cbm-ledger/ledger';
import {
  cosign,
  ed25519,
  fromBase64,
  generateKeyFile,
  keyFileSeed,
  openPromise,
  parseNote,
  parseVkey,
  sha256,
  sha256Hex,
  statementId,
  toBase64,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope, Statement } from '@cbm-ledger/protocol';
import { createDynamoClient, ensureTable } from '@cbm-ledger/store-aws';
import { checked, event } from '@cbm-ledger/functions/testing';
import type { RequestOptions } from '@cbm-ledger/functions/testing';
import { captureMetrics, interceptMetrics, lambdaContext } from './lambda-support.js';
import { json, signatureHeaders } from './reads-fixture.js';

const ORIGIN = 'cbm-ledger.test/lambda';
const TABLE = 'cbm-lambda-test';
const BUCKET = 'cbm-lambda-evidence';
const NAMESPACE = 'CbmLedger/CbmLedger-test';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:cbm-log-key-AbCdEf';
const WITNESS_SEED = sha256(utf8Encode('lambda witness'));
const WITNESS_NAME = 'witness.example/lambda';

// dynalite and s3rver ship no types; these are the calls the test makes.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { createTableMs?: number }) => Server;
const S3rver = require('s3rver') as new (options: object) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

type Handler = (
  event: APIGatewayProxyEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyResult>;

describe('the Lambda entries against DynamoDB and S3', () => {
  const operatorKey = generateKeyFile('operator:lambda');
  const logKey = generateKeyFile('operator:lambda', new Uint8Array(32).fill(1));
  const secrets = mockClient(SecretsManagerClient);
  const context = lambdaContext();
  const s3Directory = mkdtempSync(join(tmpdir(), 'cbm-lambda-s3-'));
  let dynamo: Server;
  let s3: InstanceType<typeof S3rver>;
  let submit: Handler;
  let read: Handler;
  let cosignHandler: Handler;
  let integrate: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
  const operator = { seq: 0, prev: null as string | null };
  let restoreStdout: () => void;

  beforeAll(async () => {
    restoreStdout = interceptMetrics();
    dynamo = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
    await ensureTable(createDynamoClient({ endpoint }), TABLE);
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3Directory,
      configureBuckets: [{ name: BUCKET }],
    });
    const { port: s3Port } = await s3.run();

    // What the stack sets (infra/src/stack.ts), plus the emulators' endpoints.
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'cbm-ledger');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', NAMESPACE);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('CBM_ORIGIN', ORIGIN);
    vi.stubEnv('CBM_TABLE', TABLE);
    vi.stubEnv('CBM_BUCKET', BUCKET);
    vi.stubEnv('CBM_WITNESS_QUORUM', '1');
    vi.stubEnv('CBM_LOG_VKEY', createCheckpointSigner(ORIGIN, keyFileSeed(logKey)).vkey);
    vi.stubEnv('CBM_LOG_KEY_SECRET_ARN', SECRET_ARN);
    vi.stubEnv('CBM_DYNAMODB_ENDPOINT', endpoint);
    vi.stubEnv('CBM_S3_ENDPOINT', `http://127.0.0.1:${s3Port}`);
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: JSON.stringify(logKey) });

    ({ handler: submit } = await import('../src/lambda/submit.js'));
    ({ handler: read } = await import('../src/lambda/read.js'));
    ({ handler: cosignHandler } = await import('../src/lambda/cosign.js'));
    ({ handler: integrate } = await import('../src/lambda/integrator.js'));
  });

  afterAll(async () => {
    restoreStdout();
    vi.unstubAllEnvs();
    secrets.restore();
    await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    await s3.close();
    rmSync(s3Directory, { recursive: true, force: true });
  });

  /** Calls a function and checks a documented answer against the OpenAPI document. */
  const call = async (
    handler: Handler,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<APIGatewayProxyResult> =>
    checked(method, path, await handler(event(method, path, options), context));

  const post = (handler: Handler, path: string, body: unknown): Promise<APIGatewayProxyResult> =>
    call(handler, 'POST', path, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const signByOperator = (type: Statement['type'], body: unknown): Envelope => {
    const envelope = signStatement(
      {
        v: 1,
        ledger: ORIGIN,
        type,
        issuer: 'operator:lambda',
        seq: operator.seq + 1,
        prev: operator.prev,
        issuedAt: new Date().toISOString(),
        nonce: newNonce(),
        visibility: 'public',
        body,
      },
      [keyFileSeed(operatorKey)],
    );
    operator.seq++;
    operator.prev = statementId(fromBase64(envelope.payload));
    return envelope;
  };

  it('answers 404 problem for every route another function serves', async () => {
    const foreign: [Handler, string, string][] = [
      [submit, 'GET', '/v1/ledger'],
      [submit, 'GET', '/v1/statements/sha256:' + '0'.repeat(64)],
      [submit, 'POST', '/v1/checkpoint/cosignatures'],
      [read, 'POST', '/v1/checkpoint/cosignatures'],
      [read, 'POST', '/v1/statements'],
      [read, 'POST', '/v1/evidence'],
      [cosignHandler, 'GET', '/v1/checkpoint'],
      [cosignHandler, 'GET', '/v1/checkpoints/1'],
      [cosignHandler, 'POST', '/v1/evidence'],
      [cosignHandler, 'GET', '/v1/openapi.json'],
    ];
    for (const [handler, method, path] of foreign) {
      const answer = await handler(event(method, path), context);
      expect(answer.statusCode, `${method} ${path}`).toBe(404);
      expect(answer.headers?.['content-type']).toBe('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    }
  });

  it('admits the genesis through submit with a signed promise; the integrator integrates it and reports its ages; each reads the log key once from Secrets Manager', async () => {
    const before = await call(read, 'GET', '/v1/ledger');
    expect(json(before)).toMatchObject({ origin: ORIGIN, treeSize: 0, operator: null });

    const genesis = createGenesis({
      origin: ORIGIN,
      operatorKeyFile: operatorKey,
      logSeed: keyFileSeed(logKey),
      now: Date.now(),
    });
    operator.seq = 1;
    operator.prev = statementId(fromBase64(genesis.payload));
    const admitted = await post(submit, '/v1/statements', genesis);
    expect(admitted.statusCode).toBe(202);
    // Signed by the log key the submit function read from Secrets Manager (docs/promises.md).
    const { promise } = json<{ promise: string }>(admitted);
    const logVkey = json<{ logVkey: string }>(before).logVkey;
    expect(openPromise(promise, parseVkey(logVkey)).statement).toBe(operator.prev);

    let result: unknown;
    const first = await captureMetrics(async () => {
      result = await integrate({}, context);
    });
    expect(result).toMatchObject({ integrated: 1, treeSize: 1, outOfTime: false });
    // Measured before integrating: the genesis was pending, and there was no checkpoint yet.
    expect(first).toHaveLength(1);
    const [ages] = first;
    expect(ages).toMatchObject({
      namespace: NAMESPACE,
      dimensions: { service: 'cbm-ledger' },
      units: { OldestPendingAgeSeconds: 'Seconds', CheckpointAgeSeconds: 'Seconds' },
    });
    const pendingAge = ages!.values['OldestPendingAgeSeconds'] as number;
    expect(pendingAge).toBeGreaterThanOrEqual(0);
    expect(pendingAge).toBeLessThan(60);
    expect(ages!.values['CheckpointAgeSeconds']).toBe(pendingAge);

    const idle = await captureMetrics(async () => {
      result = await integrate({}, context);
    });
    expect(result).toMatchObject({ integrated: 0, treeSize: 1 });
    expect(idle).toEqual([
      {
        namespace: NAMESPACE,
        dimensions: { service: 'cbm-ledger' },
        values: { OldestPendingAgeSeconds: 0, CheckpointAgeSeconds: 0 },
        units: { OldestPendingAgeSeconds: 'Seconds', CheckpointAgeSeconds: 'Seconds' },
      },
    ]);
    // Once per function: the submit function (promises) and the integrator (checkpoints).
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);

    const checkpoint = await call(read, 'GET', '/v1/checkpoint');
    expect(checkpoint.body.startsWith(`${ORIGIN}\n1\n`)).toBe(true);
  });

  it('keeps a registered witness cosignature through cosign, and read serves it', async () => {
    const key = generateKeyFile('observer:lambda-witness');
    const register = signByOperator('party.register', {
      party: { id: 'observer:lambda-witness', name: 'Lambda witness', kind: 'observer' },
      keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
      witness: { name: WITNESS_NAME, publicKey: toBase64(ed25519.publicKeyFromSeed(WITNESS_SEED)) },
    });
    expect((await post(submit, '/v1/statements', register)).statusCode).toBe(202);
    expect(await integrate({}, context)).toMatchObject({ integrated: 1, treeSize: 2 });

    const note = (await call(read, 'GET', '/v1/checkpoint')).body;
    const line = cosign(
      parseNote(note).text,
      WITNESS_NAME,
      WITNESS_SEED,
      Math.floor(Date.now() / 1000),
    );
    const kept = await post(cosignHandler, '/v1/checkpoint/cosignatures', {
      checkpoint: note,
      cosignature: line,
    });
    expect(kept.statusCode, kept.body).toBe(201);
    expect(json(kept)).toMatchObject({ witness: WITNESS_NAME, stored: true });

    expect((await call(read, 'GET', '/v1/checkpoint')).body).toBe(`${note}${line}\n`);
    expect(json(await call(read, 'GET', '/v1/checkpoints/2'))).toMatchObject({
      quorum: { required: 1, witnesses: 1, met: true },
    });
  });

  it('serves every read through read, and evidence uploads through submit', async () => {
    const genesisId = json<{ entries: { leaf: { statement: string } }[] }>(
      await call(read, 'GET', '/v1/entries', { query: { start: '0', limit: '2' } }),
    ).entries[0]!.leaf.statement;
    // (GET /v1/openapi.json is the router function's: functions/test/lambda.test.ts.)
    const paths: [string, Record<string, string>?][] = [
      ['/v1/ledger'],
      [`/v1/statements/${genesisId}`],
      ['/v1/entries/1'],
      ['/v1/proofs/inclusion', { index: '0', treeSize: '2' }],
      ['/v1/proofs/consistency', { from: '1', to: '2' }],
      ['/v1/parties'],
      ['/v1/parties/observer:lambda-witness'],
      ['/v1/measures'],
      ['/v1/compliance'],
    ];
    for (const [path, query] of paths) {
      const answer = await call(read, 'GET', path, query === undefined ? {} : { query });
      expect(answer.statusCode, `GET ${path}: ${answer.body}`).toBe(200);
    }
    expect(json(await call(read, 'GET', '/v1/ledger'))).toMatchObject({
      treeSize: 2,
      operator: 'operator:lambda',
      witnessQuorum: 1,
    });

    // The all-routes entry (the stack's fallback) answers as the split ones do.
    const { handler: all } = await import('../src/lambda/api.js');
    for (const path of ['/v1/ledger', '/v1/checkpoint', '/v1/parties']) {
      expect((await all(event('GET', path), context)).body).toBe(
        (await read(event('GET', path), context)).body,
      );
    }

    const bytes = utf8Encode('evidence of a notified exercise');
    const announce = JSON.stringify({
      sha256: sha256Hex(bytes),
      size: bytes.length,
      mediaType: 'text/plain',
    });
    // Unsigned: refused before anything is presigned.
    expect((await post(submit, '/v1/evidence', JSON.parse(announce))).statusCode).toBe(401);
    const upload = await call(submit, 'POST', '/v1/evidence', {
      headers: {
        'content-type': 'application/json',
        ...signatureHeaders(keyFileSeed(operatorKey), 'POST', '/v1/evidence', {
          tag: ORIGIN,
          body: announce,
        }),
      },
      body: announce,
    });
    expect(upload.statusCode, upload.body).toBe(200);
    expect(json(upload)).toMatchObject({ stored: false, upload: { method: 'PUT' } });
    // The presigned PUT is of the signing party's own copy, checksum enforced by S3.
    const url = json<{ upload: { url: string } }>(upload).upload.url;
    expect(decodeURIComponent(url)).toContain(
      `evidence/sha256/${sha256Hex(bytes)}/operator:lambda`,
    );
    // Nobody cites it, so nobody may download it.
    const download = await call(read, 'GET', `/v1/evidence/${sha256Hex(bytes)}`);
    expect(download.statusCode).toBe(404);
  });

  it('authenticates signed reads with a registered key, claiming each nonce once in DynamoDB', async () => {
    const headers = signatureHeaders(keyFileSeed(operatorKey), 'GET', '/v1/ledger', {
      tag: ORIGIN,
    });
    expect((await call(read, 'GET', '/v1/ledger', { headers })).statusCode).toBe(200);
    const replayed = await call(read, 'GET', '/v1/ledger', { headers });
    expect(replayed.statusCode).toBe(401);
    expect(json(replayed)).toMatchObject({ code: 'AUTH_REPLAYED' });
  });

  it('publishes each API answer as a ServerErrors datapoint of its function', async () => {
    const published = await captureMetrics(async () => {
      await read(event('GET', '/v1/checkpoint'), context);
      await cosignHandler(event('GET', '/v1/checkpoint'), context);
    });
    expect(published).toEqual([
      {
        namespace: NAMESPACE,
        dimensions: { service: 'cbm-ledger', function: 'read' },
        values: { ServerErrors: 0 },
        units: { ServerErrors: 'Count' },
      },
      {
        namespace: NAMESPACE,
        dimensions: { service: 'cbm-ledger', function: 'cosign' },
        values: { ServerErrors: 0 },
        units: { ServerErrors: 'Count' },
      },
    ]);
  });
});
