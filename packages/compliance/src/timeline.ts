/**
 * Measure timelines (DESIGN.md §7, GET /v1/measures and /v1/measures/{id}/timeline): each
 * measure's status at a time `at` and its dated events, past and upcoming. Pure and
 * deterministic, from the same measure analysis the compliance engine uses.
 *
 * By default only public statements count, as for compliance reports, so the public endpoint
 * and an observer replaying it agree; `scope: 'all'` lets an authenticated view include the
 * statements its caller may read.
 */
import type { RenewalMode, RuleOverrides, RuleSetId } from '@cbm-ledger/protocol';
import { parseAt, prepareEntries } from './entries.js';
import type { ComplianceEntry, EvidenceScope } from './entries.js';
import { analyzeMeasure, EXPIRING_WINDOW_DAYS, measureBook } from './measures.js';
import type { MeasureAnalysis, MeasureRecord, MeasureStatus } from './measures.js';
import { RULE_SET_DATA } from './rulesets.js';
import { DAY_MS, iso } from './time.js';

export interface MeasureSummary {
  id: string;
  title: string;
  /** Statement id of the `measure.define`. */
  statement: string;
  ruleSet: { id: RuleSetId; version: string };
  overrides: RuleOverrides;
  parties: string[];
  /** Parties whose withdrawal has not taken effect at `at`. */
  activeParties: string[];
  status: MeasureStatus;
  adoptedAt: string;
  inForceAt: string;
  /** The current term's sunset. */
  sunsetAt: string;
  renewal: RenewalMode;
  /** The next scheduled review after `at`, if the measure still runs then. */
  nextReviewDue: string | null;
  /** When the measure expired or was withdrawn, if that happened by `at`. */
  endedAt: string | null;
}

export const TIMELINE_EVENT_KINDS = [
  'defined',
  'adopted',
  'in-force',
  'review-due',
  'review-recorded',
  'review-overdue',
  'renewal-affirmed',
  'renewed',
  'withdrawal-notified',
  'withdrawal-effective',
  'withdrawn',
  'expiring',
  'sunset',
  'expired',
] as const;
export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];

export interface TimelineEvent {
  at: string;
  kind: TimelineEventKind;
  /** True when the event lies after the evaluation time (scheduled, not yet happened). */
  upcoming: boolean;
  party?: string;
  /** The statement that is, or caused, the event. */
  statement?: string;
  detail: string;
}

export interface MeasureTimeline extends MeasureSummary {
  /** The evaluation time, normalised. */
  at: string;
  /** Ordered by time, then by kind (in TIMELINE_EVENT_KINDS order), party and statement. */
  events: TimelineEvent[];
}

export interface TimelineOptions {
  /** Which statements count: `public` (default) or `all` the caller passes. */
  scope?: EvidenceScope;
}

function analyses(
  entries: readonly ComplianceEntry[],
  atText: string,
  options: TimelineOptions,
): { at: number; list: MeasureAnalysis[] } {
  const at = parseAt(atText);
  const prepared = prepareEntries(entries, { at, scope: options.scope ?? 'public' });
  const records: MeasureRecord[] = [...measureBook(prepared).measures.values()];
  records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { at, list: records.map((r) => analyzeMeasure(r, at)) };
}

function summary(a: MeasureAnalysis, at: number): MeasureSummary {
  const body = a.record.define.body;
  const set = RULE_SET_DATA[body.ruleSet];
  const ended = Math.min(
    a.expiredAt ?? Infinity,
    a.withdrawnAt !== null && a.withdrawnAt <= at ? a.withdrawnAt : Infinity,
  );
  return {
    id: a.record.id,
    title: body.title,
    statement: a.record.define.statementId,
    ruleSet: { id: set.id, version: set.version },
    overrides: body.overrides,
    parties: [...body.parties],
    activeParties: body.parties.filter((p) => !((a.partyEnds.get(p) ?? Infinity) <= at)),
    status: a.status,
    adoptedAt: iso(a.adoptedAt),
    inForceAt: iso(a.inForceAt),
    sunsetAt: iso(a.sunset),
    renewal: a.renewal,
    nextReviewDue: a.nextReviewDue === null ? null : iso(a.nextReviewDue),
    endedAt: ended === Infinity ? null : iso(ended),
  };
}

/** Every measure defined by `at`, by id, with its status. */
export function listMeasures(
  entries: readonly ComplianceEntry[],
  at: string,
  options: TimelineOptions = {},
): MeasureSummary[] {
  const { at: t, list } = analyses(entries, at, options);
  return list.map((a) => summary(a, t));
}

/** One measure's status and dated events at `at`; undefined when no such measure is defined. */
export function measureTimeline(
  entries: readonly ComplianceEntry[],
  measureId: string,
  at: string,
  options: TimelineOptions = {},
): MeasureTimeline | undefined {
  const { at: t, list } = analyses(entries, at, options);
  const a = list.find((x) => x.record.id === measureId);
  if (!a) return undefined;
  return { ...summary(a, t), at: iso(t), events: events(a, t) };
}

const KIND_RANK = new Map<string, number>(TIMELINE_EVENT_KINDS.map((k, i) => [k, i]));

