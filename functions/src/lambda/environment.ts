/**
 * Lambda configuration from the environment, and the stores and domain objects built from it once
 * per execution environment (lazily, so a misconfiguration answers 500 with a log line instead of
 * failing the init phase in a loop).
 *
 * Variables:
 *   CBM_ORIGIN              the ledger's origin (required)
 *   CBM_LOG_VKEY            the log's C2SP verifier key (required by every function but the
 *                           router, which reads no variable; the integrator checks that its log
 *                           key is this key)
 *   CBM_LOG_KEY_SECRET_ARN  integrator and submit: the Secrets Manager secret whose value is the log
 *                           key file JSON (DESIGN.md §2), read once per cold start (log-key.ts)
 *   CBM_LOG_KEY             integrator and submit, local runs and tests: the log key file JSON inline,
 *                           instead of CBM_LOG_KEY_SECRET_ARN (setting both is refused)
 *   CBM_TABLE               DynamoDB table (default cbm-ledger)
 *   CBM_BUCKET              evidence bucket (default cbm-ledger-evidence)
 *   CBM_DYNAMODB_ENDPOINT   optional endpoint override (an emulator in tests)
 *   CBM_S3_ENDPOINT         optional endpoint override
 *   CBM_WITNESS_QUORUM      k of the witness quorum reported per checkpoint (default 0: none)
 *   CBM_REGISTRY_MAX_AGE_MS how long the API function's admission may use its copy of the
 *                           registry (parties, keys, measures) before reading it again (default
 *                           1000). The integrator is another function, so a key revocation or a
 *                           new measure binds admission within this many ms after it is
 *                           integrated; 0 reads the registry for every submission.
 *   CBM_RECOVERY_DELAY_DAYS least days between a party.recover's admission and its
 *                           effectiveAt, the veto window (docs/registry.md; default 14, 1–365:
 *                           never 0, so a recovery can never take effect unannounced)
 *   CBM_MAX_SIGNING_DAYS    how many days before admission a statement signed by two or more
 *                           parties may have been issued (default 14, 1–365); single-signer
 *                           statements and every future issuedAt keep the ±10-minute window
 *   CBM_MAX_MERGE_DELAY_SECONDS the deadline every admission promise states, after the accept
 *                           (default 86400; docs/promises.md)
 *   CBM_EVIDENCE_QUOTA_COUNT, CBM_EVIDENCE_QUOTA_BYTES each party's daily evidence budget
 *                           (default 200 objects, 2 GiB; docs/evidence-access.md). These last
 *                           five are read by @cbm-ledger/ledger readLedgerEnv, as locally.
 *   CBM_PUBLIC_BASE_URL     public view only (lambda/public.ts): absolute URL prefix of its links
 *   CBM_INTEGRATOR_FUNCTION set on the submit function when the stack's wakeIntegrator is on.
 *                           Not acted upon yet (waking needs @aws-sdk/client-lambda, which is not
 *                           a dependency): a waiting submit polls until the scheduled run.
 *   POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL
 *                           read by Powertools itself (observability.ts)
 *
 * The stack (infra/src/stack.ts) sets CBM_ORIGIN, CBM_TABLE, CBM_LOG_VKEY, CBM_WITNESS_QUORUM and
 * the POWERTOOLS_* variables on every function, CBM_BUCKET on the API functions,
 * CBM_LOG_KEY_SECRET_ARN on the integrator, CBM_PUBLIC_BASE_URL on the public view (when
 * configured) and CBM_INTEGRATOR_FUNCTION on submit (when wakeIntegrator is on).
 */
