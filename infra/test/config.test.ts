import { describe, expect, it } from 'vitest';
import { ConfigError, readStageConfig, totalReserved } from '../src/config.js';

const ctx =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

describe('stage configuration from CDK context', () => {
  it('defaults to dev with a placeholder origin it reports as implicit', () => {
    const c = readStageConfig(ctx({}));
    expect(c.stage).toBe('dev');
    expect(c.stackName).toBe('CbmLedger-dev');
    expect(c.origin).toBe('cbm-ledger.example/dev');
    expect(c.originExplicit).toBe(false);
    expect(c.operatorParty).toBe('operator:cbm-ledger');
    expect(c.terminationProtection).toBe(false);
    expect(c.alarmActions).toBe(false);
  });

  it('makes prod stricter: retention, recovery window, alarm actions, termination protection', () => {
    const dev = readStageConfig(ctx({ stage: 'dev' }));
    const prod = readStageConfig(ctx({ stage: 'prod', origin: 'ledger.example.org/mena' }));
    expect(prod.evidenceRetentionDays).toBeGreaterThan(dev.evidenceRetentionDays);
    expect(prod.pitrDays).toBe(35);
    expect(prod.logRetentionDays).toBeGreaterThan(dev.logRetentionDays);
    expect(prod.alarmActions).toBe(true);
    expect(prod.terminationProtection).toBe(true);
    expect(prod.origin).toBe('ledger.example.org/mena');
    expect(prod.originExplicit).toBe(true);
  });

  it('parses numbers and booleans given as strings on the command line', () => {
    const c = readStageConfig(
      ctx({
        evidenceRetentionDays: '30',
        wakeIntegrator: 'true',
        logKeyGeneration: '2',
        wafRateLimit: 500,
      }),
    );
    expect(c.evidenceRetentionDays).toBe(30);
    expect(c.wakeIntegrator).toBe(true);
    expect(c.logKeyGeneration).toBe(2);
    expect(c.wafRateLimitPer5Min).toBe(500);
    expect(
      readStageConfig(ctx({ witnessQuorum: '2', publicBaseUrl: 'https://ledger.example.org' })),
    ).toMatchObject({
      witnessQuorum: 2,
      publicBaseUrl: 'https://ledger.example.org',
    });
    expect(readStageConfig(ctx({}))).toMatchObject({
      evidenceQuotaCount: 200,
      evidenceQuotaBytes: 2_147_483_648,
      recoveryDelayDays: 14,
      maxSigningDays: 14,
      maxMergeDelaySeconds: 86_400,
    });
    expect(
      readStageConfig(
        ctx({
          evidenceQuotaCount: '20',
          evidenceQuotaBytes: '1048576',
          recoveryDelayDays: '30',
          maxSigningDays: '21',
          maxMergeDelaySeconds: '3600',
        }),
      ),
    ).toMatchObject({
      evidenceQuotaCount: 20,
      evidenceQuotaBytes: 1_048_576,
      recoveryDelayDays: 30,
      maxSigningDays: 21,
      maxMergeDelaySeconds: 3600,
    });
  });

  const bad: [string, Record<string, unknown>][] = [
    ['an unknown stage', { stage: 'staging' }],
    ['an origin with a space', { origin: 'my ledger' }],
    ['an origin with a plus', { origin: 'a+b' }],
    ['a non-operator party', { operatorParty: 'state:JOR' }],
    ['a retention of zero days', { evidenceRetentionDays: '0' }],
    ['a fractional retention', { evidenceRetentionDays: '1.5' }],
    ['a recovery window beyond 35 days', { pitrDays: '36' }],
    ['a boolean that is not true/false', { wakeIntegrator: 'yes' }],
    ['a malformed secret ARN', { logKeySecretArn: 'log-key', operatorKeySecretArn: 'op-key' }],
    [
      'only one imported key',
      { logKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:log-AbCdEf' },
    ],
    [
      'a regional web ACL for CloudFront',
      {
        publicWebAclArn:
          'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/00000000-0000-0000-0000-000000000000',
      },
    ],
    ['an e-mail address without a domain', { alarmEmail: 'ops' }],
    ['a plain-http public base URL', { publicBaseUrl: 'http://ledger.example.org' }],
    ['a negative witness quorum', { witnessQuorum: '-1' }],
    ['an object', { origin: { a: 1 } }],
    [
      'a break-glass principal that is not a role',
      { breakGlassRoleArn: 'arn:aws:iam::123456789012:user/admin' },
    ],
    ['a deploy role without an account', { deployRoleArn: 'arn:aws:iam:::role/deploy' }],
    ['a zero reservation for submit', { submitConcurrency: '0' }],
    ['a fractional reservation', { readConcurrency: '2.5' }],
    ['a copy vault that is not a backup vault', { backupCopyVaultArn: 'arn:aws:s3:::bucket' }],
    ['a backup retention below a week', { backupRetentionDays: '6' }],
    ['a region that is not a region name', { region: 'Bahrain' }],
    ['a zero submit throttle', { submitThrottleRateLimit: '0' }],
    ['a zero evidence quota', { evidenceQuotaCount: '0' }],
    ['a fractional evidence byte quota', { evidenceQuotaBytes: '10.5' }],
    ['a recovery window beyond a year', { recoveryDelayDays: '366' }],
    ['a zero merge delay', { maxMergeDelaySeconds: '0' }],
    ['a CDN log distribution without its bucket', { cdnLogsDistributionId: 'E2QWRUHAPOMQZL' }],
    ['a CDN log bucket without its distribution', { cdnLogsBucket: 'cbmledger-prod-logs' }],
    [
      'a CDN log distribution id that is an ARN',
      {
        cdnLogsDistributionId: 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL',
        cdnLogsBucket: 'cbmledger-prod-logs',
      },
    ],
    [
      'a CDN log bucket given as a URL',
      { cdnLogsDistributionId: 'E2QWRUHAPOMQZL', cdnLogsBucket: 's3://cbmledger-prod-logs' },
    ],
    ['a zero signing window', { maxSigningDays: '0' }],
    ['a signing window beyond a year', { maxSigningDays: '366' }],
  ];
  it.each(bad)('rejects %s', (_, values) => {
    expect(() => readStageConfig(ctx(values))).toThrow(ConfigError);
  });

  it('refuses reservations the account quota cannot hold, naming the fix', () => {
    // New accounts have a quota of 10: even the integrator's 1 would fail at deploy.
    expect(() => readStageConfig(ctx({ accountConcurrency: '10' }))).toThrow(
      /reserve 18 concurrent executions, but an account with a Lambda concurrency quota of 10 can reserve at most 0 .*quota increase/,
    );
    // dev reserves 5 + 5 + 2 + 5 + 1 = 18: fits in 118, not in 117.
    expect(readStageConfig(ctx({ accountConcurrency: '118' })).accountConcurrency).toBe(118);
    expect(() => readStageConfig(ctx({ accountConcurrency: '117' }))).toThrow(ConfigError);
    const prod = readStageConfig(ctx({ stage: 'prod', origin: 'x.example/y' }));
    expect(totalReserved(prod)).toBe(50 + 50 + 10 + 50 + 1);
    expect(prod.reservedConcurrency).toEqual({ submit: 50, read: 50, cosign: 10, public: 50 });
  });

  it('accepts imported key secrets given together', () => {
    const c = readStageConfig(
      ctx({
        logKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cbm/log-AbCdEf',
        operatorKeySecretArn:
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cbm/operator-AbCdEf',
      }),
    );
    expect(c.logKeySecretArn).toContain(':secret:cbm/log');
    expect(c.operatorKeySecretArn).toContain(':secret:cbm/operator');
  });
});
