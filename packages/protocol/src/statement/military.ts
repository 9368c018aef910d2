/**
 * A state's declarations about its forces: calendar.annual, exercise.notification,
 * exercise.update, exercise.cancel, info.exchange. All are issued by states.
 */
import {
  ACTIVITY_TYPES,
  activityCounts,
  count,
  longText,
  name,
  partyId,
  requireIssuerKind,
  shortText,
  stateId,
  statementId,
  year,
} from './common.js';
import type { ActivityCounts, ActivityType } from './common.js';
import { geometry } from './geojson.js';
import type { Geometry } from './geojson.js';
import { issuerSigns } from './model.js';
import type { Statement, TypeRule } from './model.js';
import {
  array,
  boolean,
  date,
  ensure,
  millis,
  object,
  oneOf,
  refine,
  timestamp,
} from './validate.js';
import type { Validator } from './validate.js';

const stateIssuer = (s: Statement): void => requireIssuerKind(s.issuer, 'state');
const stateList = array(stateId, { min: 1, max: 200, uniqueBy: 'self' });

/** Where an activity takes place: a description, optionally a GeoJSON geometry (RFC 7946). */
export interface ActivityArea {
  description: string;
  geojson?: Geometry;
}

export const activityArea: Validator<ActivityArea> = object(
  { description: shortText },
  { geojson: geometry },
);

/**
 * One planned activity in an annual calendar. `start` and `end` are calendar dates
 * (`YYYY-MM-DD`, end ≥ start); `troops` is required, other counts optional.
 */
export interface CalendarActivity {
  designation: string;
  type: ActivityType;
  start: string;
  end: string;
  troops: number;
  battleTanks?: number;
  acv?: number;
  artillery?: number;
  aircraftSorties?: number;
  amphibiousTroops?: number;
  airborneTroops?: number;
  area?: string;
  participatingStates?: string[];
}

const calendarActivity: Validator<CalendarActivity> = refine(
  '`end` does not precede `start`.',
  object(
    { designation: name, type: oneOf(ACTIVITY_TYPES), start: date, end: date, troops: count },
    {
      battleTanks: count,
      acv: count,
      artillery: count,
      aircraftSorties: count,
      amphibiousTroops: count,
      airborneTroops: count,
      area: shortText,
      participatingStates: stateList,
    },
  ),
  (a, path) => ensure(a.end >= a.start, `${path}.end`, 'must not precede start'),
);

/**
 * `calendar.annual`: the issuer's notifiable activities planned for `year`.
 * `nil: true` is a nil return, with `activities` empty; otherwise `activities` is non-empty.
 * Designations are unique. Activities start in `year`, or in `year + 1` so that large
 * activities can be announced two years ahead (Vienna Document 2011 §67).
 */
export interface CalendarAnnualBody {
  year: number;
  nil: boolean;
  activities: CalendarActivity[];
}

const calendarAnnualBody: Validator<CalendarAnnualBody> = refine(
  '`activities` is empty exactly when `nil` is true; every activity starts in `year` or the year after.',
  object({
    year,
    nil: boolean,
    activities: array(calendarActivity, { uniqueBy: 'designation' }),
  }),
  (b, path) => {
    const p = `${path}.activities`;
    ensure(b.nil === (b.activities.length === 0), p, 'must be empty exactly when nil is true');
    b.activities.forEach((a, i) => {
      const startYear = Number(a.start.slice(0, 4));
      ensure(
        startYear === b.year || startYear === b.year + 1,
        `${p}[${i}].start`,
        'must fall in year or the year after',
      );
    });
  },
);

export const calendarAnnualRule: TypeRule<CalendarAnnualBody> = {
  body: calendarAnnualBody,
  checks: 'Issued by a state.',
  check: stateIssuer,
  signers: issuerSigns,
};

/**
 * Observation arrangements. `invitees` (party ids) may be given only when `invited`;
 * `reason` (why no observers are invited) only when not.
 */
export interface ObservationPlan {
  invited: boolean;
  invitees?: string[];
  reason?: string;
}

const observationPlan: Validator<ObservationPlan> = refine(
  '`invitees` only when `invited` is true, `reason` only when it is false.',
  object(
    { invited: boolean },
    { invitees: array(partyId, { min: 1, max: 200, uniqueBy: 'self' }), reason: longText },
  ),
  (o, path) => {
    if (o.invited) ensure(o.reason === undefined, `${path}.reason`, 'only when not invited');
    else ensure(o.invitees === undefined, `${path}.invitees`, 'only when invited');
  },
);

/**
 * `exercise.notification`: prior notification of a military activity (Vienna Document 2011
 * ch. V).
 * - `designation`, `activityType` (ACTIVITY_TYPES), optional `purpose`.
 * - `noticeClass`: `standard` (due the rule set's lead time before start) or `alert`
 *   (activities carried out without advance notice to the troops: due by their start).
 * - `start` < `end`, RFC 3339 UTC.
 * - `area`: `{description, geojson?}`.
 * - `participatingStates`: 1–200 distinct state ids.
 * - `counts`: all seven ActivityCounts, non-negative integers.
 * - `observation`: ObservationPlan.
 * - `calendarRef` (optional): statement id of the calendar.annual that listed it.
 */
