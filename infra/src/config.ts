/**
 * Stage configuration, read from CDK context only (`-c key=value` or cdk.json): no environment
 * lookups, no AWS calls, so `cdk synth` works offline and gives the same template everywhere.
 *
 * Two stages exist. `prod` is the stricter one: longer evidence and log retention, a longer
 * point-in-time-recovery window, alarm actions, stack termination protection.
 */

import { LEDGER_ENV, defaultLedgerConfig } from '@cbm-ledger/ledger';

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
  /** Each party's daily evidence budget (objects and bytes); evidence is under Object Lock. */
  readonly evidenceQuotaCount: number;
  readonly evidenceQuotaBytes: number;
  /** The veto window of a `party.recover`, in days (docs/registry.md). */
  readonly recoveryDelayDays: number;
  /** How long a statement signed by two or more parties may take to collect its signatures, in days. */
  readonly maxSigningDays: number;
  /** The integration deadline every admission promise states, in seconds (docs/promises.md). */
  readonly maxMergeDelaySeconds: number;
  /** Absolute URL prefix of the public view (a custom domain) for the links it serves. */
  readonly publicBaseUrl: string | undefined;
  /** A CLOUDFRONT-scope WAFv2 web ACL (created in us-east-1) to attach to the public view. */
  readonly publicWebAclArn: string | undefined;
  /** Stack termination protection. */
  readonly terminationProtection: boolean;
  /** The only principal that may destroy data keys or secrets (guard.ts); default `<stack>-break-glass`. */
  readonly breakGlassRoleArn: string | undefined;
  /** The role CloudFormation deploys with (may replace resource policies); default CDK's bootstrap role. */
  readonly deployRoleArn: string | undefined;
  /**
   * Reserved concurrency per function: it both reserves (submit cannot be starved by floods of
   * reads) and caps (reads and the public view cannot exhaust the account). 0 for all: none.
   */
  readonly reservedConcurrency: Readonly<Record<'submit' | 'read' | 'cosign' | 'public', number>>;
  /** The account's Lambda concurrency quota the reservations must fit in (new accounts: 10). */
  readonly accountConcurrency: number;
  /** Per-method throttle of the POST routes (submissions, evidence, cosignatures). */
  readonly submitThrottleRateLimit: number;
  readonly submitThrottleBurstLimit: number;
  /** A backup vault in another account to copy the table's backups to (optional). */
  readonly backupCopyVaultArn: string | undefined;
  /** Days AWS Backup keeps the table's recovery points (vault lock minimum). */
  readonly backupRetentionDays: number;
  /** Synthesize for this region (region-specific choices made at synth); default region-agnostic. */
  readonly region: string | undefined;
  /**
   * CloudFront standard logging v2 for the deployed public view (its delivery resources live in
   * us-east-1, in a stack of their own): the distribution and the stack's CDN log bucket, both
   * from the main stack's outputs. Absent: no such stack.
   */
  readonly cdnLogs: CdnLogsConfig | undefined;
}

export interface CdnLogsConfig {
  readonly distributionId: string;
  readonly bucketName: string;
}

/** Reserved concurrency of the integrator: one signer at a time. */
export const INTEGRATOR_CONCURRENCY = 1;
/** Lambda keeps at least this much of the account's concurrency unreserved. */
export const UNRESERVED_MINIMUM = 100;

/** Total reserved concurrency of a stage, integrator included. */
export function totalReserved(config: Pick<StageConfig, 'reservedConcurrency'>): number {
  const r = config.reservedConcurrency;
  const apis = r.submit + r.read + r.cosign + r.public;
  return apis + INTEGRATOR_CONCURRENCY;
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
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;
const BACKUP_VAULT_ARN_RE =
  /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_.-]{2,50}$/;
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

/** The context keys of the ledger settings the handlers read (`@cbm-ledger/ledger` LEDGER_ENV). */
export const LEDGER_CONTEXT = {
  evidenceQuotaCount: 'CBM_EVIDENCE_QUOTA_COUNT',
  evidenceQuotaBytes: 'CBM_EVIDENCE_QUOTA_BYTES',
  recoveryDelayDays: 'CBM_RECOVERY_DELAY_DAYS',
  maxSigningDays: 'CBM_MAX_SIGNING_DAYS',
  maxMergeDelaySeconds: 'CBM_MAX_MERGE_DELAY_SECONDS',
} as const;

