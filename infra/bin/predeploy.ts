#!/usr/bin/env node
/**
 * `npm run predeploy -- -c stage=prod ...`: the checks of src/predeploy.ts against the account
 * and region the AWS CLI is configured for (read-only calls). Exit code 1 when one fails.
 */
import { execFileSync } from 'node:child_process';
import { ConfigError, readStageConfig } from '../src/config.js';
import { checkPredeploy } from '../src/predeploy.js';

function aws(args: string[]): unknown {
  const out = execFileSync('aws', [...args, '--output', 'json'], { encoding: 'utf8' });
  return JSON.parse(out) as unknown;
}

function context(argv: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const pair = arg === '-c' || arg === '--context' ? argv[++i] : undefined;
    if (pair === undefined) continue;
    const eq = pair.indexOf('=');
    if (eq > 0) values.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return values;
}

try {
  const values = context(process.argv.slice(2));
  const config = readStageConfig((key) => values.get(key));
  const lambda = aws(['lambda', 'get-account-settings']) as {
    AccountLimit?: { ConcurrentExecutions?: number };
  };
  const backup = aws(['backup', 'describe-region-settings']) as {
    ResourceTypeManagementPreference?: Record<string, boolean>;
  };
  const findings = checkPredeploy(config, {
    concurrencyQuota: lambda.AccountLimit?.ConcurrentExecutions ?? 0,
    backupAdvancedDynamoDb: backup.ResourceTypeManagementPreference?.['DynamoDB'],
  });
  for (const f of findings) console.log(`${f.ok ? 'ok  ' : 'FAIL'} ${f.message}`);
  process.exitCode = findings.every((f) => f.ok) ? 0 : 1;
} catch (e) {
  console.error(e instanceof ConfigError ? `FAIL ${e.message}` : `predeploy: ${String(e)}`);
  process.exitCode = 1;
}
