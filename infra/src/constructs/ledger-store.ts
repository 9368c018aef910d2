/**
 * The ledger's DynamoDB table: its keys, sparse `pending` index and TTL attribute come from
 * store-aws layout.ts, from which the local runtime's table is created too (table.ts),
 * on demand, point-in-time recovery, deletion protection, encrypted with its own
 * customer-managed KMS key, retained when the stack is deleted.
 *
 * Access is granted per role and per kind of work, never with the table's broad grant helpers:
 * nobody gets DeleteItem, Scan or any control-plane action, readers get three read actions, and
 * each write path may only call its actions on its partitions (store-aws layout.ts). The table's
 * resource policy holds whatever IAM grants elsewhere in the account: no item deletes, the log's
 * partitions written by the integrator only, `ttl` only on nonce claims and daily evidence budgets, table deletion by the
 * break-glass role only (guard.ts).
 */
import { Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { layout } from '@cbm-ledger/store-aws';
import { denyExcept, protectKey } from '../guard.js';
import type { Guardians } from '../guard.js';

const { PENDING_INDEX, TTL_ATTRIBUTE } = layout;

/** What a reader calls (store-aws statement-store.ts, log-store.ts): GetItem, Query (issuer heads, citations), BatchGetItem. */
export const TABLE_READ_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
/** Every action that writes or deletes an item. */
export const ITEM_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PartiQLDelete',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

const all = (prefix: string): string => `${prefix}*`;
/** Nonce claims of RFC 9421-signed requests (store-aws DynamoReplayGuard), expiring by TTL. */
export const REPLAY_PARTITIONS = [all(layout.REPLAY_PARTITION)];
/** Daily evidence budgets (store-aws DynamoEvidenceQuota), one conditional UpdateItem a grant. */
export const EVIDENCE_QUOTA_PARTITIONS = [all(layout.EVIDENCE_QUOTA_PARTITION)];
/** The only items that may carry `ttl`: a nonce claim or a past day's budget expiring is harmless. */
export const EXPIRING_PARTITIONS = [...REPLAY_PARTITIONS, ...EVIDENCE_QUOTA_PARTITIONS];

/**
 * One write path: the actions it calls and the partitions (LeadingKeys) it may call them on.
 * BatchWriteItem is granted only where a DeleteRequest could do no lasting harm, because IAM
 * cannot tell a batch's DeleteRequest from its PutRequest (the table policy denies DeleteItem,
 * not BatchWriteItem).
 */
export interface WritePath {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly partitions: readonly string[];
}

/**
 * Admission: accept is one conditional PutItem on `issuer#` (the acceptance item) and nonce
 * claims are PutItems on `replay#`; link batches the id pointer and citations, which are
 * functions of the statement that integration writes again. Admission never writes `index`.
 */
export const ADMISSION_WRITES: readonly WritePath[] = [
  {
    sid: 'AdmissionAccept',
    actions: ['dynamodb:PutItem'],
    partitions: [all(layout.ISSUER_PARTITION), ...REPLAY_PARTITIONS],
  },
  {
    sid: 'AdmissionLink',
    actions: ['dynamodb:BatchWriteItem'],
    partitions: [all(layout.POINTER_PARTITION), all(layout.CITATION_PARTITION)],
  },
  // POST /v1/evidence is served by the submit function: it charges the uploader's daily budget.
  {
    sid: 'EvidenceQuotaCharge',
    actions: ['dynamodb:UpdateItem'],
    partitions: EVIDENCE_QUOTA_PARTITIONS,
  },
];
/** Witness cosignatures (one conditional PutItem each, never replaced), and nonce claims. */
export const COSIGNING_WRITES: readonly WritePath[] = [
  {
    sid: 'CosignaturePut',
    actions: ['dynamodb:PutItem'],
    partitions: [all(layout.COSIGNATURE_PARTITION), ...REPLAY_PARTITIONS],
  },
];
/** Signed reads write nothing but their nonce claims. */
export const SIGNED_READ_WRITES: readonly WritePath[] = [
  { sid: 'NonceClaims', actions: ['dynamodb:PutItem'], partitions: REPLAY_PARTITIONS },
];
/** The partitions only integration writes (the log itself and what is derived from it). */
export const INTEGRATOR_ONLY_PARTITIONS = [
  layout.LEAVES_PARTITION,
  layout.LEAF_DOC_PARTITION,
  all(layout.TREE_PARTITION),
  layout.HEAD_PARTITION,
  layout.CHECKPOINT_PARTITION,
  layout.REGISTRY_PARTITION,
];
/**
 * Integration: leaves (conditional UpdateItem) and tiles (UpdateItem); head, checkpoint and
 * registry (conditional PutItem); markIntegrated and large leaves through BatchWriteItem.
 */
export const INTEGRATION_WRITES: readonly WritePath[] = [
  {
    sid: 'IntegrationLeavesAndTree',
    actions: ['dynamodb:UpdateItem'],
    partitions: [layout.LEAVES_PARTITION, all(layout.TREE_PARTITION)],
  },
  {
    sid: 'IntegrationHeadCheckpointRegistry',
    actions: ['dynamodb:PutItem'],
    partitions: [layout.HEAD_PARTITION, layout.CHECKPOINT_PARTITION, layout.REGISTRY_PARTITION],
  },
  {
    sid: 'IntegrationMarkIntegrated',
    actions: ['dynamodb:BatchWriteItem'],
    partitions: [
      all(layout.ISSUER_PARTITION),
      all(layout.POINTER_PARTITION),
      all(layout.CITATION_PARTITION),
      layout.LEAF_DOC_PARTITION,
    ],
  },
];

// DynamoDB uses the table's KMS key on the caller's behalf; no wildcard actions.
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

export interface LedgerStoreProps {
  /** Point-in-time recovery window, 1..35 days. */
  readonly pitrDays: number;
  readonly guardians: Guardians;
}

export class LedgerStore extends Construct {
  readonly table: dynamodb.TableV2;
  readonly key: kms.Key;
  readonly #integrators: iam.IRole[] = [];

  constructor(scope: Construct, id: string, props: LedgerStoreProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `${Stack.of(this).stackName}: ledger table encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    protectKey(this.key, props.guardians);
    const integrators = Lazy.list({ produce: () => this.#integrators.map((r) => r.roleArn) });
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: layout.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: layout.SORT_KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      globalSecondaryIndexes: [
        {
          indexName: PENDING_INDEX,
          partitionKey: { name: layout.PENDING_INDEX_KEY, type: dynamodb.AttributeType.STRING },
          sortKey: { name: layout.PENDING_INDEX_SORT_KEY, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
      // SSE-KMS; the customer-managed key is set on the replica below.
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: props.pitrDays,
      },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Whatever IAM grants in this account: resource-policy denies win over identity allows.
      // Resources are '*' (this table), as its own ARN cannot be referenced from its policy.
      resourcePolicy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'NobodyDeletesItems',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['dynamodb:DeleteItem', 'dynamodb:PartiQLDelete'],
            resources: ['*'],
          }),
          // The log, its tree, head, checkpoints and registry belong to the integrator alone.
          new iam.PolicyStatement({
            sid: 'OnlyTheIntegratorWritesTheLog',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ITEM_WRITE_ACTIONS,
            resources: ['*'],
            conditions: {
              'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': INTEGRATOR_ONLY_PARTITIONS },
              ArnNotEquals: { 'aws:PrincipalArn': integrators },
            },
          }),
          // DynamoDB's TTL deletes any item carrying `ttl`: only nonce claims and budgets may.
          new iam.PolicyStatement({
            sid: 'OnlyNonceClaimsAndBudgetsExpire',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ITEM_WRITE_ACTIONS,
            resources: ['*'],
            conditions: {
              'ForAnyValue:StringEquals': { 'dynamodb:Attributes': [TTL_ATTRIBUTE] },
              'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': EXPIRING_PARTITIONS },
            },
          }),
          denyExcept(
            'OnlyBreakGlassDeletesTheTable',
            ['dynamodb:DeleteTable'],
            [props.guardians.breakGlassRoleArn],
          ),
          // A TTL moved to another numeric attribute (`seq`, `index`) would expire real items.
          denyExcept(
            'OnlyDeploysChangeThisPolicyOrTheTtl',
            [
              'dynamodb:PutResourcePolicy',
              'dynamodb:DeleteResourcePolicy',
              'dynamodb:UpdateTimeToLive',
            ],
            [props.guardians.breakGlassRoleArn, props.guardians.deployRoleArn],
          ),
        ],
      }),
    });
    // TableEncryptionV2.customerManagedKey() refuses region-agnostic stacks (it wants the
    // replica's region at synth time); the only replica is the stack's own region, so its key is
    // set directly: the same SSESpecification customerManagedKey() renders for that replica.
    const cfn = this.table.node.defaultChild as dynamodb.CfnGlobalTable;
    cfn.addPropertyOverride('Replicas.0.SSESpecification.KMSMasterKeyId', this.key.keyArn);
  }

  private get indexArn(): string {
    return `${this.table.tableArn}/index/${PENDING_INDEX}`;
  }

  private keyStatement(actions: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions,
      resources: [this.key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
      },
    });
  }

  private grantTableRead(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LedgerRead',
        actions: TABLE_READ_ACTIONS,
        resources: [this.table.tableArn],
      }),
    );
  }

  /** GetItem, Query and BatchGetItem on the table (not its index), and key decryption: nothing else. */
  grantRead(role: iam.IRole): void {
    this.grantTableRead(role);
    const key = this.keyStatement(KEY_READ_ACTIONS);
    key.sid = 'LedgerKeyRead';
    role.addToPrincipalPolicy(key);
  }

  /**
   * Reads, plus each path's actions on its partitions only (the LeadingKeys condition keeps
   * every other item out of reach). `index` (integrated) and `ttl` (expiring) are attributes
   * only integration, respectively nonce claims, may write: denied here to everybody else.
   */
  private grantWrites(role: iam.IRole, paths: readonly WritePath[], integration = false): void {
    this.grantTableRead(role);
    for (const path of paths) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: path.sid,
          actions: [...path.actions],
          resources: [this.table.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...path.partitions] },
          },
        }),
      );
    }
    if (!integration) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'NeverMarksIntegrated',
          effect: iam.Effect.DENY,
          actions: ITEM_WRITE_ACTIONS,
          resources: [this.table.tableArn],
          conditions: {
            'ForAnyValue:StringEquals': { 'dynamodb:Attributes': [layout.INDEX_ATTRIBUTE] },
          },
        }),
      );
    }
    const key = this.keyStatement(KEY_WRITE_ACTIONS);
    key.sid = 'LedgerKeyReadWrite';
    role.addToPrincipalPolicy(key);
  }

  /** Reads for callers who may sign their requests: the only write is the request's nonce claim. */
  grantSignedRead(role: iam.IRole): void {
    this.grantWrites(role, SIGNED_READ_WRITES);
  }

  /** Reads, plus the PutItems and BatchWriteItems of admission on its partitions. */
  grantAdmission(role: iam.IRole): void {
    this.grantWrites(role, ADMISSION_WRITES);
  }

  /** Reads, plus PutItem of cosignatures and nonce claims. */
  grantCosigning(role: iam.IRole): void {
    this.grantWrites(role, COSIGNING_WRITES);
  }

  /** Reads, the pending index, and the writes of integration on its partitions (no DeleteItem). */
  grantIntegration(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LedgerPendingIndex',
        actions: ['dynamodb:Query'],
        resources: [this.indexArn],
      }),
    );
    this.grantWrites(role, INTEGRATION_WRITES, true);
    this.#integrators.push(role);
  }
}
