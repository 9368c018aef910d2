/**
 * Broken admission promises (docs/promises.md): a v2 leaf integrated after the `integrateBy` its
 * promise stated is the operator's fault, and the report says so as an operator finding. The
 * submitter is judged on `acceptedAt` (entries.ts), so the same delay never makes it late.
 *
 * A pure function of the leaves alone (times and statement ids, no statement content), so the
 * server's report and an offline replay from the public view agree byte for byte.
 */
import type { Entry } from './entries.js';
import { duration, iso } from './time.js';

export interface OperatorFinding {
  rule: 'integration.promise';
  /** The operator party (the genesis issuer), or null when the genesis is not in view. */
  party: string | null;
  /** The leaf index of the late statement. */
  index: number;
  /** The late statement's id. */
  subjects: [string];
  outcome: 'late';
  /** The promised integrateBy. */
  due: string;
  /** The leaf's integratedAt. */
  actual: string;
  detail: string;
}

/** Operator findings for every entry integrated after its promise's deadline, by index. */
export function brokenPromises(entries: readonly Entry[]): OperatorFinding[] {
  const genesis = entries.find((e) => e.index === 0)?.statement;
  const operator = genesis?.type === 'ledger.genesis' ? genesis.issuer : null;
  const findings: OperatorFinding[] = [];
  for (const e of entries) {
    const integratedAt = e.leafIntegratedAt;
    if (e.integrateBy === undefined || integratedAt === undefined) continue;
    if (integratedAt <= e.integrateBy) continue;
    findings.push({
      rule: 'integration.promise',
      party: operator,
      index: e.index,
      subjects: [e.statementId],
      outcome: 'late',
      due: iso(e.integrateBy),
      actual: iso(integratedAt),
      detail:
        `Accepted ${iso(e.integratedAt)} with a signed promise to integrate by ` +
        `${iso(e.integrateBy)}; integrated ${duration(integratedAt - e.integrateBy)} late. ` +
        'The operator broke its promise; deadlines of the submitter are judged on acceptedAt.',
    });
  }
  return findings.sort((a, b) => a.index - b.index);
}
