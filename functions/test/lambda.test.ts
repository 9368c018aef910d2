/**
 * The Lambda entry points without AWS: configuration from the environment, where the log key
 * comes from, the integrator's drain loop and run metrics, which function owns which route, the
 * router's answers, and the metrics every API function publishes.
 * (lambda-aws.test.ts runs the handlers against DynamoDB.)
 */
import { openApiRoutes } from '../src/routes/openapi.js';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCheckpointSigner } from '@cbm-ledger/ledger';
import type { AdmittedStatement, LogHead } from '@cbm-ledger/ledger';
import { generateKeyFile, keyFileSeed, parseUtcTimestamp } from '@cbm-ledger/protocol';
import { API_ROUTES } from '../../infra/src/constructs/ledger-api.js';
import { apiRoutes, drain } from '../src/index.js';
import { integrationAges } from '../src/integration-metrics.js';
import {
  ConfigurationError,
  buildIntegrator,
  lazyAsync,
  readLogVkey,
  readSettings,
} from '../src/lambda/environment.js';
import { readLogKeyFile } from '../src/lambda/log-key.js';
import type * as ObservabilityModule from '../src/lambda/observability.js';
import type * as RouterModule from '../src/lambda/router.js';
import { createTestLedger, event } from '@cbm-ledger/functions/testing';
import { captureMetrics, interceptMetrics, lambdaContext } from './lambda-support.js';

const ORIGIN = 'cbm-ledger.test/lambda';
const logKey = generateKeyFile('operator:lambda', new Uint8Array(32).fill(1));
const logVkey = createCheckpointSigner(ORIGIN, keyFileSeed(logKey)).vkey;

describe('configuration from the environment', () => {
  it('requires the origin and applies the documented defaults', () => {
    expect(() => readSettings({})).toThrow(ConfigurationError);
    expect(readSettings({ CBM_ORIGIN: ORIGIN })).toMatchObject({
      origin: ORIGIN,
      table: 'cbm-ledger',
      bucket: 'cbm-ledger-evidence',
      dynamoEndpoint: undefined,
      s3Endpoint: undefined,
      config: { witnessQuorum: 0 },
    });
    expect(
      readSettings({
        CBM_ORIGIN: ORIGIN,
        CBM_TABLE: 't',
        CBM_BUCKET: 'b',
        CBM_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
        CBM_WITNESS_QUORUM: '2',
      }),
    ).toMatchObject({
      table: 't',
      bucket: 'b',
      dynamoEndpoint: 'http://127.0.0.1:1',
      config: { witnessQuorum: 2 },
    });
    expect(() => readSettings({ CBM_ORIGIN: ORIGIN, CBM_WITNESS_QUORUM: '-1' })).toThrow(
      /CBM_WITNESS_QUORUM/,
    );
  });

  it("takes each party's daily evidence budget, with the ledger's defaults", () => {
    expect(readSettings({ CBM_ORIGIN: ORIGIN }).config).toMatchObject({
      evidenceQuotaCount: 200,
      evidenceQuotaBytes: 2_147_483_648,
    });
    expect(
      readSettings({
        CBM_ORIGIN: ORIGIN,
        CBM_EVIDENCE_QUOTA_COUNT: '10',
        CBM_EVIDENCE_QUOTA_BYTES: '1048576',
      }).config,
    ).toMatchObject({ evidenceQuotaCount: 10, evidenceQuotaBytes: 1_048_576 });
    for (const [name, value] of [
      ['CBM_EVIDENCE_QUOTA_COUNT', '0'],
      ['CBM_EVIDENCE_QUOTA_COUNT', '12x'],
      ['CBM_EVIDENCE_QUOTA_BYTES', '-1'],
      ['CBM_EVIDENCE_QUOTA_BYTES', '1e6'],
    ] as const) {
      expect(() => readSettings({ CBM_ORIGIN: ORIGIN, [name]: value })).toThrow(new RegExp(name));
    }
  });

  it('checks that the log vkey parses and is named by the origin', () => {
    expect(readLogVkey({ CBM_LOG_VKEY: logVkey }, ORIGIN)).toBe(logVkey);
    expect(() => readLogVkey({}, ORIGIN)).toThrow(/CBM_LOG_VKEY is not set/);
    expect(() => readLogVkey({ CBM_LOG_VKEY: 'nonsense' }, ORIGIN)).toThrow(/not a verifier key/);
    expect(() => readLogVkey({ CBM_LOG_VKEY: logVkey }, 'other.example/x')).toThrow(
      /not the origin/,
    );
  });
});

