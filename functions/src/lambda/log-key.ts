/**
 * Where the integrator's log key comes from: on AWS the Secrets Manager secret named by
 * CBM_LOG_KEY_SECRET_ARN (its value is the key file JSON, DESIGN.md §2; the secret's resource
 * policy lets only the integrator read it), locally and in tests CBM_LOG_KEY inline. Only the
 * integrator bundle imports this module, so no other function carries the Secrets Manager client.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from './environment.js';

type Env = Readonly<Record<string, string | undefined>>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The log key file JSON. Exactly one source must be configured: a secret ARN beside an inline
 * key would leave it unclear which key signs. The SDK's errors (throttling, no network, access
 * denied) propagate, so the invocation fails, the IntegratorErrors alarm sees it, and the next
 * invocation tries again.
 */
export async function readLogKeyFile(
  env: Env,
  client: () => SecretsManagerClient = () => new SecretsManagerClient({}),
): Promise<string> {
  const secretArn = optional(env, 'CBM_LOG_KEY_SECRET_ARN');
  const inline = optional(env, 'CBM_LOG_KEY');
  if (secretArn !== undefined && inline !== undefined) {
    throw new ConfigurationError('set CBM_LOG_KEY_SECRET_ARN or CBM_LOG_KEY, not both');
  }
  if (inline !== undefined) return inline;
  if (secretArn === undefined) {
    throw new ConfigurationError('CBM_LOG_KEY_SECRET_ARN (or CBM_LOG_KEY) is not set');
  }
  const secrets = client();
  try {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (out.SecretString === undefined || out.SecretString === '') {
      throw new ConfigurationError(`secret ${secretArn} holds no key file (no string value)`);
    }
    return out.SecretString;
  } finally {
    // One read per cold start: the client and its sockets are not needed afterwards.
    secrets.destroy();
  }
}
