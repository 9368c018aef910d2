/**
 * Measure statements: measure.define, measure.review, measure.renew, measure.withdraw.
 * Measures bind states, so their parties and issuers are states.
 */
import { longText, name, partyId, requireIssuerKind, slug, stateId } from './common.js';
import { issuerSigns } from './model.js';
import type { TypeRule } from './model.js';
import {
  FieldErrors,
  array,
  describe,
  ensure,
  fail,
  integer,
  isPlainObject,
  memberPath,
  millis,
  number,
  object,
  oneOf,
  refine,
  timestamp,
  withSchema,
} from './validate.js';
import type { Validator } from './validate.js';
import { ErrorCode } from '../errors.js';

export const RULE_SETS = ['vd2011', 'acrs1994'] as const;
export type RuleSetId = (typeof RULE_SETS)[number];

/** Value domain of an overridable rule parameter. */
export type RuleParameterKind = 'count' | 'days' | 'hours' | 'years' | 'month' | 'day' | 'fraction';

const KIND_RANGE: Record<RuleParameterKind, { min: number; max: number; integer: boolean }> = {
  count: { min: 0, max: 1_000_000_000, integer: true },
  days: { min: 0, max: 3660, integer: true },
  hours: { min: 0, max: 8784, integer: true },
  years: { min: 1, max: 100, integer: true },
  month: { min: 1, max: 12, integer: true },
  day: { min: 1, max: 31, integer: true },
  fraction: { min: 0, max: 1, integer: false },
};

/**
 * The rule parameters a measure may override (DESIGN.md §7), and their value domains. An
 * allow-list rather than a pattern: a measure is immutable once logged, so a misspelt parameter
 * must be refused at submission instead of being silently ignored by the compliance engine.
 *
 * - `notification.*`: thresholds at which an activity must be notified; `leadTimeDays` before start.
 * - `observation.*`: thresholds at which observers must be invited.
 * - `calendar.deadlineMonth/Day`: the annual calendar for year Y is due by this day of Y-1.
 * - `large.*`: "large" activities (troops / battleTanks above), at most `maxPerPeriod` per issuer
 *   per `periodYears` calendar years, announced `announceYearsAhead` years ahead.
 * - `constrained.*`: other constrained activities: at most `maxPerYear` a year, of which at most
 *   `maxLargerPerYear` above `largerTroops` / `largerBattleTanks`, at most `maxConcurrent` at once.
 * - `infoExchange.deadlineMonth/Day`: the annual information exchange is due by this day.
 * - `riskResponse.hours`: an unusual-activity request must be answered within this time.
 * - `observerReport.tolerance`: fraction by which observed may exceed declared counts.
 * - `healthAlert.hours`: a health alert must be integrated within this time of `assessedAt`.
 * - `riskRequest.maxOpen`: how many requests one party may have open towards another at once;
 *   requests beyond it start no deadline (rule sets 2.0.0 and later).
 * - `observerReport.corroboration`: how many entitled observers from different parties must
 *   agree before a finding resting on their reports is established (rule sets 2.0.0 and later).
 */
export const RULE_PARAMETERS = {
  'notification.troops': 'count',
  'notification.battleTanks': 'count',
  'notification.acv': 'count',
  'notification.artillery': 'count',
  'notification.aircraftSorties': 'count',
  'notification.amphibiousTroops': 'count',
  'notification.airborneTroops': 'count',
  'notification.leadTimeDays': 'days',
  'observation.troops': 'count',
  'observation.battleTanks': 'count',
  'observation.acv': 'count',
  'observation.artillery': 'count',
  'observation.amphibiousTroops': 'count',
  'observation.airborneTroops': 'count',
  'calendar.deadlineMonth': 'month',
  'calendar.deadlineDay': 'day',
  'large.troops': 'count',
  'large.battleTanks': 'count',
  'large.maxPerPeriod': 'count',
  'large.periodYears': 'years',
  'large.announceYearsAhead': 'years',
  'constrained.troops': 'count',
  'constrained.battleTanks': 'count',
  'constrained.maxPerYear': 'count',
  'constrained.largerTroops': 'count',
  'constrained.largerBattleTanks': 'count',
  'constrained.maxLargerPerYear': 'count',
  'constrained.maxConcurrent': 'count',
  'infoExchange.deadlineMonth': 'month',
  'infoExchange.deadlineDay': 'day',
  'riskResponse.hours': 'hours',
  'observerReport.tolerance': 'fraction',
  'healthAlert.hours': 'hours',
  // Claims (docs/compliance-claims.md); read by rule sets from version 2.0.0 only.
  'riskRequest.maxOpen': 'count',
  'observerReport.corroboration': 'count',
} as const satisfies Record<string, RuleParameterKind>;

