/**
 * Alarms and a dashboard. Handlers log and emit metrics with Powertools (service `cbm-ledger`,
 * namespace from POWERTOOLS_METRICS_NAMESPACE); the integrator publishes, on every run:
 *
 * - `OldestPendingAgeSeconds`: age of the oldest statement admitted but not integrated (0 when
 *   none is pending). Alarmed as integration lag; a missing datapoint means the integrator did
 *   not run, which is treated as breaching.
 * - `CheckpointAgeSeconds`: age of the newest signed checkpoint while statements are pending
 *   (0 when none is pending): the log has work but its public state does not advance.
 *
 * In prod (or with -c alarmActions=true) alarms notify an SNS topic (KMS-encrypted, TLS only),
 * to which -c alarmEmail=... subscribes an address.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { LedgerFunction } from './ledger-function.js';

export const POWERTOOLS_SERVICE_NAME = 'cbm-ledger';
export const OLDEST_PENDING_AGE_METRIC = 'OldestPendingAgeSeconds';
export const CHECKPOINT_AGE_METRIC = 'CheckpointAgeSeconds';
/** Integrator runs that met a missing or altered statement (functions/src/lambda/integrator.ts). */
export const INTEGRATION_INCIDENT_METRIC = 'IntegrationIncidents';

/** Management events (CloudTrail) that change what protects the ledger's keys and data. */
export const GUARDED_EVENTS: Readonly<Record<string, readonly string[]>> = {
  'aws.secretsmanager': [
    'CancelRotateSecret',
    'DeleteResourcePolicy',
    'DeleteSecret',
    'PutResourcePolicy',
    'PutSecretValue',
    'RestoreSecret',
    'RotateSecret',
    'UpdateSecret',
    'UpdateSecretVersionStage',
  ],
  'aws.kms': [
    'CancelKeyDeletion',
    'DisableKey',
    'DisableKeyRotation',
    'PutKeyPolicy',
    'ScheduleKeyDeletion',
  ],
  'aws.s3': [
    'DeleteBucketPolicy',
    'PutBucketLifecycle',
    'PutBucketObjectLockConfiguration',
    'PutBucketPolicy',
    'PutBucketVersioning',
  ],
  'aws.dynamodb': [
    'DeleteResourcePolicy',
    'DeleteTable',
    'PutResourcePolicy',
    'UpdateContinuousBackups',
    'UpdateTimeToLive',
  ],
};

/** The resources whose changes are alarmed (their ARNs or names as CloudTrail records them). */
export interface WatchedResources {
  readonly secrets: readonly string[];
  readonly keys: readonly string[];
  readonly buckets: readonly string[];
  readonly tables: readonly string[];
}

/** The CloudWatch namespace of the ledger's custom metrics, per stack so stages never mix. */
export function metricsNamespace(stackName: string): string {
  return `CbmLedger/${stackName}`;
}

export interface ObservabilityProps {
  readonly api: apigw.RestApi;
  readonly table: dynamodb.TableV2;
  readonly webAcl: wafv2.CfnWebACL;
  /** Functions serving API requests (throttles alarmed together). */
  readonly apiFunctions: Readonly<Record<string, LedgerFunction>>;
  readonly integrator: LedgerFunction;
  readonly watched: WatchedResources;
  /** When admission wakes the integrator, its throttles are expected and not alarmed. */
  readonly integratorThrottlesExpected: boolean;
  readonly integrationLagAlarmSeconds: number;
  readonly checkpointAgeAlarmSeconds: number;
  readonly alarmActions: boolean;
  readonly alarmEmail?: string;
}