import {
  Integrator,
  LedgerSettingError,
  RegistryCache,
  createCheckpointSigner,
  createCosignRole,
  createLedger,
  createReadRole,
  createSubmitRole,
  defaultLedgerConfig,
  readLedgerEnv,
} from '@cbm-ledger/ledger';
import type { CosignRole, LedgerService, ReadRole, SubmitRole } from '@cbm-ledger/ledger';
import type {
  CheckpointSigner,
  Clock,
  IntegrationIncident,
  LedgerConfig,
  LedgerEnvSettings,
  LedgerServiceDeps,
  LogStore,
  StatementStore,
} from '@cbm-ledger/ledger';
import { keyFileSeed, parseKeyFile, parseVkey } from '@cbm-ledger/protocol';
import {
  DynamoEvidenceQuota,
  S3EvidenceStore,
  createDynamoClient,
  DEFAULT_BUCKET,
  DEFAULT_TABLE,
  createDynamoStores,
  createS3Client,
  isLocalEndpoint,
} from '@cbm-ledger/store-aws';
import type { DynamoStores } from '@cbm-ledger/store-aws';

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
    config: {
      ...defaultLedgerConfig(origin),
      witnessQuorum: witnessQuorum(env),
      registryMaxAgeMs: registryMaxAgeMs(env),
      ...ledgerEnv(env),
    },
  };
}

/** The settings the local runtime reads too (merge delay, recovery window, evidence budget). */
function ledgerEnv(env: Env): LedgerEnvSettings {
  try {
    return readLedgerEnv(env);
  } catch (e) {
    if (e instanceof LedgerSettingError) throw new ConfigurationError(e.message);
    throw e;
  }
}

function registryMaxAgeMs(env: Env): number {
  const raw = optional(env, 'CBM_REGISTRY_MAX_AGE_MS');
  if (raw === undefined) return defaultLedgerConfig('-').registryMaxAgeMs;
  if (!/^(?:0|[1-9][0-9]{0,6})$/.test(raw)) {
    throw new ConfigurationError('CBM_REGISTRY_MAX_AGE_MS must be an integer from 0 to 9999999');
  }
  return Number(raw);
}

