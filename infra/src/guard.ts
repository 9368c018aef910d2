/**
 * Who may change what protects the ledger's data. Two principals are named by every resource
 * policy of the stack:
 *
 * - the break-glass role (`-c breakGlassRoleArn=...`, default `<stack>-break-glass` in the
 *   account): the only principal that may disable or delete a data key, delete a secret, or move
 *   a key file's version stages. It should not exist until an emergency, and an organisation's
 *   SCP should let only a two-person procedure create or assume it (docs/security-review.md);
 * - the deployment role (`-c deployRoleArn=...`, default CDK's bootstrap CloudFormation execution
 *   role): it may replace the policies themselves, so that a reviewed deploy can still change
 *   them; SCPs decide who may deploy.
 *
 * Conditions name principals by `aws:PrincipalArn`, which needs no principal to exist.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

export interface Guardians {
  readonly breakGlassRoleArn: string;
  readonly deployRoleArn: string;
}

export function defaultBreakGlassRoleArn(stackName: string): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${stackName}-break-glass`;
}

/** The CDK bootstrap (qualifier hnb659fds) CloudFormation execution role of the account and region. */
export function defaultDeployRoleArn(): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-hnb659fds-cfn-exec-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/** Denies `actions` on `resources` to every principal but `allowed`. */
export function denyExcept(
  sid: string,
  actions: string[],
  allowed: readonly string[],
  resources: string[] = ['*'],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources,
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...allowed] } },
  });
}

/** Key actions that make every ciphertext under the key unreadable (the table, its PITR, locked evidence). */
export const KEY_DESTRUCTION_ACTIONS = [
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:DeleteImportedKeyMaterial',
];

/**
 * A data key nobody can destroy alone: disabling or scheduling its deletion needs the
 * break-glass role, and its key policy changes only by a deploy (or break-glass).
 */
export function protectKey(key: kms.Key, guardians: Guardians): void {
  key.addToResourcePolicy(
    denyExcept('OnlyBreakGlassDestroysTheKey', KEY_DESTRUCTION_ACTIONS, [
      guardians.breakGlassRoleArn,
    ]),
  );
  key.addToResourcePolicy(
    denyExcept(
      'OnlyDeploysChangeTheKeyPolicy',
      ['kms:PutKeyPolicy'],
      [guardians.breakGlassRoleArn, guardians.deployRoleArn],
    ),
  );
}