function events(a: MeasureAnalysis, at: number): TimelineEvent[] {
  const r = a.record;
  const body = r.define.body;
  const out: TimelineEvent[] = [];
  const add = (
    t: number,
    kind: TimelineEventKind,
    detail: string,
    extra: { party?: string; statement?: string } = {},
  ): void => {
    out.push({ at: iso(t), kind, upcoming: t > at, ...extra, detail });
  };

  add(
    r.define.integratedAt,
    'defined',
    `Defined by ${body.parties.join(', ')} under ${body.ruleSet}.`,
    {
      party: r.define.issuer,
      statement: r.define.statementId,
    },
  );
  add(a.adoptedAt, 'adopted', 'Adopted.');
  add(a.inForceAt, 'in-force', 'Enters into force.');

  // Reviews.
  const graceDays = body.review.graceDays;
  for (const slot of a.reviews) {
    add(slot.dueAt, 'review-due', `Review due (${graceDays} days' grace).`);
    const rec = slot.recorded;
    if (rec && rec.integratedAt <= slot.graceEnd) {
      add(
        rec.integratedAt,
        'review-recorded',
        `Review recorded in time, outcome "${rec.outcome}".`,
        {
          party: rec.issuer,
          statement: rec.statementId,
        },
      );
      continue;
    }
    add(
      slot.graceEnd,
      'review-overdue',
      slot.graceEnd > at
        ? 'The review becomes overdue unless recorded by then.'
        : 'Review overdue: none recorded within the grace period.',
    );
    if (rec) {
      add(rec.integratedAt, 'review-recorded', `Review recorded late, outcome "${rec.outcome}".`, {
        party: rec.issuer,
        statement: rec.statementId,
      });
    }
  }
  const scheduled = new Set(a.reviews.map((s) => s.dueAt));
  for (const rec of r.reviews) {
    if (rec.integratedAt > at || scheduled.has(rec.dueAt)) continue;
    add(
      rec.integratedAt,
      'review-recorded',
      `Review recorded for ${iso(rec.dueAt)}, which is not a scheduled due date at this time; outcome "${rec.outcome}".`,
      { party: rec.issuer, statement: rec.statementId },
    );
  }
  if (a.nextReviewDue !== null)
    add(a.nextReviewDue, 'review-due', `Next review due (${graceDays} days' grace).`);

  // Renewals.
  for (const rn of r.renewals) {
    if (rn.integratedAt > at) continue;
    add(rn.integratedAt, 'renewal-affirmed', `Affirms renewal to ${iso(rn.newSunsetAt)}.`, {
      party: rn.issuer,
      statement: rn.statementId,
    });
  }
  a.terms.forEach((term, i) => {
    const next = a.terms[i + 1];
    if (term.renewedAt !== undefined && next) {
      add(
        term.renewedAt,
        'renewed',
        a.renewal === 'automatic'
          ? `Renewed automatically at its sunset, to ${iso(next.sunset)}.`
          : `Renewed by every party, to ${iso(next.sunset)}.`,
      );
    }
  });

  // Withdrawals.
  for (const w of r.withdrawals) {
    if (w.integratedAt > at) continue;
    add(
      w.integratedAt,
      'withdrawal-notified',
      `Gives notice of withdrawal effective ${iso(w.effectiveAt)}.`,
      {
        party: w.issuer,
        statement: w.statementId,
      },
    );
    add(w.effectiveAt, 'withdrawal-effective', 'Withdrawal takes effect.', {
      party: w.issuer,
      statement: w.statementId,
    });
  }
  if (a.withdrawnAt !== null) {
    add(a.withdrawnAt, 'withdrawn', 'Fewer than two parties remain: the measure is withdrawn.');
  }

  // The current term's end.
  const last = a.terms[a.terms.length - 1]!;
  const endsEarlier = a.withdrawnAt !== null && a.withdrawnAt <= last.sunset;
  if (!endsEarlier) {
    const automatic = a.renewal === 'automatic' && last.blockedBy === undefined;
    if (!automatic) {
      add(
        last.sunset - EXPIRING_WINDOW_DAYS * DAY_MS,
        'expiring',
        `${EXPIRING_WINDOW_DAYS} days to the sunset.`,
      );
    }
    if (a.expiredAt !== null) {
      const why = last.blockedBy
        ? `Expired: ${last.blockedBy.issuer} withdrew with at least ${body.term.terminationNoticeDays} days' notice, so it was not renewed automatically.`
        : a.renewal === 'affirmative'
          ? 'Expired: not every party renewed before the sunset.'
          : 'Expired at its sunset.';
      add(a.expiredAt, 'expired', why, last.blockedBy ? { party: last.blockedBy.issuer } : {});
    } else {
      const what = automatic
        ? `Sunset; renews automatically by ${body.term.renewalPeriodMonths ?? 0} months unless a party withdraws with ${body.term.terminationNoticeDays} days' notice.`
        : last.blockedBy
          ? `Sunset; will expire: ${last.blockedBy.issuer} withdrew with enough notice to stop the automatic renewal.`
          : a.renewal === 'affirmative'
            ? 'Sunset; expires unless every party renews before it.'
            : 'Sunset; the measure expires.';
      add(last.sunset, 'sunset', what, last.blockedBy ? { party: last.blockedBy.issuer } : {});
    }
  }

  return out.sort(
    (x, y) =>
      cmp(x.at, y.at) ||
      (KIND_RANK.get(x.kind) ?? 0) - (KIND_RANK.get(y.kind) ?? 0) ||
      cmp(x.party ?? '', y.party ?? '') ||
      cmp(x.statement ?? '', y.statement ?? ''),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
