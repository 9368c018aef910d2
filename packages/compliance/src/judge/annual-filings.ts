/** Rule family: annual calendars and information exchanges (Vienna Document 2011 ch. VII, ch. I). */
import { duration, endOfDay, iso, yearOf } from '../time.js';
import type { JudgeCore } from './core.js';

// -- calendars and information exchanges, once a year --

export function annualFilings(j: JudgeCore, rule: 'calendar.annual' | 'info.exchange'): void {
  const { at, party, interval } = j.scope;
  const filings =
    rule === 'calendar.annual'
      ? (j.ctx.calendars.get(party) ?? [])
      : (j.ctx.exchanges.get(party) ?? []);
  const month =
    j.p[rule === 'calendar.annual' ? 'calendar.deadlineMonth' : 'infoExchange.deadlineMonth'];
  const day = j.p[rule === 'calendar.annual' ? 'calendar.deadlineDay' : 'infoExchange.deadlineDay'];
  const deadline = (y: number): number => endOfDay(y - 1, month, day);

  const years = new Set<number>(filings.map((f) => f.statement.body.year));
  const last = Math.min(interval.end, at);
  for (let y = yearOf(interval.start) + 1; y <= yearOf(last) + 1; y++) {
    if (deadline(y) <= at) years.add(y);
  }
  for (const y of [...years].sort((a, b) => a - b)) {
    const due = deadline(y);
    if (!j.inWindow(due)) continue;
    const first = filings.find((f) => f.statement.body.year === y);
    const actual = first?.integratedAt ?? null;
    const outcome = j.timed(due, actual);
    if (outcome === null) continue;
    const what =
      rule === 'calendar.annual'
        ? `annual calendar for ${y}`
        : `annual exchange of military information for ${y} (valid as of 1 January ${y})`;
    const nil =
      first && first.statement.type === 'calendar.annual' && first.statement.body.nil
        ? ' (a nil return)'
        : '';
    j.emit(
      rule,
      outcome,
      first ? [first.statementId] : [],
      due,
      actual,
      outcome === 'compliant'
        ? `The ${what} was filed${nil} ${iso(actual!)}, by the deadline.`
        : outcome === 'late'
          ? `The ${what} was filed${nil} ${iso(actual!)}, ${duration(actual! - due)} after the deadline.`
          : `No public ${what} has been filed; due ${iso(due)}.`,
    );
  }
}
