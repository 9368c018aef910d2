/**
 * Sequencing and integration: the only function that writes leaves, tree tiles, the head and
 * checkpoints, and the only one that reads the log key. Reserved concurrency 1 (integration is
 * safe under concurrency, DESIGN.md §6, but one signer at a time keeps conflicts and cost down),
 * run every minute by EventBridge and, when `wakeIntegrator` is set, invoked asynchronously by
 * admission so a `Prefer: wait` submission is integrated within seconds.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { LedgerFunction } from './ledger-function.js';
import type { LedgerStore } from './ledger-store.js';
import type { LogKeys } from './log-keys.js';

export interface IntegratorProps {
  readonly function: LedgerFunction;
  readonly store: LedgerStore;
  readonly keys: LogKeys;
}

export class Integrator extends Construct {
  readonly function: LedgerFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: IntegratorProps) {
    super(scope, id);
    this.function = props.function;
    props.store.grantIntegration(this.function.role);
    props.keys.grantSign(this.function.role);

    // A missed or throttled run is never worth retrying: the next tick integrates everything.
    this.function.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.minutes(2),
    });
    this.schedule = new events.Rule(this, 'EveryMinute', {
      description: 'Integrate pending statements and sign a checkpoint',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(this.function.function, {
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });
  }

  /** Lets admission wake the integrator (InvokeFunction on this function only). */
  grantWake(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WakeIntegrator',
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.function.functionArn],
      }),
    );
  }
}
