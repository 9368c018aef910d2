/**
 * CloudFront standard logging v2 of the public view (issue 17): legacy logging cannot deliver to
 * buckets in opt-in regions, so a deployed ledger logs through a vended-log delivery whose source
 * lives in us-east-1 — a stack of its own, synthesized from the ledger stack's outputs — into the
 * ledger stack's CDN log bucket, which admits exactly that delivery.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { cdkJsonContext } from './support/synth.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const d of outdirs) rmSync(d, { recursive: true, force: true });
});

const LOGGING = { cdnLogsDistributionId: 'E2QWRUHAPOMQZL', cdnLogsBucket: 'cbmledger-prod-logs' };

function synthApp(context: Record<string, string>) {
  const outdir = mkdtempSync(join(tmpdir(), 'cbm-cdn-logs-'));
  outdirs.push(outdir);
  const built = createApp({
    outdir,
    context: { ...cdkJsonContext(), ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const assembly = built.app.synth();
  return { ...built, assembly };
}

describe('CloudFront standard logging v2', () => {
  it('is a us-east-1 stack delivering the distribution access logs to the ledger bucket', () => {
    const { cdnLogs, assembly } = synthApp({
      stage: 'prod',
      origin: 'cbm-ledger.example/mena',
      region: 'me-south-1',
      ...LOGGING,
    });
    expect(cdnLogs).toBeDefined();
    expect(cdnLogs!.region).toBe('us-east-1');
    expect(cdnLogs!.stackName).toBe('CbmLedger-prod-cdn-logs');
    const t = Template.fromJSON(
      assembly.getStackByName(cdnLogs!.stackName).template as Record<string, unknown>,
    );
    t.resourceCountIs('AWS::Logs::DeliverySource', 1);
    t.hasResourceProperties('AWS::Logs::DeliverySource', {
      LogType: 'ACCESS_LOGS',
      ResourceArn: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudfront::',
            { Ref: 'AWS::AccountId' },
            ':distribution/E2QWRUHAPOMQZL',
          ],
        ],
      },
    });
    t.hasResourceProperties('AWS::Logs::DeliveryDestination', {
      DestinationResourceArn: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::cbmledger-prod-logs']],
      },
      OutputFormat: 'json',
    });
    const [delivery] = Object.values(t.findResources('AWS::Logs::Delivery'));
    expect(delivery).toMatchObject({
      Properties: {
        DeliverySourceName: 'CbmLedger-prod-public-view',
        DeliveryDestinationArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      },
      DependsOn: [expect.any(String)],
    });
    const report = JSON.parse(
      readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as { pluginReports: { violations: { severity: string }[] }[] };
    expect(
      report.pluginReports.flatMap((p) => p.violations).filter((v) => v.severity === 'error'),
    ).toEqual([]);
  });

  it('lets only a delivery source of the account write, under the deliveries prefix', () => {
    const { stack, assembly } = synthApp({ stage: 'prod', origin: 'cbm-ledger.example/mena' });
    const t = Template.fromJSON(
      assembly.getStackByName(stack.stackName).template as Record<string, unknown>,
    );
    const policies = Object.values(t.findResources('AWS::S3::BucketPolicy'));
    const statements = policies.flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } })
          .Properties.PolicyDocument.Statement,
    );
    const grant = statements.filter((s) => s['Sid'] === 'CloudFrontLoggingV2Delivery');
    expect(grant).toHaveLength(1);
    expect(grant[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: {
        StringEquals: {
          'aws:SourceAccount': { Ref: 'AWS::AccountId' },
          's3:x-amz-acl': 'bucket-owner-full-control',
        },
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':logs:us-east-1:',
                { Ref: 'AWS::AccountId' },
                ':delivery-source:*',
              ],
            ],
          },
        },
      },
    });
    expect(JSON.stringify(grant[0]!['Resource'])).toContain('/AWSLogs/');
    // The outputs the cdn-logs stack is deployed from.
    t.hasOutput('PublicDistributionId', {});
    t.hasOutput('PublicLogsBucketName', {});
  });

  it('is not part of the app until a deployed public view is named', () => {
    const { cdnLogs, assembly } = synthApp({ stage: 'dev' });
    expect(cdnLogs).toBeUndefined();
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['CbmLedger-dev']);
  });
});
