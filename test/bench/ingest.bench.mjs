// npm run bench:ingest — end-to-end ingest on the local runtime (DESIGN.md §10).
//
// Starts `npm start`'s runtime on a fresh data dir and a free port, registers ISSUERS states,
// pre-signs STATEMENTS_PER_ISSUER statements for each (signing is not timed), then submits them
// over HTTP from one concurrent client per issuer (an issuer's chain is sequential by nature).
// Prints sustained statements/s, admission latency (p50, p99), time from acknowledgement to a
// checkpoint that covers the statement (p50, p99) and, in the same run, the raw conditional-put
// rate of the same embedded DynamoDB for comparison. It asserts nothing.
//
// Environment: BENCH_ISSUERS (default 32), BENCH_PER_ISSUER (default 150).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signStatement, newNonce } from '@cbm-ledger/ledger';
import {
  fromBase64,
  generateKeyFile,
  keyFileSeed,
  parseKeyFile,
  statementId,
} from '@cbm-ledger/protocol';
import { createDynamoClient } from '@cbm-ledger/store-aws';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startEmulators } from '../../packages/local/dist/emulators.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ISSUERS = Number(process.env.BENCH_ISSUERS ?? 32);
const PER_ISSUER = Number(process.env.BENCH_PER_ISSUER ?? 150);
const agent = new Agent({ keepAlive: true, maxSockets: ISSUERS + 4 });

// Submissions are idempotent by design (the same statement again answers 200), so a request
// whose kept-alive socket was closed under it is simply sent again.
async function call(base, method, path, body, headers = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(base, method, path, body, headers);
    } catch (e) {
      if (attempt >= 3 || (e.code !== 'ECONNRESET' && e.code !== 'EPIPE')) throw e;
    }
  }
}

function callOnce(base, method, path, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      new URL(path, base),
      {
        method,
        agent,
        headers: data ? { 'content-type': 'application/json', ...headers } : headers,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function startRuntime(dataDir) {
  const child = spawn(process.execPath, ['packages/local/bin/cbm-local.js'], {
    env: { ...process.env, PORT: '0', CBM_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Never leave the runtime behind, whatever happens to this process.
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`runtime exited (${code}): ${out}`)));
  });
}

// A state code for issuer i: AAA, AAB, ... (syntactically a party id; the bench needs no real ISO codes).
const code = (i) =>
  String.fromCharCode(65 + Math.floor(i / 676), 65 + (Math.floor(i / 26) % 26), 65 + (i % 26));

