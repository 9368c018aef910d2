/**
 * The rules the engine applies, by stable id, with the text a reader of a report needs. The
 * numbers come from the measure's rule set (rulesets.ts) and overrides.
 */

/** Evidence principle shared by every rule (and stated in every report's `basis`). */
export const EVIDENCE_BASIS =
  'Judged only from statements with visibility "public" among the first treeSize entries ' +
  'integrated at or before "at"; the content of participants-only and restricted statements is ' +
  'never evidence, for or against, so that anyone holding the public view can replay this ' +
  'report. Deadlines are judged against the time the log commits to for each entry: its ' +
  'acceptedAt, promised to the submitter at admission (v2 leaves), else its integratedAt (v1); ' +
  "never the issuer's issuedAt. A statement integrated after its promised integrateBy is the " +
  "operator's broken promise (operatorFindings), never the submitter's lateness. " +
  'A party is judged only under public measures it is party to, from their in-force date until ' +
  'the measure ends or its withdrawal takes effect. An obligation is reported once its due time ' +
  'has passed, or earlier when it has already been met in time.';

/** What rules 2.0.0 add to the basis of every report judged by them (docs/compliance-claims.md). */
export const CLAIMS_BASIS =
  'Claims are not findings: an observer report weighs only when its issuer was invited by name ' +
  "in the host's notification or accredited by the measure (its observers), and a finding " +
  "resting on another party's claim is established only when entitled observers of " +
  'observerReport.corroboration different parties agree or the party judged acknowledges it; ' +
  'otherwise it is alleged, or, when adverse, disputed once that party replied disputing it. ' +
  'Summaries count established findings only. A risk.request starts a deadline only when it ' +
  'names an activity, is not merged into an open request naming the same one, and its issuer ' +
  'has fewer than riskRequest.maxOpen requests open towards the addressee.';

export const RULE_IDS = [
  'notification',
  'observation.invitation',
  'calendar.annual',
  'calendar.listing',
  'large.limit',
  'large.announcement',
  'constrained.per-year',
  'constrained.larger-per-year',
  'constrained.concurrent',
  'info.exchange',
  'risk.response',
  'observer.counts',
  'observer.access',
  'health.alert',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export interface RuleDescription {
  title: string;
  text: string;
}

export const COMPLIANCE_RULES: Readonly<Record<RuleId, RuleDescription>> = Object.freeze({
  notification: {
    title: 'Prior notification',
    text:
      'An activity whose counts meet any notification threshold is notified at least ' +
      'notification.leadTimeDays before its start (noticeClass standard), or by its start ' +
      '(alert). Due and actual are the times the log first showed it as notifiable without ' +
      'interruption, so an update raising the counts over a threshold is judged from its own ' +
      'integration. Activities that a public calendar lists with notifiable counts, or that a ' +
      'public observer report saw, but that no public exercise.notification covers are missing; ' +
      'an observer report citing a non-public entry is not-assessable.',
  },
  'observation.invitation': {
    title: 'Observation invitation',
    text:
      'An activity whose counts meet any observation threshold invites observers ' +
      '(observation.invited true) by the notification deadline; judged from when the invitation ' +
      'stood without interruption.',
  },
  'calendar.annual': {
    title: 'Annual calendar',
    text:
      'Each party files a public calendar.annual for year Y (a nil return allowed) by ' +
      'calendar.deadlineMonth/Day of Y-1.',
  },
  'calendar.listing': {
    title: 'Calendar lists notifiable activities',
    text:
      'A notified notifiable activity (noticeClass standard; alert activities are unplanned by ' +
      'nature and exempt) starting in year Y is listed, under one of its designations, in a ' +
      "public calendar.annual of its issuer for year Y, due with that year's calendar.",
  },
  'large.limit': {
    title: 'Large activities: at most one per period',
    text:
      'At most large.maxPerPeriod activities above large.troops or large.battleTanks per issuer ' +
      'within any large.periodYears consecutive calendar years; the first activity over the ' +
      'limit, in order of start, is exceeded.',
  },
  'large.announcement': {
    title: 'Large activities announced ahead',
    text:
      'A large activity starting in year Y is listed in a public calendar of its issuer by ' +
      'calendar.deadlineMonth/Day of year Y minus large.announceYearsAhead.',
  },
  'constrained.per-year': {
    title: 'Constrained activities per year',
    text:
      'At most constrained.maxPerYear activities per calendar year above constrained.troops or ' +
      'constrained.battleTanks that are not large, in order of start; activities cancelled ' +
      'before their start do not count. An activity over the limit is exceeded, its subjects ' +
      'naming the activities that used up the quota.',
  },
  'constrained.larger-per-year': {
    title: 'Larger constrained activities per year',
    text:
      'Of those, at most constrained.maxLargerPerYear above constrained.largerTroops or ' +
      'constrained.largerBattleTanks.',
  },
  'constrained.concurrent': {
    title: 'Simultaneous constrained activities',
    text:
      'At most constrained.maxConcurrent activities above constrained.troops or ' +
      'constrained.battleTanks (large ones included) under way at the start of any of them.',
  },
  'info.exchange': {
    title: 'Annual exchange of military information',
    text:
      'Each party files a public info.exchange whose year is Y (the information valid as of ' +
      '1 January of Y) by infoExchange.deadlineMonth/Day of Y-1: Vienna Document 2011 ch. I has ' +
      'the information provided by 15 December and valid as of 1 January of the following year.',
  },
  'risk.response': {
    title: 'Reply to an unusual-activity request',
    text:
      'A public risk.request from one party to another is answered by a public risk.response of ' +
      'the addressee within riskResponse.hours of its integration. Unanswered requests not yet ' +
      'due are not judged; unanswered past due are missing. From rules 2.0.0 only requests that ' +
      'name an activity, within riskRequest.maxOpen open requests of their issuer towards the ' +
      'addressee, start a deadline; a request naming the same activity as an open one is merged ' +
      'into it, and a claim.reply of the addressee answers it too.',
  },
  'observer.counts': {
    title: 'Observed against declared counts',
    text:
      'In a public observer.report, an observed count above the declared one by more than ' +
      'observerReport.tolerance (a fraction) is a discrepancy. Declared counts are those of the ' +
      'public notification as it stood when the report was integrated, else those the report ' +
      'states. From rules 2.0.0 only reports of observers the notification invited by name, or ' +
      'the measure accredits, weigh; ' +
      'declared counts are always those of the notification, and the finding carries a standing.',
  },
  'observer.access': {
    title: 'Access for observers',
    text:
      'A public observer.report recording access "denied" is missing access; full or managed is ' +
      'compliant. From rules 2.0.0 only for reports of observers the notification invited by ' +
      'name or the measure accredits (no access finding without an invitation), with a standing.',
  },
  'health.alert': {
    title: 'Health alerts',
    text:
      'A public datashare.alert in hazardDomain health with CAP status Actual and msgType Alert ' +
      'or Update is integrated within healthAlert.hours of its assessedAt.',
  },
});
