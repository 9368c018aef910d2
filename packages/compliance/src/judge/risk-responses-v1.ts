/** Rule family, rules 1.0.0 only: replies to risk-reduction requests (2.0.0: claims.ts). */
import { HOUR_MS, duration, iso } from '../time.js';
import type { JudgeCore } from './core.js';

// -- risk reduction: replies within 48 hours --

export function riskResponses(j: JudgeCore): void {
  const { party, intervals } = j.scope;
  const hours = j.p['riskResponse.hours'];
  for (const r of j.ctx.requests) {
    if (r.statement.body.to !== party || !j.inWindow(r.integratedAt)) continue;
    const asker = intervals.get(r.statement.issuer);
    if (!asker || !(asker.start <= r.integratedAt && r.integratedAt < asker.end)) continue;
    const due = r.integratedAt + hours * HOUR_MS;
    const reply = (j.ctx.responses.get(r.statementId) ?? []).find(
      (x) => x.statement.issuer === party && x.index > r.index,
    );
    const actual = reply?.integratedAt ?? null;
    const outcome = j.timed(due, actual);
    if (outcome === null) continue;
    const from = r.statement.issuer;
    j.emit(
      'risk.response',
      outcome,
      reply ? [r.statementId, reply.statementId] : [r.statementId],
      due,
      actual,
      outcome === 'compliant'
        ? `The request of ${from} about an unusual activity was answered ${duration(actual! - r.integratedAt)} after it was logged; due within ${hours} hours.`
        : outcome === 'late'
          ? `The request of ${from} about an unusual activity was answered ${duration(actual! - r.integratedAt)} after it was logged; due within ${hours} hours.`
          : `The request of ${from} about an unusual activity has no public reply; due within ${hours} hours, by ${iso(due)}.`,
    );
  }
}