export interface ExerciseNotificationBody {
  designation: string;
  activityType: ActivityType;
  noticeClass: 'standard' | 'alert';
  start: string;
  end: string;
  area: ActivityArea;
  participatingStates: string[];
  counts: ActivityCounts;
  observation: ObservationPlan;
  calendarRef?: string;
  purpose?: string;
}

const startBeforeEnd = (
  v: { start?: string | undefined; end?: string | undefined },
  path: string,
): void => {
  if (v.start !== undefined && v.end !== undefined) {
    ensure(millis(v.end) > millis(v.start), `${path}.end`, 'must follow start');
  }
};

const exerciseNotificationBody: Validator<ExerciseNotificationBody> = refine(
  '`end` follows `start`.',
  object(
    {
      designation: name,
      activityType: oneOf(ACTIVITY_TYPES),
      noticeClass: oneOf(['standard', 'alert']),
      start: timestamp,
      end: timestamp,
      area: activityArea,
      participatingStates: stateList,
      counts: activityCounts,
      observation: observationPlan,
    },
    { calendarRef: statementId, purpose: longText },
  ),
  startBeforeEnd,
);

export const exerciseNotificationRule: TypeRule<ExerciseNotificationBody> = {
  body: exerciseNotificationBody,
  checks: 'Issued by a state.',
  check: stateIssuer,
  signers: issuerSigns,
};

/**
 * The notification fields an update may change; each one present replaces the notification's
 * field as a whole (so `counts` carries all seven counts). At least one must be present.
 */
export type ExerciseChanges = Partial<
  Pick<
    ExerciseNotificationBody,
    | 'designation'
    | 'activityType'
    | 'start'
    | 'end'
    | 'area'
    | 'participatingStates'
    | 'counts'
    | 'observation'
    | 'purpose'
  >
>;

/**
 * `exercise.update`: changes to the notification with statement id `notification`, with an
 * optional `reason`. If both `start` and `end` change, end must follow start; against the
 * original notification the ledger checks.
 */
export interface ExerciseUpdateBody {
  notification: string;
  changes: ExerciseChanges;
  reason?: string;
}

const exerciseChanges: Validator<ExerciseChanges> = refine(
  'Changes at least one field; if both `start` and `end` change, `end` follows `start`.',
  object(
    {},
    {
      designation: name,
      activityType: oneOf(ACTIVITY_TYPES),
      start: timestamp,
      end: timestamp,
      area: activityArea,
      participatingStates: stateList,
      counts: activityCounts,
      observation: observationPlan,
      purpose: longText,
    },
  ),
  (c, path) => {
    ensure(Object.keys(c).length > 0, path, 'must change at least one field');
    startBeforeEnd(c, path);
  },
);

export const exerciseUpdateRule: TypeRule<ExerciseUpdateBody> = {
  body: object({ notification: statementId, changes: exerciseChanges }, { reason: longText }),
  checks: 'Issued by a state.',
  check: stateIssuer,
  signers: issuerSigns,
};

/** `exercise.cancel`: the notification with statement id `notification` is cancelled, because `reason`. */
export interface ExerciseCancelBody {
  notification: string;
  reason: string;
}

export const exerciseCancelRule: TypeRule<ExerciseCancelBody> = {
  body: object({ notification: statementId, reason: longText }),
  checks: 'Issued by a state.',
  check: stateIssuer,
  signers: issuerSigns,
};

/** A formation or unit in the information exchange, with its location and holdings. */
export interface UnitHolding {
  designation: string;
  location: string;
  personnel: number;
  battleTanks?: number;
  acv?: number;
  artillery?: number;
}

/**
 * Forces and major weapon and equipment systems (Vienna Document 2011 ch. I): totals, and
 * optionally per formation or unit (designations unique).
 */
export interface Holdings {
  personnel: number;
  battleTanks: number;
  acv: number;
  artillery: number;
  combatAircraft: number;
  combatHelicopters: number;
  units?: UnitHolding[];
}

/** `info.exchange`: the issuer's annual exchange of military information for `year`. */
export interface InfoExchangeBody {
  year: number;
  holdings: Holdings;
}

const holdings: Validator<Holdings> = object(
  {
    personnel: count,
    battleTanks: count,
    acv: count,
    artillery: count,
    combatAircraft: count,
    combatHelicopters: count,
  },
  {
    units: array(
      object(
        { designation: name, location: name, personnel: count },
        { battleTanks: count, acv: count, artillery: count },
      ),
      { uniqueBy: 'designation' },
    ),
  },
);

export const infoExchangeRule: TypeRule<InfoExchangeBody> = {
  body: object({ year, holdings }),
  checks: 'Issued by a state.',
  check: stateIssuer,
  signers: issuerSigns,
};
