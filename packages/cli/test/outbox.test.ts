/**
 * `cbm submit` retries that never duplicate (outbox.ts), end to end against a real ledger: the
 * real bin killed mid-request (after the ledger admitted the statement, and before the request
 * reached it), a stale outbox entry, a damaged one, --envelope-out, and evidence uploaded only
 * after the body passes the schema.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LedgerClient,
  buildStatement,
  envelopeStatementId,
  signStatement,
} from '@cbm-ledger/client';
import { parseKeyFile } from '@cbm-ledger/protocol';
import type { Envelope, KeyFile } from '@cbm-ledger/protocol';
import { outboxKey } from '../src/outbox.js';
import { ROOT, build } from './support/build.js';
import { cbm, startLedger, tempDir } from './support/ledger.js';
import type { CbmResult, Ledger } from './support/ledger.js';
import { notificationBody } from './support/log.js';

const BIN = join(ROOT, 'packages/cli/bin/cbm.js');

let ledger: Ledger;
let dir: string;
let jorPath: string;
let jor: KeyFile;
let client: LedgerClient;
let counter = 0;

/** A fresh state directory (outbox) per scenario, so scenarios never see each other's entries. */
async function home(): Promise<string> {
  const h = join(dir, `home-${counter++}`);
  await mkdir(h);
  return h;
}

function run(args: string[], cbmHome: string, server = ledger.url): Promise<CbmResult> {
  return cbm(args, { server, cwd: dir, env: { CBM_HOME: cbmHome } });
}

async function writeJson(name: string, value: unknown): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, JSON.stringify(value));
  return p;
}

async function outboxFiles(cbmHome: string): Promise<string[]> {
  return readdir(join(cbmHome, 'outbox')).catch(() => []);
}

async function headSeq(): Promise<number> {
  return (await client.party('state:JOR')).head?.seq ?? 0;
}

/** Statement ids of every entry issued by JOR. */
async function jorEntries(): Promise<string[]> {
  const page = await client.entries(0, 1000);
  return page.entries.filter((e) => e.leaf.issuer === 'state:JOR').map((e) => e.leaf.statement);
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

type Mode = 'forward-then-hang' | 'hang';

/**
 * A proxy in front of the ledger. Every request is passed through, except POST /v1/statements:
 * in `forward-then-hang` the ledger gets it and answers, but the answer is never passed back; in
 * `hang` the ledger never sees it. `posted` resolves with the envelope once that point is reached.
 */
async function proxy(mode: Mode): Promise<{
  url: string;
  posted: Promise<{ envelope: Envelope; ledgerStatus?: number }>;
  close(): Promise<void>;
}> {
  const target = new URL(ledger.url);
  let signal!: (v: { envelope: Envelope; ledgerStatus?: number }) => void;
  const posted = new Promise<{ envelope: Envelope; ledgerStatus?: number }>((r) => (signal = r));
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const isPost = req.method === 'POST' && req.url === '/v1/statements';
      if (isPost && mode === 'hang') {
        signal({ envelope: JSON.parse(body.toString('utf8')) as Envelope });
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
          void readAll(up).then((answer) => {
            if (isPost) {
              signal({
                envelope: JSON.parse(body.toString('utf8')) as Envelope,
                ledgerStatus: up.statusCode ?? 0,
              });
              return; // the reply is lost
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(answer);
          });
        },
      );
      upstream.end(body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posted,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function spawnCbm(args: string[], cbmHome: string, server: string): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env['PATH'], CBM_HOME: cbmHome, CBM_SERVER: server },
    stdio: 'ignore',
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  build();
  ledger = await startLedger();
  client = new LedgerClient({ server: ledger.url });
  dir = await tempDir('cbm-outbox-');
  jorPath = join(dir, 'jor.key');
  const h = await home();
  expect((await run(['keygen', '--party', 'state:JOR', '--out', jorPath], h)).code).toBe(0);
  jor = parseKeyFile(await readFile(jorPath, 'utf8'));
  const register = await writeJson('register.json', {
    party: { id: 'state:JOR', name: 'Jordan', kind: 'state' },
    keys: [{ keyid: jor.keyid, publicKey: jor.publicKey }],
  });
  const r = await run(
    ['submit', 'party.register', register, '--key', ledger.operatorKeyPath, '--wait', '10'],
    h,
  );
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await ledger?.close();
});

