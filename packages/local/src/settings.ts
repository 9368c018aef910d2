/**
 * The local runtime's settings, from the environment (DESIGN.md §8). Every variable is listed in
 * the README; anything malformed stops the start with a one-line message.
 */
import { resolve } from 'node:path';
import { LedgerSettingError, readLedgerEnv } from '@cbm-ledger/ledger';
import type { LedgerEnvSettings } from '@cbm-ledger/ledger';
import { isValidKeyName } from '@cbm-ledger/protocol';
import { DEFAULT_BUCKET, DEFAULT_TABLE } from '@cbm-ledger/store-aws';

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = './.data';
export const DEFAULT_ORIGIN = 'cbm-ledger.local/dev';
// One default table name, the store's (store-aws layout.ts).
export { DEFAULT_BUCKET, DEFAULT_TABLE };
/** Loopback only: the local runtime is a developer tool, never a public server. */
export const HOST = '127.0.0.1';

/**
 * The runtime's own settings, plus the ledger settings both runtimes read
 * (`@cbm-ledger/ledger` readLedgerEnv: merge delay, recovery window, evidence budget).
 */
export interface LocalSettings extends LedgerEnvSettings {
  readonly host: string;
  /** 0 picks a free port; the runtime reports the one it got. */
  readonly port: number;
  /** Absolute. */
  readonly dataDir: string;
  readonly origin: string;
  readonly table: string;
  readonly bucket: string;
  /** External DynamoDB; dynalite under the data dir when undefined. */
  readonly dynamoEndpoint: string | undefined;
  /** External S3; s3rver under the data dir when undefined. */
  readonly s3Endpoint: string | undefined;
  /** The built public site; packages/site/dist when undefined. */
  readonly siteDir?: string;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function endpoint(env: Env, name: string): string | undefined {
  const v = value(env, name);
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new SettingsError(`${name} must be a URL such as http://127.0.0.1:8000, not ${v}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SettingsError(`${name} must be an http or https URL`);
  }
  return v;
}

export function readSettings(env: Env, cwd: string = process.cwd()): LocalSettings {
  const portText = value(env, 'PORT');
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    if (!/^(?:0|[1-9][0-9]{0,4})$/.test(portText) || Number(portText) > 65535) {
      throw new SettingsError(`PORT must be a port number from 0 to 65535, not ${portText}`);
    }
    port = Number(portText);
  }
  const origin = value(env, 'CBM_ORIGIN') ?? DEFAULT_ORIGIN;
  // The origin names the log key in every checkpoint, so it must be a signed-note key name.
  if (!isValidKeyName(origin) || /^[a-z][a-z0-9+.-]*:\/\//i.test(origin)) {
    throw new SettingsError(
      `CBM_ORIGIN must be a schema-less name such as cbm-ledger.example/mena (no spaces or "+"), not ${origin}`,
    );
  }
  const bucket = value(env, 'CBM_BUCKET') ?? DEFAULT_BUCKET;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new SettingsError(`CBM_BUCKET must be an S3 bucket name, not ${bucket}`);
  }
  const table = value(env, 'CBM_TABLE') ?? DEFAULT_TABLE;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new SettingsError(`CBM_TABLE must be a DynamoDB table name, not ${table}`);
  }
  let ledger: LedgerEnvSettings;
  try {
    ledger = readLedgerEnv(env);
  } catch (e) {
    if (e instanceof LedgerSettingError) throw new SettingsError(e.message);
    throw e;
  }
  return {
    ...ledger,
    host: HOST,
    port,
    dataDir: resolve(cwd, value(env, 'CBM_DATA_DIR') ?? DEFAULT_DATA_DIR),
    origin,
    table,
    bucket,
    dynamoEndpoint: endpoint(env, 'CBM_DYNAMODB_ENDPOINT'),
    s3Endpoint: endpoint(env, 'CBM_S3_ENDPOINT'),
  };
}
