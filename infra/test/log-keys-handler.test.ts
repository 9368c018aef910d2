import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseKeyFile } from '@cbm-ledger/protocol';
import { handler } from '../src/runtime/log-keys-handler.js';
import { calls, secrets } from './support/fake-secrets-manager.js';

// The Lambda runtime provides @aws-sdk/client-secrets-manager; it is not installed here.
vi.mock('@aws-sdk/client-secrets-manager', () => import('./support/fake-secrets-manager.js'));

/** CloudFormation's side: the presigned response URL. */
const responses: { headers: Record<string, unknown>; body: Record<string, unknown> }[] = [];
const server = createServer((req, res) => {
  let data = '';
  req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
  req.on('end', () => {
    responses.push({ headers: req.headers, body: JSON.parse(data) as Record<string, unknown> });
    res.writeHead(200).end();
  });
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  responses.length = 0;
  calls.length = 0;
  secrets.clear();
});

const context = { getRemainingTimeInMillis: () => 60_000, logStreamName: 'stream' };
function event(type: 'Create' | 'Update' | 'Delete', props: Record<string, string> = {}) {
  return {
    RequestType: type,
    RequestId: `req-${type}`,
    ResponseURL: url,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1',
    LogicalResourceId: 'LogKeysKeys',
    ...(type === 'Create' ? {} : { PhysicalResourceId: 'cbm-ledger-keys-LogKeysKeys' }),
    ResourceProperties: {
      LogKeySecretArn: 'log',
      OperatorKeySecretArn: 'operator',
      Origin: 'cbm-ledger.example/test',
      OperatorParty: 'operator:cbm-ledger',
      Generation: '1',
      Mode: 'generate' as const,
      ...props,
    },
  };
}

describe('the key custom resource handler', () => {
  it('Create: stores two key files and answers SUCCESS with public data only', async () => {
    secrets.set('log', 'placeholder');
    secrets.set('operator', 'placeholder');
    await handler(event('Create'), context);
    expect(responses).toHaveLength(1);
    const { body, headers } = responses[0]!;
    expect(body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'cbm-ledger-keys-LogKeysKeys',
      RequestId: 'req-Create',
      LogicalResourceId: 'LogKeysKeys',
      NoEcho: false,
    });
    const log = parseKeyFile(secrets.get('log'));
    const data = body['Data'] as Record<string, string>;
    expect(data['LogKeyId']).toBe(log.keyid);
    expect(data['LogVkey']).toMatch(/^cbm-ledger\.example\/test\+[0-9a-f]{8}\+/);
    expect(JSON.stringify(body)).not.toContain(log.seed);
    // The presigned URL was signed without a content type.
    expect(headers['content-type'] ?? '').toBe('');
  });

  it('Delete: answers SUCCESS without touching the secrets', async () => {
    await handler(event('Delete'), context);
    expect(responses[0]?.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'cbm-ledger-keys-LogKeysKeys',
    });
    expect(calls).toEqual([]);
  });

  it('a failure answers FAILED with the reason, so the stack rolls back instead of hanging', async () => {
    secrets.set('operator', 'not a key file');
    await handler(event('Update', { Mode: 'import' }), context);
    expect(responses[0]?.body['Status']).toBe('FAILED');
    expect(responses[0]?.body['Reason']).toMatch(/key file/);
    expect(calls.filter((c) => c.startsWith('put'))).toEqual([]);
  });
});
