import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { MIN_REASON_LENGTH } from '../src/nag.js';
import { removeSynthOutputs, synth } from './support/synth.js';
import type { Synthesized } from './support/synth.js';

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}
interface Report {
  pluginReports: { pluginName: string; conclusion: string; violations: Violation[] }[];
}

function report(s: Synthesized): Report {
  return JSON.parse(
    readFileSync(join(s.assembly.directory, 'validation-report.json'), 'utf8'),
  ) as Report;
}

/** Every acknowledgement in the stack: rule id → [construct path, reason]. */
function acknowledgements(s: Synthesized): { id: string; path: string; reason: string }[] {
  const out: { id: string; path: string; reason: string }[] = [];
  for (const c of s.stack.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
        // CDK records each acknowledgement under the rule id and as an annotation id too.
        const id = key.replace(/^Annotation::/, '');
        if (!out.some((a) => a.id === id && a.path === c.node.path))
          out.push({ id, path: c.node.path, reason });
      }
    }
  }
  return out;
}

// Every finding the stack acknowledges, reviewed: adding one must change this list.
/** A synthesis bundles every function with esbuild: seconds, more on a loaded machine. */
const SYNTH_TIMEOUT = 180_000;

afterAll(removeSynthOutputs);

const REVIEWED = [
  'AwsSolutions-APIG4',
  'AwsSolutions-CFR1',
  'AwsSolutions-CFR2',
  // Only where CloudFront cannot deliver legacy logs (opt-in regions; regions.test.ts).
  'AwsSolutions-CFR3',
  'AwsSolutions-CFR4',
  'AwsSolutions-COG4',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
  'AwsSolutions-IAM5[Resource::*]',
  'AwsSolutions-IAM5[Resource::<EvidenceStoreBucketF7309736.Arn>/evidence/sha256/*]',
  'AwsSolutions-S1',
  'AwsSolutions-SMG4',
];

const variants: [string, Record<string, string>][] = [
  ['dev', { stage: 'dev' }],
  ['prod', { stage: 'prod', origin: 'cbm-ledger.example/mena', alarmEmail: 'ops@example.org' }],
  [
    'prod with imported keys',
    {
      stage: 'prod',
      origin: 'cbm-ledger.example/mena',
      logKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cbm/log-AbCdEf',
      operatorKeySecretArn:
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cbm/operator-AbCdEf',
      importedKeysKmsKeyArn:
        'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
    },
  ],
  ['dev waking the integrator', { stage: 'dev', wakeIntegrator: 'true' }],
  [
    'prod in an opt-in region',
    { stage: 'prod', origin: 'cbm-ledger.example/mena', region: 'me-south-1' },
  ],
];

describe('cdk-nag AwsSolutions', () => {
  it.each(variants)(
    '%s: synth passes with no unacknowledged error',
    (_, context) => {
      // synth() throws when a validation plugin reports an error.
      const s = synth(context);
      const nag = report(s).pluginReports.filter((p) => p.pluginName === 'AwsSolutions');
      const errors = nag.flatMap((p) => p.violations.filter((v) => v.severity === 'error'));
      expect(
        errors.map(
          (v) => `${v.ruleName} ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
        ),
      ).toEqual([]);
      const warnings = nag.flatMap((p) => p.violations.filter((v) => v.severity !== 'error'));
      if (warnings.length > 0)
        console.log(
          `cdk-nag warnings (${_}):`,
          warnings.map((w) => w.ruleName),
        );
    },
    SYNTH_TIMEOUT,
  );

  it.each(variants)(
    '%s: every acknowledgement is reviewed and says why',
    (_, context) => {
      const acks = acknowledgements(synth(context));
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(REVIEWED, `${ack.id} at ${ack.path}`).toContain(ack.id);
        expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(
          MIN_REASON_LENGTH,
        );
        expect(ack.reason).not.toMatch(/^(todo|n\/a|none|ok|suppressed)\b/i);
      }
    },
    SYNTH_TIMEOUT,
  );

  it('is live: an unencrypted, unlogged bucket fails the synth', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cbm-nag-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Bucket');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
    rmSync(outdir, { recursive: true, force: true });
  });
});
