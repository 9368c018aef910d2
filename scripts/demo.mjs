// npm run demo — a scripted, readable scenario on the local runtime (DESIGN.md §8), in this
// process on a temporary data directory: three states and an observer register; a measure is
// adopted by consensus; an annual calendar; two exercise notifications, one of them late; an
// observer report with a discrepancy, which the host disputes (a claim.reply); a health alert
// with its laboratory report as evidence; two witnesses cosign; then a full audit, the compliance report recomputed offline, and the
// measure's timeline. It says what happens at each step and ends with the findings.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LedgerClient,
  currentReceipt,
  submitStatement,
  uploadEvidence,
  verifyReceipt,
} from '@cbm-ledger/client';
import { evidenceFromFile, readKeyFile } from '@cbm-ledger/client/node';
import { run } from '@cbm-ledger/cli';

// Node 20 is this project's platform; the SDK's notice that it will drop Node 20 is noise here.
// Set before the runtime (and with it the SDK) is loaded.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { readSettings, startLocalRuntime } = await import('@cbm-ledger/local');

const started = performance.now();
const DAY = 86_400_000;
const now = Date.now();
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const day = (ms) => iso(ms).slice(0, 10);
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

let step = 0;
function say(title, ...lines) {
  step++;
  console.log(`\n${bold(`${step}. ${title}`)}`);
  for (const line of lines) console.log(`   ${line}`);
}

/** Runs a `cbm` command in this process, echoing it as it would be typed. */
async function cbm(...args) {
  const shown = args.map((a) => (a.startsWith(dir) ? a.replace(dir, '$DEMO') : a));
  console.log(`\n   $ cbm ${shown.join(' ')}`);
  const code = await run(args, {
    stdout: { write: (t) => process.stdout.write(t.replace(/^/gm, '     ').replace(/ {5}$/, '')) },
    stderr: { write: (t) => process.stderr.write(t.replace(/^/gm, '     ').replace(/ {5}$/, '')) },
    stdin: process.stdin,
    // The CLI's outbox lives with the demo's other files, not in ~/.cbm.
    env: { ...process.env, CBM_SERVER: server, CBM_HOME: join(dir, '.cbm') },
    cwd: dir,
  });
  if (code !== 0) throw new Error(`cbm ${args[0]} failed (exit ${code})`);
}

const dir = await mkdtemp(join(tmpdir(), 'cbm-demo-'));
const quiet = {
  error: (...a) => console.error('ledger:', ...a),
  warn: () => {},
  info: () => {},
  debug: () => {},
};
const runtime = await startLocalRuntime(
  readSettings({
    PORT: '0',
    CBM_DATA_DIR: join(dir, 'ledger'),
    CBM_ORIGIN: 'cbm-ledger.local/demo',
  }),
  quiet,
);
const server = runtime.url;
const client = new LedgerClient({ server });