export class Observability extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  readonly topic: sns.Topic | undefined;
  readonly guardRule: events.Rule;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = this.#alarmTopic(props);
    this.#functionAlarms(props);
    this.#tableAlarms(props);
    this.#firewallAlarm(props);
    const { lag, checkpointAge } = this.#integrationAlarms(props);
    this.guardRule = this.#guardChanges(props);
    this.dashboard = this.#dashboard(props, lag, checkpointAge);
  }

  /** The SNS topic the alarms notify, when alarm actions or an e-mail address are configured. */
  #alarmTopic(props: ObservabilityProps): sns.Topic | undefined {
    if (!props.alarmActions && props.alarmEmail === undefined) return undefined;
    const stack = Stack.of(this);
    const key = new kms.Key(this, 'TopicKey', {
      description: `${stack.stackName}: alarm topic encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    // EventBridge delivers the guard-change events to the encrypted topic.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgePublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    const topic = new sns.Topic(this, 'Alarms', {
      displayName: `${stack.stackName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) {
      topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    return topic;
  }

  /** The API's 5xx answers, and the functions' throttles and errors. */
  #functionAlarms(props: ObservabilityProps): void {
    const fiveMinutes = Duration.minutes(5);
    const apiErrors = props.api.deploymentStage.metricServerError({
      period: fiveMinutes,
      statistic: 'Sum',
    });
    this.alarm('Api5xx', {
      metric: apiErrors,
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription:
        'The API answered 5xx: bad input never does (DESIGN.md section 5), so this is a defect or an outage.',
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const throttled: Record<string, cloudwatch.IMetric> = {};
    Object.entries(props.apiFunctions).forEach(([name, fn], i) => {
      throttled[`t${i}`] = fn.function.metricThrottles({
        period: fiveMinutes,
        statistic: 'Sum',
        label: name,
      });
    });
    if (!props.integratorThrottlesExpected) {
      throttled['ti'] = props.integrator.function.metricThrottles({
        period: fiveMinutes,
        statistic: 'Sum',
      });
    }
    // A series without datapoints makes the whole sum missing: each is filled with 0.
    this.alarm('Throttles', {
      metric: new cloudwatch.MathExpression({
        expression: Object.keys(throttled)
          .map((k) => `FILL(${k}, 0)`)
          .join(' + '),
        usingMetrics: throttled,
        period: fiveMinutes,
        label: 'Lambda throttles',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription:
        'Ledger functions were throttled (account concurrency exhausted, or the integrator overlapping itself).',
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.alarm('IntegratorErrors', {
      metric: props.integrator.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: 'An integrator run failed; statements stay pending until one succeeds.',
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    for (const name of ['submit', 'read', 'cosign'] as const) {
      const fn = props.apiFunctions[name];
      if (fn === undefined) continue;
      this.alarm(`${name[0]?.toUpperCase() ?? ''}${name.slice(1)}Errors`, {
        metric: fn.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        alarmDescription: `The ${name} function failed (an uncaught error, a timeout, or out of memory): handlers answer bad input with 4xx, so this is a defect or an outage.`,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }

  /** DynamoDB system errors and throttles, summed over the operations the ledger uses. */
  #tableAlarms(props: ObservabilityProps): void {
    const fiveMinutes = Duration.minutes(5);
    const operations = [
      'BatchGetItem',
      'BatchWriteItem',
      'GetItem',
      'PutItem',
      'Query',
      'UpdateItem',
    ] as const;
    const perOperation = (metricName: string, id: string, description: string): void => {
      const series: Record<string, cloudwatch.IMetric> = {};
      operations.forEach((operation, i) => {
        series[`o${i}`] = new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: { TableName: props.table.tableName, Operation: operation },
          period: fiveMinutes,
          statistic: 'Sum',
        });
      });
      this.alarm(id, {
        metric: new cloudwatch.MathExpression({
          expression: Object.keys(series)
            .map((k) => `FILL(${k}, 0)`)
            .join(' + '),
          usingMetrics: series,
          period: fiveMinutes,
          label: metricName,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        alarmDescription: description,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    };
    perOperation(
      'SystemErrors',
      'DynamoDbErrors',
      'DynamoDB answered ledger requests with system errors (callers see 503 STORE_UNAVAILABLE).',
    );
    perOperation(
      'ThrottledRequests',
      'DynamoDbThrottles',
      'DynamoDB throttled ledger requests (on-demand table: a sudden burst or an account limit).',
    );
  }

  #firewallAlarm(props: ObservabilityProps): void {
    const stack = Stack.of(this);
    const fiveMinutes = Duration.minutes(5);
    this.alarm('WafBlocks', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: props.webAcl.name ?? '', Region: stack.region, Rule: 'ALL' },
        period: fiveMinutes,
        statistic: 'Sum',
      }),
      threshold: 100,
      evaluationPeriods: 1,
      alarmDescription:
        'The web ACL blocked 100 or more requests in 5 minutes (a flood, a scan, or a client the rules misjudge): see the WAF log group.',
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** The integrator's own metrics: pending age, checkpoint age, integration incidents. */
  #integrationAlarms(props: ObservabilityProps): {
    lag: cloudwatch.Metric;
    checkpointAge: cloudwatch.Metric;
  } {
    const namespace = metricsNamespace(Stack.of(this).stackName);
    const fiveMinutes = Duration.minutes(5);
    const custom = (metricName: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap: { service: POWERTOOLS_SERVICE_NAME },
        statistic: 'Maximum',
        period: Duration.minutes(1),
        unit: cloudwatch.Unit.SECONDS,
      });
    const lag = custom(OLDEST_PENDING_AGE_METRIC);
    const checkpointAge = custom(CHECKPOINT_AGE_METRIC);
    this.alarm('IntegrationLag', {
      metric: lag,
      threshold: props.integrationLagAlarmSeconds,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `The oldest pending statement waited more than ${props.integrationLagAlarmSeconds} s, or the integrator stopped reporting.`,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.alarm('CheckpointAge', {
      metric: checkpointAge,
      threshold: props.checkpointAgeAlarmSeconds,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: `Statements are pending but the newest checkpoint is older than ${props.checkpointAgeAlarmSeconds} s.`,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.alarm('IntegrationIncident', {
      metric: new cloudwatch.Metric({
        namespace,
        metricName: INTEGRATION_INCIDENT_METRIC,
        dimensionsMap: { service: POWERTOOLS_SERVICE_NAME },
        statistic: 'Sum',
        period: fiveMinutes,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription:
        "A statement behind a staged leaf is missing or altered in the table (an item was deleted or replaced behind the ledger's back): the integrator logged the entry and carried on; restore the item from backup.",
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { lag, checkpointAge };
  }

  #guardChanges(props: ObservabilityProps): events.Rule {
    const stack = Stack.of(this);
    const fiveMinutes = Duration.minutes(5);
    // Any change to the secrets, the key policies, the bucket policy or the table's guards,
    // as CloudTrail records it (management events; the account needs a trail).
    const w = props.watched;
    const rule = new events.Rule(this, 'GuardChanges', {
      description: 'Changes to the ledger key secrets, KMS keys, evidence bucket or table guards',
      eventPattern: {
        detailType: ['AWS API Call via CloudTrail'],
        source: Object.keys(GUARDED_EVENTS),
        detail: {
          eventName: [...new Set(Object.values(GUARDED_EVENTS).flat())].sort(),
          requestParameters: {
            $or: [
              { secretId: [...w.secrets] },
              { keyId: [...w.keys] },
              { bucketName: [...w.buckets] },
              { tableName: [...w.tables] },
              { resourceArn: [{ wildcard: `*${stack.stackName}*` }] },
            ],
          },
        },
      },
    });
    if (this.topic !== undefined) rule.addTarget(new targets.SnsTopic(this.topic));
    this.alarm('GuardChanged', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'MatchedEvents',
        dimensionsMap: { RuleName: rule.ruleName },
        period: fiveMinutes,
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription:
        'Somebody changed a key secret, a KMS key or its policy, the evidence bucket policy or lifecycle, or the table guards (CloudTrail): check it was a reviewed deploy or break-glass.',
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return rule;
  }

  #dashboard(
    props: ObservabilityProps,
    lag: cloudwatch.Metric,
    checkpointAge: cloudwatch.Metric,
  ): cloudwatch.Dashboard {
    const stack = Stack.of(this);
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-ledger`,
      defaultInterval: Duration.hours(3),
    });
    const stage = props.api.deploymentStage;
    const fns = { ...props.apiFunctions, integrator: props.integrator };
    const perFunction = (
      title: string,
      metric: (fn: LedgerFunction) => cloudwatch.IMetric,
    ): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({
        title,
        width: 8,
        left: Object.values(fns).map(metric),
      });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Integration lag and checkpoint age (s)',
        width: 12,
        left: [lag, checkpointAge],
        leftAnnotations: [{ value: props.integrationLagAlarmSeconds, label: 'lag alarm' }],
      }),
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        width: 12,
        left: [
          stage.metricCount({ statistic: 'Sum' }),
          stage.metricClientError({ statistic: 'Sum' }),
          stage.metricServerError({ statistic: 'Sum' }),
        ],
        right: [stage.metricLatency({ statistic: 'p99' })],
      }),
    );
    const labelled = (name: string, m: cloudwatch.Metric): cloudwatch.Metric =>
      m.with({ label: name });
    const names = new Map(Object.entries(fns).map(([name, fn]) => [fn, name]));
    dashboard.addWidgets(
      perFunction('Invocations', (fn) =>
        labelled(names.get(fn) ?? '', fn.function.metricInvocations({ statistic: 'Sum' })),
      ),
      perFunction('Errors', (fn) =>
        labelled(names.get(fn) ?? '', fn.function.metricErrors({ statistic: 'Sum' })),
      ),
      perFunction('Throttles', (fn) =>
        labelled(names.get(fn) ?? '', fn.function.metricThrottles({ statistic: 'Sum' })),
      ),
    );
    dashboard.addWidgets(
      perFunction('Duration p99 (ms)', (fn) =>
        labelled(names.get(fn) ?? '', fn.function.metricDuration({ statistic: 'p99' })),
      ),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB',
        width: 8,
        left: [
          props.table.metricConsumedReadCapacityUnits({ statistic: 'Sum' }),
          props.table.metricConsumedWriteCapacityUnits({ statistic: 'Sum' }),
        ],
        right: (
          ['GetItem', 'Query', 'BatchGetItem', 'PutItem', 'UpdateItem', 'BatchWriteItem'] as const
        ).map((operation) =>
          props.table.metricThrottledRequestsForOperation(operation, {
            statistic: 'Sum',
            label: `throttled ${operation}`,
          }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'WAF',
        width: 8,
        left: ['AllowedRequests', 'BlockedRequests', 'CountedRequests'].map(
          (metricName) =>
            new cloudwatch.Metric({
              namespace: 'AWS/WAFV2',
              metricName,
              dimensionsMap: { WebACL: props.webAcl.name ?? '', Region: stack.region, Rule: 'ALL' },
              statistic: 'Sum',
            }),
        ),
      }),
    );
    return dashboard;
  }

  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'alarmName'>): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      ...props,
    });
    if (this.topic !== undefined) {
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
    }
    this.alarms.push(alarm);
  }
}