describe('the log key', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:cbm-log-key-AbCdEf';
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());
  afterAll(() => secrets.restore());

  it('comes from exactly one source: the secret, or CBM_LOG_KEY inline', async () => {
    const inline = JSON.stringify(logKey);
    expect(await readLogKeyFile({ CBM_LOG_KEY: inline })).toBe(inline);
    await expect(readLogKeyFile({})).rejects.toThrow(/CBM_LOG_KEY_SECRET_ARN .* is not set/);
    await expect(
      readLogKeyFile({ CBM_LOG_KEY: inline, CBM_LOG_KEY_SECRET_ARN: ARN }),
    ).rejects.toThrow(ConfigurationError);
    expect(secrets.calls()).toHaveLength(0);
  });

  it("is the secret's string value, read from Secrets Manager by its ARN", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({
      SecretString: JSON.stringify(logKey),
    });
    expect(JSON.parse(await readLogKeyFile({ CBM_LOG_KEY_SECRET_ARN: ARN }))).toEqual(logKey);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('fails when the secret holds no string, or Secrets Manager fails', async () => {
    secrets.on(GetSecretValueCommand).resolvesOnce({}).rejectsOnce(new Error('throttled'));
    await expect(readLogKeyFile({ CBM_LOG_KEY_SECRET_ARN: ARN })).rejects.toThrow(
      /holds no key file/,
    );
    await expect(readLogKeyFile({ CBM_LOG_KEY_SECRET_ARN: ARN })).rejects.toThrow('throttled');
  });

  it('must be the key CBM_LOG_VKEY names, or the integrator refuses to start', () => {
    const env = { CBM_ORIGIN: ORIGIN, CBM_LOG_VKEY: logVkey };
    expect(buildIntegrator(env, JSON.stringify(logKey)).integrator).toBeDefined();
    const other = generateKeyFile('operator:lambda', new Uint8Array(32).fill(9));
    expect(() => buildIntegrator(env, JSON.stringify(other))).toThrow(
      /not the key of CBM_LOG_VKEY/,
    );
    expect(() => buildIntegrator(env, '{"seed":1}')).toThrow(/not a key file/);
    expect(() => buildIntegrator({ CBM_ORIGIN: ORIGIN }, JSON.stringify(logKey))).toThrow(
      /CBM_LOG_VKEY is not set/,
    );
  });

  it('is built once per execution environment, and again after a failed build', async () => {
    let builds = 0;
    const fail = [true, false];
    const get = lazyAsync(async () => {
      builds++;
      await Promise.resolve();
      if (fail.shift() === true) throw new Error('unreachable');
      return builds;
    });
    await expect(get()).rejects.toThrow('unreachable');
    const [a, b] = await Promise.all([get(), get()]);
    expect([a, b, await get(), builds]).toEqual([2, 2, 2, 2]);
  });
});

describe('the integrator drain loop', () => {
  it('runs batches until one integrates nothing', async () => {
    const results = [5, 3, 0, 9];
    const integrator = {
      runOnce: vi.fn(() => Promise.resolve({ integrated: results.shift()!, treeSize: 10 })),
    };
    expect(await drain(integrator, () => 60_000)).toEqual({
      integrated: 8,
      treeSize: 10,
      batches: 3,
      outOfTime: false,
    });
  });

  it('stops before starting a batch it may not have time to finish', async () => {
    let remaining = 25_000;
    const integrator = {
      runOnce: vi.fn(() => {
        remaining -= 10_000;
        return Promise.resolve({ integrated: 1, treeSize: 1 });
      }),
    };
    const result = await drain(integrator, () => remaining, 10_000);
    expect(result).toMatchObject({ batches: 2, outOfTime: true, integrated: 2 });
  });
});

describe('integration ages', () => {
  it('are 0 while nothing is pending', async () => {
    const ledger = await createTestLedger();
    const clock = { now: () => Date.now() + 3_600_000 };
    expect(await integrationAges({ ...ledger.stores, clock })).toEqual({
      oldestPendingAgeSeconds: 0,
      checkpointAgeSeconds: 0,
    });
  });

  it('measure the oldest pending statement and the checkpoint of the last leaf', async () => {
    const ledger = await createTestLedger();
    const [last] = await ledger.stores.log.readLeaves(0, 1);
    const signedAt = parseUtcTimestamp(last?.integratedAt)!;
    await ledger.registerState('state:JOR');
    const leaves = await ledger.stores.log.readLeaves(0, 10);
    const checkpointAt = parseUtcTimestamp(leaves.at(-1)?.integratedAt)!;
    expect(checkpointAt).toBeGreaterThanOrEqual(signedAt);
    // Pending, not integrated: the next statement of the operator.
    const key = generateKeyFile('state:ISR');
    const pending = ledger.sign(ledger.operator, 'party.register', {
      party: { id: 'state:ISR', name: 'State state:ISR', kind: 'state' },
      keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
    });
    expect((await ledger.submit(pending)).statusCode).toBe(202);
    const [oldest] = await ledger.stores.statements.pending(1);
    const now = oldest!.admittedAt + 7_500;
    expect(await integrationAges({ ...ledger.stores, clock: { now: () => now } })).toEqual({
      oldestPendingAgeSeconds: 7.5,
      checkpointAgeSeconds: (now - checkpointAt) / 1000,
    });
  });

  it('count from the oldest pending statement while the log has no checkpoint', async () => {
    const oldest = { admittedAt: 1_000_000 } as AdmittedStatement;
    const sources = {
      statements: { pending: () => Promise.resolve([oldest]) },
      log: {
        readHead: () => Promise.resolve(undefined),
        readLeaves: () => Promise.reject(new Error('no leaves to read')),
      },
      clock: { now: () => 1_004_000 },
    };
    expect(await integrationAges(sources)).toEqual({
      oldestPendingAgeSeconds: 4,
      checkpointAgeSeconds: 4,
    });
    // A clock behind the admitting machine's never yields a negative age.
    expect(await integrationAges({ ...sources, clock: { now: () => 999_000 } })).toEqual({
      oldestPendingAgeSeconds: 0,
      checkpointAgeSeconds: 0,
    });
  });

  it('fail loudly when the leaf below the head is missing', async () => {
    const head = { size: 3 } as LogHead;
    await expect(
      integrationAges({
        statements: { pending: () => Promise.resolve([{ admittedAt: 0 } as AdmittedStatement]) },
        log: { readHead: () => Promise.resolve(head), readLeaves: () => Promise.resolve([]) },
        clock: { now: () => 0 },
      }),
    ).rejects.toThrow(/leaf 2/);
  });
});

