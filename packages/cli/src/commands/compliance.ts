/**
 * `cbm compliance [--at T] [--tree-size N] [--offline]`: the ledger's compliance report, or, with
 * --offline, the same report recomputed here from the log's public statements and compared byte
 * for byte with the ledger's (DESIGN.md §7: findings are a pure function of the first treeSize
 * entries and `at`).
 */
import type { ComplianceReport, ComplianceSummary, LedgerClient } from '@cbm-ledger/client';
import { logKey } from '@cbm-ledger/client';
import {
  canonicalReport,
  complianceEntryFromLeaf,
  complianceSummary,
  evaluateCompliance,
  isRulesVersion,
  OUTCOMES,
  RULES_VERSIONS,
} from '@cbm-ledger/compliance';
import type { ComplianceEntry, Finding, RulesVersion } from '@cbm-ledger/compliance';
import {
  CompactRange,
  GENESIS_PREV,
  canonicalize,
  fromBase64,
  leafHash,
  leafHashHex,
  openCheckpoint,
  parseLeaf,
  sha256Hex,
  statementId,
  toBase64,
  utf8Decode,
  utf8Encode,
  verifyConsistency,
} from '@cbm-ledger/protocol';
import type { Leaf, Statement } from '@cbm-ledger/protocol';
import type { Command, Context } from '../command.js';
import { flag, integerOption, keyOption, plural, shortTime, stringOption } from '../command.js';
import { CommandError, EXIT_FAILED, EXIT_OK } from '../errors.js';

export function printReport(ctx: Context, report: ComplianceReport): void {
  const out = ctx.out;
  out.line(
    `Compliance report for ${report.ledger}: the first ${plural(report.treeSize, 'entry', 'entries')} (root ${report.rootHash}) as of ${shortTime(report.at)}`,
  );
  if (report.party !== undefined) out.line(`  party   ${report.party}`);
  if (report.measure !== undefined) out.line(`  measure ${report.measure}`);
  out.line(
    `  rule sets: ${report.ruleSets.map((r) => `${r.id} ${r.version}`).join(', ') || 'none (no public measure in force)'}`,
  );
  // Broken admission promises are the operator's, never a state's (docs/promises.md).
  for (const f of report.operatorFindings ?? []) {
    out.line(
      `  OPERATOR broke a promise: entry ${f.index} (${f.subjects[0]}) due by ${shortTime(f.due)}, integrated ${shortTime(f.actual)}`,
    );
  }
  const parties = [...new Set(report.findings.map((f) => f.party))].sort();
  if (parties.length === 0) {
    out.line('  no findings');
  } else {
    // Counts are of established findings only; alleged and disputed ones are counted apart
    // (rules 2.0.0: claims are not findings). A 1.0.0 report has no standings.
    const established = (f: Finding): boolean => (f.standing ?? 'established') === 'established';
    const width = Math.max(...parties.map((p) => p.length));
    for (const party of parties) {
      const mine = report.findings.filter((f) => f.party === party);
      const counts = OUTCOMES.map(
        (o) => [o, mine.filter((f) => established(f) && f.outcome === o).length] as const,
      )
        .filter(([, n]) => n > 0)
        .map(([o, n]) => `${n} ${o}`);
      for (const s of ['alleged', 'disputed'] as const) {
        const n = mine.filter((f) => f.standing === s).length;
        if (n > 0) counts.push(`(and ${n} ${s}, not counted)`);
      }
      out.line(`  ${party.padEnd(width)}  ${counts.join(', ') || 'none established'}`);
    }
    const attention = report.findings.filter((f) => f.outcome !== 'compliant');
    if (attention.length > 0) {
      out.line('');
      out.line('Findings that need attention:');
      for (const f of attention) out.line(`  ${describeFinding(f)}`);
    }
  }
  printClaims(ctx, report);
}

/** The claims section of a 2.0.0 report: every claim not simply weighed, and every reply. */
function printClaims(ctx: Context, report: ComplianceReport): void {
  const claims = report.claims ?? [];
  const shown = claims.filter((c) => c.status !== 'entitled' && c.status !== 'deadline');
  const replied = claims.filter((c) => c.replies.length > 0);
  if (shown.length === 0 && replied.length === 0) return;
  const out = ctx.out;
  out.line('');
  out.line('Claims and replies:');
  for (const c of claims) {
    if (!shown.includes(c) && !replied.includes(c)) continue;
    out.line(
      `  ${c.status.toUpperCase().padEnd(12)} ${c.type} ${c.statementId} by ${c.claimant} about ${c.about} (${c.measure}): ${c.detail}`,
    );
    for (const r of c.replies) {
      out.line(`    reply ${r.statementId} (${r.type}${r.position ? `, ${r.position}` : ''})`);
    }
  }
}

