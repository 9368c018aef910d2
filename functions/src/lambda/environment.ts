/**
 * Lambda configuration from the environment, and the stores and domain objects built from it once
 * per execution environment (lazily, so a misconfiguration answers 500 with a log line instead of
 * failing the init phase in a loop).
 *
 * Variables:
 *   CBM_ORIGIN              the ledger's origin (required)
 *   CBM_LOG_VKEY            the log's C2SP verifier key (required by the API function)
 *   CBM_LOG_KEY             the log key file JSON (DESIGN.md §2; required by the integrator only)
 *   CBM_TABLE               DynamoDB table (default cbm-ledger)
 *   CBM_BUCKET              evidence bucket (default cbm-ledger-evidence)
 *   CBM_DYNAMODB_ENDPOINT   optional endpoint override (an emulator in tests)
 *   CBM_S3_ENDPOINT         optional endpoint override
 */
import {
  Integrator,
  LedgerService,
  createCheckpointSigner,
  defaultLedgerConfig,
} from '@cbm-ledger/ledger';
import type { Clock, LedgerConfig } from '@cbm-ledger/ledger';
import { keyFileSeed, parseKeyFile, parseVkey } from '@cbm-ledger/protocol';
import {
  S3EvidenceStore,
  createDynamoClient,
  createDynamoStores,
  createS3Client,
  isLocalEndpoint,
} from '@cbm-ledger/store-aws';

export const DEFAULT_TABLE = 'cbm-ledger';
export const DEFAULT_BUCKET = 'cbm-ledger-evidence';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export interface LambdaSettings {
  readonly origin: string;
  readonly table: string;
  readonly bucket: string;
  readonly dynamoEndpoint: string | undefined;
  readonly s3Endpoint: string | undefined;
  readonly config: LedgerConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigurationError(`${name} is not set`);
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function readSettings(env: Env): LambdaSettings {
  const origin = required(env, 'CBM_ORIGIN');
  return {
    origin,
    table: optional(env, 'CBM_TABLE') ?? DEFAULT_TABLE,
    bucket: optional(env, 'CBM_BUCKET') ?? DEFAULT_BUCKET,
    dynamoEndpoint: optional(env, 'CBM_DYNAMODB_ENDPOINT'),
    s3Endpoint: optional(env, 'CBM_S3_ENDPOINT'),
    config: defaultLedgerConfig(origin),
  };
}

/** The log vkey, checked: it must parse and be named by the origin. */
export function readLogVkey(env: Env, origin: string): string {
  const vkey = required(env, 'CBM_LOG_VKEY');
  let name: string;
  try {
    name = parseVkey(vkey).name;
  } catch (e) {
    throw new ConfigurationError(`CBM_LOG_VKEY is not a verifier key: ${(e as Error).message}`);
  }
  if (name !== origin) {
    throw new ConfigurationError(`CBM_LOG_VKEY is named ${name}, not the origin ${origin}`);
  }
  return vkey;
}

const systemClock: Clock = { now: () => Date.now() };

function stores(settings: LambdaSettings): ReturnType<typeof createDynamoStores> & {
  evidence: S3EvidenceStore;
} {
  const dynamo = createDynamoClient(
    settings.dynamoEndpoint === undefined ? {} : { endpoint: settings.dynamoEndpoint },
  );
  const s3 = createS3Client({
    ...(settings.s3Endpoint === undefined ? {} : { endpoint: settings.s3Endpoint }),
    local: isLocalEndpoint(settings.s3Endpoint),
  });
  return {
    ...createDynamoStores({ client: dynamo, table: settings.table }),
    evidence: new S3EvidenceStore({ client: s3, bucket: settings.bucket }),
  };
}

export function buildLedgerService(env: Env): { service: LedgerService; config: LedgerConfig } {
  const settings = readSettings(env);
  const logVkey = readLogVkey(env, settings.origin);
  const service = new LedgerService({
    ...stores(settings),
    clock: systemClock,
    config: settings.config,
    logVkey,
  });
  return { service, config: settings.config };
}

export function buildIntegrator(env: Env): Integrator {
  const settings = readSettings(env);
  let seed: Uint8Array;
  try {
    seed = keyFileSeed(parseKeyFile(required(env, 'CBM_LOG_KEY')));
  } catch (e) {
    if (e instanceof ConfigurationError) throw e;
    throw new ConfigurationError(`CBM_LOG_KEY is not a key file: ${(e as Error).message}`);
  }
  const { statements, log, registry } = stores(settings);
  return new Integrator({
    statements,
    log,
    registry,
    signer: createCheckpointSigner(settings.origin, seed),
    clock: systemClock,
    config: settings.config,
  });
}

/** Memoises a builder; a failed build is retried on the next call rather than cached. */
export function lazy<T>(build: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: build() };
    return value.v;
  };
}