export type RuleParameter = keyof typeof RULE_PARAMETERS;
export type RuleOverrides = Partial<Record<RuleParameter, number>>;

const PARAMETER_VALIDATORS = new Map<string, Validator<number>>(
  Object.entries(RULE_PARAMETERS).map(([key, kind]) => {
    const range = KIND_RANGE[kind];
    return [key, range.integer ? integer(range) : number(range)];
  }),
);

/** `{parameter: number}`; unknown parameters fail with UNKNOWN_FIELD like unknown fields. */
const overrides: Validator<RuleOverrides> = withSchema(
  {
    type: 'object',
    properties: Object.fromEntries(
      [...PARAMETER_VALIDATORS].map(([key, check]) => [key, check.schema]),
    ),
    additionalProperties: false,
  },
  (value, path) => {
    if (!isPlainObject(value)) fail(path, `expected an object, got ${describe(value)}`);
    const errors = new FieldErrors();
    for (const key of Object.keys(value)) {
      const p = memberPath(path, key);
      // A Map lookup, so keys such as "constructor" or "__proto__" can never match.
      const check = PARAMETER_VALIDATORS.get(key);
      if (!check) {
        errors.add({ code: ErrorCode.UNKNOWN_FIELD, path: p, message: 'unknown rule parameter' });
      } else {
        errors.attempt(() => check(value[key], p));
      }
    }
    errors.throwIfAny();
    return value;
  },
);

export const RENEWAL_MODES = ['none', 'affirmative', 'automatic'] as const;
export type RenewalMode = (typeof RENEWAL_MODES)[number];

const months = integer({ min: 1, max: 1200 });
const days = integer({ max: 3660 });

/**
 * `measure.define`: states adopt a measure by consensus.
 * - `id`: slug naming the measure (`/v1/measures/{id}`); `title`; `summary` optional text.
 * - `parties`: 2–200 distinct state ids, the issuer among them; every one must sign.
 * - `ruleSet`: `vd2011` or `acrs1994`; `overrides`: RULE_PARAMETERS values replacing its defaults
 *   (`{}` for none).
 * - `adoptedAt` ≤ `inForceAt` < `term.sunsetAt` (RFC 3339 UTC).
 * - `term.renewal`: `none`, `affirmative` (every party renews before sunset) or `automatic`
 *   (extends unless a party withdraws with `terminationNoticeDays` notice);
 *   `renewalPeriodMonths` is present exactly when renewal is not `none`.
 * - `review`: first review due `firstAt` (≥ inForceAt), then every `intervalMonths`, overdue
 *   after `graceDays`.
 * - `observers` (optional, an additive extension: docs/compliance-claims.md): 1–200 distinct
 *   party ids the parties accredit to observe every activity the measure judges — a standing
 *   invitation all parties sign. Rules 2.0.0 weigh their observer reports like an invitation's.
 */
export interface MeasureDefineBody {
  id: string;
  title: string;
  parties: string[];
  ruleSet: RuleSetId;
  overrides: RuleOverrides;
  adoptedAt: string;
  inForceAt: string;
  term: {
    sunsetAt: string;
    renewal: RenewalMode;
    renewalPeriodMonths?: number;
    terminationNoticeDays: number;
  };
  review: { firstAt: string; intervalMonths: number; graceDays: number };
  summary?: string;
  observers?: string[];
}

