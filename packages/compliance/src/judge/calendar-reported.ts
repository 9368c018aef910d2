/** Rule family: activities a public calendar lists with notifiable counts but nobody notified. */
import type { CalendarActivity, TypedStatement } from '@cbm-ledger/protocol';
import { DAY_MS, dateMs, yearOf } from '../time.js';
import { NOTIFICATION_FIELDS, calendarCounts } from './core.js';
import type { JudgeCore, Logged } from './core.js';

// -- activities a public calendar lists but nobody notified --

export function calendarReportedActivities(j: JudgeCore): void {
  const latestByYear = new Map<number, Logged<TypedStatement<'calendar.annual'>>>();
  for (const c of j.calendars()) latestByYear.set(c.statement.body.year, c); // log order: last wins
  const listed = new Map<string, { activity: CalendarActivity; calendar: string; index: number }>();
  for (const c of latestByYear.values()) {
    for (const x of c.statement.body.activities) {
      const key = `${yearOf(dateMs(x.start))}\u0000${x.designation}`;
      const seen = listed.get(key);
      if (!seen || seen.index < c.index) {
        listed.set(key, { activity: x, calendar: c.statementId, index: c.index });
      }
    }
  }
  const notified = new Set<string>();
  for (const a of j.ctx.activitiesByIssuer.get(j.scope.party) ?? []) {
    for (const v of a.versions) notified.add(`${yearOf(v.start)}\u0000${v.designation}`);
  }
  const lead = j.p['notification.leadTimeDays'];
  for (const [key, { activity: x, calendar }] of listed) {
    const counts = calendarCounts(x);
    if (!j.notifiable(counts)) continue;
    const start = dateMs(x.start);
    const due = start - lead * DAY_MS;
    if (!j.inWindow(due) || !j.inWindow(start) || due > j.scope.at) continue;
    if (notified.has(key)) continue;
    j.emit(
      'notification',
      'missing',
      [calendar],
      due,
      null,
      `"${x.designation}" (${j.describeThresholds(counts, NOTIFICATION_FIELDS, 'notification')}), listed in a public annual calendar to start ${x.start}, has no public exercise.notification; due ${lead} days before its start.`,
    );
  }
}