describe('cbm submit and its outbox', () => {
  it('resubmits the identical envelope after the CLI was killed once the ledger had admitted it', async () => {
    const h = await home();
    const body = await writeJson('n1.json', notificationBody('KILLED AFTER ADMISSION'));
    const before = await jorEntries();
    const p = await proxy('forward-then-hang');
    const child = spawnCbm(['submit', 'exercise.notification', body, '--key', jorPath], h, p.url);
    const { envelope, ledgerStatus } = await p.posted;
    expect(ledgerStatus).toBe(202);
    await kill(child);
    await p.close();
    expect(await outboxFiles(h)).toHaveLength(1);

    const again = await run(
      ['submit', 'exercise.notification', body, '--key', jorPath, '--wait', '10', '--json'],
      h,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({
      resubmitted: true,
      httpStatus: 200,
      statement: envelopeStatementId(envelope),
      status: 'integrated',
    });
    expect(again.stderr).toMatch(/resubmitting sha256:[0-9a-f]{64} from the outbox/);
    // One new entry, not two; and with the receipt in hand the outbox is empty.
    expect(await jorEntries()).toEqual([...before, envelopeStatementId(envelope)]);
    expect(await outboxFiles(h)).toEqual([]);
  }, 60_000);

  it('resubmits the identical envelope after the CLI was killed before the ledger saw it', async () => {
    const h = await home();
    const body = await writeJson('n2.json', notificationBody('KILLED IN FLIGHT'));
    const seq = await headSeq();
    const p = await proxy('hang');
    const child = spawnCbm(['submit', 'exercise.notification', body, '--key', jorPath], h, p.url);
    const { envelope } = await p.posted;
    await kill(child);
    await p.close();
    expect(await headSeq()).toBe(seq);

    const again = await run(
      ['submit', 'exercise.notification', body, '--key', jorPath, '--json'],
      h,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({
      resubmitted: true,
      httpStatus: 202,
      statement: envelopeStatementId(envelope),
    });
    expect(await headSeq()).toBe(seq + 1);
    // Still pending (no --wait): kept, and a third run is answered 200 for the same statement.
    expect(await outboxFiles(h)).toHaveLength(1);
    const third = await run(
      ['submit', 'exercise.notification', body, '--key', jorPath, '--json', '--wait', '10'],
      h,
    );
    expect(third.json()).toMatchObject({
      resubmitted: true,
      httpStatus: 200,
      statement: envelopeStatementId(envelope),
    });
    expect(await headSeq()).toBe(seq + 1);
  }, 60_000);

  it('signs afresh when the ledger refuses the stored envelope (here: its issuedAt is stale)', async () => {
    const h = await home();
    const body = notificationBody('STALE OUTBOX ENTRY');
    const file = await writeJson('n3.json', body);
    const head = (await client.party('state:JOR')).head;
    const draft = { type: 'exercise.notification' as const, body };
    const stale = buildStatement(ledger.origin, 'state:JOR', head, draft, {
      now: Date.now() - 3_600_000,
    });
    const envelope = signStatement(stale, [jor]);
    const key = outboxKey(ledger.origin, 'state:JOR', draft);
    await mkdir(join(h, 'outbox'), { recursive: true });
    await writeFile(
      join(h, 'outbox', `${key}.json`),
      JSON.stringify({
        v: 1,
        key,
        ledger: ledger.origin,
        issuer: 'state:JOR',
        type: 'exercise.notification',
        statement: envelopeStatementId(envelope),
        envelope,
        signedAt: stale.issuedAt,
      }),
    );
    const seq = await headSeq();
    const r = await run(
      ['submit', 'exercise.notification', file, '--key', jorPath, '--json', '--wait', '10'],
      h,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ISSUED_AT_OUT_OF_WINDOW.*signing it afresh/);
    expect(r.json()).toMatchObject({ resubmitted: false, httpStatus: 201, seq: seq + 1 });
    expect(r.json<{ statement: string }>().statement).not.toBe(envelopeStatementId(envelope));
    expect(await headSeq()).toBe(seq + 1);
    expect(await outboxFiles(h)).toEqual([]);
  }, 60_000);

  it('refuses a damaged outbox entry and submits nothing', async () => {
    const h = await home();
    const body = notificationBody('DAMAGED OUTBOX ENTRY');
    const file = await writeJson('n4.json', body);
    const key = outboxKey(ledger.origin, 'state:JOR', { type: 'exercise.notification', body });
    await mkdir(join(h, 'outbox'), { recursive: true });
    const seq = await headSeq();
    for (const damaged of [
      'not json',
      JSON.stringify({
        v: 1,
        key,
        envelope: { payloadType: 'x', payload: 'e30=', signatures: [] },
      }),
      JSON.stringify({ v: 2, key }),
    ]) {
      await writeFile(join(h, 'outbox', `${key}.json`), damaged);
      const r = await run(['submit', 'exercise.notification', file, '--key', jorPath, '--json'], h);
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({ ok: false, error: { code: 'OUTBOX_CORRUPT' } });
      expect(await headSeq()).toBe(seq);
    }
  });

  it('writes the envelope it sends with --envelope-out', async () => {
    const h = await home();
    const file = await writeJson('n5.json', notificationBody('ENVELOPE OUT'));
    const out = join(dir, 'sent.dsse.json');
    const r = await run(
      ['submit', 'exercise.notification', file, '--key', jorPath, '--envelope-out', out, '--json'],
      h,
    );
    expect(r.code, r.stderr).toBe(0);
    const saved = JSON.parse(await readFile(out, 'utf8')) as Envelope;
    expect(envelopeStatementId(saved)).toBe(r.json<{ statement: string }>().statement);
  });

  it('files a new statement for the same body once the receipt has arrived', async () => {
    const h = await home();
    const file = await writeJson('n6.json', notificationBody('FILED TWICE ON PURPOSE'));
    const args = ['submit', 'exercise.notification', file, '--key', jorPath, '--json'];
    const first = await run([...args, '--wait', '10'], h);
    expect(first.json()).toMatchObject({ status: 'integrated', resubmitted: false });
    const second = await run(args, h);
    expect(second.json()).toMatchObject({ resubmitted: false, httpStatus: 202 });
    expect(second.json<{ statement: string }>().statement).not.toBe(
      first.json<{ statement: string }>().statement,
    );
  }, 60_000);

  it('uploads evidence only after the body passes the schema', async () => {
    const h = await home();
    const evidence = join(dir, 'orphan.pdf');
    const bytes = Buffer.from(`evidence that must not be stored ${Date.now()}`);
    await writeFile(evidence, bytes);
    const bad = await writeJson('bad.json', { ...(notificationBody('X') as object), id: 'extra' });
    const seq = await headSeq();
    const r = await run(
      ['submit', 'exercise.notification', bad, '--key', jorPath, '--evidence', evidence, '--json'],
      h,
    );
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_FIELD', path: '$.body.id' },
    });
    expect(await headSeq()).toBe(seq);
    expect(await outboxFiles(h)).toEqual([]);
    // Asked as JOR (uploads are signed as the uploading party): JOR holds no copy of it.
    const asJordan = new LedgerClient({ server: ledger.url, auth: { keyFile: jor } });
    const announced = await asJordan.createEvidenceUpload({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      mediaType: 'application/pdf',
    });
    expect(announced.stored).toBe(false);
  });
});