export function describeFinding(f: Finding): string {
  const actual = f.actual === null ? '' : `, actual ${shortTime(f.actual)}`;
  const standing =
    f.standing === undefined || f.standing === 'established'
      ? ''
      : ` [${f.standing.toUpperCase()}]`;
  return `${f.outcome.toUpperCase().padEnd(14)} ${f.party} ${f.rule} (${f.measure})${standing}, due ${shortTime(f.due)}${actual}: ${f.detail}`;
}

/**
 * The public view (`--server https://host/public`) answers GET …/v1/compliance with the summary
 * (counts per state), not the report: what the answer is decides how it is printed and compared.
 */
function kindOf(value: unknown): 'report' | 'summary' {
  const v = value as { findings?: unknown; states?: unknown; ruleSets?: unknown } | null;
  if (typeof v === 'object' && v !== null && Array.isArray(v.ruleSets)) {
    if (Array.isArray(v.findings)) return 'report';
    if (Array.isArray(v.states)) return 'summary';
  }
  throw new CommandError(
    'BAD_RESPONSE',
    'the ledger answered GET /v1/compliance with neither a compliance report nor a summary',
  );
}

export function printSummary(ctx: Context, summary: ComplianceSummary): void {
  const out = ctx.out;
  out.line(
    `Compliance summary (public view) for ${summary.ledger}: the first ${plural(summary.treeSize, 'entry', 'entries')} (root ${summary.rootHash}) as of ${shortTime(summary.at)}`,
  );
  if (summary.party !== undefined) out.line(`  party   ${summary.party}`);
  if (summary.measure !== undefined) out.line(`  measure ${summary.measure}`);
  out.line(
    `  rule sets: ${summary.ruleSets.map((r) => `${r.id} ${r.version}`).join(', ') || 'none (no public measure in force)'}`,
  );
  if (summary.states.length === 0) {
    out.line('  no findings');
    return;
  }
  const width = Math.max(...summary.states.map((s) => s.party.length));
  for (const row of summary.states) {
    const counts = OUTCOMES.filter((o) => (row.outcomes[o] ?? 0) > 0).map(
      (o) => `${row.outcomes[o]} ${o}`,
    );
    out.line(`  ${row.party.padEnd(width)}  ${counts.join(', ')}`);
  }
}

interface Recomputed {
  text: string;
  report: ComplianceReport;
  publicStatements: number;
}