/** A ledger setting from context, with the ledger's own default and range. */
function ledgerSetting(read: ContextReader, key: keyof typeof LEDGER_CONTEXT): number {
  const setting = LEDGER_ENV.find((s) => s.variable === LEDGER_CONTEXT[key]);
  if (setting === undefined) throw new Error(`no ledger setting ${LEDGER_CONTEXT[key]}`);
  const fallback = defaultLedgerConfig('-')[setting.key] / setting.unitMs;
  return int(read, key, fallback, 1, setting.max);
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

  const { reserved, accountConcurrency } = readReserved(read, prod);
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
    evidenceQuotaCount: ledgerSetting(read, 'evidenceQuotaCount'),
    evidenceQuotaBytes: ledgerSetting(read, 'evidenceQuotaBytes'),
    recoveryDelayDays: ledgerSetting(read, 'recoveryDelayDays'),
    maxSigningDays: ledgerSetting(read, 'maxSigningDays'),
    maxMergeDelaySeconds: ledgerSetting(read, 'maxMergeDelaySeconds'),
    publicBaseUrl: matching(read, 'publicBaseUrl', HTTPS_URL_RE, 'an https:// URL prefix'),
    publicWebAclArn: matching(
      read,
      'publicWebAclArn',
      WEB_ACL_ARN_RE,
      'a CLOUDFRONT-scope web ACL ARN',
    ),
    terminationProtection: prod,
    breakGlassRoleArn: matching(read, 'breakGlassRoleArn', ROLE_ARN_RE, 'an IAM role ARN'),
    deployRoleArn: matching(read, 'deployRoleArn', ROLE_ARN_RE, 'an IAM role ARN'),
    reservedConcurrency: reserved,
    accountConcurrency,
    submitThrottleRateLimit: int(read, 'submitThrottleRateLimit', prod ? 50 : 20, 1, 10_000),
    submitThrottleBurstLimit: int(read, 'submitThrottleBurstLimit', prod ? 100 : 40, 1, 5_000),
    backupCopyVaultArn: matching(
      read,
      'backupCopyVaultArn',
      BACKUP_VAULT_ARN_RE,
      'an AWS Backup vault ARN',
    ),
    backupRetentionDays: int(read, 'backupRetentionDays', prod ? 400 : 7, 7, 36500),
    region: matching(read, 'region', /^[a-z]{2}(?:-[a-z]+)+-\d$/, 'an AWS region name'),
    cdnLogs: readCdnLogs(read),
  };
}

/** Both or neither: a delivery needs the distribution that logs and the bucket it logs to. */
function readCdnLogs(read: ContextReader): CdnLogsConfig | undefined {
  const distributionId = matching(
    read,
    'cdnLogsDistributionId',
    /^E[A-Z0-9]{6,20}$/,
    'a CloudFront distribution id (the PublicDistributionId output)',
  );
  const bucketName = matching(
    read,
    'cdnLogsBucket',
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'an S3 bucket name (the PublicLogsBucketName output)',
  );
  if ((distributionId === undefined) !== (bucketName === undefined)) {
    throw new ConfigError(
      'context cdnLogsDistributionId and cdnLogsBucket go together: give both (from the main stack outputs PublicDistributionId and PublicLogsBucketName) or neither',
    );
  }
  return distributionId === undefined || bucketName === undefined
    ? undefined
    : { distributionId, bucketName };
}

/**
 * Reserved concurrency must leave the account 100 unreserved executions: in an account with
 * the default quota of new accounts (10), even the integrator's 1 fails at deploy. Checked at
 * synth against -c accountConcurrency (default 1000), and against the real quota by
 * `npm run predeploy`.
 */
function readReserved(
  read: ContextReader,
  prod: boolean,
): { reserved: StageConfig['reservedConcurrency']; accountConcurrency: number } {
  const reserved = {
    submit: int(read, 'submitConcurrency', prod ? 50 : 5, 1, 10_000),
    read: int(read, 'readConcurrency', prod ? 50 : 5, 1, 10_000),
    cosign: int(read, 'cosignConcurrency', prod ? 10 : 2, 1, 10_000),
    public: int(read, 'publicConcurrency', prod ? 50 : 5, 1, 10_000),
  };
  const accountConcurrency = int(read, 'accountConcurrency', 1000, 1, 1_000_000);
  const total = totalReserved({ reservedConcurrency: reserved });
  if (accountConcurrency - total < UNRESERVED_MINIMUM) {
    throw new ConfigError(
      `the functions reserve ${total} concurrent executions, but an account with a Lambda concurrency quota of ${accountConcurrency} can reserve at most ${Math.max(0, accountConcurrency - UNRESERVED_MINIMUM)} (Lambda keeps ${UNRESERVED_MINIMUM} unreserved); request a quota increase (Service Quotas, "Concurrent executions"), or lower -c submitConcurrency/readConcurrency/cosignConcurrency/publicConcurrency`,
    );
  }
  return { reserved, accountConcurrency };
}
