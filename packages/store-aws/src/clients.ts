/**
 * SDK clients for real AWS and for local emulators (dynalite, s3rver, moto).
 *
 * Credentials come from the standard AWS chain except when the endpoint is on this machine:
 * emulators accept any key, and a developer running `npm start` should not need an AWS profile.
 * Real credentials are never replaced by dummy ones for a remote endpoint.
 */
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

function common(options: ClientOptions): {
  endpoint?: string;
  region?: string;
  credentials?: StaticCredentials;
  requestHandler: { requestTimeout: number; connectionTimeout: number };
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
    },
  };
}

export function createDynamoClient(options: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(common(options));
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
