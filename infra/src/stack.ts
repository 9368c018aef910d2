/**
 * One CBM Ledger deployment (a stage): stores, keys, functions, API, public view, integrator,
 * observability. Environment-agnostic: no account, region or context lookups.
 */
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { INTEGRATOR_CONCURRENCY, LEDGER_CONTEXT } from './config.js';
import type { StageConfig } from './config.js';
import { OriginVerifySecret } from './constructs/origin-verify.js';
import { TableBackup } from './constructs/table-backup.js';
import { defaultBreakGlassRoleArn, defaultDeployRoleArn } from './guard.js';
import type { Guardians } from './guard.js';
import { EvidenceStore } from './constructs/evidence-store.js';
import { Integrator } from './constructs/integrator.js';
import { LedgerApi } from './constructs/ledger-api.js';
import { LedgerFunction } from './constructs/ledger-function.js';
import { LedgerStore } from './constructs/ledger-store.js';
import { LogKeys } from './constructs/log-keys.js';
import {
  Observability,
  POWERTOOLS_SERVICE_NAME,
  metricsNamespace,
} from './constructs/observability.js';
import { PublicView } from './constructs/public-view.js';
import { HANDLERS, resolveEntry } from './handlers.js';
import type { HandlerName } from './handlers.js';
import { acknowledge } from './nag.js';

export interface LedgerStackProps extends StackProps {
  readonly config: StageConfig;
  /** Directory of the Lambda entries (tests point it elsewhere); default functions/src/lambda. */
  readonly lambdaDir?: string;
}

/** Retention and removal of the stack's log groups. */
interface Logging {
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

const RETENTION_BY_DAYS: ReadonlyMap<number, logs.RetentionDays> = new Map([
  [30, logs.RetentionDays.ONE_MONTH],
  [400, logs.RetentionDays.THIRTEEN_MONTHS],
]);

export class LedgerStack extends Stack {
  readonly config: StageConfig;
  readonly store: LedgerStore;
  readonly evidence: EvidenceStore;
  readonly keys: LogKeys;
  readonly functions: Readonly<Record<HandlerName, LedgerFunction>>;
  readonly api: LedgerApi;
  readonly publicView: PublicView;
  readonly integrator: Integrator;
  readonly observability: Observability;
  readonly guardians: Guardians;
  readonly backup: TableBackup;
  readonly originVerify: OriginVerifySecret;

  constructor(scope: Construct, id: string, props: LedgerStackProps) {
    super(scope, id, {
      description: `CBM Ledger (${props.config.stage}): verifiable ledger of confidence- and security-building measures`,
      terminationProtection: props.config.terminationProtection,
      ...props,
    });
    const config = props.config;
    this.config = config;
    const prod = config.stage === 'prod';
    const logging: Logging = {
      logRetention: RETENTION_BY_DAYS.get(config.logRetentionDays) ?? logs.RetentionDays.ONE_MONTH,
      logRemovalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    };

    if (!config.originExplicit) {
      Annotations.of(this).addWarningV2(
        'cbm-ledger:defaultOrigin',
        `No -c origin=... given: the ledger's origin defaults to ${config.origin}. The origin names the log key and every checkpoint and cannot change after genesis.`,
      );
    }

    this.guardians = {
      breakGlassRoleArn: config.breakGlassRoleArn ?? defaultBreakGlassRoleArn(this.stackName),
      deployRoleArn: config.deployRoleArn ?? defaultDeployRoleArn(),
    };
    // The data the ledger must never lose, each guarded against deletion by one account.
    this.store = this.#table();
    this.backup = this.#backup(prod);
    this.evidence = this.#evidenceStore();
    this.keys = this.#logKeys(logging);

    this.functions = this.#functions(logging, props.lambdaDir);
    this.#grantRoles();
    this.integrator = new Integrator(this, 'Integrator', {
      function: this.functions.integrator,
      store: this.store,
      keys: this.keys,
    });
    if (config.wakeIntegrator) this.integrator.grantWake(this.functions.submit.role);

    this.originVerify = new OriginVerifySecret(this, 'OriginVerify');
    this.api = this.#api(logging);
    this.publicView = this.#publicView();
    this.observability = this.#observability();
    this.#outputs();
  }

  #table(): LedgerStore {
    return new LedgerStore(this, 'LedgerStore', {
      pitrDays: this.config.pitrDays,
      guardians: this.guardians,
    });
  }