try {
  say(
    'A ledger starts',
    `The local runtime serves the API at ${server}.`,
    `Its origin is ${runtime.origin}; every checkpoint it signs verifies with the log key`,
    `  ${runtime.logVkey}`,
    'The operator (operator:local) created it: entry 0 is the genesis.',
  );

  // ---- parties ---------------------------------------------------------------------------
  const parties = [
    ['state:JOR', 'Hashemite Kingdom of Jordan', 'jordan.witness'],
    ['state:EGY', 'Arab Republic of Egypt'],
    ['state:ISR', 'State of Israel'],
    ['observer:un-team', 'UN observation mission', 'un-team.witness'],
  ];
  const keys = {};
  const witnessKeys = {};
  say(
    'Three states and an observer get keys and are registered',
    "Each submitting office runs 'cbm keygen' and hands the operator its public key only.",
  );
  for (const [id, , witness] of parties) {
    const slug = id.replace(':', '-');
    await run(['keygen', '--party', id, '--out', join(dir, `${slug}.key`), '--json'], {
      stdout: { write: () => {} },
      stderr: process.stderr,
      stdin: process.stdin,
      env: {},
      cwd: dir,
    });
    keys[id] = await readKeyFile(join(dir, `${slug}.key`));
    if (witness !== undefined) {
      await run(['keygen', '--party', id, '--out', join(dir, `${slug}-witness.key`), '--json'], {
        stdout: { write: () => {} },
        stderr: process.stderr,
        stdin: process.stdin,
        env: {},
        cwd: dir,
      });
      witnessKeys[id] = await readKeyFile(join(dir, `${slug}-witness.key`));
    }
  }
  const operator = await readKeyFile(runtime.operatorKeyPath);
  for (const [id, name, witness] of parties) {
    const { result } = await submitStatement(client, {
      key: operator,
      draft: {
        type: 'party.register',
        body: {
          party: { id, name, kind: id.split(':')[0] },
          keys: [{ keyid: keys[id].keyid, publicKey: keys[id].publicKey }],
          ...(witness === undefined
            ? {}
            : { witness: { name: witness, publicKey: witnessKeys[id].publicKey } }),
        },
      },
      waitSeconds: 10,
    });
    console.log(
      `   • ${name} (${id}) registered as entry ${result.index}${witness === undefined ? '' : `, with witness key ${witness}`}`,
    );
  }

  // ---- the measure -------------------------------------------------------------------------
  const inForce = now - 2 * DAY;
  const measure = {
    id: 'mena-csbm',
    title: 'Regional confidence- and security-building measures',
    parties: ['state:JOR', 'state:EGY', 'state:ISR'],
    ruleSet: 'vd2011',
    overrides: {},
    adoptedAt: iso(inForce),
    inForceAt: iso(inForce),
    term: {
      sunsetAt: iso(now + 5 * 365 * DAY),
      renewal: 'affirmative',
      renewalPeriodMonths: 60,
      terminationNoticeDays: 180,
    },
    review: { firstAt: iso(now + 300 * DAY), intervalMonths: 12, graceDays: 30 },
    summary:
      'Prior notification and observation of military activities, under the Vienna Document 2011 rules.',
  };
  await writeFile(join(dir, 'measure.json'), JSON.stringify(measure, null, 2));
  say(
    'A measure is adopted by consensus',
    'Jordan submits the measure; Egypt and Israel co-sign the very same statement,',
    'so the ledger admits it only because every party signed (measure.define needs all of them).',
  );
  await cbm(
    'submit',
    'measure.define',
    join(dir, 'measure.json'),
    '--key',
    join(dir, 'state-JOR.key'),
    '--cosign',
    join(dir, 'state-EGY.key'),
    '--cosign',
    join(dir, 'state-ISR.key'),
    '--wait',
    '10',
  );

  // ---- calendar and notifications ----------------------------------------------------------
  const desertStart = now + 60 * DAY;
  const year = new Date(desertStart).getUTCFullYear();
  const calendar = {
    year,
    nil: false,
    activities: [
      {
        designation: 'DESERT SHIELD',
        type: 'exercise',
        start: day(desertStart),
        end: day(desertStart + 10 * DAY),
        troops: 12000,
        battleTanks: 180,
        area: 'Southern military region',
      },
    ],
  };
  say(
    `Jordan files its annual calendar for ${year}`,
    `It lists DESERT SHIELD, 12,000 troops, from ${day(desertStart)}.`,
  );
  const cal = await submitStatement(client, {
    key: keys['state:JOR'],
    draft: { type: 'calendar.annual', body: calendar },
    waitSeconds: 10,
  });
  console.log(`   • entry ${cal.result.index}: calendar.annual ${cal.id}`);

  const counts = (troops, tanks) => ({
    troops,
    battleTanks: tanks,
    acv: Math.round(troops / 40),
    artillery: Math.round(troops / 150),
    aircraftSorties: 0,
    amphibiousTroops: 0,
    airborneTroops: 0,
  });
  say(
    'Two exercise notifications',
    `Jordan notifies DESERT SHIELD 60 days ahead (the rule asks for 42) and invites observers.`,
    'Egypt calls BADR, a snap exercise of 15,000 troops. Activities without advance notice to the',
    'troops ("alert") must be notified at the latest when they start; BADR began yesterday — late.',
  );
  const desert = await submitStatement(client, {
    key: keys['state:JOR'],
    draft: {
      type: 'exercise.notification',
      body: {
        designation: 'DESERT SHIELD',
        activityType: 'exercise',
        noticeClass: 'standard',
        start: iso(desertStart),
        end: iso(desertStart + 10 * DAY),
        area: { description: 'Southern military region, training area south of Ma’an' },
        participatingStates: ['state:JOR'],
        counts: counts(12000, 180),
        observation: { invited: true, invitees: ['state:EGY', 'state:ISR', 'observer:un-team'] },
        calendarRef: cal.id,
      },
      refs: [cal.id],
    },
    waitSeconds: 10,
  });
  console.log(`   • entry ${desert.result.index}: DESERT SHIELD notified by Jordan`);
  const badrStart = now - DAY;
  const badr = await submitStatement(client, {
    key: keys['state:EGY'],
    draft: {
      type: 'exercise.notification',
      body: {
        designation: 'BADR',
        activityType: 'exercise',
        noticeClass: 'alert',
        start: iso(badrStart),
        end: iso(badrStart + 8 * DAY),
        area: { description: 'Eastern Desert, west of the Gulf of Suez' },
        participatingStates: ['state:EGY'],
        counts: counts(15000, 320),
        observation: { invited: true, invitees: ['observer:un-team'] },
      },
    },
    waitSeconds: 10,
  });
  console.log(
    `   • entry ${badr.result.index}: BADR notified by Egypt, ${badr.result.receipt.leaf.integratedAt}`,
  );

  // ---- observer report ---------------------------------------------------------------------
  say(
    'The observers report what they saw at BADR',
    'Egypt declared 15,000 troops; the observers counted about 17,500.',
  );
  const report = await submitStatement(client, {
    key: keys['observer:un-team'],
    draft: {
      type: 'observer.report',
      body: {
        exercise: badr.id,
        hostState: 'state:EGY',
        period: { start: iso(badrStart + 3_600_000), end: iso(now - 3_600_000) },
        declaredVsObserved: [
          { item: 'troops', declared: 15000, observed: 17500 },
          { item: 'battleTanks', declared: 320, observed: 320 },
        ],
        access: 'managed',
        findings: ['Observed troop numbers exceeded the declaration by about 17 %.'],
        dissent: [],
      },
      refs: [badr.id],
    },
    waitSeconds: 10,
  });
  console.log(`   • entry ${report.result.index}: observer.report by observer:un-team`);

  // ---- right of reply ------------------------------------------------------------------------
  say(
    'Egypt disputes the count',
    'The observers were invited by name, so their report weighs; but one observer team is one',
    'party: until a second invited team agrees or Egypt acknowledges it, the discrepancy is only',
    'alleged. Egypt answers with a signed claim.reply, and the finding is shown as DISPUTED, with',
    'the report and the reply cited side by side (docs/compliance-claims.md).',
  );
  const reply = await submitStatement(client, {
    key: keys['state:EGY'],
    draft: {
      type: 'claim.reply',
      body: {
        claim: report.id,
        position: 'dispute',
        answer:
          'The count includes 2,500 troops of the garrison at Suez, which took no part in BADR.',
      },
      refs: [report.id],
    },
    waitSeconds: 10,
  });
  console.log(`   • entry ${reply.result.index}: claim.reply by Egypt, disputing the report`);

  // ---- health alert with evidence ----------------------------------------------------------
  await writeFile(
    join(dir, 'lab-report.txt'),
    'Ministry of Health — laboratory report\n23 suspected cholera cases, 4 confirmed by culture.\n',
  );
  say(
    'Israel shares a health alert, with the laboratory report as evidence',
    'The report is uploaded to the evidence store under its SHA-256 (streamed, hashed as read);',
    'the alert cites it by hash. It is shared within 24 hours of assessment (WHO IHR art. 6).',
  );
  // Signed as Israel (RFC 9421): the upload is the issuer's proof of possession, and admission
  // accepts only evidence the issuer itself uploaded (docs/evidence-access.md).
  const evidence = await uploadEvidence(
    new LedgerClient({ server, auth: { keyFile: keys['state:ISR'] } }),
    await evidenceFromFile(join(dir, 'lab-report.txt')),
  );
  const alert = await submitStatement(client, {
    key: keys['state:ISR'],
    draft: {
      type: 'datashare.alert',
      body: {
        alert: {
          identifier: `IL-MOH-${year}-0042`,
          sender: 'alerts@health.gov.il',
          sent: iso(now - 2 * 3_600_000).replace('Z', '+00:00'),
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
              headline: 'Confirmed cholera cluster near the southern border crossing',
            },
          ],
        },
        hazardDomain: 'health',
        assessedAt: iso(now - 3 * 3_600_000),
      },
      evidence: [evidence.ref],
    },
    waitSeconds: 10,
  });
  console.log(
    `   • entry ${alert.result.index}: datashare.alert citing sha256:${evidence.ref.sha256.slice(0, 16)}…`,
  );

  // ---- witnesses ---------------------------------------------------------------------------
  say(
    'Two witnesses cosign the checkpoint',
    'Each verifies the log signature and that the checkpoint extends the last one it saw,',
    'then adds its cosignature. Readers can now require both.',
  );
  for (const [file, name] of [
    ['observer-un-team-witness.key', 'un-team.witness'],
    ['state-JOR-witness.key', 'jordan.witness'],
  ]) {
    await cbm(
      'witness',
      '--key',
      join(dir, file),
      '--name',
      name,
      '--state-file',
      join(dir, `${name}.state`),
      '--log-vkey',
      runtime.logVkey,
      '--once',
    );
  }

  const info = await client.info();
  const receipt = await currentReceipt(client, badr.id);
  const verified = verifyReceipt(receipt, {
    logVkey: runtime.logVkey,
    witnesses: info.witnesses.map((w) => w.vkey),
    quorum: 2,
  });
  await writeFile(join(dir, 'badr.receipt.json'), JSON.stringify(receipt, null, 2));
  say(
    "Egypt's late notification has a receipt anyone can check offline",
    `Entry ${verified.index} is in the tree of checkpoint ${verified.treeSize}, signed by the log key and`,
    `cosigned by ${verified.cosignatures.map((c) => c.name).join(' and ')}: nobody, not even the operator, can now`,
    'quietly drop it, backdate it, or show another version to someone else.',
  );
  await cbm(
    'verify',
    join(dir, 'badr.receipt.json'),
    '--log-vkey',
    runtime.logVkey,
    '--witness',
    info.witnesses[0].vkey,
    '--witness',
    info.witnesses[1].vkey,
    '--quorum',
    '2',
  );

  // ---- audit, compliance, timeline -----------------------------------------------------------
  say(
    'An observer audits the whole log',
    'Every leaf, both hash chains, every signature against the registry at its index, the root.',
  );
  await cbm('audit', '--state-file', join(dir, 'audit.state'), '--log-vkey', runtime.logVkey);

  say(
    'The compliance report, recomputed offline',
    'The ledger judges the public statements against the measure’s rule set; the observer',
    'replays the same pure function on the entries it just audited and compares the bytes.',
  );
  await cbm('compliance', '--offline', '--log-vkey', runtime.logVkey);

  say('The measure’s timeline');
  await cbm('timeline', 'mena-csbm');

  // ---- findings ------------------------------------------------------------------------------
  const { report: compliance } = await client.compliance();
  // Summaries count established findings only; alleged and disputed ones are listed apart.
  const established = compliance.findings.filter((f) => f.standing === 'established');
  const byOutcome = (o) => established.filter((f) => f.outcome === o);
  say('Findings');
  const lines = [];
  for (const f of compliance.findings.filter((x) => x.standing !== 'established'))
    lines.push(
      `${f.standing.toUpperCase().padEnd(12)} ${f.party}: ${f.rule} (${f.outcome}) — ${f.detail}`,
    );
  for (const f of byOutcome('late')) lines.push(`LATE         ${f.party}: ${f.rule} — ${f.detail}`);
  for (const f of byOutcome('discrepancy'))
    lines.push(`DISCREPANCY  ${f.party}: ${f.rule} — ${f.detail}`);
  for (const f of byOutcome('missing'))
    lines.push(`MISSING      ${f.party}: ${f.rule} — ${f.detail}`);
  for (const f of byOutcome('exceeded'))
    lines.push(`EXCEEDED     ${f.party}: ${f.rule} — ${f.detail}`);
  for (const f of byOutcome('compliant')) lines.push(`compliant    ${f.party}: ${f.rule}`);
  for (const line of lines) console.log(`   ${line}`);
  console.log(
    `\n   The log holds ${compliance.treeSize} entries, audited and cosigned by two witnesses;\n` +
      '   the report above is byte-identical whether the ledger or the observer computes it.',
  );
  console.log(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
} finally {
  await runtime.close();
  await rm(dir, { recursive: true, force: true });
}