const measureDefineBody: Validator<MeasureDefineBody> = refine(
  '`adoptedAt` ≤ `inForceAt` < `term.sunsetAt`, and `review.firstAt` ≥ `inForceAt`.',
  object(
    {
      id: slug,
      title: name,
      parties: array(stateId, { min: 2, max: 200, uniqueBy: 'self' }),
      ruleSet: oneOf(RULE_SETS),
      overrides,
      adoptedAt: timestamp,
      inForceAt: timestamp,
      term: refine(
        '`renewalPeriodMonths` is present exactly when `renewal` is not `none`.',
        object(
          { sunsetAt: timestamp, renewal: oneOf(RENEWAL_MODES), terminationNoticeDays: days },
          { renewalPeriodMonths: months },
        ),
        (t, path) => {
          const p = `${path}.renewalPeriodMonths`;
          if (t.renewal === 'none') {
            ensure(t.renewalPeriodMonths === undefined, p, 'must be absent when renewal is none');
          } else {
            ensure(t.renewalPeriodMonths !== undefined, p, 'required unless renewal is none');
          }
        },
      ),
      review: object({ firstAt: timestamp, intervalMonths: months, graceDays: days }),
    },
    { summary: longText, observers: array(partyId, { min: 1, max: 200, uniqueBy: 'self' }) },
  ),
  (b, path) => {
    const inForce = millis(b.inForceAt);
    ensure(inForce >= millis(b.adoptedAt), `${path}.inForceAt`, 'must not precede adoptedAt');
    ensure(millis(b.term.sunsetAt) > inForce, `${path}.term.sunsetAt`, 'must follow inForceAt');
    ensure(
      millis(b.review.firstAt) >= inForce,
      `${path}.review.firstAt`,
      'must not precede inForceAt',
    );
  },
);

export const measureDefineRule: TypeRule<MeasureDefineBody> = {
  body: measureDefineBody,
  checks: 'Issued by a state that is one of `body.parties`.',
  check(s) {
    requireIssuerKind(s.issuer, 'state');
    ensure(s.body.parties.includes(s.issuer), '$.body.parties', 'must include the issuer');
  },
  signers: (s) => ({ parties: [...s.body.parties], rule: 'every-party' }),
};

export const REVIEW_OUTCOMES = ['continue', 'amend', 'terminate'] as const;

/**
 * `measure.review`: a party records the review of `measure` (its id) that was due at `dueAt`,
 * with `outcome` `continue`, `amend` or `terminate` and an optional `summary`.
 */
export interface MeasureReviewBody {
  measure: string;
  dueAt: string;
  outcome: (typeof REVIEW_OUTCOMES)[number];
  summary?: string;
}

export const measureReviewRule: TypeRule<MeasureReviewBody> = {
  body: object(
    { measure: slug, dueAt: timestamp, outcome: oneOf(REVIEW_OUTCOMES) },
    { summary: longText },
  ),
  checks: 'Issued by a state.',
  check: (s) => requireIssuerKind(s.issuer, 'state'),
  signers: issuerSigns,
};

/**
 * `measure.renew`: one party affirms renewal of `measure` to `newSunsetAt`. Affirmative renewal
 * takes effect once every party has issued one before the sunset — a rule across statements
 * that the ledger, not this schema, checks.
 */
export interface MeasureRenewBody {
  measure: string;
  newSunsetAt: string;
}

export const measureRenewRule: TypeRule<MeasureRenewBody> = {
  body: object({ measure: slug, newSunsetAt: timestamp }),
  checks: 'Issued by a state.',
  check: (s) => requireIssuerKind(s.issuer, 'state'),
  signers: issuerSigns,
};

/** `measure.withdraw`: the issuer leaves `measure` from `effectiveAt`, optionally saying why. */
export interface MeasureWithdrawBody {
  measure: string;
  effectiveAt: string;
  reason?: string;
}

export const measureWithdrawRule: TypeRule<MeasureWithdrawBody> = {
  body: object({ measure: slug, effectiveAt: timestamp }, { reason: longText }),
  checks: 'Issued by a state.',
  check: (s) => requireIssuerKind(s.issuer, 'state'),
  signers: issuerSigns,
};
