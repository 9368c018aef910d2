import { describe, expect, it } from 'vitest';
import {
  NoteKeyType,
  ed25519,
  encodeVkey as protocolEncodeVkey,
  generateKeyFile as protocolGenerateKeyFile,
  parseKeyFile as protocolParseKeyFile,
  parseVkey,
} from '@cbm-ledger/protocol';
import {
  KeyProvisioningError,
  encodeVkey,
  generateKeyFile,
  keyFileFromSeed,
  parseKeyFile,
  provisionKeys,
  publicKeyFromSeed,
  requestToken,
} from '../src/runtime/log-keys.js';
import type { KeyProperties, KeyRequest, SecretStore } from '../src/runtime/log-keys.js';

const ORIGIN = 'cbm-ledger.example/test';
const PARTY = 'operator:cbm-ledger';

function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

/** Secrets Manager in memory, with ClientRequestToken semantics. */
class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  readonly tokens = new Map<string, string>();
  writes = 0;
  read(secretId: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(secretId));
  }
  write(secretId: string, value: string, token: string): Promise<'written' | 'conflict'> {
    const seen = this.tokens.get(`${secretId}|${token}`);
    if (seen !== undefined && seen !== value) return Promise.resolve('conflict');
    this.tokens.set(`${secretId}|${token}`, value);
    this.values.set(secretId, value);
    this.writes++;
    return Promise.resolve('written');
  }
}

function sequentialRandom(): (n: number) => Uint8Array {
  let next = 1;
  return (n) => new Uint8Array(n).fill(next++);
}

const PROPS: KeyProperties = {
  LogKeySecretArn: 'log',
  OperatorKeySecretArn: 'operator',
  Origin: ORIGIN,
  OperatorParty: PARTY,
  Generation: '1',
  Mode: 'generate',
};

function request(
  overrides: Partial<KeyRequest> = {},
  props: Partial<KeyProperties> = {},
): KeyRequest {
  return {
    RequestType: 'Create',
    RequestId: 'req-1',
    ResourceProperties: { ...PROPS, ...props },
    ...overrides,
  };
}

describe('key formats (node:crypto) agree with @cbm-ledger/protocol', () => {
  it('derives the same Ed25519 public key', () => {
    for (const b of [0, 1, 7, 255]) {
      expect(Buffer.from(publicKeyFromSeed(seed(b)))).toEqual(
        Buffer.from(ed25519.publicKeyFromSeed(seed(b))),
      );
    }
  });

  it('writes key files protocol parses, and parses key files protocol writes', () => {
    const ours = keyFileFromSeed(PARTY, seed(3));
    expect(protocolParseKeyFile(JSON.stringify(ours))).toEqual(ours);
    expect(ours).toEqual(protocolGenerateKeyFile(PARTY, seed(3)));
    const theirs = protocolGenerateKeyFile('operator:other', seed(9));
    expect(parseKeyFile(JSON.stringify(theirs))).toEqual(theirs);
    expect(generateKeyFile(PARTY).seed).not.toBe(generateKeyFile(PARTY).seed);
  });

  it('encodes the C2SP vkey exactly as protocol does', () => {
    const pub = publicKeyFromSeed(seed(5));
    const vkey = encodeVkey(ORIGIN, pub);
    expect(vkey).toBe(protocolEncodeVkey(ORIGIN, NoteKeyType.ed25519, pub));
    expect(parseVkey(vkey).name).toBe(ORIGIN);
    expect(() => encodeVkey('has space', pub)).toThrow();
  });

  const notKeyFiles: [string, string | undefined][] = [
    ['nothing', undefined],
    ["CloudFormation's placeholder", 'Qw3rTy9PlaceholderPasswordValue0'],
    ['JSON that is not an object', '[]'],
    [
      'a key file with an extra field',
      JSON.stringify({ ...keyFileFromSeed(PARTY, seed(1)), x: '1' }),
    ],
    [
      'a key file with a wrong public key',
      JSON.stringify({
        ...keyFileFromSeed(PARTY, seed(1)),
        publicKey: keyFileFromSeed(PARTY, seed(2)).publicKey,
      }),
    ],
    [
      'a key file with a wrong keyid',
      JSON.stringify({ ...keyFileFromSeed(PARTY, seed(1)), keyid: '0'.repeat(64) }),
    ],
    [
      'a key file with a short seed',
      JSON.stringify({ ...keyFileFromSeed(PARTY, seed(1)), seed: 'AAAA' }),
    ],
    [
      'a key file with a bad party',
      JSON.stringify({ ...keyFileFromSeed(PARTY, seed(1)), party: 'root' }),
    ],
  ];
  it.each(notKeyFiles)('does not take %s for a key file', (_, text) => {
    expect(parseKeyFile(text)).toBeUndefined();
  });
});

