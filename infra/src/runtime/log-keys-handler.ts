/**
 * CloudFormation custom resource Lambda around log-keys.ts: Secrets Manager through the AWS SDK
 * that the Lambda runtime provides, and the response PUT to CloudFormation's presigned URL
 * (no provider framework, so no extra function and role). Only public key material leaves it.
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { KeyProvisioningError, provisionKeys } from './log-keys.js';
import type { KeyData, KeyRequest, SecretStore } from './log-keys.js';

interface CloudFormationEvent extends KeyRequest {
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
}

interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly logStreamName: string;
}

function errorName(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'name' in e ? String(e.name) : undefined;
}

const client = new SecretsManagerClient({});

const secrets: SecretStore = {
  async read(secretId) {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return out.SecretString;
    } catch (e) {
      // A secret without a current version has no value yet.
      if (errorName(e) === 'ResourceNotFoundException') return undefined;
      throw e;
    }
  },
  async write(secretId, value, token) {
    try {
      await client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: value,
          ClientRequestToken: token,
        }),
      );
      return 'written';
    } catch (e) {
      if (errorName(e) === 'ResourceExistsException') return 'conflict';
      throw e;
    }
  },
};

async function respond(
  event: CloudFormationEvent,
  physicalId: string,
  outcome: { ok: true; data?: KeyData } | { ok: false; reason: string },
): Promise<void> {
  const body = JSON.stringify({
    Status: outcome.ok ? 'SUCCESS' : 'FAILED',
    Reason: outcome.ok ? 'OK' : outcome.reason.slice(0, 1000),
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    ...(outcome.ok && outcome.data !== undefined ? { Data: outcome.data } : {}),
  });
  // The presigned URL was signed without a content type: send none.
  const res = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body,
  });
  if (!res.ok) throw new Error(`CloudFormation response rejected: HTTP ${res.status}`);
}

export async function handler(event: CloudFormationEvent, context: LambdaContext): Promise<void> {
  // Stable across updates: replacing the physical id would make CloudFormation delete the old one.
  const physicalId = event.PhysicalResourceId ?? `cbm-ledger-keys-${event.LogicalResourceId}`;
  if (event.RequestType === 'Delete') {
    // The secrets are retained with the stack's other ledger data; nothing to undo.
    await respond(event, physicalId, { ok: true });
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('key provisioning timed out')),
      Math.max(1000, context.getRemainingTimeInMillis() - 5000),
    );
  });
  try {
    const data = await Promise.race([provisionKeys(event, secrets), deadline]);
    console.log(JSON.stringify({ message: 'keys provisioned', logVkey: data.LogVkey }));
    await respond(event, physicalId, { ok: true, data });
  } catch (e) {
    const reason =
      e instanceof KeyProvisioningError
        ? e.message
        : `${errorName(e) ?? 'Error'}: ${e instanceof Error ? e.message : String(e)} (see ${context.logStreamName})`;
    console.error(JSON.stringify({ message: 'key provisioning failed', reason }));
    await respond(event, physicalId, { ok: false, reason });
  } finally {
    clearTimeout(timer);
  }
}
