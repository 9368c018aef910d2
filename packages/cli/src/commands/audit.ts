/**
 * `cbm audit [--state-file F]`: verifies the whole log (see audit/core.ts), resumably, with the
 * signature checks spread over every core; exits 1 naming the first bad index.
 */
import { availableParallelism } from 'node:os';
import type { LedgerClient } from '@cbm-ledger/client';
import { logKey, witnessKey } from '@cbm-ledger/client';
import type { NoteVerifierKey } from '@cbm-ledger/protocol';
import { auditLog } from '../audit/core.js';
import { auditEvidence } from '../audit/evidence.js';
import type { EvidenceAuditReport } from '../audit/evidence.js';
import type { AuditReport, AuditSource } from '../audit/core.js';
import { VerifyPool } from '../audit/pool.js';
import { checkWitnessTimes } from '../audit/witness-check.js';
import type { WitnessCheckResult } from '../audit/witness-check.js';
import { DEFAULT_WITNESS_SKEW_MS } from '../audit/witness-times.js';
import { parseAuditState } from '../audit/state.js';
import type { AuditState } from '../audit/state.js';
import type { Command, Context } from '../command.js';
import {
  flag,
  integerOption,
  keyOption,
  listOption,
  plural,
  readOptionalJson,
  stringOption,
  writeFileAtomic,
} from '../command.js';
import { CommandError, EXIT_FAILED, EXIT_OK } from '../errors.js';
import { ProgressBar } from '../progress.js';

export function httpAuditSource(client: LedgerClient): AuditSource {
  return {
    checkpoint: () => client.checkpoint(),
    entries: (start, limit) => client.entries(start, limit),
    consistencyProof: (from, to) => client.consistencyProof(from, to),
  };
}

type Trust = 'the --log-vkey option' | 'the state file' | 'the ledger itself (trust on first use)';

async function trustedLogKey(
  ctx: Context,
  client: LedgerClient,
  state: AuditState | undefined,
): Promise<{ key: NoteVerifierKey; trust: Trust }> {
  const given = stringOption(ctx.values, 'log-vkey');
  if (given !== undefined) {
    const key = logKey(given);
    if (state !== undefined && state.logVkey !== given) {
      throw new CommandError(
        'LOG_KEY_CHANGED',
        `the state file was written for log key ${state.logVkey}, not ${given}`,
      );
    }
    return { key, trust: 'the --log-vkey option' };
  }
  if (state !== undefined) return { key: logKey(state.logVkey), trust: 'the state file' };
  return {
    key: logKey((await client.info()).logVkey),
    trust: 'the ledger itself (trust on first use)',
  };
}

function printReport(
  ctx: Context,
  report: AuditReport,
  trust: Trust,
  stateFile: string | undefined,
  witnessTimes?: WitnessCheckResult,
): void {
  const out = ctx.out;
  out.line(`Audit of ${report.origin} at ${ctx.server}`);
  out.line(`  log key ${report.logVkey}, trusted from ${trust}`);
  const range =
    report.resumedFrom > 0
      ? `entries ${report.resumedFrom.toLocaleString('en-US')}–${(report.treeSize - 1).toLocaleString('en-US')} (0–${(report.resumedFrom - 1).toLocaleString('en-US')} verified before)`
      : `entries 0–${(report.treeSize - 1).toLocaleString('en-US')}`;
  out.line(
    `  ${range}: ${plural(report.audited, 'entry', 'entries')} read in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  if (report.ok) {
    out.line(`  ✓ leaf hashes, the ledger-wide chain and integration order`);
    out.line(
      `  ✓ Merkle root = checkpoint ${report.treeSize} (root ${report.rootHash}), signed by the log key`,
    );
    if (report.consistency !== undefined) {
      out.line(
        `  ✓ consistent with checkpoint ${report.consistency.from} recorded in the state file`,
      );
    } else if (stateFile !== undefined) {
      out.line(`  – no earlier checkpoint in the state file: nothing to be consistent with yet`);
    }
    out.line(
      `  ✓ ${plural(report.envelopes, 'readable statement')}: ids, envelope digests and ${plural(report.signatures, 'signature')} against the registry at each index`,
    );
    out.line(`  ✓ issuer chains of ${plural(report.issuers, 'party', 'parties')}`);
    if (witnessTimes !== undefined) {
      out.line(
        `  ✓ integratedAt and acceptedAt within the witnesses' times: ${plural(witnessTimes.cosignatures, 'cosignature')} on ${plural(witnessTimes.checkpoints, 'checkpoint')} (skew ${witnessTimes.skewMs / 1000} s)`,
      );
    }
    if (report.leafOnly > 0) {
      out.line(
        `  – ${plural(report.leafOnly, 'entry', 'entries')} readable as leaves only (not public; --key reads more)`,
      );
    }
  }
  for (const w of report.warnings.slice(0, 10)) out.line(`  ! ${w.message}`);
  if (report.warnings.length > 10)
    out.line(`  ! … and ${report.warnings.length - 10} more warnings`);
  if (report.ok) {
    out.line(`AUDIT PASSED${stateFile === undefined ? '' : ` — state saved to ${stateFile}`}`);
    return;
  }
  for (const f of report.failures.slice(0, 10)) out.line(`  ✗ ${f.check}: ${f.message}`);
  const at = report.firstBadIndex === undefined ? '' : ` at index ${report.firstBadIndex}`;
  out.line(`AUDIT FAILED${at}: ${report.failures[0]?.message ?? ''}`);
}

