/**
 * Notified military activities: an `exercise.notification` with the `exercise.update`s and the
 * `exercise.cancel` its issuer later logged against it, as a list of versions.
 */
import type {
  ActivityCounts,
  ActivityType,
  ExerciseNotificationBody,
  ObservationPlan,
} from '@cbm-ledger/protocol';
import type { Entry } from './entries.js';
import { ms } from './time.js';

/** The notification as it stood from `integratedAt` (that of the statement that made it so). */
export interface ActivityVersion {
  statementId: string;
  index: number;
  integratedAt: number;
  designation: string;
  activityType: ActivityType;
  start: number;
  end: number;
  counts: ActivityCounts;
  observation: ObservationPlan;
}

export interface Activity {
  /** Statement id of the `exercise.notification`. */
  id: string;
  issuer: string;
  noticeClass: ExerciseNotificationBody['noticeClass'];
  /** The notification, then one version per applied update, in log order. */
  versions: ActivityVersion[];
  cancel?: { statementId: string; index: number; integratedAt: number };
  /** Every designation the activity has had. */
  designations: ReadonlySet<string>;
}

/** The last version. */
export function current(a: Activity): ActivityVersion {
  return a.versions[a.versions.length - 1]!;
}

/** Statement ids of the notification, its updates and its cancellation, sorted. */
export function activitySubjects(a: Activity): string[] {
  const ids = a.versions.map((v) => v.statementId);
  if (a.cancel) ids.push(a.cancel.statementId);
  return ids.sort();
}

/**
 * The activities among `entries` (in index order). An update or cancellation applies only when
 * its issuer is the notification's issuer and it follows the notification; nothing applies
 * after a cancellation. Each update replaces the fields it names as a whole.
 */
export function collectActivities(entries: readonly Entry[]): Map<string, Activity> {
  const activities = new Map<string, Activity>();
  for (const e of entries) {
    const s = e.statement;
    if (s === undefined) continue;
    if (s.type === 'exercise.notification') {
      const b = s.body;
      activities.set(e.statementId, {
        id: e.statementId,
        issuer: s.issuer,
        noticeClass: b.noticeClass,
        versions: [
          {
            statementId: e.statementId,
            index: e.index,
            integratedAt: e.integratedAt,
            designation: b.designation,
            activityType: b.activityType,
            start: ms(b.start),
            end: ms(b.end),
            counts: b.counts,
            observation: b.observation,
          },
        ],
        designations: new Set([b.designation]),
      });
    } else if (s.type === 'exercise.update' || s.type === 'exercise.cancel') {
      const a = activities.get(s.body.notification);
      if (!a || a.issuer !== s.issuer || a.cancel) continue;
      if (s.type === 'exercise.cancel') {
        a.cancel = { statementId: e.statementId, index: e.index, integratedAt: e.integratedAt };
        continue;
      }
      const c = s.body.changes;
      const prev = current(a);
      const next: ActivityVersion = {
        statementId: e.statementId,
        index: e.index,
        integratedAt: e.integratedAt,
        designation: c.designation ?? prev.designation,
        activityType: c.activityType ?? prev.activityType,
        start: c.start !== undefined ? ms(c.start) : prev.start,
        end: c.end !== undefined ? ms(c.end) : prev.end,
        counts: c.counts ?? prev.counts,
        observation: c.observation ?? prev.observation,
      };
      a.versions.push(next);
      (a.designations as Set<string>).add(next.designation);
    }
  }
  return activities;
}

/**
 * The integration time from which every version satisfied `test` without interruption, or
 * null when the last version does not: "since when has the log shown this".
 */
export function satisfiedSince(a: Activity, test: (v: ActivityVersion) => boolean): number | null {
  let since: number | null = null;
  for (let i = a.versions.length - 1; i >= 0; i--) {
    const v = a.versions[i]!;
    if (!test(v)) break;
    since = v.integratedAt;
  }
  return since;
}