describe('provisionKeys', () => {
  it('replaces the placeholders with two distinct key files and returns only public halves', async () => {
    const store = new MemorySecrets();
    store.values.set('log', 'placeholder');
    store.values.set('operator', 'placeholder');
    const data = await provisionKeys(request(), store, sequentialRandom());
    const operator = protocolParseKeyFile(store.values.get('operator'));
    const log = protocolParseKeyFile(store.values.get('log'));
    expect(operator.party).toBe(PARTY);
    expect(operator.keyid).not.toBe(log.keyid);
    expect(data).toEqual({
      LogVkey: protocolEncodeVkey(
        ORIGIN,
        NoteKeyType.ed25519,
        Buffer.from(log.publicKey, 'base64'),
      ),
      LogKeyId: log.keyid,
      LogPublicKey: log.publicKey,
      OperatorParty: PARTY,
      OperatorKeyId: operator.keyid,
      OperatorPublicKey: operator.publicKey,
    });
    expect(JSON.stringify(data)).not.toContain(log.seed);
    expect(JSON.stringify(data)).not.toContain(operator.seed);
  });

  it('keeps existing keys on a retry and on an update that does not bump Generation', async () => {
    const store = new MemorySecrets();
    const first = await provisionKeys(request(), store, sequentialRandom());
    const writes = store.writes;
    expect(await provisionKeys(request(), store, sequentialRandom())).toEqual(first);
    const update = request(
      { RequestType: 'Update', RequestId: 'req-2', OldResourceProperties: PROPS },
      { Origin: 'renamed.example/x' },
    );
    const renamed = await provisionKeys(update, store, sequentialRandom());
    expect(store.writes).toBe(writes);
    expect(renamed.LogKeyId).toBe(first.LogKeyId);
    expect(renamed.LogVkey.startsWith('renamed.example/x+')).toBe(true);
  });

  it('replaces the log key, and only the log key, when Generation increases', async () => {
    const store = new MemorySecrets();
    const random = sequentialRandom();
    const first = await provisionKeys(request(), store, random);
    const rotated = await provisionKeys(
      request(
        { RequestType: 'Update', RequestId: 'req-3', OldResourceProperties: PROPS },
        { Generation: '2' },
      ),
      store,
      random,
    );
    expect(rotated.LogKeyId).not.toBe(first.LogKeyId);
    expect(rotated.OperatorKeyId).toBe(first.OperatorKeyId);
  });

  it('keeps the key a retried rotation stored first (same request token, another value)', async () => {
    const store = new MemorySecrets();
    const random = sequentialRandom();
    await provisionKeys(request(), store, random);
    const rotation = request(
      { RequestType: 'Update', RequestId: 'req-4', OldResourceProperties: PROPS },
      { Generation: '2' },
    );
    const once = await provisionKeys(rotation, store, random);
    // The retry generates another key, but its write conflicts on the token: the first stays.
    const again = await provisionKeys(rotation, store, random);
    expect(again.LogKeyId).toBe(once.LogKeyId);
    expect(requestToken('req-4', 'log')).toHaveLength(64);
  });

  it('never replaces an operator key of another party', async () => {
    const store = new MemorySecrets();
    store.values.set('operator', JSON.stringify(keyFileFromSeed('operator:someone-else', seed(4))));
    await expect(provisionKeys(request(), store, sequentialRandom())).rejects.toThrow(
      KeyProvisioningError,
    );
    expect(store.values.get('log')).toBeUndefined();
  });

  it('imports existing key files without writing, and refuses secrets that are not key files', async () => {
    const store = new MemorySecrets();
    store.values.set('operator', JSON.stringify(keyFileFromSeed(PARTY, seed(6))));
    store.values.set('log', JSON.stringify(keyFileFromSeed(PARTY, seed(7))));
    const data = await provisionKeys(request({}, { Mode: 'import' }), store);
    expect(store.writes).toBe(0);
    expect(data.LogPublicKey).toBe(keyFileFromSeed(PARTY, seed(7)).publicKey);

    const empty = new MemorySecrets();
    empty.values.set('operator', 'not a key');
    await expect(provisionKeys(request({}, { Mode: 'import' }), empty)).rejects.toThrow(/key file/);
    expect(empty.writes).toBe(0);
  });

  it('refuses the same key for the log and the operator, and a non-operator party', async () => {
    const store = new MemorySecrets();
    const same = JSON.stringify(keyFileFromSeed(PARTY, seed(8)));
    store.values.set('operator', same);
    store.values.set('log', same);
    await expect(provisionKeys(request({}, { Mode: 'import' }), store)).rejects.toThrow(/differ/);
    await expect(
      provisionKeys(request({}, { OperatorParty: 'state:JOR' }), new MemorySecrets()),
    ).rejects.toThrow(/operator:/);
  });
});