/** Reads the first `treeSize` entries, checks them against the signed checkpoint, recomputes. */
async function recompute(
  ctx: Context,
  client: LedgerClient,
  server: Pick<ComplianceReport, 'treeSize' | 'at' | 'party' | 'measure' | 'rulesVersion'>,
): Promise<Recomputed> {
  const info = await client.info();
  const vkey = stringOption(ctx.values, 'log-vkey') ?? info.logVkey;
  if (stringOption(ctx.values, 'log-vkey') === undefined) {
    ctx.out.note(`cbm: checking entries against the log key the ledger publishes: ${vkey}`);
  }
  const note = await client.checkpoint();
  let size: number;
  let root: Uint8Array;
  try {
    const { checkpoint } = openCheckpoint(note, logKey(vkey));
    size = checkpoint.size;
    root = checkpoint.rootHash;
  } catch (e) {
    throw new CommandError(
      'CHECKPOINT_INVALID',
      `the ledger's checkpoint does not verify: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const treeSize = server.treeSize;
  if (treeSize > size) {
    throw new CommandError(
      'TREE_SIZE_BEYOND_CHECKPOINT',
      `the report covers ${treeSize} entries, the checkpoint only ${size}`,
    );
  }
  const entries: ComplianceEntry[] = [];
  const range = CompactRange.empty();
  let prev: Leaf | undefined;
  let publicStatements = 0;
  while (entries.length < treeSize) {
    const page = await client.entries(entries.length, Math.min(1000, treeSize - entries.length));
    if (page.entries.length === 0)
      throw new CommandError('ENTRIES_MISSING', `the ledger serves no entry ${entries.length}`);
    for (const view of page.entries.slice(0, treeSize - entries.length)) {
      const leaf = parseLeaf(view.leaf);
      const index = entries.length;
      if (
        leaf.index !== index ||
        leaf.prev !== (prev === undefined ? GENESIS_PREV : leafHashHex(prev))
      ) {
        throw new CommandError('CHAIN_BROKEN', `entry ${index} does not continue the log's chain`);
      }
      range.append(leafHash(leaf));
      prev = leaf;
      const entry: ComplianceEntry = complianceEntryFromLeaf(leaf);
      if (view.envelope !== undefined && leaf.visibility === 'public') {
        const payload = fromBase64(view.envelope.payload);
        if (statementId(payload) !== leaf.statement) {
          throw new CommandError(
            'STATEMENT_ID_MISMATCH',
            `entry ${index}: the envelope is not statement ${leaf.statement}`,
          );
        }
        entry.statement = JSON.parse(utf8Decode(payload)) as Statement;
        publicStatements++;
      }
      entries.push(entry);
    }
  }
  const prefixRoot = range.root();
  if (treeSize === size) {
    if (toBase64(prefixRoot) !== toBase64(root)) {
      throw new CommandError(
        'ROOT_MISMATCH',
        `the entries do not hash to checkpoint ${size}'s root`,
      );
    }
  } else if (treeSize > 0) {
    const proof = await client.consistencyProof(treeSize, size);
    try {
      verifyConsistency(
        treeSize,
        size,
        prefixRoot,
        root,
        proof.hashes.map((h) => fromBase64(h, 32)),
      );
    } catch (e) {
      throw new CommandError(
        'INCONSISTENT',
        `the first ${treeSize} entries are not a prefix of the signed log: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const local = evaluateCompliance({
    // The origin the trusted log key names, not what the ledger says about itself.
    ledger: logKey(vkey).name,
    treeSize,
    rootHash: toBase64(prefixRoot),
    at: server.at,
    entries,
    ...(server.party === undefined ? {} : { party: server.party }),
    ...(server.measure === undefined ? {} : { measure: server.measure }),
    // Judged by the rules the ledger's report names (absent: 1.0.0, which named none).
    rulesVersion: rulesVersionOf(server),
  });
  return { text: canonicalReport(local), report: local, publicStatements };
}

function rulesVersionOf(report: Pick<ComplianceReport, 'rulesVersion'>): RulesVersion {
  const v = report.rulesVersion ?? '1.0.0';
  if (!isRulesVersion(v)) {
    throw new CommandError(
      'RULES_VERSION_UNKNOWN',
      `the ledger's report was judged by rules ${String(v)}, which this cbm does not know (it knows ${RULES_VERSIONS.join(', ')})`,
    );
  }
  return v;
}

function differences(server: ComplianceReport, local: ComplianceReport): string[] {
  const lines: string[] = [];
  for (const k of ['ledger', 'treeSize', 'rootHash', 'at', 'basis'] as const) {
    if (server[k] !== local[k])
      lines.push(`${k}: the ledger says ${String(server[k])}, recomputed ${String(local[k])}`);
  }
  const key = (f: Finding): string => JSON.stringify(f);
  const mine = new Set(local.findings.map(key));
  const theirs = new Set(server.findings.map(key));
  for (const f of server.findings)
    if (!mine.has(key(f))) lines.push(`only in the ledger's report: ${describeFinding(f)}`);
  for (const f of local.findings)
    if (!theirs.has(key(f))) lines.push(`only in the recomputed report: ${describeFinding(f)}`);
  return lines;
}

