// npm run bench:audit — audit throughput over a 100,000-entry log, beside the same run's
// single-core node:crypto Ed25519 verify rate (DESIGN.md §10: ≥ 8,000 entries/s per core and
// ≥ 85 % of that rate). Prints figures; asserts nothing (benchmarks are never timed tests).
//
// The log is built in memory, without the HTTP server: real signed statements (DSSE, Ed25519),
// real leaves, tree and signed checkpoint. It is served to the audit core as JSON page texts —
// the bytes GET /v1/entries would send — parsed by JSON.parse per page, as the HTTP client does;
// no HTTP server and no network are involved, so the figure is the auditor's own work.
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  CompactRange,
  GENESIS_PREV,
  NoteKeyType,
  STATEMENT_PAYLOAD_TYPE,
  consistencyProof,
  encodeVkey,
  envelopeDigest,
  formatCheckpoint,
  generateKeyFile,
  leafHash,
  pae,
  parseStatement,
  parseVkey,
  signNoteText,
  statementId,
  toBase64,
  toBase64Url,
  toHex,
} from '@cbm-ledger/protocol';
import { VerifyPool, auditLog } from '@cbm-ledger/cli';

const ENTRIES = Number(process.env.CBM_BENCH_ENTRIES ?? 100_000);
const PAGE = 1000;
const ORIGIN = 'cbm-ledger.bench/audit';
const PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');

const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Deterministic seeds, so every run audits the same kind of log. */
function seed(n) {
  const s = new Uint8Array(32);
  new DataView(s.buffer).setUint32(0, n + 1);
  s[31] = 0x5a;
  return s;
}

function party(id, n) {
  const keyFile = generateKeyFile(id, seed(n));
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8, Buffer.from(keyFile.seed, 'base64')]),
    format: 'der',
    type: 'pkcs8',
  });
  return { id, keyFile, privateKey, seq: 0, prev: null };
}

function signEnvelope(payload, signers) {
  const message = pae(STATEMENT_PAYLOAD_TYPE, payload);
  return {
    payloadType: STATEMENT_PAYLOAD_TYPE,
    payload: toBase64(payload),
    signatures: signers.map((p) => ({
      keyid: p.keyFile.keyid,
      sig: sign(null, message, p.privateKey).toString('base64'),
    })),
  };
}

// ---- bodies of the usual statement kinds ----------------------------------------------------

const counts = (troops) => ({
  troops,
  battleTanks: Math.round(troops / 60),
  acv: Math.round(troops / 30),
  artillery: Math.round(troops / 120),
  aircraftSorties: 40,
  amphibiousTroops: 0,
  airborneTroops: 500,
});

function notification(i, issuer, other) {
  return {
    designation: `EXERCISE ${i}`,
    activityType: 'exercise',
    noticeClass: 'standard',
    start: '2027-04-10T05:00:00Z',
    end: '2027-04-20T18:00:00Z',
    area: {
      description: 'Training area in the southern military region',
      geojson: {
        type: 'Polygon',
        coordinates: [
          [
            [35.6, 30.0],
            [36.2, 30.0],
            [36.2, 30.4],
            [35.6, 30.4],
            [35.6, 30.0],
          ],
        ],
      },
    },
    participatingStates: [issuer, other],
    counts: counts(9000 + (i % 7) * 1000),
    observation: { invited: true, invitees: [other, 'observer:team-1'] },
  };
}

function alert(i) {
  return {
    alert: {
      identifier: `MOH-2027-${i}`,
      sender: 'alerts@health.example',
      sent: '2027-03-01T10:15:00+01:00',
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
      info: [
        {
          category: ['Health'],
          event: 'Cholera outbreak',
          urgency: 'Expected',
          severity: 'Severe',
          certainty: 'Likely',
          headline: 'Suspected cholera cluster',
          area: [{ areaDesc: 'Coastal governorate' }],
        },
      ],
    },
    hazardDomain: 'health',
    assessedAt: '2027-03-01T08:45:00Z',
  };
}

