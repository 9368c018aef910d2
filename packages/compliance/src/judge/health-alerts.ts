/** Rule family: health alerts within 24 hours of assessment (IHR 2005 art. 6). */
import { HOUR_MS, duration, iso, ms } from '../time.js';
import type { JudgeCore } from './core.js';

// -- health alerts within 24 hours of assessment --

export function healthAlerts(j: JudgeCore): void {
  const hours = j.p['healthAlert.hours'];
  for (const x of j.ctx.alerts.get(j.scope.party) ?? []) {
    const b = x.statement.body;
    if (b.hazardDomain !== 'health' || b.alert.status !== 'Actual') continue;
    if (b.alert.msgType !== 'Alert' && b.alert.msgType !== 'Update') continue;
    const assessed = ms(b.assessedAt);
    if (!j.inWindow(assessed)) continue;
    const due = assessed + hours * HOUR_MS;
    const outcome = j.timed(due, x.integratedAt);
    if (outcome === null) continue;
    const event = b.alert.info?.[0]?.event ?? b.alert.identifier;
    j.emit(
      'health.alert',
      outcome,
      [x.statementId],
      due,
      x.integratedAt,
      `Health alert "${event}" assessed ${iso(assessed)} was logged ${duration(x.integratedAt - assessed)} later; due within ${hours} hours.`,
    );
  }
}