export const complianceCommand: Command = {
  name: 'compliance',
  usage:
    'compliance [--at T] [--tree-size N] [--party ID] [--measure ID] [--rules-version V] [--offline] [--log-vkey VKEY]',
  summary: 'the compliance report; --offline recomputes it and compares byte for byte',
  help: [
    'Options:',
    "  --at T          evaluation time, RFC 3339 UTC (default: now, the ledger's clock)",
    '  --tree-size N   judge the first N entries (default: the whole log)',
    '  --party ID      only findings about this party',
    '  --measure ID    only findings under this measure',
    `  --rules-version V  judge by these rules (${RULES_VERSIONS.join(', ')}; default: the latest)`,
    '  --offline       recompute the report from the public statements of the same entries',
    '                  (checked against the signed checkpoint) and compare it byte for byte',
    "  --log-vkey VKEY the log key to check the checkpoint with (default: the ledger's own)",
  ].join('\n'),
  options: {
    at: { type: 'string' },
    'tree-size': { type: 'string' },
    party: { type: 'string' },
    measure: { type: 'string' },
    'rules-version': { type: 'string' },
    offline: { type: 'boolean' },
    'log-vkey': { type: 'string' },
    key: { type: 'string' },
  },
  positionals: [0, 0],
  async run(ctx) {
    const treeSize = integerOption(ctx.values, 'tree-size', { min: 0 });
    const query = {
      ...(stringOption(ctx.values, 'at') === undefined
        ? {}
        : { at: stringOption(ctx.values, 'at')! }),
      ...(treeSize === undefined ? {} : { treeSize }),
      ...(stringOption(ctx.values, 'party') === undefined
        ? {}
        : { party: stringOption(ctx.values, 'party')! }),
      ...(stringOption(ctx.values, 'measure') === undefined
        ? {}
        : { measure: stringOption(ctx.values, 'measure')! }),
      ...(stringOption(ctx.values, 'rules-version') === undefined
        ? {}
        : { rulesVersion: stringOption(ctx.values, 'rules-version')! }),
    };
    const client = ctx.client(await keyOption(ctx, 'key'));
    const answer = await client.compliance(query);
    if (kindOf(answer.report) === 'summary') {
      return summaryRun(ctx, client, answer.text, answer.report as unknown as ComplianceSummary);
    }
    if (!flag(ctx.values, 'offline')) {
      if (ctx.out.json) ctx.io.stdout.write(`${answer.text}\n`);
      printReport(ctx, answer.report);
      return EXIT_OK;
    }
    const local = await recompute(ctx, client, answer.report);
    const identical = local.text === answer.text;
    const digest = sha256Hex(utf8Encode(answer.text));
    ctx.out.result({
      ok: identical,
      identical,
      treeSize: answer.report.treeSize,
      at: answer.report.at,
      rootHash: local.report.rootHash,
      publicStatements: local.publicStatements,
      serverSha256: digest,
      localSha256: sha256Hex(utf8Encode(local.text)),
      ...(identical ? {} : { differences: differences(answer.report, local.report) }),
      report: answer.report,
    });
    printReport(ctx, answer.report);
    ctx.out.line('');
    if (identical) {
      ctx.out.line(
        `Recomputed offline from ${plural(answer.report.treeSize, 'entry', 'entries')} (${plural(local.publicStatements, 'public statement')}), checked against the signed checkpoint: byte-identical to the ledger's report (sha256 ${digest}).`,
      );
      return EXIT_OK;
    }
    ctx.out.line("The recomputed report DIFFERS from the ledger's:");
    for (const d of differences(answer.report, local.report)) ctx.out.line(`  ${d}`);
    ctx.out.note(
      "cbm: the ledger's compliance report does not match the one recomputed from its entries",
    );
    return EXIT_FAILED;
  },
};

/**
 * The same command against the public view: the summary printed, or with --offline the report
 * recomputed from the public entries and its summary compared with the served one.
 */
async function summaryRun(
  ctx: Context,
  client: LedgerClient,
  text: string,
  summary: ComplianceSummary,
): Promise<number> {
  if (!flag(ctx.values, 'offline')) {
    if (ctx.out.json) ctx.io.stdout.write(`${text}\n`);
    printSummary(ctx, summary);
    return EXIT_OK;
  }
  const local = await recompute(ctx, client, summary);
  const mine = canonicalize(complianceSummary(local.report));
  const theirs = canonicalize(summary);
  const identical = mine === theirs;
  ctx.out.result({
    ok: identical,
    identical,
    view: 'public',
    treeSize: summary.treeSize,
    at: summary.at,
    rootHash: local.report.rootHash,
    publicStatements: local.publicStatements,
    serverSha256: sha256Hex(utf8Encode(theirs)),
    localSha256: sha256Hex(utf8Encode(mine)),
    summary,
  });
  printSummary(ctx, summary);
  ctx.out.line('');
  if (identical) {
    ctx.out.line(
      `Recomputed offline from ${plural(summary.treeSize, 'entry', 'entries')} (${plural(local.publicStatements, 'public statement')}), checked against the signed checkpoint: the same summary as the public view's.`,
    );
    return EXIT_OK;
  }
  ctx.out.line("The summary recomputed offline DIFFERS from the public view's.");
  ctx.out.note("cbm: the public view's compliance summary does not match the recomputed one");
  return EXIT_FAILED;
}