function observerReport(exercise, host) {
  return {
    exercise,
    hostState: host,
    period: { start: '2027-04-12T06:00:00Z', end: '2027-04-13T18:00:00Z' },
    declaredVsObserved: [
      { item: 'troops', declared: 12000, observed: 13500 },
      { item: 'battleTanks', declared: 180, observed: 175 },
    ],
    access: 'managed',
    findings: ['Observed troop numbers exceeded the declaration by about 12 %.'],
    dissent: [],
  };
}

function measure(i, parties) {
  return {
    id: `measure-${i}`,
    title: `Prior notification of military activities ${i}`,
    parties: parties.map((p) => p.id),
    ruleSet: 'vd2011',
    overrides: {},
    adoptedAt: '2026-01-15T12:00:00Z',
    inForceAt: '2026-02-01T00:00:00Z',
    term: { sunsetAt: '2031-02-01T00:00:00Z', renewal: 'none', terminationNoticeDays: 90 },
    review: { firstAt: '2027-02-01T00:00:00Z', intervalMonths: 12, graceDays: 30 },
  };
}

// ---- the log ----------------------------------------------------------------------------------

function buildLog() {
  const t0 = performance.now();
  const logSeed = seed(1_000_000);
  const logPublic = createPublicKey(
    createPrivateKey({
      key: Buffer.concat([PKCS8, Buffer.from(logSeed)]),
      format: 'der',
      type: 'pkcs8',
    }),
  )
    .export({ format: 'der', type: 'spki' })
    .subarray(SPKI.length);
  const logVkey = encodeVkey(ORIGIN, NoteKeyType.ed25519, new Uint8Array(logPublic));
  const operator = party('operator:bench', 0);
  const states = [];
  for (let i = 0; i < 40; i++) {
    const code = String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26), 88);
    states.push(party(`state:${code}`, 1 + i));
  }
  const observers = [1, 2, 3, 4, 5].map((i) => party(`observer:team-${i}`, 100 + i));

  const entries = [];
  const hashes = [];
  const range = CompactRange.empty();
  let prevHash = GENESIS_PREV;
  const base = Date.parse('2026-11-01T00:00:00.000Z');
  const checked = new Set();

  const add = (issuer, type, body, signers = [issuer]) => {
    const index = entries.length;
    // The integrator gives each batch one integration time (up to 256 statements a batch).
    const at = base + Math.floor(index / 100) * 30_000;
    const statement = {
      v: 1,
      ledger: ORIGIN,
      type,
      issuer: issuer.id,
      seq: issuer.seq + 1,
      prev: issuer.prev,
      issuedAt: new Date(at - 5000).toISOString(),
      nonce: toBase64Url(seed(index + 7_000_000).subarray(0, 16)),
      visibility: 'public',
      body,
    };
    const payload = new TextEncoder().encode(JSON.stringify(statement));
    if (!checked.has(type)) {
      parseStatement(payload); // one of each type through the real schema: the bench log is valid
      checked.add(type);
    }
    const envelope = signEnvelope(payload, signers);
    const id = statementId(payload);
    const leaf = {
      v: 1,
      index,
      prev: prevHash,
      integratedAt: new Date(at).toISOString(),
      statement: id,
      envelope: envelopeDigest(envelope),
      type,
      issuer: issuer.id,
      seq: statement.seq,
      visibility: 'public',
      evidence: [],
    };
    const hash = leafHash(leaf);
    prevHash = toHex(hash);
    hashes.push(hash);
    range.append(hash);
    entries.push({ index, leaf, leafHash: toBase64(hash), envelope });
    issuer.seq = statement.seq;
    issuer.prev = id;
    return id;
  };

  add(operator, 'ledger.genesis', {
    origin: ORIGIN,
    logVkey,
    operator: { id: operator.id, name: 'Bench operator' },
    keys: [{ keyid: operator.keyFile.keyid, publicKey: operator.keyFile.publicKey }],
  });
  for (const p of [...states, ...observers]) {
    add(operator, 'party.register', {
      party: { id: p.id, name: `Party ${p.id}`, kind: p.id.split(':')[0] },
      keys: [{ keyid: p.keyFile.keyid, publicKey: p.keyFile.publicKey }],
    });
  }
  let lastNotification = null;
  for (let i = entries.length; entries.length < ENTRIES; i++) {
    const s = states[i % states.length];
    const other = states[(i + 1) % states.length];
    const kind = i % 100;
    if (kind === 0) {
      add(s, 'measure.define', measure(i, [s, other, states[(i + 2) % states.length]]), [
        s,
        other,
        states[(i + 2) % states.length],
      ]);
    } else if (kind < 60) {
      lastNotification = add(s, 'exercise.notification', notification(i, s.id, other.id));
    } else if (kind < 75) {
      add(s, 'datashare.alert', alert(i));
    } else if (kind < 85 && lastNotification !== null) {
      add(
        observers[i % observers.length],
        'observer.report',
        observerReport(lastNotification, s.id),
      );
    } else {
      add(s, 'risk.request', {
        to: other.id,
        activity: {
          description: 'Armoured columns moving towards the border crossing.',
          // Named by an area and a time window: admission refuses requests that name no activity.
          area: { description: 'The border crossing' },
          start: '2026-01-01T00:00:00Z',
          end: '2026-01-02T00:00:00Z',
        },
        question: 'Please explain the purpose and scale of this movement.',
      });
    }
  }
  const size = entries.length;
  const note = signNoteText(
    formatCheckpoint({ origin: ORIGIN, size, rootHash: range.root(), extensions: [] }),
    [{ name: ORIGIN, seed: logSeed }],
  );
  // What GET /v1/entries would send, page by page.
  const pages = [];
  for (let start = 0; start < size; start += PAGE) {
    const slice = entries.slice(start, start + PAGE);
    const end = start + slice.length;
    pages.push(
      JSON.stringify({ entries: slice, treeSize: size, ...(end < size ? { next: end } : {}) }),
    );
  }
  const signatures = entries.reduce((n, e) => n + e.envelope.signatures.length, 0);
  const sample = entries.slice(0, 2000).map((e) => ({
    message: pae(STATEMENT_PAYLOAD_TYPE, Buffer.from(e.envelope.payload, 'base64')),
    signature: Buffer.from(e.envelope.signatures[0].sig, 'base64'),
    keyid: e.envelope.signatures[0].keyid,
  }));
  const keys = new Map(
    [operator, ...states, ...observers].map((p) => [
      p.keyFile.keyid,
      createPublicKey({
        key: Buffer.concat([SPKI, Buffer.from(p.keyFile.publicKey, 'base64')]),
        format: 'der',
        type: 'spki',
      }),
    ]),
  );
  return {
    size,
    note,
    logVkey,
    pages,
    hashes,
    signatures,
    sample,
    keys,
    bytes: pages.reduce((n, p) => n + p.length, 0),
    ms: performance.now() - t0,
  };
}

