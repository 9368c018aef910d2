/**
 * Stage configuration, read from CDK context only (`-c key=value` or cdk.json): no environment
 * lookups, no AWS calls, so `cdk synth` works offline and gives the same template everywhere.
 *
 * Two stages exist. `prod` is the stricter one: longer evidence and log retention, a longer
 * point-in-time-recovery window, alarm actions, stack termination protection.
 */

export type StageName = 'dev' | 'prod';

export interface StageConfig {
  readonly stage: StageName;
  /** CloudFormation stack name, default `CbmLedger-<stage>`. */
  readonly stackName: string;
  /** The ledger's origin (DESIGN.md §2): the checkpoint origin line and the log key's name. */
  readonly origin: string;
  /** True when `origin` was given explicitly (prod deployments should always give one). */
  readonly originExplicit: boolean;
  /** The operator party that owns the operator key (`operator:<slug>`). */
  readonly operatorParty: string;
  /** Object Lock COMPLIANCE default retention of evidence objects, in days. */
  readonly evidenceRetentionDays: number;
  /** DynamoDB point-in-time-recovery window, 1..35 days. */
  readonly pitrDays: number;
  /** CloudWatch Logs retention of function, API and WAF logs, in days. */
  readonly logRetentionDays: number;
  /** Expiry of S3 server access logs and CloudFront logs, in days. */
  readonly accessLogExpiryDays: number;
  /** Existing Secrets Manager secret holding the log key file (import instead of generating). */
  readonly logKeySecretArn: string | undefined;
  /** Existing Secrets Manager secret holding the operator key file. */
  readonly operatorKeySecretArn: string | undefined;
  /** KMS key of the imported secrets, when they are encrypted with a customer-managed key. */
  readonly importedKeysKmsKeyArn: string | undefined;
  /** Bump to generate a fresh log key on the next deploy (see DEPLOY.md, rotating the log key). */
  readonly logKeyGeneration: number;
  /** Grant the submit function permission to invoke the integrator asynchronously after admission. */
  readonly wakeIntegrator: boolean;
  /** Stage-wide API Gateway throttling. */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** WAF rate-based rule: most requests per source IP in any 5-minute window. */
  readonly wafRateLimitPer5Min: number;
  /** Optional e-mail address subscribed to the alarm topic. */
  readonly alarmEmail: string | undefined;
  /** Whether alarms notify the alarm topic (always in prod). */
  readonly alarmActions: boolean;
  /** Alarm when the oldest pending statement is older than this. */
  readonly integrationLagAlarmSeconds: number;
  /** Alarm when the checkpoint is older than this while statements are pending. */
  readonly checkpointAgeAlarmSeconds: number;
  /** k of the witness quorum the ledger reports per checkpoint (0: none). */
  readonly witnessQuorum: number;
  /** Absolute URL prefix of the public view (a custom domain) for the links it serves. */
  readonly publicBaseUrl: string | undefined;
  /** A CLOUDFRONT-scope WAFv2 web ACL (created in us-east-1) to attach to the public view. */
  readonly publicWebAclArn: string | undefined;
  /** Stack termination protection. */
  readonly terminationProtection: boolean;
}

/** What `node.tryGetContext` gives: strings from the command line, any JSON from cdk.json. */
export type ContextReader = (key: string) => unknown;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const OPERATOR_PARTY_RE = /^operator:[a-z0-9][a-z0-9.-]{0,63}$/;
// A signed-note key name (C2SP): no whitespace and no '+'. Kept printable ASCII here, since the
// origin also becomes a CloudFormation output and a Lambda environment value.
const ORIGIN_RE = /^[\x21-\x2a\x2c-\x7e]{1,200}$/;
const SECRET_ARN_RE =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const KMS_KEY_ARN_RE = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const WEB_ACL_ARN_RE =
  /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[A-Za-z0-9_-]+\/[0-9a-f-]{36}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HTTPS_URL_RE = /^https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~/-]*)?$/;

function str(read: ContextReader, key: string): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ConfigError(`context ${key} must be a string, number or boolean`);
  }
  return String(value);
}

