/**
 * A first deploy in the AWS regions nearest the ledger's users (issue 17): the stack synthesizes
 * for each, with cdk-nag clean, and makes the region's own choices there. CloudFront's legacy
 * standard logging cannot deliver to buckets in opt-in regions, so it is off in those, and a
 * region-agnostic template decides at deploy time by a condition on AWS::Region.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_LEGACY_CDN_LOGGING_REGIONS } from '../src/constructs/public-view.js';
import { removeSynthOutputs, synth } from './support/synth.js';
import type { Synthesized } from './support/synth.js';
import { resourcesOfType } from './support/template.js';

const SYNTH_TIMEOUT = 180_000;
afterAll(removeSynthOutputs);

const REGIONS: [string, boolean][] = [
  ['me-south-1', false],
  ['me-central-1', false],
  ['il-central-1', false],
  ['eu-central-1', true],
];

function nagErrors(s: Synthesized): string[] {
  const report = JSON.parse(
    readFileSync(join(s.assembly.directory, 'validation-report.json'), 'utf8'),
  ) as { pluginReports: { violations: { ruleName: string; severity: string }[] }[] };
  return report.pluginReports
    .flatMap((p) => p.violations)
    .filter((v) => v.severity === 'error')
    .map((v) => v.ruleName);
}

function distributionConfig(s: Synthesized): Record<string, unknown> {
  const [[, dist]] = resourcesOfType(s, 'AWS::CloudFront::Distribution') as unknown as [
    [string, { Properties: { DistributionConfig: Record<string, unknown> } }],
  ];
  return dist.Properties.DistributionConfig;
}

describe('regional synth', () => {
  it.each(REGIONS)(
    '%s: synthesizes for the region, cdk-nag clean (CloudFront legacy logging: %s)',
    (region, legacyLogging) => {
      const s = synth(
        { stage: 'prod', origin: 'cbm-ledger.example/mena', region },
        { bundle: false },
      );
      expect(s.stack.region).toBe(region);
      expect(nagErrors(s)).toEqual([]);
      expect(NO_LEGACY_CDN_LOGGING_REGIONS.includes(region)).toBe(!legacyLogging);
      const logging = distributionConfig(s)['Logging'];
      if (legacyLogging) expect(logging).toMatchObject({ Prefix: 'cloudfront/' });
      else expect(logging).toBeUndefined();
      // Region-bound strings are the region's own.
      expect(JSON.stringify(s.json)).toContain(`dynamodb.${region}.amazonaws.com`);
      expect(JSON.stringify(s.json)).not.toContain('AWS::NoValue');
    },
    SYNTH_TIMEOUT,
  );

  it(
    'region-agnostic: the template turns legacy logging off in those regions at deploy time',
    () => {
      const s = synth({ stage: 'dev' }, { bundle: false });
      const conditions = (s.json as unknown as { Conditions: Record<string, unknown> }).Conditions;
      const [name, condition] = Object.entries(conditions).find(([k]) =>
        k.startsWith('PublicViewLegacyLoggingSupported'),
      ) ?? ['', undefined];
      for (const region of NO_LEGACY_CDN_LOGGING_REGIONS)
        expect(JSON.stringify(condition)).toContain(`"${region}"`);
      expect(distributionConfig(s)['Logging']).toEqual({
        'Fn::If': [
          name,
          expect.objectContaining({ Prefix: 'cloudfront/' }),
          { Ref: 'AWS::NoValue' },
        ],
      });
    },
    SYNTH_TIMEOUT,
  );
});