/**
 * Single-core node:crypto Ed25519 verifications over the log's own messages: per second of wall
 * time, and per second of this process's CPU time (one thread runs, so the two agree on an idle
 * machine; on a busy one the CPU figure is the one that does not depend on the neighbours).
 */
function verifyRate(log, ms = 2000) {
  const items = log.sample.map((s) => ({ ...s, key: log.keys.get(s.keyid) }));
  for (let i = 0; i < 200; i++) {
    const s = items[i % items.length];
    verify(null, s.message, s.key, s.signature);
  }
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 100; i++, n++) {
      const s = items[n % items.length];
      if (!verify(null, s.message, s.key, s.signature)) throw new Error('verify failed');
    }
    t = performance.now();
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: (n / (t - t0)) * 1000, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

/**
 * The same verifications on every core at once (one worker thread per core): the ceiling the
 * audit's worker pool runs against, since cores under load run slower than one core alone.
 */
async function parallelVerifyRate(log, threads, ms = 2000) {
  const sample = log.sample.slice(0, 500).map((s) => ({
    message: s.message,
    signature: s.signature,
    publicKey: log.keys.get(s.keyid).export({ format: 'der', type: 'spki' }),
  }));
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createPublicKey, verify } = require('node:crypto');
    const items = workerData.sample.map((s) => ({ ...s, key: createPublicKey({ key: Buffer.from(s.publicKey), format: 'der', type: 'spki' }) }));
    let n = 0; const t0 = performance.now(); let t = t0;
    while (t - t0 < workerData.ms) {
      for (let i = 0; i < 100; i++, n++) { const s = items[n % items.length]; verify(null, s.message, s.key, s.signature); }
      t = performance.now();
    }
    parentPort.postMessage((n / (t - t0)) * 1000);`;
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { sample, ms } });
          w.once('message', (r) => {
            resolve(r);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

const cores = availableParallelism();
console.log(
  `node ${process.version}, ${process.arch}, ${cores} cores available (${cpus()[0]?.model ?? 'unknown cpu'})\n`,
);
const log = buildLog();
console.log(
  `log: ${fmt(log.size)} entries, ${fmt(log.signatures)} signatures, ${(log.bytes / 1e6).toFixed(1)} MB of entry pages; built in ${(log.ms / 1000).toFixed(1)} s (in memory, no HTTP server)`,
);

const source = {
  checkpoint: async () => log.note,
  entries: async (start, limit) => {
    const page = JSON.parse(log.pages[Math.floor(start / PAGE)]);
    const offset = start % PAGE;
    return { ...page, entries: page.entries.slice(offset, offset + limit) };
  },
  consistencyProof: async (from, to) => ({
    from,
    to,
    hashes: consistencyProof(log.hashes, from, to).map(toBase64),
  }),
};

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average before: ${load()} (other processes share these ${cores} cores)`);
const before = verifyRate(log);
console.log(
  `single-core node:crypto Ed25519 verify (before):  ${fmt(before.wall)} /s wall, ${fmt(before.cpu)} /s of CPU`,
);

