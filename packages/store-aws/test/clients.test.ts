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

describe('per-call overhead of DynamoDB clients', () => {
  /** A stand-in DynamoDB endpoint on this machine that records request headers. */
  async function recordingEndpoint(): Promise<{
    url: string;
    headers: Record<string, string | string[] | undefined>[];
    close: () => Promise<void>;
  }> {
    const { createServer } = await import('node:http');
    const headers: Record<string, string | string[] | undefined>[] = [];
    const server = createServer((req, res) => {
      headers.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/x-amz-json-1.0');
        res.end('{"TableNames":[]}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}`,
      headers,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  it('sends an emulator on this machine a SigV4-shaped header without computing a signature', async () => {
    const endpoint = await recordingEndpoint();
    const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    const client = createDynamoClient({ endpoint: endpoint.url });
    try {
      await client.send(new ListTablesCommand({}));
      await client.send(new ListTablesCommand({}));
    } finally {
      client.destroy();
      await endpoint.close();
    }
    expect(endpoint.headers).toHaveLength(2);
    for (const h of endpoint.headers) {
      expect(h['authorization']).toMatch(
        /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=host;x-amz-date, Signature=0{64}$/,
      );
      expect(h['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    }
  });

  it('signs with SigV4 for any endpoint elsewhere', async () => {
    const client = createDynamoClient({
      endpoint: 'https://dynamodb.eu-central-1.amazonaws.com',
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
    });
    const signer = await (client.config.signer as () => Promise<object>)();
    expect(signer.constructor.name).toBe('SignatureV4');
    client.destroy();
  });

  it('drops the logger middleware and caches the resolved middleware stack', () => {
    for (const endpoint of ['http://127.0.0.1:4567', undefined]) {
      const client = createDynamoClient(endpoint === undefined ? {} : { endpoint });
      expect(client.middlewareStack.identify().join(' ')).not.toMatch(/loggerMiddleware/);
      expect((client.config as { cacheMiddleware?: boolean }).cacheMiddleware).toBe(true);
      client.destroy();
    }
  });
});
