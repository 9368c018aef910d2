import { describe, expect, it } from 'vitest';
import { readStageConfig } from '../src/config.js';
import { checkPredeploy } from '../src/predeploy.js';

const dev = readStageConfig(() => undefined);
const prod = readStageConfig((k) => ({ stage: 'prod', origin: 'x.example/y' })[k]);

describe('predeploy checks', () => {
  it.each([
    ['a new account (quota 10)', dev, 10, false],
    ['dev at exactly its need (18 + 100)', dev, 118, true],
    ['dev one short', dev, 117, false],
    ['prod in an account at the default 1000', prod, 1000, true],
    ['prod in an account raised to only 200', prod, 200, false],
  ])('%s', (_, config, quota, ok) => {
    const [concurrency] = checkPredeploy(config, {
      concurrencyQuota: quota,
      backupAdvancedDynamoDb: true,
    });
    expect(concurrency?.ok).toBe(ok);
    if (!ok) expect(concurrency?.message).toMatch(/Service Quotas/);
  });

  it('fails while advanced DynamoDB backup is off, naming the command that turns it on', () => {
    for (const flag of [false, undefined]) {
      const [, backup] = checkPredeploy(dev, {
        concurrencyQuota: 1000,
        backupAdvancedDynamoDb: flag,
      });
      expect(backup?.ok).toBe(false);
      expect(backup?.message).toContain('aws backup update-region-settings');
    }
    expect(
      checkPredeploy(dev, { concurrencyQuota: 1000, backupAdvancedDynamoDb: true })[1]?.ok,
    ).toBe(true);
  });
});
