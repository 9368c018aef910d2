/** Rule family, rules 1.0.0 only: observer reports taken at their word (2.0.0: claims.ts). */
import type { ActivityVersion } from '../activities.js';
import { iso, ms, num } from '../time.js';
import { FIELD_NAMES, NOTIFICATION_FIELDS } from './core.js';
import type { Counts, JudgeCore } from './core.js';

// -- observer reports --

export function observerReports(j: JudgeCore): void {
  const { party, at } = j.scope;
  const tolerance = j.p['observerReport.tolerance'];
  for (const r of j.ctx.reports) {
    const b = r.statement.body;
    if (b.hostState !== party) continue;
    const due = ms(b.period.start);
    if (!j.inWindow(due) || due > at) continue;
    const activity = j.ctx.activities.get(b.exercise);
    const observedCounts: Counts = {};
    for (const d of b.declaredVsObserved) observedCounts[d.item] = d.observed;

    let declared: ActivityVersion | undefined;
    if (activity) {
      for (const v of activity.versions) if (v.index < r.index) declared = v;
    }
    if (!declared) {
      const cited = j.ctx.byId.get(b.exercise);
      const nonPublic = cited !== undefined && cited.statement === undefined;
      if (nonPublic) {
        j.emit(
          'notification',
          'not-assessable',
          [r.statementId, b.exercise],
          due,
          null,
          `An observer report by ${r.statement.issuer} cites entry ${cited.index}, which is not public: whether the observed activity was notified cannot be judged from the public log.`,
        );
      } else if (j.notifiable(observedCounts)) {
        j.emit(
          'notification',
          'missing',
          [r.statementId],
          due,
          null,
          `Observers (${r.statement.issuer}) saw an activity of ${j.describeThresholds(observedCounts, NOTIFICATION_FIELDS, 'notification')} from ${iso(due)} for which no public exercise.notification was logged before the report.`,
        );
      } else {
        j.emit(
          'notification',
          'not-assessable',
          [r.statementId],
          due,
          null,
          `Observers (${r.statement.issuer}) saw an activity from ${iso(due)} that cites no public notification logged before the report; its observed counts do not show whether it was notifiable.`,
        );
      }
    }

    const subjects = declared ? [r.statementId, b.exercise, declared.statementId] : [r.statementId];
    if (b.declaredVsObserved.length > 0) {
      const over: string[] = [];
      for (const d of b.declaredVsObserved) {
        const dec = declared ? declared.counts[d.item] : d.declared;
        if (d.observed - dec > dec * tolerance) {
          over.push(
            `${num(d.observed)} ${FIELD_NAMES[d.item]} observed against ${num(dec)} declared`,
          );
        }
      }
      const pct = `${num(Math.round(tolerance * 10000) / 100)} %`;
      j.emit(
        'observer.counts',
        over.length > 0 ? 'discrepancy' : 'compliant',
        subjects,
        due,
        null,
        over.length > 0
          ? `Observers (${r.statement.issuer}) counted more than declared beyond the ${pct} tolerance: ${over.join('; ')}.`
          : `Observers (${r.statement.issuer}) counted no more than declared, within the ${pct} tolerance.`,
      );
    }
    j.emit(
      'observer.access',
      b.access === 'denied' ? 'missing' : 'compliant',
      subjects,
      due,
      null,
      b.access === 'denied'
        ? `Observers (${r.statement.issuer}) were denied access.`
        : `Observers (${r.statement.issuer}) had ${b.access} access.`,
    );
  }
}
