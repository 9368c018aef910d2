/**
 * Small `cbm` defects of issue 11 §5, each against a real ledger: compliance through the public
 * view (with and without --offline), the witness waiting out an unreachable ledger, keygen's
 * witness output pasted into party.register, and --server with or without /v1.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATEMENT_TYPES, exampleBody } from '@cbm-ledger/protocol';
import { witnessDelay } from '../src/commands/witness.js';
import { cliVersion, normalizeServer, run as runCbm } from '../src/main.js';
import { closest } from '../src/suggest.js';
import { build } from './support/build.js';
import { TEST_CBM_HOME, cbm, startLedger, tempDir } from './support/ledger.js';
import type { CbmResult, Ledger } from './support/ledger.js';

let ledger: Ledger;
let dir: string;

const run = (args: string[], server = ledger.url): Promise<CbmResult> =>
  cbm(args, { server, cwd: dir });

beforeAll(async () => {
  build();
  ledger = await startLedger();
  dir = await tempDir('cbm-defects-');
}, 120_000);

afterAll(async () => {
  await ledger?.close();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('keygen --witness-name', () => {
  it('prints the witness member party.register takes, and the ledger accepts it as printed', async () => {
    const file = join(dir, 'jor.key');
    const r = await run([
      'keygen',
      '--party',
      'state:JOR',
      '--out',
      file,
      '--witness-name',
      'jordan.witness',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = r.json<{
      publicKey: string;
      witnessVkey: string;
      register: { keys: unknown[]; witness: { name: string; publicKey: string } };
    }>();
    expect(out.register.witness).toEqual({ name: 'jordan.witness', publicKey: out.publicKey });
    expect(out.witnessVkey).toMatch(/^jordan\.witness\+[0-9a-f]{8}\+/);
    const body = join(dir, 'register-jor.json');
    await writeFile(
      body,
      JSON.stringify({
        party: { id: 'state:JOR', name: 'Jordan', kind: 'state' },
        ...out.register,
      }),
    );
    const reg = await run([
      'submit',
      'party.register',
      body,
      '--key',
      ledger.operatorKeyPath,
      '--wait',
      '10',
    ]);
    expect(reg.code, reg.stderr).toBe(0);
  });

  it('prints the same members as text, ready to paste', async () => {
    const r = await run([
      'keygen',
      '--party',
      'state:EGY',
      '--out',
      join(dir, 'egy.key'),
      '--witness-name',
      'egypt.witness',
    ]);
    expect(r.code).toBe(0);
    const witnessLine = r.stdout.split('\n').find((l) => l.trim().startsWith('"witness":'));
    expect(witnessLine).toBeDefined();
    const parsed = JSON.parse(`{${witnessLine!.trim()}}`) as { witness: { name: string } };
    expect(parsed.witness.name).toBe('egypt.witness');
  });

  const bad: [string[], RegExp][] = [
    [['--witness-name', 'has space'], /--witness-name must be a key name/],
    [['--witness-name', 'a+b'], /--witness-name must be a key name/],
  ];
  it.each(bad)('refuses %j with a usage error and writes no key', async (extra, message) => {
    const file = join(dir, `never-${Math.random()}.key`);
    const r = await run(['keygen', '--party', 'state:TUN', '--out', file, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    await expect(import('node:fs/promises').then((fs) => fs.stat(file))).rejects.toThrow();
  });
});

describe('cbm compliance through the public view', () => {
  it.each([['/public'], ['/public/v1'], ['/public/v1/']])(
    '--server URL%s prints the summary instead of crashing',
    async (suffix) => {
      const r = await run(['compliance'], `${ledger.url}${suffix}`);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Compliance summary \(public view\)/);
      const j = await run(['compliance', '--json'], `${ledger.url}${suffix}`);
      const summary = j.json<{ treeSize: unknown; states: unknown }>();
      expect(typeof summary.treeSize).toBe('number');
      expect(Array.isArray(summary.states)).toBe(true);
    },
  );

  it('--offline recomputes from the public entries and compares the summaries', async () => {
    const r = await run(['compliance', '--offline', '--json'], `${ledger.url}/public`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, identical: true, view: 'public' });
  });

  it('still prints the full report from the API', async () => {
    const r = await run(['compliance', '--offline', '--json'], `${ledger.url}/v1`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, identical: true, report: { findings: [] } });
  });
});

describe('--server with or without /v1', () => {
  const cases: [string, string][] = [
    ['https://ledger.example', 'https://ledger.example'],
    ['https://ledger.example/', 'https://ledger.example'],
    ['https://ledger.example/v1', 'https://ledger.example'],
    ['https://ledger.example/v1/', 'https://ledger.example'],
    ['https://ledger.example/prefix/v1', 'https://ledger.example/prefix'],
    ['https://ledger.example/public/v1', 'https://ledger.example/public'],
    ['https://ledger.example/v10', 'https://ledger.example/v10'],
  ];
  it.each(cases)('%s → %s', (given, base) => {
    expect(normalizeServer(given)).toBe(base);
  });

  it('reads the same entry through either form', async () => {
    const a = await run(['get', '0', '--json'], ledger.url);
    const b = await run(['get', '0', '--json'], `${ledger.url}/v1`);
    expect(b.code).toBe(0);
    expect(b.json()).toEqual(a.json());
  });
});

describe('the witness loop', () => {
  it('backs off exponentially, with jitter, up to five minutes (or the interval)', () => {
    expect(witnessDelay(10, 0, () => 0)).toBe(10);
    expect([1, 2, 3, 4].map((f) => witnessDelay(10, f, () => 0))).toEqual([20, 40, 80, 160]);
    expect(witnessDelay(10, 5, () => 0)).toBe(300);
    expect(witnessDelay(10, 50, () => 0.99)).toBe(300);
    expect(witnessDelay(10, 1, () => 0.5)).toBe(22);
    expect(witnessDelay(600, 3, () => 0)).toBe(600);
  });

  it('keeps running while the ledger is unreachable, reporting when it retries', async () => {
    const key = join(dir, 'witness.key');
    expect((await run(['keygen', '--party', 'observer:w', '--out', key])).code).toBe(0);
    const stop = new AbortController();
    let stderr = '';
    const finished = runCbm(['witness', '--key', key, '--name', 'w.witness', '--interval', '1'], {
      stdout: { write: () => undefined },
      stderr: {
        write: (t: string) => {
          stderr += t;
          // Stop after the second failed attempt: it did not exit on the first.
          if ((stderr.match(/retrying in/g) ?? []).length >= 2) stop.abort();
        },
      },
      stdin: Readable.from([]),
      env: { CBM_SERVER: `http://127.0.0.1:${await closedPort()}`, CBM_HOME: TEST_CBM_HOME },
      cwd: dir,
      signal: stop.signal,
    });
    expect(await finished).toBe(0);
    const delays = [...stderr.matchAll(/connection refused.*retrying in ([0-9.]+) s/g)].map((m) =>
      Number(m[1]),
    );
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(2);
    expect(delays[0]).toBeLessThanOrEqual(2.4);
  }, 20_000);

  it('with --once still fails at once on an unreachable ledger', async () => {
    const key = join(dir, 'witness.key');
    const r = await run(
      ['witness', '--key', key, '--name', 'w.witness', '--once'],
      `http://127.0.0.1:${await closedPort()}`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the ledger/);
  });
});

describe('cbm template', () => {
  it.each([...STATEMENT_TYPES])('%s prints the example body as JSON', async (type) => {
    const r = await run(['template', type]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(exampleBody(type));
  });

  it('prints a notification body the ledger accepts as it stands', async () => {
    // state:JOR was registered by the keygen test above with jor.key.
    const file = join(dir, 'from-template.json');
    await writeFile(file, (await run(['template', 'exercise.notification'])).stdout);
    const r = await run([
      'submit',
      'exercise.notification',
      file,
      '--key',
      join(dir, 'jor.key'),
      '--wait',
      '10',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ status: 'integrated' });
  });

  const bad: [string[], number, RegExp][] = [
    [['template'], 2, /usage: cbm template TYPE/],
    [['template', 'exercise.notify'], 2, /unknown statement type exercise\.notify/],
    [['template', 'a', 'b'], 2, /usage/],
  ];
  it.each(bad)('%j → exit %i', async (args, code, message) => {
    const r = await run(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('--version and did-you-mean', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the package version', async (flag) => {
    const r = await run([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`cbm ${cliVersion()}\n`);
    expect(cliVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  const typos: [string[], RegExp][] = [
    [['sumbit'], /unknown command sumbit; did you mean 'submit'\?/],
    [['templat', 'x'], /did you mean 'template'\?/],
    [['frobnicate'], /^cbm: unknown command frobnicate\n/],
    [['get', '0', '--jsn'], /unknown option --jsn; did you mean --json\?/],
    [['submit', 'a', 'b', '--kee', 'k'], /unknown option --kee; did you mean --key\?/],
    [['get', '0', '--completely-else'], /unknown option --completely-else\n/],
  ];
  it.each(typos)(
    '%j → usage error (exit 2) with a suggestion when one is close',
    async (args, re) => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
    },
  );

  it('suggests only close names', () => {
    expect(closest('sbumit', ['submit', 'get'])).toBe('submit');
    expect(closest('xyz', ['submit', 'get'])).toBeUndefined();
    expect(closest('get', ['get', 'verify'])).toBe('get');
  });
});
