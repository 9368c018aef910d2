/**
 * The log signing key and the operator key (DESIGN.md §2 key files), generated at deploy time
 * by a custom resource (Ed25519 through node:crypto) or imported from existing secrets, kept in
 * Secrets Manager under a customer-managed KMS key, and retained when the stack is deleted.
 *
 * The custom resource returns only public halves: the log vkey, which the API functions serve,
 * and the key ids. Read access: the log key secret is readable by the integrator (the only
 * signer) and the provisioning function alone; its resource policy denies everybody else,
 * administrators included, so the log key never leaves AWS. The operator key is read by no
 * function; the operator downloads it to sign the genesis and party registrations (DEPLOY.md).
 */
import { CustomResource, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { denyExcept, protectKey } from '../guard.js';
import type { Guardians } from '../guard.js';
import { acknowledge } from '../nag.js';
import { INFRA_RUNTIME_DIR } from '../paths.js';
import { LedgerFunction } from './ledger-function.js';

/** CloudFormation's wait for the key-provisioning custom resource (the function's timeout is 2 min). */
export const PROVISIONER_SERVICE_TIMEOUT = Duration.minutes(5);

export interface LogKeysProps {
  readonly origin: string;
  readonly operatorParty: string;
  /** Bump to replace the log key. */
  readonly generation: number;
  /** Import both keys from these secrets instead of generating them. */
  readonly imported?: {
    readonly logKeySecretArn: string;
    readonly operatorKeySecretArn: string;
    /** Customer-managed key of the imported secrets, if any. */
    readonly kmsKeyArn?: string;
  };
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly guardians: Guardians;
}

/** Changing or moving a key file's value: the provisioner may put the log key (rotation) only. */
export const SECRET_VALUE_ACTIONS = [
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:DeleteSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:RestoreSecret',
  'secretsmanager:RotateSecret',
  'secretsmanager:UpdateSecretVersionStage',
];
/** Policy and settings changes: a deploy (or break-glass) only. */
export const SECRET_POLICY_ACTIONS = [
  'secretsmanager:DeleteResourcePolicy',
  'secretsmanager:PutResourcePolicy',
  'secretsmanager:RemoveRegionsFromReplication',
  'secretsmanager:ReplicateSecretToRegions',
  'secretsmanager:UpdateSecret',
];

export class LogKeys extends Construct {
  readonly logKeySecret: secretsmanager.ISecret;
  readonly operatorKeySecret: secretsmanager.ISecret;
  /** The KMS key the secrets are encrypted with (undefined for imported secrets under aws/secretsmanager). */
  readonly secretsKeyArn: string | undefined;
  /** C2SP verifier key of the log key, named by the origin. */
  readonly logVkey: string;
  readonly logKeyId: string;
  readonly operatorKeyId: string;
  readonly operatorPublicKey: string;
  readonly provisioner: LedgerFunction;
  readonly generated: boolean;
  /** The KMS key of the log key secret (its own key when generated). */
  readonly logSecretKeyArn: string | undefined;
  readonly #logKeyReaders: iam.IRole[] = [];
  #operatorPolicy: secretsmanager.ResourcePolicy | undefined;

  constructor(scope: Construct, id: string, props: LogKeysProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.generated = props.imported === undefined;

    this.provisioner = new LedgerFunction(this, 'Provisioner', {
      entry: join(INFRA_RUNTIME_DIR, 'log-keys-handler.ts'),
      description: 'Deploy-time custom resource: generates or checks the log and operator keys',
      memorySize: 256,
      timeout: Duration.minutes(2),
      environment: {},
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    const provisionerRole = this.provisioner.role;

    const guardians = props.guardians;
    if (props.imported === undefined) {
      // The operator key file's KMS key.
      const key = new kms.Key(this, 'Key', {
        description: `${stackName}: operator key secret`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      protectKey(key, guardians);
      // The log key file has a KMS key of its own, which nobody but its readers may decrypt with
      // (a key policy cannot name the secret's ARN: the secret depends on the key).
      const logKmsKey = new kms.Key(this, 'LogKeyKey', {
        description: `${stackName}: log key secret (its signers and the provisioner only)`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      protectKey(logKmsKey, guardians);
      const readers = Lazy.list({
        produce: () => [...this.#logKeyReaders.map((r) => r.roleArn), guardians.breakGlassRoleArn],
      });
      logKmsKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyLogKeyReadersDecrypt',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': readers } },
        }),
      );
      this.secretsKeyArn = key.keyArn;
      this.logSecretKeyArn = logKmsKey.keyArn;
      const secret = (
        name: string,
        description: string,
        encryptionKey: kms.IKey,
      ): secretsmanager.Secret => {
        const s = new secretsmanager.Secret(this, name, {
          description,
          encryptionKey,
          // A placeholder until the custom resource stores the key file. Never change these
          // settings: CloudFormation would generate a new value over the stored key file.
          generateSecretString: { excludePunctuation: true, passwordLength: 32 },
          removalPolicy: RemovalPolicy.RETAIN,
        });
        acknowledge(
          s,
          'AwsSolutions-SMG4',
          'An Ed25519 signing key cannot be rotated by a Secrets Manager rotation Lambda: verifiers and witnesses pin the log vkey and the registry pins the operator key, so rotation is a deliberate, announced ledger event (DEPLOY.md, rotating the log key).',
        );
        return s;
      };
      const logSecret = secret(
        'LogKeySecret',
        `${stackName}: the log (checkpoint) signing key file`,
        logKmsKey,
      );
      const operatorSecret = secret(
        'OperatorKeySecret',
        `${stackName}: the operator key file`,
        key,
      );
      this.logKeySecret = logSecret;
      this.operatorKeySecret = operatorSecret;

      provisionerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ProvisionKeySecrets',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
          resources: [logSecret.secretArn, operatorSecret.secretArn],
        }),
      );
      provisionerRole.addToPrincipalPolicy(
        this.viaSecretsManager(
          'ProvisionKeySecretsKms',
          [key.keyArn, logKmsKey.keyArn],
          ['kms:Decrypt', 'kms:GenerateDataKey'],
          [logSecret.secretArn, operatorSecret.secretArn],
        ),
      );

      // Only the signers may read the log key, whatever else IAM allows in this account.
      this.#logKeyReaders.push(provisionerRole);
      logSecret.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlySignersReadTheLogKey',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['*'],
          conditions: {
            ArnNotEquals: {
              'aws:PrincipalArn': Lazy.list({
                produce: () => this.#logKeyReaders.map((r) => r.roleArn),
              }),
            },
          },
        }),
      );
      // The provisioner puts a new log key when logKeyGeneration is bumped; nobody else may put
      // one, move AWSCURRENT to another version, or delete the secret.
      logSecret.addToResourcePolicy(
        denyExcept('OnlyTheProvisionerPutsTheLogKey', SECRET_VALUE_ACTIONS, [
          provisionerRole.roleArn,
          guardians.breakGlassRoleArn,
        ]),
      );
      logSecret.addToResourcePolicy(
        denyExcept('OnlyDeploysChangeThisPolicy', SECRET_POLICY_ACTIONS, [
          guardians.breakGlassRoleArn,
          guardians.deployRoleArn,
        ]),
      );
      // The operator key is written once, at creation, and never replaced: this policy exists
      // only once the provisioner has stored it, and then denies the provisioner too.
      const operatorPolicy = new secretsmanager.ResourcePolicy(this, 'OperatorKeySecretPolicy', {
        secret: operatorSecret,
      });
      operatorPolicy.document.addStatements(
        denyExcept('NobodyReplacesTheOperatorKey', SECRET_VALUE_ACTIONS, [
          guardians.breakGlassRoleArn,
        ]),
        denyExcept('OnlyDeploysChangeThisPolicy', SECRET_POLICY_ACTIONS, [
          guardians.breakGlassRoleArn,
          guardians.deployRoleArn,
        ]),
      );
      this.#operatorPolicy = operatorPolicy;
    } else {
      this.secretsKeyArn = props.imported.kmsKeyArn;
      this.logSecretKeyArn = props.imported.kmsKeyArn;
      this.logKeySecret = secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'LogKeySecret',
        props.imported.logKeySecretArn,
      );
      this.operatorKeySecret = secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'OperatorKeySecret',
        props.imported.operatorKeySecretArn,
      );
      provisionerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadImportedKeySecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.imported.logKeySecretArn, props.imported.operatorKeySecretArn],
        }),
      );
      if (props.imported.kmsKeyArn !== undefined) {
        provisionerRole.addToPrincipalPolicy(
          this.viaSecretsManager(
            'ReadImportedKeySecretsKms',
            [props.imported.kmsKeyArn],
            ['kms:Decrypt'],
            [props.imported.logKeySecretArn, props.imported.operatorKeySecretArn],
          ),
        );
      }
    }

    const resource = new CustomResource(this, 'Keys', {
      serviceToken: this.provisioner.function.functionArn,
      resourceType: 'Custom::CbmLedgerKeys',
      // A crashed provisioner fails the deploy after this, not after CloudFormation's hour.
      serviceTimeout: PROVISIONER_SERVICE_TIMEOUT,
      properties: {
        LogKeySecretArn: this.logKeySecret.secretArn,
        OperatorKeySecretArn: this.operatorKeySecret.secretArn,
        Origin: props.origin,
        OperatorParty: props.operatorParty,
        Generation: String(props.generation),
        Mode: this.generated ? 'generate' : 'import',
      },
    });
    // The function's policy must be in place before CloudFormation invokes it.
    resource.node.addDependency(provisionerRole);
    this.#operatorPolicy?.node.addDependency(resource);
    this.logVkey = resource.getAttString('LogVkey');
    this.logKeyId = resource.getAttString('LogKeyId');
    this.operatorKeyId = resource.getAttString('OperatorKeyId');
    this.operatorPublicKey = resource.getAttString('OperatorPublicKey');
  }

  /** KMS use through Secrets Manager, bound to the named secrets by the encryption context. */
  private viaSecretsManager(
    sid: string,
    keyArns: string[],
    actions: string[],
    secretArns: string[],
  ): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      actions,
      resources: keyArns,
      conditions: {
        StringEquals: {
          'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
          'kms:EncryptionContext:SecretARN': secretArns,
        },
      },
    });
  }

  /** Lets a signing function read the log key: GetSecretValue and its KMS decryption, nothing else. */
  grantSign(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadLogKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.logKeySecret.secretArn],
      }),
    );
    if (this.logSecretKeyArn !== undefined) {
      role.addToPrincipalPolicy(
        this.viaSecretsManager(
          'ReadLogKeyKms',
          [this.logSecretKeyArn],
          ['kms:Decrypt'],
          [this.logKeySecret.secretArn],
        ),
      );
    }
    this.#logKeyReaders.push(role);
  }
}
