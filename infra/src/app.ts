/**
 * Builds the CDK app: the ledger's stack, for the stage named by context (`-c stage=prod`), and,
 * when `-c cdnLogsDistributionId` and `-c cdnLogsBucket` name a deployed public view, the
 * us-east-1 stack of its CloudFront logging v2 (cdn-logs-stack.ts). Every stack is checked by
 * cdk-nag's AwsSolutions pack as part of synthesis (an unacknowledged error fails the synth).
 */
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CdnLogsStack } from './cdn-logs-stack.js';
import { readStageConfig } from './config.js';
import { LedgerStack } from './stack.js';

export interface LedgerApp {
  readonly app: App;
  readonly stack: LedgerStack;
  readonly cdnLogs: CdnLogsStack | undefined;
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
  const cdnLogs =
    config.cdnLogs === undefined
      ? undefined
      : new CdnLogsStack(app, `${config.stackName}-cdn-logs`, {
          ledgerStackName: config.stackName,
          cdnLogs: config.cdnLogs,
        });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack, cdnLogs };
}