const pool = new VerifyPool(cores);
let report;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
try {
  report = await auditLog({ source, logKey: parseVkey(log.logVkey), pool });
} finally {
  await pool.close();
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const after = verifyRate(log);
const allCores = await parallelVerifyRate(log, cores);
console.log(
  `single-core node:crypto Ed25519 verify (after):   ${fmt(after.wall)} /s wall, ${fmt(after.cpu)} /s of CPU`,
);
console.log(`load average after:  ${load()}`);
if (!report.ok) {
  console.log(`AUDIT FAILED: ${report.failures[0]?.message}`);
  process.exitCode = 1;
} else {
  const rate = log.size / seconds;
  const perCore = rate / cores;
  const perCpuSecond = log.size / cpuSeconds;
  const single = (before.wall + after.wall) / 2;
  const singleCpu = (before.cpu + after.cpu) / 2;
  console.log(
    `\naudit of ${fmt(log.size)} entries (${fmt(report.signatures)} signatures) with ${cores} signature workers: ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU (all threads)`,
  );
  console.log(`  audit throughput                       ${fmt(rate).padStart(8)} entries/s`);
  console.log(
    `  per core, wall (÷ ${cores} cores)             ${fmt(perCore).padStart(8)} entries/s     target ≥ 8,000`,
  );
  console.log(
    `  per core, CPU time (entries/CPU-s)     ${fmt(perCpuSecond).padStart(8)} entries/s`,
  );
  console.log(`  single-core verify rate, wall (mean)   ${fmt(single).padStart(8)} /s`);
  console.log(`  single-core verify rate, CPU (mean)    ${fmt(singleCpu).padStart(8)} /s`);
  console.log(
    `  per-core audit / verify rate, wall     ${(100 * (perCore / single)).toFixed(1).padStart(7)} %      target ≥ 85 %`,
  );
  console.log(
    `  per-core audit / verify rate, CPU      ${(100 * (perCpuSecond / singleCpu)).toFixed(1).padStart(7)} %      (insensitive to other load)`,
  );
  console.log(
    `  verify rate with all ${cores} cores busy   ${fmt(allCores / cores).padStart(8)} /s per core (the pool's ceiling)`,
  );
  console.log(
    `  per-core audit / all-core verify rate  ${(100 * (perCore / (allCores / cores))).toFixed(1).padStart(7)} %`,
  );
}
