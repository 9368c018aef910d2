/** Client construction: emulator settings only for emulators, real credentials never replaced. */
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoClient, createS3Client, isLocalEndpoint } from '../src/index.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('isLocalEndpoint', () => {
  it.each([
    ['http://127.0.0.1:4567', true],
    ['http://localhost:8000', true],
    ['http://s3.localhost:9000', true],
    ['http://[::1]:4569', true],
    ['http://127.8.0.2', true],
    ['http://0.0.0.0:5000', true],
    ['https://dynamodb.eu-west-1.amazonaws.com', false],
    ['http://127.0.0.1.evil.example', false],
    ['http://localhost.evil.example', false],
    ['http://10.0.0.5:4566', false],
    ['not a url', false],
    [undefined, false],
  ])('%s → %s', (endpoint, local) => {
    expect(isLocalEndpoint(endpoint)).toBe(local);
  });
});

describe('createDynamoClient', () => {
  it('uses dummy credentials and a default region for an endpoint on this machine', async () => {
    delete process.env['AWS_REGION'];
    const client = createDynamoClient({ endpoint: 'http://127.0.0.1:4567' });
    expect(await client.config.region()).toBe('us-east-1');
    expect((await client.config.credentials()).accessKeyId).toBe('S3RVER');
    client.destroy();
  });

  it('takes credentials from the standard chain for a remote endpoint', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAFROMTHECHAIN';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'secret';
    const client = createDynamoClient({
      endpoint: 'https://dynamodb.example.net',
      region: 'eu-central-1',
    });
    expect((await client.config.credentials()).accessKeyId).toBe('AKIAFROMTHECHAIN');
    expect(await client.config.region()).toBe('eu-central-1');
    client.destroy();
  });

  it('prefers explicit credentials, also locally', async () => {
    const client = createDynamoClient({
      endpoint: 'http://localhost:8000',
      credentials: { accessKeyId: 'MINE', secretAccessKey: 's' },
    });
    expect((await client.config.credentials()).accessKeyId).toBe('MINE');
    client.destroy();
  });
});

describe('createS3Client', () => {
  it('uses path-style addressing and only required checksums for an emulator', async () => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:4568', local: true });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    client.destroy();
  });

  it('keeps the SDK defaults in production', async () => {
    delete process.env['AWS_REQUEST_CHECKSUM_CALCULATION'];
    delete process.env['AWS_RESPONSE_CHECKSUM_VALIDATION'];
    const client = createS3Client({ region: 'eu-central-1', local: false });
    expect(client.config.forcePathStyle).toBeFalsy();
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_SUPPORTED');
    client.destroy();
  });
});
