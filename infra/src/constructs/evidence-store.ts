/**
 * Evidence objects under `evidence/sha256/<hex>` (DESIGN.md §6): S3 with Object Lock in
 * COMPLIANCE mode (nobody, the root user included, can delete or overwrite a locked version
 * before its retention ends), versioning, all public access blocked, TLS 1.2+ only, SSE-KMS with
 * its own key, server access logs to a separate logs bucket, retained on stack deletion.
 *
 * The bucket policy also denies DeleteObject to everyone: a delete marker would not destroy a
 * locked version, but it would hide the object from the ledger (which reads the current version),
 * and "quietly hide a record" is what the ledger exists to prevent.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { denyExcept, protectKey } from '../guard.js';
import type { Guardians } from '../guard.js';
import { acknowledge } from '../nag.js';

/** store-aws `EVIDENCE_PREFIX`. */
export const EVIDENCE_PREFIX = 'evidence/sha256/';

export interface EvidenceStoreProps {
  /** Object Lock COMPLIANCE default retention, days. */
  readonly retentionDays: number;
  /** Expiry of the server access logs, days. */
  readonly accessLogExpiryDays: number;
  readonly guardians: Guardians;
}

/**
 * Presigned evidence URLs older than this are refused by the bucket itself, whatever expiry a
 * function signs them with (the ledger's default, evidenceUploadExpirySeconds, is 900 s).
 */
export const PRESIGNED_MAX_AGE_MS = 900_000;

/** Bucket settings whose change could hide or expire evidence: a deploy (or break-glass) only. */
export const BUCKET_GUARDED_ACTIONS = [
  's3:DeleteBucketPolicy',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketPolicy',
  's3:PutBucketVersioning',
  's3:PutLifecycleConfiguration',
];

export class EvidenceStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;
  /** Receives the evidence bucket's (and the CDN logs bucket's) server access logs. */
  readonly logsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceStoreProps) {
    super(scope, id);
    // S3 server access logs can only be delivered to a bucket encrypted with SSE-S3.
    this.logsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(props.accessLogExpiryDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.key = new kms.Key(this, 'Key', {
      description: `${Stack.of(this).stackName}: evidence bucket encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    protectKey(this.key, props.guardians);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(
        Duration.days(props.retentionDays),
      ),
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 'evidence/',
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyHidingEvidence',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    // A lifecycle rule could add delete markers, a new policy could drop the denial above. (The
    // account's root user can still replace a bucket policy: the SCPs in docs/security-review.md.)
    this.bucket.addToResourcePolicy(
      denyExcept(
        'OnlyDeploysChangeTheBucketRules',
        BUCKET_GUARDED_ACTIONS,
        [props.guardians.breakGlassRoleArn, props.guardians.deployRoleArn],
        [this.bucket.bucketArn],
      ),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PresignedUrlsExpire',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { NumericGreaterThan: { 's3:signatureAge': PRESIGNED_MAX_AGE_MS } },
      }),
    );
  }

  private objects(): string {
    return this.bucket.arnForObjects(`${EVIDENCE_PREFIX}*`);
  }

  private acknowledgeObjectWildcard(role: iam.IRole): void {
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${EVIDENCE_PREFIX}*]`,
      'Evidence objects are content-addressed (evidence/sha256/<hex>) and created by submitters at run time, so object ARNs cannot be listed in advance; the grant is limited to that prefix and to the stated object actions.',
    );
  }

  private keyStatement(sid: string, actions: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      actions,
      resources: [this.key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` },
      },
    });
  }

  /**
   * POST /v1/evidence: presigns an upload (the uploader's PUT is authorised as this role) after
   * a HeadObject with checksums, which on SSE-KMS objects needs kms:Decrypt.
   */
  grantUpload(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceUpload',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.objects()],
      }),
    );
    role.addToPrincipalPolicy(
      this.keyStatement('EvidenceKeyUpload', ['kms:Decrypt', 'kms:GenerateDataKey']),
    );
    this.acknowledgeObjectWildcard(role);
  }

  /** GET /v1/evidence/{sha256}: presigns a download. */
  grantDownload(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceDownload',
        actions: ['s3:GetObject'],
        resources: [this.objects()],
      }),
    );
    role.addToPrincipalPolicy(this.keyStatement('EvidenceKeyDownload', ['kms:Decrypt']));
    this.acknowledgeObjectWildcard(role);
  }
}
