/**
 * Builds the CDK app: one stack, for the stage named by context (`-c stage=prod`), checked by
 * cdk-nag's AwsSolutions pack as part of synthesis (an unacknowledged error fails the synth).
 */
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStageConfig } from './config.js';
import { LedgerStack } from './stack.js';

export interface LedgerApp {
  readonly app: App;
  readonly stack: LedgerStack;
}

export interface CreateAppOptions extends AppProps {
  /** Directory of the Lambda entries; default functions/src/lambda. */
  readonly lambdaDir?: string;
}

export function createApp(options: CreateAppOptions = {}): LedgerApp {
  const { lambdaDir, ...appProps } = options;
  const app = new App({ analyticsReporting: false, ...appProps });
  const config = readStageConfig((key) => app.node.tryGetContext(key));
  const stack = new LedgerStack(app, config.stackName, {
    config,
    ...(config.region === undefined ? {} : { env: { region: config.region } }),
    ...(lambdaDir === undefined ? {} : { lambdaDir }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
