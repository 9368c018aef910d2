/**
 * The local runtime (DESIGN.md §8): the embedded or external stores, the ledger service and its
 * in-process integrator, and the HTTP adapter, started and stopped together.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  InProcessIntegrationSignal,
  Integrator,
  LedgerError,
  PublicLedger,
  RegistryCache,
  createCheckpointSigner,
  createGenesis,
  defaultLedgerConfig,
  ledgerEnvOverrides,
  createLedger,
} from '@cbm-ledger/ledger';
import type { EvidenceStore, LedgerConfig } from '@cbm-ledger/ledger';
import { keyFileSeed, openCheckpoint, parseVkey } from '@cbm-ledger/protocol';
import {
  S3EvidenceStore,
  createDynamoClient,
  DynamoEvidenceQuota,
  createDynamoStores,
  createS3Client,
  ensureTable,
  isLocalEndpoint,
} from '@cbm-ledger/store-aws';
import { createApiHandler, createPublicHandler, withPublicView } from '@cbm-ledger/functions';
import type { ApiLogger } from '@cbm-ledger/functions';
import { ensureBucket } from './bucket.js';
import {
  DataDirError,
  loadOrCreateKeyFile,
  lockDataDir,
  prepareDataDir,
  privateSocketDir,
} from './data-dir.js';
import { EMULATOR_ENDPOINT, startEmulators } from './emulators.js';
import type { Emulators } from './emulators.js';
import { createLocalServer } from './http-adapter.js';
import type { LocalRoute } from './http-adapter.js';
import { IntegratorLoop } from './integration-loop.js';
import { LocalEvidenceStore } from './evidence.js';
import { DEFAULT_SITE_DIR, createSiteRoute } from './site.js';
import type { LocalSettings } from './settings.js';

export const OPERATOR_PARTY = 'operator:local';

export interface LocalRuntime {
  readonly url: string;
  /** The public site: `${url}/`. */
  readonly siteUrl: string;
  readonly port: number;
  readonly origin: string;
  readonly logVkey: string;
  readonly dataDir: string;
  readonly operatorKeyPath: string;
  readonly config: LedgerConfig;
  /** True when this start created the ledger (keys and genesis). */
  readonly created: boolean;
  /** Resolves with a reason if the runtime can no longer serve (the store process died). */
  readonly failed: Promise<string>;
  /** Graceful stop: no new connections, in-flight requests and the integrator batch finish. */
  close(): Promise<void>;
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Errors that are logged, one line each, to stderr. */
export const stderrLogger: ApiLogger = {
  error: (message, ...extra) => console.error(`cbm-local: ${message}`, ...extra),
  warn: (message, ...extra) => console.error(`cbm-local: ${message}`, ...extra),
  info: () => undefined,
  debug: () => undefined,
};

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      if (e.code === 'EADDRINUSE') {
        reject(
          new StartupError(
            `port ${port} on ${host} is already in use (set PORT to another port, or PORT=0 for any free one)`,
          ),
        );
      } else if (e.code === 'EACCES') {
        reject(new StartupError(`not allowed to listen on port ${port} (set PORT above 1023)`));
      } else reject(e);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startLocalRuntime(
  settings: LocalSettings,
  logger: ApiLogger = stderrLogger,
): Promise<LocalRuntime> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    return await start(settings, logger, cleanups, cleanup);
  } catch (e) {
    await cleanup();
    throw e;
  }
}

