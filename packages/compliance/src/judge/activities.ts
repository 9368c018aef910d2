/**
 * Rule family: notified activities — prior notification, observation invitation and calendar
 * listing of each activity (Vienna Document 2011 ch. V–VII), then the constraining provisions.
 */
import { activitySubjects, current, satisfiedSince } from '../activities.js';
import type { Activity } from '../activities.js';
import { duration, iso, yearOf } from '../time.js';
import { constraints } from './constraints.js';
import { NOTIFICATION_FIELDS, OBSERVATION_FIELDS } from './core.js';
import type { JudgeCore } from './core.js';

// -- notified activities --

export function activities(j: JudgeCore): void {
  const mine = j.ctx.activitiesByIssuer.get(j.scope.party) ?? [];
  for (const a of mine) activity(j, a);
  constraints(j, mine);
}

/**
 * Obligations about an activity are judged when the party is bound both when they fall due
 * and when the activity starts: nothing is owed for an activity carried out after a withdrawal
 * took effect or the measure ended, nor for a deadline that passed before the measure was in
 * force.
 */
export function activity(j: JudgeCore, a: Activity): void {
  const v = current(a);
  if (!j.inWindow(v.start)) return;
  const cancelledAt = a.cancel?.integratedAt ?? Infinity;
  const subjects = activitySubjects(a);
  const name = `"${v.designation}"`;
  const lead = j.p['notification.leadTimeDays'];
  const due = j.notificationDue(a, v);
  const judged = j.inWindow(due) && due < cancelledAt;
  const when =
    a.noticeClass === 'alert' ? 'by its start (alert activity)' : `${lead} days before its start`;

  if (j.notifiable(v.counts) && judged) {
    const actual = satisfiedSince(a, (x) => j.notifiable(x.counts));
    const outcome = j.timed(due, actual);
    if (outcome !== null && actual !== null) {
      const counts = j.describeThresholds(v.counts, NOTIFICATION_FIELDS, 'notification');
      const detail =
        outcome === 'compliant'
          ? `${name} (${counts}) starting ${iso(v.start)} was notified as notifiable ${duration(v.start - actual)} before its start; due ${when}.`
          : `${name} (${counts}) starting ${iso(v.start)} was notified as notifiable only ${iso(actual)}, ${duration(actual - due)} after the deadline (${when}).`;
      j.emit('notification', outcome, subjects, due, actual, detail);
    }
  }

  if (j.observable(v.counts) && judged) {
    const actual = satisfiedSince(a, (x) => x.observation.invited);
    const outcome = j.timed(due, actual);
    if (outcome !== null) {
      const counts = j.describeThresholds(v.counts, OBSERVATION_FIELDS, 'observation');
      const detail =
        outcome === 'compliant'
          ? `${name} (${counts}) invites observers, as required by the notification deadline.`
          : outcome === 'late'
            ? `${name} (${counts}) invited observers only ${iso(actual!)}, ${duration(actual! - due)} after the notification deadline.`
            : `${name} (${counts}) meets the observation thresholds but does not invite observers.`;
      j.emit('observation.invitation', outcome, subjects, due, actual, detail);
    }
  }

  if (j.notifiable(v.counts) && a.noticeClass === 'standard') {
    const year = yearOf(v.start);
    const calendarDue = j.calendarDeadline(year - 1);
    if (j.inWindow(calendarDue) && calendarDue < cancelledAt) {
      const listing = j.firstListing(a.designations, year, year);
      const actual = listing?.integratedAt ?? null;
      const outcome = j.timed(calendarDue, actual);
      if (outcome !== null) {
        const detail =
          outcome === 'compliant'
            ? `${name}, a notifiable activity starting in ${year}, is listed in the ${year} annual calendar filed in time.`
            : outcome === 'late'
              ? `${name}, a notifiable activity starting in ${year}, is listed only in a ${year} calendar filed ${iso(actual!)}, after the deadline.`
              : `${name}, a notifiable activity starting in ${year}, is not listed in any public ${year} annual calendar of ${j.scope.party}.`;
        j.emit(
          'calendar.listing',
          outcome,
          listing ? [...subjects, listing.statementId] : subjects,
          calendarDue,
          actual,
          detail,
        );
      }
    }
  }
}
