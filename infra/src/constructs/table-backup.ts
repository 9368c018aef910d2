/**
 * AWS Backup of the ledger table, into a vault under Vault Lock: PITR alone lives and dies with
 * the table's KMS key and the account, and a locked vault's recovery points cannot be deleted
 * before their retention ends, by anyone, the root user included (in compliance mode, once the
 * grace time has passed). Optionally each recovery point is copied to a vault in another
 * account, which an administrator of this one cannot touch at all.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { protectKey } from '../guard.js';
import type { Guardians } from '../guard.js';

/** Days during which a compliance-mode vault lock can still be removed; after them it is immutable. */
export const VAULT_LOCK_GRACE_DAYS = 3;

export interface TableBackupProps {
  readonly table: dynamodb.TableV2;
  readonly retentionDays: number;
  /** Compliance mode (immutable after the grace days) in prod; governance mode otherwise. */
  readonly compliance: boolean;
  readonly copyVaultArn?: string;
  readonly guardians: Guardians;
}

export class TableBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: TableBackupProps) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: `${Stack.of(this).stackName}: backup vault encryption`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    protectKey(key, props.guardians);
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: {
        minRetention: Duration.days(props.retentionDays),
        ...(props.compliance ? { changeableFor: Duration.days(VAULT_LOCK_GRACE_DAYS) } : {}),
      },
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '3' }),
          deleteAfter: Duration.days(props.retentionDays),
          ...(props.copyVaultArn === undefined
            ? {}
            : {
                copyActions: [
                  {
                    destinationBackupVault: backup.BackupVault.fromBackupVaultArn(
                      this,
                      'CopyVault',
                      props.copyVaultArn,
                    ),
                    deleteAfter: Duration.days(props.retentionDays),
                  },
                ],
              }),
        }),
      ],
    });
    this.plan.addSelection('Table', {
      resources: [backup.BackupResource.fromArn(props.table.tableArn)],
    });
  }
}