async function start(
  settings: LocalSettings,
  logger: ApiLogger,
  cleanups: (() => Promise<void> | void)[],
  cleanup: () => Promise<void>,
): Promise<LocalRuntime> {
  const { dataDir, origin } = settings;
  await prepareDataDir(dataDir);
  const embedDynamo = settings.dynamoEndpoint === undefined;
  const embedS3 = settings.s3Endpoint === undefined;
  if (embedDynamo || embedS3) cleanups.push(await lockDataDir(dataDir));

  const operatorKeyPath = join(dataDir, 'operator.key');
  const operator = await loadOrCreateKeyFile(operatorKeyPath, OPERATOR_PARTY);
  const logKey = await loadOrCreateKeyFile(join(dataDir, 'log.key'), OPERATOR_PARTY);
  const logSeed = keyFileSeed(logKey.keyFile);

  let emulators: Emulators | undefined;
  if (embedDynamo || embedS3) {
    // The stores listen on unix-domain sockets in a directory only this user can enter: no TCP
    // port for another local user or a browser page to reach, and evidence goes through the
    // runtime's own routes only (issue 9 §2).
    const sockets = await privateSocketDir(dataDir);
    cleanups.push(sockets.cleanup);
    const suffix = randomBytes(8).toString('hex');
    emulators = await startEmulators({
      ...(embedDynamo
        ? {
            dynamoPath: join(dataDir, 'dynamodb'),
            dynamoSocket: join(sockets.dir, `dynamodb-${suffix}.sock`),
          }
        : {}),
      ...(embedS3
        ? { s3Path: join(dataDir, 's3'), s3Socket: join(sockets.dir, `s3-${suffix}.sock`) }
        : {}),
      bucket: settings.bucket,
    });
    const stop = emulators.stop.bind(emulators);
    cleanups.push(stop);
  }
  const failed = new Promise<string>((resolve) => emulators?.onUnexpectedExit(resolve));

  const dynamoSocket = emulators?.dynamoSocket;
  const s3Socket = emulators?.s3Socket;
  const dynamoEndpoint = settings.dynamoEndpoint ?? (dynamoSocket && EMULATOR_ENDPOINT);
  const s3Endpoint = settings.s3Endpoint ?? (s3Socket && EMULATOR_ENDPOINT);
  const dynamo = createDynamoClient({
    ...(dynamoEndpoint === undefined ? {} : { endpoint: dynamoEndpoint }),
    ...(dynamoSocket === undefined ? {} : { socketPath: dynamoSocket }),
  });
  const s3 = createS3Client({
    ...(s3Endpoint === undefined ? {} : { endpoint: s3Endpoint }),
    ...(s3Socket === undefined ? {} : { socketPath: s3Socket }),
    local: embedS3 || isLocalEndpoint(s3Endpoint),
  });
  cleanups.push(
    () => dynamo.destroy(),
    () => s3.destroy(),
  );
  await ensureTable(dynamo, settings.table);
  if (!embedS3) await ensureBucket(s3, settings.bucket);

  const config = { ...defaultLedgerConfig(origin), ...ledgerEnvOverrides(settings) };
  const stores = createDynamoStores({ client: dynamo, table: settings.table });
  const s3Evidence = new S3EvidenceStore({
    client: s3,
    bucket: settings.bucket,
    // Only our own upload route (which hashes every body) writes to the embedded bucket.
    trustUploaderMetadata: embedS3,
  });
  let baseUrl = `http://${settings.host}:${settings.port}`;
  const localEvidence = embedS3
    ? new LocalEvidenceStore({ s3: s3Evidence, baseUrl: () => baseUrl })
    : undefined;
  const evidence: EvidenceStore = localEvidence ?? s3Evidence;

  const clock = { now: () => Date.now() };
  const signer = createCheckpointSigner(origin, logSeed);
  const signal = new InProcessIntegrationSignal();
  // Admission's copy of the registry: the in-process integrator hands over every snapshot it
  // stores, so revocations and new measures bind admission as soon as they are integrated;
  // registryMaxAgeMs only matters when another process integrates into the same (external)
  // table.
  const registryCache = new RegistryCache({
    registry: stores.registry,
    maxAgeMs: config.registryMaxAgeMs,
  });
  const integrator = new Integrator({
    ...stores,
    signer,
    clock,
    config,
    onIntegrated: (ids) => signal.integrated(ids),
    onRegistry: (snapshot) => registryCache.offer(snapshot),
  });
  const service = createLedger({
    ...stores,
    evidence,
    // In the table, as on AWS: the daily budget survives a restart of the runtime.
    evidenceQuota: new DynamoEvidenceQuota({ client: dynamo, table: settings.table }),
    clock,
    config,
    logVkey: signer.vkey,
    logSigner: signer,
    integration: signal,
    registryCache,
  });

  // First start: the genesis entry. After a crash between acceptance and integration the genesis
  // is already accepted (SEQ_CONFLICT or 200 for a re-submission); integration finishes it.
  let created = false;
  if ((await stores.log.readHead()) === undefined) {
    if ((await stores.statements.getBySeq(OPERATOR_PARTY, 1)) === undefined) {
      const genesis = createGenesis({
        origin,
        operatorKeyFile: operator.keyFile,
        logSeed,
        now: clock.now(),
        operatorName: 'Local operator',
      });
      try {
        await service.submit({
          body: new TextEncoder().encode(JSON.stringify(genesis)),
          contentType: 'application/json',
        });
        created = true;
      } catch (e) {
        if (!(e instanceof LedgerError && e.code === 'SEQ_CONFLICT')) throw e;
      }
    }
    await integrator.runUntilIdle();
  }
  const head = await stores.log.readHead();
  try {
    if (head === undefined) throw new Error('no checkpoint after integrating the genesis');
    openCheckpoint(head.checkpoint, parseVkey(signer.vkey));
  } catch (e) {
    throw new DataDirError(
      `the ledger in table ${settings.table} was not created with ${join(dataDir, 'log.key')} and origin ${origin} (${(e as Error).message})`,
    );
  }

  const loop = new IntegratorLoop(integrator, signal, {
    onError: (e) => logger.error('integration failed; retrying', e),
  });
  loop.start();
  cleanups.push(() => loop.stop());

  const site = createSiteRoute(settings.siteDir ?? DEFAULT_SITE_DIR, {
    origin,
    logVkey: signer.vkey,
    witnessQuorum: config.witnessQuorum,
  });
  const routes: LocalRoute[] = localEvidence === undefined ? [site] : [localEvidence, site];
  const server = createLocalServer({
    // The public view as on AWS: its own handler, over the read-only halves of the stores.
    api: withPublicView(
      createApiHandler(service, { limits: config, logger }),
      createPublicHandler(new PublicLedger({ ...stores, clock, config, logVkey: signer.vkey }), {
        limits: config,
        logger,
      }),
    ),
    maxBodyBytes: config.maxBodyBytes,
    routes,
    onError: (e) => logger.error('request failed', e),
    // A client that went away is not a fault: one line, no stack.
    onAborted: (line) => logger.warn(line),
  });
  const port = await listen(server, settings.port, settings.host);
  baseUrl = `http://${settings.host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // Stop accepting; let in-flight requests (waiting submits included) finish, then force.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(
        () => server.closeAllConnections(),
        (config.maxWaitSeconds + 2) * 1000,
      );
      await closed;
      clearTimeout(force);
      await cleanup();
    })());

  return {
    url: baseUrl,
    siteUrl: `${baseUrl}/`,
    port,
    origin,
    logVkey: signer.vkey,
    dataDir,
    operatorKeyPath,
    config,
    created,
    failed,
    close,
  };
}
