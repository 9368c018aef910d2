/**
 * The ledger's DynamoDB table: the same keys and sparse `pending` index as
 * packages/store-aws/src/table.ts (the local runtime creates its table from that definition),
 * on demand, point-in-time recovery, deletion protection, encrypted with its own
 * customer-managed KMS key, retained when the stack is deleted.
 *
 * Access is granted per role and per kind of work, never with the table's broad grant helpers:
 * nobody gets DeleteItem, Scan or any control-plane action, readers get three read actions, and
 * admission may only write the items admission writes.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Mirrors store-aws `PENDING_INDEX` and `tableDefinition()`. */
export const PENDING_INDEX = 'pending';
/** store-aws `TTL_ATTRIBUTE`: nonce claims of signed reads expire through DynamoDB TTL. */
export const TTL_ATTRIBUTE = 'ttl';

/** What a reader calls (store-aws dynamo.ts): GetItem, Query (issuer heads, citations), BatchGetItem. */
export const TABLE_READ_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
/** Admission: accept = conditional PutItem; link = BatchWriteItem of pointers and citations. */
export const ADMISSION_WRITE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'];
/**
 * Nonce claims of RFC 9421-signed requests (store-aws DynamoReplayGuard: one conditional PutItem
 * per signed request, expiring by TTL). Every function that authenticates callers writes these.
 */
export const REPLAY_PARTITION = 'replay#*';
/**
 * The partition keys admission writes (store-aws dynamo.ts item layout): acceptance items,
 * id pointers and evidence citations, and nonce claims. Leaves, tree tiles, the head,
 * checkpoints, cosignatures and the registry are out of its reach.
 */
export const ADMISSION_PARTITIONS = ['issuer#*', 'statement#*', 'evidence#*', REPLAY_PARTITION];
/** Witness cosignatures (one conditional PutItem each, never replaced), and nonce claims. */
export const COSIGNING_PARTITIONS = ['cosignature#*', REPLAY_PARTITION];
/** Signed reads write nothing but their nonce claims. */
export const SIGNED_READ_PARTITIONS = [REPLAY_PARTITION];
/** Integration: leaves (conditional UpdateItem), tiles (UpdateItem), head/checkpoint/registry (PutItem), batches. */
export const INTEGRATION_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
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
}

export class LedgerStore extends Construct {
  readonly table: dynamodb.TableV2;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: LedgerStoreProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `${Stack.of(this).stackName}: ledger table encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      globalSecondaryIndexes: [
        {
          indexName: PENDING_INDEX,
          partitionKey: { name: 'gpk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'gsk', type: dynamodb.AttributeType.STRING },
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
   * Reads, plus conditional PutItem (and BatchWriteItem where `batch`) on the given partitions
   * only: the LeadingKeys condition keeps every other item out of reach.
   */
  private grantPartitionWrites(
    role: iam.IRole,
    sid: string,
    partitions: readonly string[],
    batch: boolean,
  ): void {
    this.grantTableRead(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid,
        actions: batch ? ADMISSION_WRITE_ACTIONS : ['dynamodb:PutItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...partitions] } },
      }),
    );
    const key = this.keyStatement(KEY_WRITE_ACTIONS);
    key.sid = 'LedgerKeyReadWrite';
    role.addToPrincipalPolicy(key);
  }

  /** Reads for callers who may sign their requests: the only write is the request's nonce claim. */
  grantSignedRead(role: iam.IRole): void {
    this.grantPartitionWrites(role, 'LedgerNonceClaims', SIGNED_READ_PARTITIONS, false);
  }

  /** Reads, plus PutItem/BatchWriteItem limited to the partitions admission owns. */
  grantAdmission(role: iam.IRole): void {
    this.grantPartitionWrites(role, 'LedgerAdmissionWrite', ADMISSION_PARTITIONS, true);
  }

  /** Reads, plus PutItem of cosignatures and nonce claims. */
  grantCosigning(role: iam.IRole): void {
    this.grantPartitionWrites(role, 'LedgerCosignatureWrite', COSIGNING_PARTITIONS, false);
  }

  /** Reads, the pending index, and the writes of integration (no DeleteItem). */
  grantIntegration(role: iam.IRole): void {
    this.grantTableRead(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LedgerPendingIndex',
        actions: ['dynamodb:Query'],
        resources: [this.indexArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LedgerIntegrationWrite',
        actions: INTEGRATION_WRITE_ACTIONS,
        resources: [this.table.tableArn],
      }),
    );
    const key = this.keyStatement(KEY_WRITE_ACTIONS);
    key.sid = 'LedgerKeyReadWrite';
    role.addToPrincipalPolicy(key);
  }
}
