/**
 * Rule sets as versioned data (DESIGN.md §7). A measure (`measure.define`) names a rule set and
 * may override any parameter by its protocol name (RULE_PARAMETERS); everything else comes from
 * here. Every parameter carries the text it comes from.
 *
 * Semantics of the numbers, fixed for every rule set so that overrides mean the same thing:
 * - `notification.*` and `observation.*` are inclusive thresholds ("at least"): an activity is
 *   notifiable when ANY of its counts is ≥ the threshold (Vienna Document wording "at least",
 *   "meets or exceeds").
 * - `large.*` and `constrained.*` counts are exclusive ("more than"), as in Vienna Document ch.
 *   VIII.
 * - Day-of-year deadlines (`*.deadlineMonth/Day`) end at 23:59:59.999Z of that day, UTC.
 *
 * `version` names both these data and the engine semantics that apply them: any change to either
 * that can change a finding must bump it, because replayed reports cite it.
 *
 * Verification of the citations: the reference search available while this was written held the
 * Vienna Document 2011's title page and table of contents (FSC.DOC/1/11, 30 November 2011,
 * chapter titles I, III, V–VIII as cited) but not the paragraphs themselves. Paragraph numbers
 * are therefore given as the project's brief cites them and marked "paragraph number not
 * verified here"; values are the well-known published thresholds. Check them against
 * https://www.osce.org/fsc/86597 before relying on a cite in a dispute.
 */
import { RULE_PARAMETERS } from '@cbm-ledger/protocol';
import type { RuleOverrides, RuleParameter, RuleSetId } from '@cbm-ledger/protocol';

export interface RuleParameterValue {
  value: number;
  /** The provision the value comes from, precise enough to look up. */
  source: string;
}

/**
 * The engine semantics a report can be judged by, oldest first. 1.0.0: the original rules.
 * 2.0.0: claims are not findings (docs/compliance-claims.md) — observer reports weigh only from
 * entitled observers, claim-based findings carry a standing (established / alleged / disputed),
 * requests must name an activity and are capped and merged. Old versions stay selectable so a
 * report computed under them can be replayed byte for byte.
 */
export const RULES_VERSIONS = ['1.0.0', '2.0.0'] as const;
export type RulesVersion = (typeof RULES_VERSIONS)[number];
export const LATEST_RULES_VERSION: RulesVersion = '2.0.0';

export function isRulesVersion(v: unknown): v is RulesVersion {
  return typeof v === 'string' && (RULES_VERSIONS as readonly string[]).includes(v);
}

export interface RuleSet {
  id: RuleSetId;
  /**
   * Latest version of these data and of the engine semantics applying them; a report names the
   * version it was judged by (RULES_VERSIONS), which may be an older one.
   */
  version: string;
  title: string;
  source: string;
  parameters: Readonly<Record<RuleParameter, RuleParameterValue>>;
}

/** The resolved numbers a measure is judged by: rule set defaults with its overrides applied. */
export type RuleParameters = Readonly<Record<RuleParameter, number>>;

const VD = 'OSCE Vienna Document 2011 on Confidence- and Security-Building Measures (FSC.DOC/1/11)';
const UNVERIFIED = 'paragraph number not verified here';

const NOTIFICATION = `${VD}, ch. V "Prior Notification of Certain Military Activities", §38 ff. (${UNVERIFIED})`;
const OBSERVATION = `${VD}, ch. VI "Observation of Certain Military Activities", §47 (${UNVERIFIED})`;
const CALENDAR = `${VD}, ch. VII "Annual Calendars", §61 (${UNVERIFIED})`;
const CONSTRAINTS = `${VD}, ch. VIII "Constraining Provisions", §§67–68 (${UNVERIFIED})`;
const EXCHANGE = `${VD}, ch. I "Annual Exchange of Military Information", §§10–11 (${UNVERIFIED})`;
const RISK = `${VD}, ch. III "Risk Reduction", §16, mechanism for consultation and co-operation as regards unusual military activities (${UNVERIFIED})`;

const RISK_CAP = `CBM Ledger default, not a treaty value (rule sets 2.0.0 and later; docs/compliance-claims.md). ${VD}, ch. III "Risk Reduction", §16 (${UNVERIFIED}): a participating State concerned about an unusual military activity may request an explanation from the State on whose territory it takes place, which replies within 48 hours; the requesting State may then request a meeting (§16.2, ${UNVERIFIED}). The mechanism is a dialogue about a specific activity, not a questionnaire: at most 3 requests of one party to another may be open (unanswered and not yet due) at once; further ones are recorded and shown but start no deadline, and a request naming the same activity as one still open is merged into it.`;
const CORROBORATION = `CBM Ledger default, not a treaty value (rule sets 2.0.0 and later; docs/compliance-claims.md). ${VD}, ch. IX "Compliance and Verification" (inspection and evaluation visits, whose reports are prepared by the verifying State and shared with the receiving State for comment; ${UNVERIFIED}) and ch. VI "Observation" (observers invited by the host; ${UNVERIFIED}): a finding resting on observers' reports is established when at least 2 entitled observers from different parties report it, or the host acknowledges it; otherwise it is alleged (or disputed, when the host replied disputing it).`;