describe('which function serves which route', () => {
  let submitRoutes: typeof apiRoutes;
  let readRoutes: typeof apiRoutes;
  let cosignRoutes: typeof apiRoutes;

  beforeAll(async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    ({ submitRoutes } = await import('../src/lambda/submit.js'));
    ({ readRoutes } = await import('../src/lambda/read.js'));
    ({ cosignRoutes } = await import('../src/lambda/cosign.js'));
  });
  afterAll(() => vi.unstubAllEnvs());

  const names = (routes: typeof apiRoutes): string[] =>
    routes.map((r) => `${r.method} ${r.path}`).sort();

  it('gives every route of the API to exactly one function', () => {
    // The static OpenAPI document is the router function's (it needs no data access).
    const split = [
      ...names(submitRoutes),
      ...names(readRoutes),
      ...names(cosignRoutes),
      ...names(openApiRoutes),
    ].sort();
    expect(split).toEqual(names(apiRoutes));
    expect(new Set(split).size).toBe(split.length);
  });

  it('matches the functions API Gateway integrates each route with (infra)', () => {
    const byTarget = (target: string): string[] =>
      API_ROUTES.filter((r) => r.target === target)
        .map((r) => `${r.method} ${r.path}`)
        .sort();
    expect(names(submitRoutes)).toEqual(byTarget('submit'));
    expect(names(readRoutes)).toEqual(byTarget('read'));
    expect(names(cosignRoutes)).toEqual(byTarget('cosign'));
    expect(names(openApiRoutes)).toEqual(byTarget('router'));
  });
});

describe('the router function', () => {
  let router: typeof RouterModule;
  const context = lambdaContext();
  let restoreStdout: () => void;

  beforeAll(async () => {
    restoreStdout = interceptMetrics();
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'CbmLedger/unit');
    router = await import('../src/lambda/router.js');
  });
  afterAll(() => {
    restoreStdout();
    vi.unstubAllEnvs();
  });

  const call = async (method: string, path: string): Promise<APIGatewayProxyResult> =>
    router.handler(event(method, path), context);

  it('answers a wrong method on a known path 405 with Allow, as the local runtime does', async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/v1/ledger', 'GET'],
      ['PUT', '/v1/statements', 'POST'],
      ['GET', '/v1/checkpoint/cosignatures', 'POST'],
      ['POST', '/public/v1/checkpoint', 'GET'],
    ] as const) {
      const answer = await call(method, path);
      expect(answer.statusCode, `${method} ${path}`).toBe(405);
      expect(answer.headers).toMatchObject({
        allow,
        'content-type': 'application/problem+json',
      });
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    }
  });

  it('answers an unknown path 404 problem', async () => {
    const answer = await call('GET', '/v1/nothing-here');
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('serves no route itself: a request another function serves, sent here, is a 500', async () => {
    const answer = await call('GET', '/v1/ledger');
    expect(answer.statusCode).toBe(500);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'INTERNAL' });
    expect(answer.body).not.toContain('routed to the router');
  });
});

describe('metrics of the API functions', () => {
  let observability: typeof ObservabilityModule;
  const context: Context = lambdaContext();

  beforeAll(async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'CbmLedger/unit');
    vi.resetModules();
    observability = await import('../src/lambda/observability.js');
  });
  afterAll(() => vi.unstubAllEnvs());

  const answering =
    (statusCode: number) =>
    (_event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
      Promise.resolve({ statusCode, body: '' });

  it('count each answer as 0 or 1 server error, by function', async () => {
    const metrics = await captureMetrics(async () => {
      await observability.apiEntry('read', answering(200))(event('GET', '/v1/ledger'), context);
      await observability.apiEntry('submit', answering(422))(event('POST', '/x'), context);
      await observability.apiEntry('cosign', answering(503))(event('POST', '/x'), context);
    });
    const published = (fn: string, serverErrors: number): unknown => ({
      namespace: 'CbmLedger/unit',
      dimensions: { service: 'cbm-ledger', function: fn },
      values: { ServerErrors: serverErrors },
      units: { ServerErrors: 'Count' },
    });
    expect(metrics).toEqual([published('read', 0), published('submit', 0), published('cosign', 1)]);
  });
});
