/**
 * Deploy-time provisioning of the ledger's two Ed25519 keys (DESIGN.md §2 key files), kept in
 * Secrets Manager: the log (checkpoint) key, which only the integrator reads at run time, and the
 * operator key, which the operator downloads to sign the genesis and party registrations.
 *
 * Pure apart from the injected secret store and randomness, so it is unit-tested; the Lambda
 * wiring (AWS SDK, CloudFormation response) is in log-keys-handler.ts. Only `node:crypto` is
 * used, so the custom resource does not depend on the ledger's packages; the tests cross-check
 * every format against @cbm-ledger/protocol.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

/** A key file (DESIGN.md §2): `{"type":"ed25519","party","keyid","publicKey","seed"}`, base64. */
export interface KeyFile {
  readonly type: 'ed25519';
  readonly party: string;
  readonly keyid: string;
  readonly publicKey: string;
  readonly seed: string;
}

// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const PARTY_RE = /^(?:state:[A-Z]{3}|(?:observer|operator):[a-z0-9][a-z0-9.-]{0,63})$/;
const NOTE_KEY_TYPE_ED25519 = 0x01;

export function publicKeyFromSeed(seed: Uint8Array): Buffer {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('node:crypto returned no Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyFileFromSeed(party: string, seed: Uint8Array): KeyFile {
  if (!PARTY_RE.test(party)) throw new Error(`not a party id: ${party}`);
  const publicKey = publicKeyFromSeed(seed);
  return {
    type: 'ed25519',
    party,
    keyid: createHash('sha256').update(publicKey).digest('hex'),
    publicKey: publicKey.toString('base64'),
    seed: Buffer.from(seed).toString('base64'),
  };
}

export function generateKeyFile(
  party: string,
  random: (n: number) => Uint8Array = randomBytes,
): KeyFile {
  return keyFileFromSeed(party, random(32));
}

function canonicalBase64(text: unknown, bytes: number): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  const decoded = Buffer.from(text, 'base64');
  return decoded.length === bytes && decoded.toString('base64') === text ? decoded : undefined;
}

/**
 * The key file in `text`, checked like @cbm-ledger/protocol's parseKeyFile (exact fields, the
 * public key and keyid derived from the seed), or undefined when `text` is anything else, such
 * as the placeholder CloudFormation stores when it creates the secret.
 */
export function parseKeyFile(text: string | undefined): KeyFile | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  const fields = ['type', 'party', 'keyid', 'publicKey', 'seed'];
  if (
    Object.keys(obj).length !== fields.length ||
    !fields.every((f) => typeof obj[f] === 'string')
  ) {
    return undefined;
  }
  if (obj['type'] !== 'ed25519' || !PARTY_RE.test(obj['party'] as string)) return undefined;
  const seed = canonicalBase64(obj['seed'], 32);
  if (seed === undefined) return undefined;
  const expected = keyFileFromSeed(obj['party'] as string, seed);
  if (expected.publicKey !== obj['publicKey'] || expected.keyid !== obj['keyid']) return undefined;
  return expected;
}

/** C2SP signed-note verifier key `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`. */
export function encodeVkey(name: string, publicKey: Uint8Array): string {
  if (name.length === 0 || /[\s+]/u.test(name))
    throw new Error(`not a signed-note key name: ${name}`);
  const typed = Buffer.concat([Buffer.from([NOTE_KEY_TYPE_ED25519]), publicKey]);
  const keyHash = createHash('sha256')
    .update(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a]), typed]))
    .digest()
    .subarray(0, 4);
  return `${name}+${keyHash.toString('hex')}+${typed.toString('base64')}`;
}

// ---------------------------------------------------------------------------------------------

export interface SecretStore {
  /** The secret's current string value; undefined when it has none. */
  read(secretId: string): Promise<string | undefined>;
  /**
   * Stores a new current value. `token` makes the write idempotent: a retry with the same token
   * and value succeeds; the same token with another value answers 'conflict'.
   */
  write(secretId: string, value: string, token: string): Promise<'written' | 'conflict'>;
}

