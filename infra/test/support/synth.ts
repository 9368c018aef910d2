/**
 * Synthesises the app once per (stage, context) per test process, into a temporary cloud
 * assembly, with the same context as `cdk synth` (cdk.json), and gives tests its templates.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../src/app.js';
import type { LedgerStack } from '../../src/stack.js';
import { REPO_ROOT } from '../../src/paths.js';

export interface Synthesized {
  readonly stack: LedgerStack;
  readonly assembly: CloudAssembly;
  readonly template: Template;
  /** The raw template JSON. */
  readonly json: {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  readonly templatePath: string;
}

/** The context cdk.json gives `cdk synth`. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

const cache = new Map<string, Synthesized>();

/** Deletes every assembly this process synthesised (call from afterAll). */
export function removeSynthOutputs(): void {
  for (const s of cache.values()) rmSync(s.assembly.directory, { recursive: true, force: true });
  cache.clear();
}

export interface SynthOptions {
  /**
   * Bundle the Lambda code (default). Tests of the template alone skip it (CDK's
   * `aws:cdk:bundling-stacks` = none): the template is the same, the asset hashes aside.
   */
  readonly bundle?: boolean;
}

export function synth(
  context: Record<string, string> = {},
  options: SynthOptions = {},
): Synthesized {
  const bundle = options.bundle ?? true;
  const key = JSON.stringify([Object.entries(context).sort(), bundle]);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const outdir = mkdtempSync(join(tmpdir(), 'cbm-infra-'));
  const { app, stack } = createApp({
    outdir,
    context: {
      ...cdkJsonContext(),
      ...context,
      ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const json = artifact.template as Synthesized['json'];
  const result: Synthesized = {
    stack,
    assembly,
    template: Template.fromJSON(json),
    json,
    templatePath: artifact.templateFullPath,
  };
  cache.set(key, result);
  return result;
}