const vd2011Parameters: Record<RuleParameter, RuleParameterValue> = {
  'notification.troops': {
    value: 9000,
    source: `${NOTIFICATION}: land forces engaged under a single operational command, at least 9,000 troops including support troops.`,
  },
  'notification.battleTanks': {
    value: 250,
    source: `${NOTIFICATION}: at least 250 battle tanks.`,
  },
  'notification.acv': {
    value: 500,
    source: `${NOTIFICATION}: at least 500 armoured combat vehicles.`,
  },
  'notification.artillery': {
    value: 250,
    source: `${NOTIFICATION}: at least 250 self-propelled and towed artillery pieces, mortars and multiple rocket launchers (100 mm calibre and above).`,
  },
  'notification.aircraftSorties': {
    value: 200,
    source: `${NOTIFICATION}: participation of air forces with at least 200 sorties by aircraft, excluding helicopters.`,
  },
  'notification.amphibiousTroops': {
    value: 3000,
    source: `${NOTIFICATION}: amphibious landings involving at least 3,000 troops.`,
  },
  'notification.airborneTroops': {
    value: 3000,
    source: `${NOTIFICATION}: parachute assaults by airborne forces (or heliborne landings) involving at least 3,000 troops.`,
  },
  'notification.leadTimeDays': {
    value: 42,
    source: `${NOTIFICATION}: notification in writing 42 days or more in advance of the start of the activity. Activities carried out without advance notice to the troops involved (noticeClass "alert") are notified at the latest when the troops commence them (the ch. V exception for such activities; ${UNVERIFIED}).`,
  },
  'observation.troops': {
    value: 13000,
    source: `${OBSERVATION}: observers invited whenever the troops engaged meet or exceed 13,000.`,
  },
  'observation.battleTanks': {
    value: 300,
    source: `${OBSERVATION}: or the battle tanks engaged meet or exceed 300.`,
  },
  'observation.acv': {
    value: 500,
    source: `${OBSERVATION}: or the armoured combat vehicles engaged meet or exceed 500.`,
  },
  'observation.artillery': {
    value: 250,
    source: `${OBSERVATION}: or the artillery pieces, mortars and multiple rocket launchers (100 mm and above) engaged meet or exceed 250.`,
  },
  'observation.amphibiousTroops': {
    value: 3500,
    source: `${OBSERVATION}: amphibious landings meeting or exceeding 3,500 troops.`,
  },
  'observation.airborneTroops': {
    value: 3500,
    source: `${OBSERVATION}: parachute assaults meeting or exceeding 3,500 troops.`,
  },
  'calendar.deadlineMonth': {
    value: 11,
    source: `${CALENDAR}: each State's annual calendar of activities subject to prior notification for the following calendar year, exchanged not later than 15 November; a State forecasting no such activity says so (a nil return).`,
  },
  'calendar.deadlineDay': {
    value: 15,
    source: `${CALENDAR}: not later than 15 November.`,
  },
  'large.troops': {
    value: 40000,
    source: `${CONSTRAINTS}: activities subject to prior notification involving more than 40,000 troops.`,
  },
  'large.battleTanks': {
    value: 900,
    source: `${CONSTRAINTS}: or more than 900 battle tanks.`,
  },
  'large.maxPerPeriod': {
    value: 1,
    source: `${CONSTRAINTS}: no State carries out more than one such activity ...`,
  },
  'large.periodYears': {
    value: 3,
    source: `${CONSTRAINTS}: ... within three calendar years.`,
  },
  'large.announceYearsAhead': {
    value: 2,
    source: `${CONSTRAINTS}: such activities are not carried out unless communicated by 15 November of the year two years before (in the annual calendar or separately).`,
  },
  'constrained.troops': {
    value: 13000,
    source: `${CONSTRAINTS}: other activities subject to prior notification each involving more than 13,000 troops ...`,
  },
  'constrained.battleTanks': {
    value: 300,
    source: `${CONSTRAINTS}: ... or more than 300 battle tanks (but not above the 40,000 / 900 of large activities).`,
  },
  'constrained.maxPerYear': {
    value: 6,
    source: `${CONSTRAINTS}: not more than six such activities within a calendar year.`,
  },
  'constrained.largerTroops': {
    value: 25000,
    source: `${CONSTRAINTS}: of these six, those involving more than 25,000 troops ...`,
  },
  'constrained.largerBattleTanks': {
    value: 400,
    source: `${CONSTRAINTS}: ... or more than 400 battle tanks.`,
  },
  'constrained.maxLargerPerYear': {
    value: 3,
    source: `${CONSTRAINTS}: not more than three of them above 25,000 troops or 400 battle tanks.`,
  },
  'constrained.maxConcurrent': {
    value: 3,
    source: `${CONSTRAINTS}: not more than three activities each involving more than 13,000 troops or 300 battle tanks carried out simultaneously.`,
  },
  'infoExchange.deadlineMonth': {
    value: 12,
    source: `${EXCHANGE}: information on military forces and major weapon and equipment systems provided not later than 15 December of each year, valid as of 1 January of the following year.`,
  },
  'infoExchange.deadlineDay': {
    value: 15,
    source: `${EXCHANGE}: not later than 15 December.`,
  },
  'riskResponse.hours': {
    value: 48,
    source: `${RISK}: a State asked for an explanation of an unusual military activity transmits its reply within 48 hours.`,
  },
  'observerReport.tolerance': {
    value: 0.1,
    source:
      'CBM Ledger default, not a treaty value (DESIGN.md §7: "tolerance configurable"). The Vienna Document 2011, ch. VI, provides for observation but sets no numerical tolerance; 0.10 (observed may exceed declared by 10 %) allows for the imprecision of counts made in the field.',
  },
  'riskRequest.maxOpen': {
    value: 3,
    source: `${RISK_CAP}`,
  },
  'observerReport.corroboration': {
    value: 2,
    source: `${CORROBORATION}`,
  },
  'healthAlert.hours': {
    value: 24,
    source:
      'WHO International Health Regulations (2005), article 6(1): a State notifies WHO within 24 hours of its assessment of public health information of every event that may constitute a public health emergency of international concern. Applied here to health data-share alerts between the parties.',
  },
};