export interface KeyProperties {
  readonly LogKeySecretArn: string;
  readonly OperatorKeySecretArn: string;
  readonly Origin: string;
  readonly OperatorParty: string;
  /** Bumped by the operator to replace the log key (a string: CloudFormation passes strings). */
  readonly Generation: string;
  /** `generate`: create missing keys; `import`: use the secrets as they are, never write. */
  readonly Mode: 'generate' | 'import';
}

export interface KeyRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId: string;
  readonly ResourceProperties: KeyProperties;
  readonly OldResourceProperties?: Partial<KeyProperties>;
}

/** Public values only: this is what CloudFormation stores and the stack outputs. */
export interface KeyData {
  readonly LogVkey: string;
  readonly LogKeyId: string;
  readonly LogPublicKey: string;
  readonly OperatorParty: string;
  readonly OperatorKeyId: string;
  readonly OperatorPublicKey: string;
}

export class KeyProvisioningError extends Error {
  override readonly name = 'KeyProvisioningError';
}

/** A Secrets Manager ClientRequestToken (32..64 chars) bound to this request and secret. */
export function requestToken(requestId: string, which: string): string {
  return createHash('sha256').update(`${requestId}\n${which}`).digest('hex').slice(0, 64);
}

function generation(value: unknown): number {
  const n = Number(value ?? '1');
  if (!Number.isSafeInteger(n) || n < 1)
    throw new KeyProvisioningError(`bad Generation ${String(value)}`);
  return n;
}

async function readKey(store: SecretStore, secretId: string): Promise<KeyFile | undefined> {
  return parseKeyFile(await store.read(secretId));
}

async function storeNew(
  store: SecretStore,
  secretId: string,
  key: KeyFile,
  token: string,
): Promise<KeyFile> {
  const outcome = await store.write(secretId, JSON.stringify(key), token);
  if (outcome === 'written') return key;
  // A retried invocation of the same request already stored another fresh key: keep that one.
  const stored = await readKey(store, secretId);
  if (stored === undefined)
    throw new KeyProvisioningError(`${secretId} holds no key file after a write`);
  return stored;
}

/**
 * Makes sure both secrets hold key files and returns their public halves. Never replaces an
 * operator key; replaces the log key only when Generation increased.
 */
export async function provisionKeys(
  request: KeyRequest,
  store: SecretStore,
  random: (n: number) => Uint8Array = randomBytes,
): Promise<KeyData> {
  const props = request.ResourceProperties;
  const party = props.OperatorParty;
  if (!/^operator:/.test(party) || !PARTY_RE.test(party)) {
    throw new KeyProvisioningError(`OperatorParty must be operator:<slug>, not ${party}`);
  }

  let operator = await readKey(store, props.OperatorKeySecretArn);
  let log = await readKey(store, props.LogKeySecretArn);
  // Checked before anything is written: a mismatch must leave both secrets untouched.
  const checkParty = (key: KeyFile): void => {
    if (key.party !== party) {
      throw new KeyProvisioningError(
        `the operator key belongs to ${key.party}, but OperatorParty is ${party}; an operator key is never replaced`,
      );
    }
  };

  if (props.Mode === 'import') {
    if (operator === undefined || log === undefined) {
      throw new KeyProvisioningError(
        'an imported key secret does not hold a DESIGN.md §2 key file',
      );
    }
    checkParty(operator);
  } else {
    if (operator === undefined) {
      operator = await storeNew(
        store,
        props.OperatorKeySecretArn,
        generateKeyFile(party, random),
        requestToken(request.RequestId, 'operator'),
      );
    }
    checkParty(operator);
    const rotate =
      request.RequestType === 'Update' &&
      generation(props.Generation) > generation(request.OldResourceProperties?.Generation);
    if (log === undefined || rotate) {
      log = await storeNew(
        store,
        props.LogKeySecretArn,
        generateKeyFile(party, random),
        requestToken(request.RequestId, 'log'),
      );
    }
  }
  if (operator.keyid === log.keyid) {
    throw new KeyProvisioningError('the log key and the operator key must differ');
  }
  return {
    LogVkey: encodeVkey(props.Origin, Buffer.from(log.publicKey, 'base64')),
    LogKeyId: log.keyid,
    LogPublicKey: log.publicKey,
    OperatorParty: operator.party,
    OperatorKeyId: operator.keyid,
    OperatorPublicKey: operator.publicKey,
  };
}