export const auditCommand: Command = {
  name: 'audit',
  usage:
    'audit [--state-file F] [--log-vkey VKEY] [--key FILE] [--workers N] [--evidence] [--json]',
  summary: 'verify the whole log: leaves, chains, signatures, Merkle root, consistency',
  help: [
    'Options:',
    '  --state-file F    remember the verified checkpoint and progress; the next audit resumes',
    '                    and proves the log only grew (consistency) since',
    "  --log-vkey VKEY   the log key to trust (default: the state file's, else the ledger's own)",
    "  --key FILE        read as this key's party (signed requests): more envelopes to check",
    '  --workers N       signature workers (default: one per core)',
    '  --strict-schema   also re-validate every readable statement against the full schema',
    '  --evidence        also download every cited evidence object readable by this auditor',
    '                    (--key reads more) and check its bytes against the cited SHA-256',
    "  --witness-times   check every integratedAt and acceptedAt against the witnesses'",
    '                    cosignature times: a checkpoint cosigned at T holds only leaves',
    '                    integrated by T, and no leaf beyond it existed at T (docs/promises.md)',
    '  --witness VKEY    a witness key to trust for --witness-times (repeatable; default: the',
    '                    witnesses the ledger lists)',
    '  --witness-skew S  the tolerance of those checks, in seconds (default 300)',
    '',
    'Exit status 1 names the first bad index.',
  ].join('\n'),
  options: {
    'state-file': { type: 'string' },
    'log-vkey': { type: 'string' },
    key: { type: 'string' },
    workers: { type: 'string' },
    'page-size': { type: 'string' },
    'strict-schema': { type: 'boolean' },
    evidence: { type: 'boolean' },
    'witness-times': { type: 'boolean' },
    witness: { type: 'string', multiple: true },
    'witness-skew': { type: 'string' },
  },
  positionals: [0, 0],
  async run(ctx) {
    const stateArg = stringOption(ctx.values, 'state-file');
    const stateFile = stateArg === undefined ? undefined : ctx.path(stateArg);
    const workers =
      integerOption(ctx.values, 'workers', { min: 1, max: 256 }) ?? availableParallelism();
    const pageSize = integerOption(ctx.values, 'page-size', { min: 1, max: 1000 }) ?? 1000;
    const witnessTimes = flag(ctx.values, 'witness-times');
    const skewSeconds = integerOption(ctx.values, 'witness-skew', { min: 0, max: 86_400 });
    const witnessVkeys = listOption(ctx.values, 'witness');
    const witnessKeys = witnessVkeys.map(witnessKey);
    let state: AuditState | undefined;
    if (stateFile !== undefined) {
      const raw = await readOptionalJson(stateFile, 'state file');
      if (raw !== undefined) {
        try {
          state = parseAuditState(raw);
        } catch (e) {
          throw new CommandError(
            'STATE_INVALID',
            `${stateFile}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
    }
    const key = await keyOption(ctx, 'key');
    const client = ctx.client(key);
    const { key: trustedKey, trust } = await trustedLogKey(ctx, client, state);
    const bar = new ProgressBar(ctx.out.stderr, 'auditing');
    const pool = new VerifyPool(workers);
    let report: AuditReport;
    try {
      report = await auditLog({
        source: httpAuditSource(client),
        logKey: trustedKey,
        pool,
        pageSize,
        strictSchema: flag(ctx.values, 'strict-schema'),
        ...(state === undefined ? {} : { state }),
        onProgress: ({ done, total }) => bar.update(done, total),
        ...(stateFile === undefined
          ? {}
          : { onSave: (s: AuditState) => writeFileAtomic(stateFile, `${JSON.stringify(s)}\n`) }),
      });
    } finally {
      bar.done();
      await pool.close();
    }
    let witnessResult: WitnessCheckResult | undefined;
    if (witnessTimes && report.ok) {
      if (witnessVkeys.length === 0) {
        ctx.out.note(
          'cbm: --witness-times uses the witnesses the ledger lists; pass --witness to use your own',
        );
      }
      witnessResult = await checkWitnessTimes({
        client,
        logKey: trustedKey,
        witnesses:
          witnessKeys.length > 0
            ? witnessKeys
            : (await client.info()).witnesses.map((w) => witnessKey(w.vkey)),
        treeSize: report.treeSize,
        rootHash: report.rootHash,
        skewMs: skewSeconds === undefined ? DEFAULT_WITNESS_SKEW_MS : skewSeconds * 1000,
        pageSize,
      });
      if (witnessResult.failures.length > 0) {
        const indices = witnessResult.failures
          .map((f) => f.index)
          .filter((i): i is number => i !== undefined);
        report = {
          ...report,
          ok: false,
          failures: [...report.failures, ...witnessResult.failures],
          ...(indices.length === 0 ? {} : { firstBadIndex: Math.min(...indices) }),
        };
      }
    }
    if (stateFile !== undefined)
      await writeFileAtomic(stateFile, `${JSON.stringify(report.state)}\n`);
    let evidence: EvidenceAuditReport | undefined;
    if (flag(ctx.values, 'evidence') && report.ok) {
      evidence = await auditEvidence(
        {
          entries: (start, limit) => client.entries(start, limit),
          evidenceUrl: (sha256) => client.evidenceUrl(sha256),
          download: async (url) => {
            const response = await fetch(url);
            if (!response.ok) return undefined;
            return new Uint8Array(await response.arrayBuffer());
          },
        },
        report.treeSize,
        pageSize,
      );
      if (!evidence.ok) {
        report = {
          ...report,
          ok: false,
          firstBadIndex: evidence.failures[0]!.index,
          failures: evidence.failures.map((f) => ({
            index: f.index,
            check: 'EVIDENCE_MISMATCH',
            message: f.message,
          })),
        };
      }
    }
    const rest: Partial<AuditReport> = { ...report };
    delete rest.state;
    ctx.out.result({
      ...rest,
      ...(evidence === undefined ? {} : { evidence }),
      ...(witnessResult === undefined ? {} : { witnessTimes: witnessResult }),
      logKeyTrust: trust,
      ...(stateFile === undefined ? {} : { stateFile }),
    });
    if (evidence !== undefined) {
      ctx.out.line(
        `Evidence: ${plural(evidence.cited, 'object')} cited, ${evidence.verified} verified against their hashes, ${evidence.unreadable} not readable by this auditor`,
      );
    }
    printReport(ctx, report, trust, stateFile, witnessResult);
    if (!report.ok) {
      ctx.out.note(
        `cbm: audit failed${report.firstBadIndex === undefined ? '' : ` at index ${report.firstBadIndex}`}: ${report.failures[0]?.message ?? ''}`,
      );
    }
    return report.ok ? EXIT_OK : EXIT_FAILED;
  },
};
