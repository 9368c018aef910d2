/** observer.report: what observers saw at an activity, against what was declared. */
import {
  COUNT_FIELDS,
  count,
  longText,
  requireIssuerKind,
  stateId,
  statementId,
} from './common.js';
import type { CountField } from './common.js';
import { issuerSigns } from './model.js';
import type { TypeRule } from './model.js';
import { array, ensure, millis, object, oneOf, refine, timestamp } from './validate.js';
import type { Validator } from './validate.js';

/** One count (an ActivityCounts field) as declared in the notification and as observed. */
export interface DeclaredVsObserved {
  item: CountField;
  declared: number;
  observed: number;
}

export const ACCESS_LEVELS = ['full', 'managed', 'denied'] as const;

/**
 * `observer.report`, issued by an observer or a state other than the host.
 * - `exercise`: statement id of the exercise.notification observed.
 * - `hostState`: the state hosting the activity.
 * - `period`: `{start, end}` of the observation, RFC 3339 UTC, end after start.
 * - `declaredVsObserved`: counts compared, each item at most once.
 * - `access`: `full`, `managed` or `denied`.
 * - `findings`, `dissent`: free-text statements; dissent records views not shared by the whole
 *   observer team. Either may be empty.
 */
export interface ObserverReportBody {
  exercise: string;
  hostState: string;
  period: { start: string; end: string };
  declaredVsObserved: DeclaredVsObserved[];
  access: (typeof ACCESS_LEVELS)[number];
  findings: string[];
  dissent: string[];
}

const period = refine(
  '`end` follows `start`.',
  object({ start: timestamp, end: timestamp }),
  (p, path) => ensure(millis(p.end) > millis(p.start), `${path}.end`, 'must follow start'),
);

const observerReportBody: Validator<ObserverReportBody> = object({
  exercise: statementId,
  hostState: stateId,
  period,
  declaredVsObserved: array(
    object({ item: oneOf(COUNT_FIELDS), declared: count, observed: count }),
    { uniqueBy: 'item' },
  ),
  access: oneOf(ACCESS_LEVELS),
  findings: array(longText, { max: 200 }),
  dissent: array(longText, { max: 200 }),
});

export const observerReportRule: TypeRule<ObserverReportBody> = {
  body: observerReportBody,
  checks: 'Issued by an observer or a state other than `body.hostState`.',
  check(s) {
    requireIssuerKind(s.issuer, 'observer', 'state');
    ensure(s.body.hostState !== s.issuer, '$.body.hostState', 'the host does not observe itself');
  },
  signers: issuerSigns,
};