const dataDir = mkdtempSync(join(tmpdir(), 'cbm-bench-'));
const { child, url } = await startRuntime(dataDir);
try {
  const info = (await call(url, 'GET', '/v1/ledger')).json();
  const origin = info.origin;
  const operator = parseKeyFile(readFileSync(join(dataDir, 'operator.key'), 'utf8'));
  const operatorSeed = keyFileSeed(operator);
  let opHead = (await call(url, 'GET', `/v1/parties/${operator.party}`)).json().head;

  // Register the issuers (not timed).
  const issuers = [];
  for (let i = 0; i < ISSUERS; i++) {
    const party = `state:${code(i)}`;
    const key = generateKeyFile(party);
    const reg = {
      v: 1,
      ledger: origin,
      type: 'party.register',
      issuer: operator.party,
      seq: opHead.seq + 1,
      prev: opHead.statement,
      issuedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      nonce: newNonce(),
      visibility: 'public',
      body: {
        party: { id: party, name: `Bench state ${i}`, kind: 'state' },
        keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
      },
    };
    const res = await call(url, 'POST', '/v1/statements', signStatement(reg, [operatorSeed]), {
      prefer: i === ISSUERS - 1 ? 'wait=20' : 'wait=0',
    });
    if (res.status >= 300) throw new Error(`register ${party}: ${res.status} ${res.text}`);
    opHead = { seq: reg.seq, statement: res.json().statement };
    issuers.push({ party, seed: keyFileSeed(key) });
  }

  // Pre-sign every statement (not timed): each issuer's chain, seq 1..PER_ISSUER.
  const t0sign = performance.now();
  const chains = issuers.map(({ party, seed }, i) => {
    const to = issuers[(i + 1) % issuers.length].party;
    const out = [];
    let prev = null;
    for (let seq = 1; seq <= PER_ISSUER; seq++) {
      const statement = {
        v: 1,
        ledger: origin,
        type: 'risk.request',
        issuer: party,
        seq,
        prev,
        issuedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        nonce: newNonce(),
        visibility: 'public',
        body: {
          to,
          activity: {
            description: `Movement ${seq} near the border`,
            // Named by an area and a time window: admission refuses requests naming no activity.
            area: { description: `Border sector ${seq}` },
            start: '2026-11-20T00:00:00Z',
            end: '2026-11-21T00:00:00Z',
          },
          question: 'Please explain the purpose and scale of this movement.',
        },
      };
      const envelope = signStatement(statement, [seed]);
      out.push(envelope);
      prev = statementId(fromBase64(envelope.payload));
    }
    return out;
  });
  const total = ISSUERS * PER_ISSUER;
  console.log(
    `pre-signed ${total} statements for ${ISSUERS} issuers in ${Math.round(performance.now() - t0sign)} ms`,
  );

  // Watch checkpoints while ingesting: (time, size) samples every 10 ms.
  const samples = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      try {
        const res = await call(url, 'GET', '/v1/checkpoint');
        if (res.status === 200) samples.push([performance.now(), Number(res.text.split('\n')[1])]);
      } catch {
        // A missed sample only coarsens the time-to-checkpoint figure.
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  const acks = []; // [statementId, ackTime, latency]
  const failures = [];
  const t0 = performance.now();
  await Promise.all(
    chains.map(async (chain) => {
      for (const envelope of chain) {
        const start = performance.now();
        const res = await call(url, 'POST', '/v1/statements', envelope);
        const end = performance.now();
        if (res.status !== 202 && res.status !== 201 && res.status !== 200) {
          failures.push(`${res.status} ${res.text.slice(0, 200)}`);
          return;
        }
        acks.push([res.json().statement, end, end - start]);
      }
    }),
  );
  const elapsed = performance.now() - t0;

  // Wait until everything acknowledged is in a checkpoint, then map ids to indices.
  const deadline = performance.now() + 60_000;
  const expected = ISSUERS + 1 + total; // genesis + registrations + ingest
  while (performance.now() < deadline) {
    const last = samples[samples.length - 1];
    if (last && last[1] >= expected) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  watching = false;
  await watcher;
  const indexOf = new Map();
  for (let start = 0; start < expected; start += 1000) {
    const page = (await call(url, 'GET', `/v1/entries?start=${start}&limit=1000`)).json();
    for (const e of page.entries) indexOf.set(e.leaf.statement, e.leaf.index);
  }
  const ttc = [];
  for (const [id, ackAt] of acks) {
    const index = indexOf.get(id);
    const sample = samples.find(([t, size]) => size > index && t >= ackAt - 10);
    ttc.push(sample ? Math.max(0, sample[0] - ackAt) : Infinity);
  }
  const lat = acks.map((a) => a[2]).sort((a, b) => a - b);
  ttc.sort((a, b) => a - b);

  // Raw conditional-put rate of the same embedded store, same concurrency, same process layout.
  const rawDir = mkdtempSync(join(tmpdir(), 'cbm-bench-raw-'));
  const emulators = await startEmulators({
    dynamoPath: join(rawDir, 'dynamodb'),
    dynamoSocket: join(rawDir, 'dynamodb.sock'),
    bucket: 'unused',
  });
  const client = createDynamoClient({
    endpoint: 'http://localhost',
    socketPath: emulators.dynamoSocket,
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'raw',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  const body = 'x'.repeat(1200); // about one envelope
  let next = 0;
  const rawN = 3000;
  const r0 = performance.now();
  await Promise.all(
    Array.from({ length: ISSUERS }, async () => {
      while (next < rawN) {
        const k = next++;
        await client.send(
          new PutItemCommand({
            TableName: 'raw',
            Item: { pk: { S: `p#${k % ISSUERS}` }, sk: { S: String(k) }, body: { S: body } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      }
    }),
  );
  const rawRate = (rawN / (performance.now() - r0)) * 1000;
  await emulators.stop();
  rmSync(rawDir, { recursive: true, force: true });

  const rate = (acks.length / elapsed) * 1000;
  const f = (n) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : 'never');
  console.log(
    `\nnode ${process.version}, ${ISSUERS} concurrent issuers x ${PER_ISSUER} statements`,
  );
  console.log(
    `acknowledged                     ${acks.length} of ${total} (${failures.length} failed)`,
  );
  if (failures.length) console.log(`  first failure: ${failures[0]}`);
  console.log(
    `sustained ingest                 ${rate.toFixed(0)} statements/s   (target >= 1,000)`,
  );
  console.log(
    `admission latency p50 / p99      ${f(percentile(lat, 50))} / ${f(percentile(lat, 99))}   (target p99 < 100 ms)`,
  );
  console.log(
    `time to checkpoint p50 / p99     ${f(percentile(ttc, 50))} / ${f(percentile(ttc, 99))}   (target p99 < 2,000 ms)`,
  );
  console.log(`raw conditional PutItem, same embedded DynamoDB: ${rawRate.toFixed(0)} /s`);
  console.log(`ingest / raw conditional-put rate: ${((rate / rawRate) * 100).toFixed(0)} %`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
  agent.destroy();
}
