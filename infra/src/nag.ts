/**
 * cdk-nag (v3) findings are acknowledged through CDK's own `Validations.of(x).acknowledge()`,
 * always on the narrowest construct and finding (e.g. `AwsSolutions-IAM5[Resource::*]`), and
 * always with the reason the finding does not apply or is accepted.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const MIN_REASON_LENGTH = 40;

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`acknowledging ${id} at ${scope.node.path} needs a specific reason`);
  }
  Validations.of(scope).acknowledge({ id, reason });
}