const ACRS =
  'Arms Control and Regional Security (ACRS) working group of the multilateral track of the Middle East peace process, draft text on pre-notification of certain military activities (1994). The draft was never formally adopted or officially published; its thresholds are those of DESIGN.md §7 and were not verified against a primary text here';

function asVd2011(name: RuleParameter): RuleParameterValue {
  const base = vd2011Parameters[name];
  return {
    value: base.value,
    source: `As vd2011 (the ACRS draft sets no value of its own): ${base.source}`,
  };
}

const acrs1994Parameters = Object.fromEntries(
  (Object.keys(RULE_PARAMETERS) as RuleParameter[]).map((name) => [name, asVd2011(name)]),
) as Record<RuleParameter, RuleParameterValue>;
acrs1994Parameters['notification.troops'] = {
  value: 4001,
  source: `${ACRS}: notification of activities involving more than 4,000 troops (stored as "at least 4,001" because notification thresholds here are inclusive).`,
};
acrs1994Parameters['notification.battleTanks'] = {
  value: 111,
  source: `${ACRS}: or more than 110 battle tanks (stored as "at least 111").`,
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export const vd2011: RuleSet = deepFreeze({
  id: 'vd2011',
  version: LATEST_RULES_VERSION,
  title: 'OSCE Vienna Document 2011',
  source: `${VD}, adopted by the OSCE Forum for Security Co-operation on 30 November 2011 (FSC.DEC/14/11), in force 1 December 2011; and, for health alerts, the WHO International Health Regulations (2005).`,
  parameters: vd2011Parameters,
});

export const acrs1994: RuleSet = deepFreeze({
  id: 'acrs1994',
  version: LATEST_RULES_VERSION,
  title: 'ACRS draft on pre-notification (1994), otherwise Vienna Document 2011',
  source: `${ACRS}. Every other parameter as vd2011.`,
  parameters: acrs1994Parameters,
});

/** The built-in rule sets, by id. */
export const RULE_SET_DATA: Readonly<Record<RuleSetId, RuleSet>> = Object.freeze({
  vd2011,
  acrs1994,
});

/**
 * The numbers a measure is judged by: `ruleSetId`'s defaults, each replaced by the measure's
 * override of the same name. Unknown names cannot occur (protocol validation refuses them).
 */
export function resolveParameters(
  ruleSetId: RuleSetId,
  overrides: RuleOverrides = {},
): RuleParameters {
  const set = RULE_SET_DATA[ruleSetId];
  const out = {} as Record<RuleParameter, number>;
  for (const name of Object.keys(RULE_PARAMETERS) as RuleParameter[]) {
    const o = Object.prototype.hasOwnProperty.call(overrides, name) ? overrides[name] : undefined;
    out[name] = typeof o === 'number' ? o : set.parameters[name].value;
  }
  return Object.freeze(out);
}
