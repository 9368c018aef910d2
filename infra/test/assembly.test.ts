/**
 * The synthesised cloud assembly as `cdk synth` writes it: cfn-lint over the templates, and the
 * Lambda bundles (size limit, and that they load and answer on Node.js).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths.js';
import { removeSynthOutputs, synth } from './support/synth.js';
import type { Synthesized } from './support/synth.js';
import { logicalId } from './support/template.js';

/** A synthesis bundles every function with esbuild: seconds, more on a loaded machine. */
const SYNTH_TIMEOUT = 180_000;

afterAll(removeSynthOutputs);

/** DESIGN.md §10: each Lambda bundle ≤ 300 KB. */
const MAX_BUNDLE_BYTES = 300_000;

const stages: [string, Synthesized][] = [
  ['dev', synth({ stage: 'dev' })],
  [
    'prod',
    synth({ stage: 'prod', origin: 'cbm-ledger.example/mena', alarmEmail: 'ops@example.org' }),
  ],
];

function onPath(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('cfn-lint', () => {
  const available = onPath('cfn-lint');
  it.each(stages)(
    '%s template has no errors',
    (_, s) => {
      if (!available) {
        console.warn('cfn-lint is not on PATH: template lint not run');
        return;
      }
      const run = spawnSync('cfn-lint', ['--format', 'json', s.templatePath], { encoding: 'utf8' });
      const findings = JSON.parse(run.stdout || '[]') as {
        Level: string;
        Rule: { Id: string };
        Message: string;
      }[];
      const errors = findings.filter((f) => f.Level === 'Error');
      console.log(
        `cfn-lint ${_}: ${errors.length} errors, ${findings.length - errors.length} warnings/informational (${[...new Set(findings.map((f) => f.Rule.Id))].join(', ') || 'none'})`,
      );
      expect(errors.map((f) => `${f.Rule.Id}: ${f.Message}`)).toEqual([]);
    },
    120_000,
  );
});

interface Bundle {
  readonly fn: string;
  readonly dir: string;
  readonly jsBytes: number;
  readonly mapBytes: number;
  readonly totalBytes: number;
  readonly deflatedBytes: number;
}

function bundles(s: Synthesized): Bundle[] {
  const fns: [string, string][] = [
    ...Object.entries(s.stack.functions).map(
      ([name, f]) => [name, logicalId(s, f.function)] as [string, string],
    ),
    ['provisioner', logicalId(s, s.stack.keys.provisioner.function)],
  ];
  return fns.map(([fn, id]) => {
    const code = s.json.Resources[id]?.Properties?.['Code'] as { S3Key: string };
    const dir = join(s.assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    let jsBytes = 0;
    let mapBytes = 0;
    let deflatedBytes = 0;
    for (const file of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, file));
      if (file.endsWith('.map')) mapBytes += bytes.length;
      else jsBytes += bytes.length;
      // A zip entry: its deflated data plus ~100 bytes of local and central headers.
      deflatedBytes += deflateRawSync(bytes, { level: 9 }).length + 100 + 2 * file.length;
    }
    return { fn, dir, jsBytes, mapBytes, totalBytes: jsBytes + mapBytes, deflatedBytes };
  }, SYNTH_TIMEOUT);
}

const kb = (n: number): string => `${(n / 1000).toFixed(1)} KB`;

describe('Lambda bundles', () => {
  const all = bundles(stages[0]![1]);

  it('are each at most 300 KB of code, and at most 300 KB as a deployment package', () => {
    console.log(
      [
        'function      code      source map  package (zip, est.)',
        ...all.map(
          (b) =>
            `${b.fn.padEnd(13)} ${kb(b.jsBytes).padStart(9)} ${kb(b.mapBytes).padStart(11)} ${kb(b.deflatedBytes).padStart(10)}`,
        ),
      ].join('\n'),
    );
    for (const b of all) {
      expect(b.jsBytes, b.fn).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      expect(b.deflatedBytes, b.fn).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      expect(readdirSync(b.dir).sort(), b.fn).toEqual(['index.mjs', 'index.mjs.map']);
      expect(statSync(join(b.dir, 'index.mjs')).size).toBeGreaterThan(0);
    }
  });

  it('leave the AWS SDK to the runtime and load as ES modules on Node.js', () => {
    for (const b of all) {
      const code = readFileSync(join(b.dir, 'index.mjs'), 'utf8');
      // Imported from the runtime, not bundled (a bundled SDK client would also blow the size limit).
      if (b.fn === 'provisioner') expect(code).toMatch(/from\s*"@aws-sdk\/client-secrets-manager"/);
      // The router answers 404/405 from its route table alone: no SDK client at all.
      else if (b.fn === 'router') expect(code).not.toMatch(/@aws-sdk\//);
      else expect(code, b.fn).toMatch(/from\s*"@aws-sdk\/client-dynamodb"/);
    }
    // Load the router and the integrator from a directory whose node_modules is the
    // repository's (as the Lambda runtime provides @aws-sdk/*), and call the router.
    const dir = mkdtempSync(join(tmpdir(), 'cbm-bundle-'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const router = all.find((b) => b.fn === 'router')!;
    const integrator = all.find((b) => b.fn === 'integrator')!;
    copyFileSync(join(router.dir, 'index.mjs'), join(dir, 'router.mjs'));
    copyFileSync(join(integrator.dir, 'index.mjs'), join(dir, 'integrator.mjs'));
    const script = `
      const router = await import('./router.mjs');
      const integrator = await import('./integrator.mjs');
      if (typeof integrator.handler !== 'function') throw new Error('integrator exports no handler');
      const event = (method, path) => ({ httpMethod: method, path, headers: {}, multiValueHeaders: {},
        queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null,
        requestContext: { requestId: 'r' }, body: null, isBase64Encoded: false });
      const context = { awsRequestId: 'r', functionName: 'router', getRemainingTimeInMillis: () => 3000 };
      const res = await router.handler(event('GET', '/v1/nothing-here'), context);
      console.log(JSON.stringify({ status: res.statusCode, body: JSON.parse(res.body) }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    rmSync(dir, { recursive: true, force: true });
    const last = out.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', status: 404 },
    });
  });
});
