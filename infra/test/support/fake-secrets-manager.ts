/**
 * Stands in for @aws-sdk/client-secrets-manager (provided by the Lambda runtime, not installed
 * here) so the custom resource handler runs in tests: an in-memory secret store.
 */
export const secrets = new Map<string, string>();
export const calls: string[] = [];

class NamedError extends Error {
  constructor(override readonly name: string) {
    super(name);
  }
}

export class GetSecretValueCommand {
  constructor(readonly input: { SecretId: string }) {}
}

export class PutSecretValueCommand {
  constructor(
    readonly input: { SecretId: string; SecretString: string; ClientRequestToken: string },
  ) {}
}

export class SecretsManagerClient {
  send(command: GetSecretValueCommand | PutSecretValueCommand): Promise<unknown> {
    if (command instanceof GetSecretValueCommand) {
      calls.push(`get ${command.input.SecretId}`);
      const value = secrets.get(command.input.SecretId);
      if (value === undefined) return Promise.reject(new NamedError('ResourceNotFoundException'));
      return Promise.resolve({ SecretString: value });
    }
    calls.push(`put ${command.input.SecretId}`);
    secrets.set(command.input.SecretId, command.input.SecretString);
    return Promise.resolve({ VersionId: command.input.ClientRequestToken });
  }
}
