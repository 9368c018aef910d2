/**
 * Checks before a first deploy that CloudFormation would otherwise fail on late, or that would
 * leave a protection silently off. Pure: the facts are gathered by bin/predeploy.ts (AWS CLI).
 */
import { UNRESERVED_MINIMUM, totalReserved } from './config.js';
import type { StageConfig } from './config.js';

export interface AccountFacts {
  /** Lambda GetAccountSettings: AccountLimit.ConcurrentExecutions. */
  readonly concurrencyQuota: number;
  /** AWS Backup DescribeRegionSettings: ResourceTypeManagementPreference.DynamoDB. */
  readonly backupAdvancedDynamoDb: boolean | undefined;
}

export interface Finding {
  readonly ok: boolean;
  readonly message: string;
}

export function checkPredeploy(config: StageConfig, facts: AccountFacts): Finding[] {
  const reserved = totalReserved(config);
  const room = facts.concurrencyQuota - UNRESERVED_MINIMUM;
  const findings: Finding[] = [
    reserved <= room
      ? {
          ok: true,
          message: `Lambda concurrency: the stack reserves ${reserved} of the account's ${facts.concurrencyQuota} (${UNRESERVED_MINIMUM} stay unreserved)`,
        }
      : {
          ok: false,
          message: `Lambda concurrency: the stack reserves ${reserved} concurrent executions but this account's quota is ${facts.concurrencyQuota}, of which Lambda keeps ${UNRESERVED_MINIMUM} unreserved (new accounts start at 10, where even the integrator's 1 fails). Request "Concurrent executions" of at least ${reserved + UNRESERVED_MINIMUM} in Service Quotas, or lower -c submitConcurrency/readConcurrency/cosignConcurrency/publicConcurrency.`,
        },
  ];
  findings.push(
    facts.backupAdvancedDynamoDb === true
      ? { ok: true, message: 'AWS Backup: advanced DynamoDB backup is on (the vault lock applies)' }
      : {
          ok: false,
          message:
            'AWS Backup: advanced DynamoDB backup is off in this region, so table backups are DynamoDB backups outside the locked vault. Turn it on: aws backup update-region-settings --resource-type-opt-in-preference DynamoDB=true --resource-type-management-preference DynamoDB=true',
        },
  );
  return findings;
}