function witnessQuorum(env: Env): number {
  const raw = optional(env, 'CBM_WITNESS_QUORUM');
  if (raw === undefined) return 0;
  if (!/^(?:0|[1-9][0-9]{0,5})$/.test(raw)) {
    throw new ConfigurationError('CBM_WITNESS_QUORUM must be a non-negative integer');
  }
  return Number(raw);
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

function dynamoClient(settings: LambdaSettings): ReturnType<typeof createDynamoClient> {
  return createDynamoClient(
    settings.dynamoEndpoint === undefined ? {} : { endpoint: settings.dynamoEndpoint },
  );
}

function dynamoStores(settings: LambdaSettings, client = dynamoClient(settings)): DynamoStores {
  return createDynamoStores({ client, table: settings.table });
}

/** What every API function's domain objects are built from: stores, clock, configuration. */
function serviceDeps(env: Env): LedgerServiceDeps {
  const settings = readSettings(env);
  const logVkey = readLogVkey(env, settings.origin);
  const s3 = createS3Client({
    ...(settings.s3Endpoint === undefined ? {} : { endpoint: settings.s3Endpoint }),
    local: isLocalEndpoint(settings.s3Endpoint),
  });
  const client = dynamoClient(settings);
  const built = dynamoStores(settings, client);
  return {
    ...built,
    evidence: new S3EvidenceStore({ client: s3, bucket: settings.bucket }),
    // Shared by every execution environment: one daily budget per party, not one per Lambda.
    evidenceQuota: new DynamoEvidenceQuota({ client, table: settings.table }),
    clock: systemClock,
    config: settings.config,
    logVkey,
    // Kept across invocations of this execution environment (the service is built once).
    registryCache: new RegistryCache({
      registry: built.registry,
      maxAgeMs: settings.config.registryMaxAgeMs,
    }),
  };
}

export interface BuiltService<S> {
  readonly service: S;
  readonly config: LedgerConfig;
}

/** The whole domain facade, every route's methods (lambda/api.ts). */
export function buildLedgerService(env: Env): BuiltService<LedgerService> {
  const deps = serviceDeps(env);
  return { service: createLedger(deps), config: deps.config };
}

/*
 * Each API function builds only the role its routes call (packages/ledger/src/service.ts, the
 * composition root), so its bundle leaves out the rest: admission has no compliance engine, the
 * cosigning function neither admission nor reads. Every role authenticates signed requests
 * (http/auth.ts runs before every route).
 */

/** What the submit function's routes call: POST /v1/statements and POST /v1/evidence. */
export type SubmitApi = SubmitRole;

/**
 * `logKeyFile` is the log key file JSON (log-key.ts): admission signs every admission promise
 * with the log key (docs/promises.md), so the submit function holds it as the integrator does.
 */
export function buildSubmitService(env: Env, logKeyFile: string): BuiltService<SubmitApi> {
  const deps = serviceDeps(env);
  const logSigner = logSignerFrom(env, logKeyFile);
  return { service: createSubmitRole({ ...deps, logSigner }), config: deps.config };
}

/** What the read function's routes call: every GET under /v1. */
export type ReadApi = ReadRole;

export function buildReadService(env: Env): BuiltService<ReadApi> {
  const deps = serviceDeps(env);
  return { service: createReadRole(deps), config: deps.config };
}

/** What the cosigning function's route calls: POST /v1/checkpoint/cosignatures. */
export type CosignApi = CosignRole;

export function buildCosignService(env: Env): BuiltService<CosignApi> {
  const settings = readSettings(env);
  const logVkey = readLogVkey(env, settings.origin);
  // No evidence store: cosigning touches only the log and the registry.
  const deps = { ...dynamoStores(settings), clock: systemClock, config: settings.config, logVkey };
  return { service: createCosignRole(deps), config: settings.config };
}

/** The integrator and the stores its run metrics read. */
export interface IntegratorRuntime {
  readonly integrator: Integrator;
  readonly statements: StatementStore;
  readonly log: LogStore;
  readonly clock: Clock;
}

/**
 * `logKeyFile` is the log key file JSON (log-key.ts reads it from Secrets Manager or
 * CBM_LOG_KEY). Security: the key must be the one CBM_LOG_VKEY names, so the integrator never
 * signs a checkpoint that verifiers holding the published vkey would reject (a secret replaced
 * without a redeploy, or the wrong secret).
 */
export function buildIntegrator(
  env: Env,
  logKeyFile: string,
  onIncident?: (incident: IntegrationIncident) => void,
): IntegratorRuntime {
  const settings = readSettings(env);
  const signer = logSignerFrom(env, logKeyFile);
  const { statements, log, registry } = dynamoStores(settings);
  const integrator = new Integrator({
    statements,
    log,
    registry,
    signer,
    clock: systemClock,
    config: settings.config,
    ...(onIncident === undefined ? {} : { onIncident }),
  });
  return { integrator, statements, log, clock: systemClock };
}

/** The log signer from its key file, refused unless it is the key CBM_LOG_VKEY names. */
function logSignerFrom(env: Env, logKeyFile: string): CheckpointSigner {
  const settings = readSettings(env);
  const logVkey = readLogVkey(env, settings.origin);
  let seed: Uint8Array;
  try {
    seed = keyFileSeed(parseKeyFile(logKeyFile));
  } catch (e) {
    throw new ConfigurationError(`the log key is not a key file: ${(e as Error).message}`);
  }
  const signer = createCheckpointSigner(settings.origin, seed);
  if (signer.vkey !== logVkey) {
    throw new ConfigurationError(
      `the log key is not the key of CBM_LOG_VKEY (its vkey is ${signer.vkey})`,
    );
  }
  return signer;
}

/** Memoises a builder; a failed build is retried on the next call rather than cached. */
export function lazy<T>(build: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: build() };
    return value.v;
  };
}

/**
 * Memoises an asynchronous builder (one build in flight, however many callers); a rejected
 * build is forgotten, so a transient failure (Secrets Manager unreachable) is retried by the
 * next invocation instead of failing every invocation of this execution environment.
 */
export function lazyAsync<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= build().catch((e: unknown) => {
      value = undefined;
      throw e;
    });
    return value;
  };
}