  #backup(prod: boolean): TableBackup {
    const config = this.config;
    const backup = new TableBackup(this, 'TableBackup', {
      table: this.store.table,
      retentionDays: config.backupRetentionDays,
      compliance: prod,
      guardians: this.guardians,
      ...(config.backupCopyVaultArn === undefined
        ? {}
        : { copyVaultArn: config.backupCopyVaultArn }),
    });
    const backupRole = backup.plan.node.tryFindChild('Table')?.node.tryFindChild('Role');
    if (backupRole !== undefined) {
      acknowledge(
        backupRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        'AWS Backup needs its service policy to snapshot the table (the policy is maintained by AWS for exactly this purpose); the role is assumable only by backup.amazonaws.com and the selection holds the ledger table alone.',
      );
    }
    return backup;
  }

  #evidenceStore(): EvidenceStore {
    const config = this.config;
    const evidence = new EvidenceStore(this, 'EvidenceStore', {
      retentionDays: config.evidenceRetentionDays,
      accessLogExpiryDays: config.accessLogExpiryDays,
      guardians: this.guardians,
    });
    acknowledge(
      evidence.logsBucket,
      'AwsSolutions-S1',
      'This is the server-access-log destination bucket; logging its own access into itself would loop, and S3 writes these logs with its own service principal only.',
    );
    return evidence;
  }

  #logKeys({ logRetention, logRemovalPolicy }: Logging): LogKeys {
    const config = this.config;
    return new LogKeys(this, 'LogKeys', {
      origin: config.origin,
      operatorParty: config.operatorParty,
      generation: config.logKeyGeneration,
      ...(config.logKeySecretArn !== undefined && config.operatorKeySecretArn !== undefined
        ? {
            imported: {
              logKeySecretArn: config.logKeySecretArn,
              operatorKeySecretArn: config.operatorKeySecretArn,
              ...(config.importedKeysKmsKeyArn === undefined
                ? {}
                : { kmsKeyArn: config.importedKeysKmsKeyArn }),
            },
          }
        : {}),
      logRetention,
      logRemovalPolicy,
      guardians: this.guardians,
    });
  }

  /** The six functions, each with only the environment it reads. */
  #functions(
    { logRetention, logRemovalPolicy }: Logging,
    lambdaDir: string | undefined,
  ): Readonly<Record<HandlerName, LedgerFunction>> {
    const config = this.config;
    const reserved = config.reservedConcurrency;
    // Environment every ledger function reads (functions/src/lambda/environment.ts).
    const common: Record<string, string> = {
      CBM_ORIGIN: config.origin,
      CBM_TABLE: this.store.table.tableName,
      POWERTOOLS_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(this.stackName),
      POWERTOOLS_LOG_LEVEL: 'INFO',
      CBM_WITNESS_QUORUM: String(config.witnessQuorum),
      ...Object.fromEntries(
        Object.entries(LEDGER_CONTEXT).map(([key, variable]) => [
          variable,
          String(config[key as keyof typeof LEDGER_CONTEXT]),
        ]),
      ),
    };
    const apiEnv: Record<string, string> = {
      ...common,
      CBM_BUCKET: this.evidence.bucket.bucketName,
      CBM_LOG_VKEY: this.keys.logVkey,
    };
    const make = (
      name: HandlerName,
      memorySize: number,
      timeout: Duration,
      environment: Record<string, string>,
      reserved?: number,
    ): LedgerFunction => {
      const spec = HANDLERS[name];
      const entry = resolveEntry(spec, lambdaDir);
      if (entry.usesFallback) {
        Annotations.of(this).addWarningV2(
          `cbm-ledger:fallbackEntry:${name}`,
          `functions/src/lambda/${spec.entry} does not exist yet: the ${name} function bundles ${spec.fallback ?? ''} (same routes restricted by API Gateway and by its own role).`,
        );
      }
      return new LedgerFunction(this, `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}Function`, {
        entry: entry.path,
        description: spec.description,
        memorySize,
        timeout,
        environment,
        logRetention,
        logRemovalPolicy,
        ...(reserved === undefined ? {} : { reservedConcurrentExecutions: reserved }),
      });
    };

    const integratorFn = make(
      'integrator',
      1024,
      Duration.seconds(60),
      {
        ...common,
        CBM_LOG_VKEY: this.keys.logVkey,
        CBM_LOG_KEY_SECRET_ARN: this.keys.logKeySecret.secretArn,
      },
      INTEGRATOR_CONCURRENCY,
    );
    // Admission signs every admission promise with the log key (docs/promises.md).
    const submitEnv: Record<string, string> = {
      ...apiEnv,
      CBM_LOG_KEY_SECRET_ARN: this.keys.logKeySecret.secretArn,
    };
    if (config.wakeIntegrator)
      submitEnv['CBM_INTEGRATOR_FUNCTION'] = integratorFn.function.functionName;
    return {
      // API Gateway gives an integration 29 s; Prefer: wait is capped at 20 s.
      // Reserved concurrency reserves (submit and cosign keep theirs whatever floods the reads)
      // and caps (reads and the public view cannot exhaust the account's concurrency).
      submit: make('submit', 1024, Duration.seconds(28), submitEnv, reserved.submit),
      read: make('read', 512, Duration.seconds(10), apiEnv, reserved.read),
      cosign: make('cosign', 512, Duration.seconds(10), apiEnv, reserved.cosign),
      public: make(
        'public',
        512,
        Duration.seconds(10),
        {
          ...apiEnv,
          // Without it the view's links are root-relative, right under the CloudFront URL.
          ...(config.publicBaseUrl === undefined
            ? {}
            : { CBM_PUBLIC_BASE_URL: config.publicBaseUrl }),
        },
        reserved.public,
      ),
      router: make('router', 256, Duration.seconds(5), apiEnv),
      integrator: integratorFn,
    };
  }

  /** Each function's rights, one write path each (ledger-store.ts, evidence-store.ts). */
  #grantRoles(): void {
    this.store.grantAdmission(this.functions.submit.role);
    this.keys.grantSign(this.functions.submit.role);
    this.evidence.grantUpload(this.functions.submit.role);
    this.store.grantSignedRead(this.functions.read.role);
    this.evidence.grantDownload(this.functions.read.role);
    this.store.grantCosigning(this.functions.cosign.role);
    // The public view is anonymous: it reads, and writes nothing at all.
    this.store.grantRead(this.functions.public.role);
    // The router gets nothing: it only answers 404 and 405.
  }

  #api({ logRetention, logRemovalPolicy }: Logging): LedgerApi {
    const config = this.config;
    return new LedgerApi(this, 'LedgerApi', {
      stageName: config.stage,
      submit: this.functions.submit,
      read: this.functions.read,
      cosign: this.functions.cosign,
      public: this.functions.public,
      router: this.functions.router,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      submitThrottleRateLimit: config.submitThrottleRateLimit,
      submitThrottleBurstLimit: config.submitThrottleBurstLimit,
      originVerify: this.originVerify.header,
      wafRateLimitPer5Min: config.wafRateLimitPer5Min,
      logRetention,
      logRemovalPolicy,
    });
  }

  #publicView(): PublicView {
    const config = this.config;
    return new PublicView(this, 'PublicView', {
      api: this.api.api,
      accessLogsBucket: this.evidence.logsBucket,
      accessLogExpiryDays: config.accessLogExpiryDays,
      originVerify: this.originVerify.header,
      ...(config.publicWebAclArn === undefined ? {} : { webAclArn: config.publicWebAclArn }),
    });
  }

  #observability(): Observability {
    const config = this.config;
    return new Observability(this, 'Observability', {
      api: this.api.api,
      table: this.store.table,
      webAcl: this.api.webAcl,
      apiFunctions: {
        submit: this.functions.submit,
        read: this.functions.read,
        cosign: this.functions.cosign,
        public: this.functions.public,
        router: this.functions.router,
      },
      integrator: this.functions.integrator,
      watched: {
        secrets: [this.keys.logKeySecret.secretArn, this.keys.operatorKeySecret.secretArn],
        keys: [
          this.store.key.keyArn,
          this.evidence.key.keyArn,
          ...[this.keys.secretsKeyArn, this.keys.logSecretKeyArn].filter(
            (k, i, all): k is string => k !== undefined && all.indexOf(k) === i,
          ),
        ],
        buckets: [this.evidence.bucket.bucketName],
        tables: [this.store.table.tableName],
      },
      integratorThrottlesExpected: config.wakeIntegrator,
      integrationLagAlarmSeconds: config.integrationLagAlarmSeconds,
      checkpointAgeAlarmSeconds: config.checkpointAgeAlarmSeconds,
      alarmActions: config.alarmActions,
      ...(config.alarmEmail === undefined ? {} : { alarmEmail: config.alarmEmail }),
    });
  }

  #outputs(): void {
    const config = this.config;
    const output = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description });
    };
    output('Origin', config.origin, "The ledger's origin (checkpoint origin line, log key name)");
    output('ApiUrl', this.api.url, 'REST API base URL (append v1/...)');
    output('PublicUrl', this.publicView.url, 'Public transparency view (CloudFront)');
    output(
      'PublicDistributionId',
      this.publicView.distribution.distributionId,
      'Public view distribution (-c cdnLogsDistributionId of the cdn-logs stack)',
    );
    output(
      'PublicLogsBucketName',
      this.publicView.logsBucket.bucketName,
      'CDN log bucket (-c cdnLogsBucket of the cdn-logs stack)',
    );
    output('LogVkey', this.keys.logVkey, 'Log verifier key: give it to witnesses and verifiers');
    output('LogKeyId', this.keys.logKeyId, 'keyid of the log key');
    output('OperatorParty', config.operatorParty, 'Operator party id');
    output('OperatorKeyId', this.keys.operatorKeyId, 'keyid of the operator key');
    output(
      'LogKeySecretArn',
      this.keys.logKeySecret.secretArn,
      'Secret holding the log key file (integrator only)',
    );
    output(
      'OperatorKeySecretArn',
      this.keys.operatorKeySecret.secretArn,
      'Secret holding the operator key file',
    );
    output('TableName', this.store.table.tableName, 'DynamoDB table');
    output(
      'EvidenceBucketName',
      this.evidence.bucket.bucketName,
      'Evidence bucket (Object Lock COMPLIANCE)',
    );
    output(
      'IntegratorFunctionName',
      this.functions.integrator.function.functionName,
      'Integrator Lambda',
    );
    output('DashboardName', this.observability.dashboard.dashboardName, 'CloudWatch dashboard');
    if (this.observability.topic !== undefined) {
      output('AlarmTopicArn', this.observability.topic.topicArn, 'SNS topic the alarms notify');
    }
  }
}