function int(read: ContextReader, key: string, fallback: number, min: number, max: number): number {
  const text = str(read, key);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new ConfigError(`context ${key} must be a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new ConfigError(`context ${key} must lie in ${min}..${max}`);
  return n;
}

function bool(read: ContextReader, key: string, fallback: boolean): boolean {
  const text = str(read, key);
  if (text === undefined) return fallback;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError(`context ${key} must be true or false`);
}

function matching(read: ContextReader, key: string, re: RegExp, what: string): string | undefined {
  const text = str(read, key);
  if (text !== undefined && !re.test(text)) throw new ConfigError(`context ${key} must be ${what}`);
  return text;
}

/** Reads and checks the stage configuration; throws ConfigError naming the bad context key. */
export function readStageConfig(read: ContextReader): StageConfig {
  const stageText = str(read, 'stage') ?? 'dev';
  if (stageText !== 'dev' && stageText !== 'prod') {
    throw new ConfigError(`context stage must be dev or prod, not ${stageText}`);
  }
  const stage: StageName = stageText;
  const prod = stage === 'prod';

  const explicitOrigin = matching(
    read,
    'origin',
    ORIGIN_RE,
    'a signed-note key name (no spaces, no +)',
  );
  const logKeySecretArn = matching(
    read,
    'logKeySecretArn',
    SECRET_ARN_RE,
    'a Secrets Manager secret ARN',
  );
  const operatorKeySecretArn = matching(
    read,
    'operatorKeySecretArn',
    SECRET_ARN_RE,
    'a Secrets Manager secret ARN',
  );
  if ((logKeySecretArn === undefined) !== (operatorKeySecretArn === undefined)) {
    throw new ConfigError('import both logKeySecretArn and operatorKeySecretArn, or neither');
  }

  return {
    stage,
    stackName:
      matching(read, 'stackName', /^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'a stack name') ??
      `CbmLedger-${stage}`,
    origin: explicitOrigin ?? `cbm-ledger.example/${stage}`,
    originExplicit: explicitOrigin !== undefined,
    operatorParty:
      matching(read, 'operatorParty', OPERATOR_PARTY_RE, 'operator:<slug>') ??
      'operator:cbm-ledger',
    evidenceRetentionDays: int(read, 'evidenceRetentionDays', prod ? 3650 : 1, 1, 36500),
    pitrDays: int(read, 'pitrDays', prod ? 35 : 7, 1, 35),
    logRetentionDays: prod ? 400 : 30,
    accessLogExpiryDays: int(read, 'accessLogExpiryDays', prod ? 400 : 30, 1, 3650),
    logKeySecretArn,
    operatorKeySecretArn,
    importedKeysKmsKeyArn: matching(read, 'importedKeysKmsKeyArn', KMS_KEY_ARN_RE, 'a KMS key ARN'),
    logKeyGeneration: int(read, 'logKeyGeneration', 1, 1, 1_000_000),
    wakeIntegrator: bool(read, 'wakeIntegrator', false),
    throttleRateLimit: int(read, 'throttleRateLimit', prod ? 200 : 50, 1, 10_000),
    throttleBurstLimit: int(read, 'throttleBurstLimit', prod ? 400 : 100, 1, 5_000),
    wafRateLimitPer5Min: int(read, 'wafRateLimit', prod ? 2000 : 1000, 100, 2_000_000_000),
    alarmEmail: matching(read, 'alarmEmail', EMAIL_RE, 'an e-mail address'),
    alarmActions: prod || bool(read, 'alarmActions', false),
    integrationLagAlarmSeconds: int(
      read,
      'integrationLagAlarmSeconds',
      prod ? 300 : 900,
      60,
      86_400,
    ),
    checkpointAgeAlarmSeconds: int(
      read,
      'checkpointAgeAlarmSeconds',
      prod ? 600 : 1800,
      60,
      86_400,
    ),
    witnessQuorum: int(read, 'witnessQuorum', 0, 0, 100_000),
    publicBaseUrl: matching(read, 'publicBaseUrl', HTTPS_URL_RE, 'an https:// URL prefix'),
    publicWebAclArn: matching(
      read,
      'publicWebAclArn',
      WEB_ACL_ARN_RE,
      'a CLOUDFRONT-scope web ACL ARN',
    ),
    terminationProtection: prod,
  };
}
