/**
 * SDK clients for real AWS and for local emulators (dynalite, s3rver, moto).
 *
 * Credentials come from the standard AWS chain except when the endpoint is on this machine:
 * emulators accept any key, and a developer running `npm start` should not need an AWS profile.
 * Real credentials are never replaced by dummy ones for a remote endpoint.
 *
 * Per-call cost matters: admission makes about one DynamoDB call per statement, and on the local
 * runtime the SDK's own work per call (middleware, SigV4, logging) was most of the CPU an
 * ingested statement cost. So DynamoDB clients cache their resolved middleware stack per command
 * and drop the logger middleware (no SDK logger is configured; the middleware still built
 * redacted copies of every input and output for it), and requests to a DynamoDB emulator on
 * this machine carry a SigV4-shaped Authorization header without a computed signature (see
 * emulatorSigner).
 */
import { Agent } from 'node:http';
import { createConnection } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:4567`; omitted for the AWS endpoint of the region. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Overrides the credential chain (and the local dummies). */
  readonly credentials?: StaticCredentials;
  /** Per-attempt socket timeout, so a stuck connection becomes a retryable TimeoutError. */
  readonly requestTimeoutMs?: number;
  /**
   * A unix-domain socket to reach the endpoint through (the local runtime's private emulators);
   * `endpoint` then only names the Host, e.g. `http://localhost`.
   */
  readonly socketPath?: string;
}

const LOCAL_REGION = 'us-east-1';
/** s3rver's built-in account; moto and dynalite accept any key. */
const LOCAL_CREDENTIALS: StaticCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** True when `endpoint` names this machine (loopback or unspecified address, localhost). */
export function isLocalEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '::1' ||
    host === '0.0.0.0'
  );
}

interface SignableRequest {
  headers: Record<string, string>;
}

interface SigningArguments {
  signingDate?: Date;
  signingRegion?: string;
  signingService?: string;
}

/**
 * Stands in for SigV4 towards a DynamoDB emulator on this machine (isLocalEndpoint only; anything
 * remote is always signed): the Authorization header has SigV4's form, because dynalite refuses
 * a request without one and moto routes on its credential scope, but no signature is computed,
 * since neither checks it. Computing it was about a tenth of the CPU an ingested statement cost
 * on the local runtime. Not for s3rver, which does verify signatures.
 */
export function emulatorSigner(accessKeyId: string): {
  sign<R extends SignableRequest>(request: R, options?: SigningArguments): Promise<R>;
} {
  return {
    sign(request, options = {}) {
      const date = (options.signingDate ?? new Date())
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
      const scope = `${date.slice(0, 8)}/${options.signingRegion ?? LOCAL_REGION}/${options.signingService ?? 'dynamodb'}/aws4_request`;
      request.headers['x-amz-date'] = date;
      request.headers['authorization'] =
        `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=host;x-amz-date, ` +
        `Signature=${'0'.repeat(64)}`;
      return Promise.resolve(request);
    },
  };
}

/** Kept-alive sockets per client: far more than the requests admission keeps in flight. */
const MAX_SOCKETS = 50;

function common(options: ClientOptions): {
  endpoint?: string;
  region?: string;
  credentials?: StaticCredentials;
  requestHandler: {
    requestTimeout: number;
    connectionTimeout: number;
    httpAgent: Agent | { keepAlive: boolean; maxSockets: number };
  };
} {
  const local = isLocalEndpoint(options.endpoint);
  const region =
    options.region ?? (local ? (process.env['AWS_REGION'] ?? LOCAL_REGION) : undefined);
  const credentials = options.credentials ?? (local ? LOCAL_CREDENTIALS : undefined);
  return {
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(credentials === undefined ? {} : { credentials }),
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      connectionTimeout: 3_000,
      httpAgent:
        options.socketPath === undefined
          ? { keepAlive: true, maxSockets: MAX_SOCKETS }
          : socketAgent(options.socketPath),
    },
  };
}

/** An HTTP agent whose every connection goes to the unix-domain socket `path`. */
function socketAgent(path: string): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  // The agent takes a socket returned synchronously; errors surface on it as for TCP.
  agent.createConnection = () => createConnection({ path });
  return agent;
}

export function createDynamoClient(options: ClientOptions = {}): DynamoDBClient {
  const client = new DynamoDBClient({
    ...common(options),
    cacheMiddleware: true,
    ...(isLocalEndpoint(options.endpoint)
      ? {
          signer: emulatorSigner(options.credentials?.accessKeyId ?? LOCAL_CREDENTIALS.accessKeyId),
        }
      : {}),
  });
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

export interface S3ClientOptions extends ClientOptions {
  /**
   * An S3 emulator (s3rver, moto): path-style addressing, and checksums only where an operation
   * requires them. s3rver corrupts aws-chunked streaming uploads, which the SDK's default
   * checksum calculation produces; this package always sends Buffers besides. Production keeps
   * the SDK defaults.
   */
  readonly local: boolean;
}

export function createS3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    ...common(options),
    ...(options.local
      ? {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
}
