/**
 * The README tutorial (issue 11 "Done when"), walked end to end against a real local runtime:
 * register two parties, draft a measure, have the two offices sign it in two separate
 * directories, submit it, file an exercise notification from `cbm template`, retry it after the
 * CLI was killed mid-request without a second entry, and verify the receipt offline.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerClient } from '@cbm-ledger/client';
import { parseKeyFile } from '@cbm-ledger/protocol';
import { ROOT, build } from './support/build.js';
import { cbm, startLedger, tempDir } from './support/ledger.js';
import type { CbmResult, Ledger } from './support/ledger.js';

const BIN = join(ROOT, 'packages/cli/bin/cbm.js');

let ledger: Ledger;
let dir: string;
let home: string;
const run = (args: string[], cwd = dir, server = ledger.url): Promise<CbmResult> =>
  cbm(args, { server, cwd, env: { CBM_HOME: home } });

beforeAll(async () => {
  build();
  ledger = await startLedger();
  dir = await tempDir('cbm-tutorial-');
  home = join(dir, 'cbm-home');
  await mkdir(home);
}, 120_000);

afterAll(() => ledger?.close());

/**
 * A proxy to the ledger that forwards reads and swallows the POST: the CLI is killed while it
 * waits for an answer that never comes (a dropped connection, a closed laptop).
 */
async function swallowingProxy(): Promise<{
  url: string;
  posted: Promise<void>;
  close(): Promise<void>;
}> {
  let posted!: () => void;
  const seen = new Promise<void>((r) => (posted = r));
  const target = new URL(ledger.url);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') {
        posted();
        return;
      }
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posted: seen,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('the README tutorial', () => {
  it('walks from two registered parties to a receipt verified offline', async () => {
    const jorOffice = join(dir, 'jordan');
    const egyOffice = join(dir, 'egypt');
    await mkdir(jorOffice);
    await mkdir(egyOffice);

    // 1. Each office makes its key; the operator registers both parties.
    for (const [party, office, name] of [
      ['state:JOR', jorOffice, 'Jordan'],
      ['state:EGY', egyOffice, 'Egypt'],
    ] as const) {
      const k = await run(['keygen', '--party', party, '--out', 'office.key'], office);
      expect(k.code, k.stderr).toBe(0);
      // From `cbm template party.register`, edited as the README says.
      const key = parseKeyFile(await readFile(join(office, 'office.key'), 'utf8'));
      const template = await run(['template', 'party.register']);
      const body = JSON.parse(template.stdout) as Record<string, unknown>;
      delete body['witness'];
      body['party'] = { id: party, name, kind: 'state' };
      body['keys'] = [{ keyid: key.keyid, publicKey: key.publicKey }];
      await writeFile(join(dir, `register-${name}.json`), JSON.stringify(body));
      const r = await run([
        'submit',
        'party.register',
        `register-${name}.json`,
        '--key',
        ledger.operatorKeyPath,
        '--wait',
        '10',
      ]);
      expect(r.code, r.stderr).toBe(0);
    }

    // 2. Jordan drafts the measure from the template.
    const template = await run(['template', 'measure.define']);
    expect(template.code, template.stderr).toBe(0);
    await writeFile(join(jorOffice, 'measure.json'), template.stdout);
    const draft = await run(
      [
        'draft',
        'measure.define',
        'measure.json',
        '--issuer',
        'state:JOR',
        '--out',
        'measure.signing.json',
      ],
      jorOffice,
    );
    expect(draft.code, draft.stderr).toBe(0);

    // 3. Each office signs in its own directory, with no ledger in reach.
    const nowhere = 'http://127.0.0.1:9';
    const jorSigns = await run(
      ['sign', 'measure.signing.json', '--key', 'office.key'],
      jorOffice,
      nowhere,
    );
    expect(jorSigns.code, jorSigns.stderr).toBe(0);
    expect(jorSigns.stdout).toMatch(/still to sign: state:EGY/);
    await copyFile(
      join(jorOffice, 'measure.signing.json'),
      join(egyOffice, 'measure.signing.json'),
    );
    const egySigns = await run(
      ['sign', 'measure.signing.json', '--key', 'office.key'],
      egyOffice,
      nowhere,
    );
    expect(egySigns.code, egySigns.stderr).toBe(0);
    expect(egySigns.stdout).toMatch(/every required signer has signed/);

    // 4. Either office submits the signed file.
    const measure = await run(
      ['submit', '--envelope', 'measure.signing.json', '--wait', '10', '--json'],
      egyOffice,
    );
    expect(measure.code, measure.stderr).toBe(0);
    expect(measure.json()).toMatchObject({ type: 'measure.define', status: 'integrated' });

    // 5. Jordan files an exercise notification from the template; the CLI is killed while the
    // request is in flight.
    const notification = await run(['template', 'exercise.notification']);
    await writeFile(join(jorOffice, 'notification.json'), notification.stdout);
    const proxy = await swallowingProxy();
    const child = spawn(
      process.execPath,
      [BIN, 'submit', 'exercise.notification', 'notification.json', '--key', 'office.key'],
      {
        cwd: jorOffice,
        env: { PATH: process.env['PATH'], CBM_HOME: home, CBM_SERVER: proxy.url },
        stdio: 'ignore',
      },
    );
    await proxy.posted;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await proxy.close();

    // 6. The same command again resubmits the envelope kept in the outbox: no second entry.
    const retry = await run(
      [
        'submit',
        'exercise.notification',
        'notification.json',
        '--key',
        'office.key',
        '--wait',
        '10',
        '--receipt-out',
        'receipt.json',
        '--json',
      ],
      jorOffice,
    );
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.json()).toMatchObject({ resubmitted: true, status: 'integrated', seq: 2 });
    const client = new LedgerClient({ server: ledger.url });
    expect((await client.party('state:JOR')).head).toMatchObject({ seq: 2 });
    const again = await run(
      ['submit', 'exercise.notification', 'notification.json', '--key', 'office.key', '--json'],
      jorOffice,
    );
    // With the receipt in hand the outbox entry is gone, so this is a new, third statement:
    // the tutorial's point is only that the killed run and its retry made one.
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ resubmitted: false, seq: 3 });

    // 7. The receipt verifies offline, against the log key alone.
    const verified = await run(
      ['verify', 'receipt.json', '--log-vkey', ledger.logVkey],
      jorOffice,
      nowhere,
    );
    expect(verified.code, verified.stderr).toBe(0);
  }, 120_000);
});
