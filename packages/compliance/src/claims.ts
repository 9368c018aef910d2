/**
 * Claims are not findings (rule sets 2.0.0 and later; docs/compliance-claims.md).
 *
 * A finding that rests on another party's word — an observer's report, a rival's request — must
 * not let that party manufacture the non-compliance of the party it is about. These rules replace,
 * from version 2.0.0, the engine's judging of risk-reduction requests and observer reports:
 *
 * - Observer reports weigh only when their issuer was entitled to observe: invited by name in the
 *   host's notification as it stood when the report was logged, or accredited by the measure
 *   (its `observers`, which every party signed). Other reports are recorded and
 *   shown as unsolicited, cancelled or duplicate, and yield no finding.
 * - A finding resting on entitled reports has a standing: established when the host acknowledged
 *   it or at least `observerReport.corroboration` entitled observers from different parties agree;
 *   otherwise disputed (the host replied disputing it) or alleged.
 * - A request starts a deadline only when it names an activity, is not the same question as one
 *   of its issuer's requests still open (then it is merged into that one), and its issuer has fewer
 *   than `riskRequest.maxOpen` requests open towards the addressee.
 *
 * Security: every statement read here is attacker-controlled in content and in number; nothing
 * in this file lets a statement of one party create a finding against another except under the
 * rules above, and the cost is linear in the claims about the party judged (plus, per entitled
 * report, the reports about the same activity).
 */
import { canonicalize } from '@cbm-ledger/protocol';
import type { ClaimPosition, TypedStatement } from '@cbm-ledger/protocol';
import type { Activity, ActivityVersion } from './activities.js';
import type { Entry } from './entries.js';
import type { RuleId } from './rules.js';
import type { RuleParameters } from './rulesets.js';
import { HOUR_MS, duration, iso, ms, num } from './time.js';

export const STANDINGS = ['established', 'alleged', 'disputed'] as const;
/** How far a finding is shown to hold: see the file comment. */
export type Standing = (typeof STANDINGS)[number];

/** What the engine records about each claim about a judged party (report section `claims`). */
export const CLAIM_STATUSES = [
  // observer.report
  'entitled',
  'unsolicited',
  'cancelled',
  'duplicate',
  // risk.request
  'deadline',
  'merged',
  'beyond-cap',
  'unnamed',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export interface ClaimReplyRef {
  statementId: string;
  type: 'claim.reply' | 'risk.response';
  /** For claim.reply: what the party said. */
  position?: ClaimPosition;
}

/** The statement types that are claims about another party, answerable with a claim.reply. */
export const CLAIM_TYPES = ['observer.report', 'risk.request'] as const;
export type ClaimType = (typeof CLAIM_TYPES)[number];

/** Whether `type` is a claim type (a string from a leaf or a view). */
export function isClaimType(type: string): type is ClaimType {
  return (CLAIM_TYPES as readonly string[]).includes(type);
}

/** A claim about `about` under `measure`, with every reply its subject gave. */
export interface ClaimRecord {
  statementId: string;
  type: ClaimType;
  /** The issuer of the claim. */
  claimant: string;
  /** The party the claim is about (the host, or the addressee). */
  about: string;
  measure: string;
  status: ClaimStatus;
  /** With `merged`: the request whose deadline this one shares. */
  mergedInto?: string;
  detail: string;
  /** Replies by `about` logged after the claim, in log order. */
  replies: ClaimReplyRef[];
}

/** What a finding resting on claims adds to the report (rule sets 2.0.0 and later). */
export interface ClaimBasis {
  standing: Standing;
  /** The parties whose claims agree on the finding, sorted (empty when none). */
  claimants: string[];
  /** Statement ids of the replies of the party judged, in log order. */
  replies: string[];
}

export interface Logged<T> {
  statementId: string;
  index: number;
  integratedAt: number;
  statement: T;
}

/** The part of the engine's indexed log that claims are judged from. */
export interface ClaimContext {
  byId: ReadonlyMap<string, Entry>;
  activities: ReadonlyMap<string, Activity>;
  requests: readonly Logged<TypedStatement<'risk.request'>>[];
  responses: ReadonlyMap<string, Logged<TypedStatement<'risk.response'>>[]>;
  reports: readonly Logged<TypedStatement<'observer.report'>>[];
  replies: ReadonlyMap<string, Logged<TypedStatement<'claim.reply'>>[]>;
}

export type JudgedOutcome = 'compliant' | 'late' | 'missing' | 'discrepancy';

/** What the engine's judge of one party under one measure offers these rules. */
export interface ClaimJudge {
  readonly at: number;
  readonly party: string;
  readonly measure: string;
  readonly params: RuleParameters;
  readonly intervals: ReadonlyMap<string, { start: number; end: number }>;
  /** The observers the measure accredits (`measure.define` `observers`). */
  readonly accredited: ReadonlySet<string>;
  inWindow(t: number): boolean;
  /** The outcome of a deadline, or null while it cannot be judged yet. */
  timed(due: number, actual: number | null): 'compliant' | 'late' | 'missing' | null;
  emit(
    rule: RuleId,
    outcome: JudgedOutcome,
    subjects: readonly string[],
    due: number,
    actual: number | null,
    detail: string,
    basis?: ClaimBasis,
  ): void;
  record(claim: ClaimRecord): void;
  /** "17,500 troops observed against 15,000 declared" for each count beyond tolerance. */
  excess(
    items: TypedStatement<'observer.report'>['body']['declaredVsObserved'],
    declared: ActivityVersion,
  ): string[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Replies the party `about` gave to claim `claim` (logged after it), in log order. */
function repliesTo(ctx: ClaimContext, claim: Logged<{ issuer: string }>, about: string) {
  const out: (Logged<unknown> & { ref: ClaimReplyRef })[] = [];
  for (const x of ctx.responses.get(claim.statementId) ?? []) {
    if (x.statement.issuer === about && x.index > claim.index) {
      out.push({ ...x, ref: { statementId: x.statementId, type: 'risk.response' } });
    }
  }
  for (const x of ctx.replies.get(claim.statementId) ?? []) {
    if (x.statement.issuer === about && x.index > claim.index) {
      out.push({
        ...x,
        ref: {
          statementId: x.statementId,
          type: 'claim.reply',
          position: x.statement.body.position,
        },
      });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

// ---- risk reduction: requests that cannot be turned into a flood ---------------------------

/**
 * The activity a request names, as a key identical questions share, or null when it names none:
 * a logged entry cited as its notification, or an area with a time window. Free text (the
 * description, the question) is never part of the key, or changing one letter would defeat it.
 */
function activityKey(ctx: ClaimContext, r: Logged<TypedStatement<'risk.request'>>): string | null {
  const a = r.statement.body.activity;
  if (a.notification !== undefined) {
    const cited = ctx.byId.get(a.notification);
    return cited !== undefined && cited.index < r.index ? `notification ${a.notification}` : null;
  }
  if (a.area !== undefined && a.start !== undefined && a.end !== undefined) {
    return `window ${canonicalize({ area: a.area, start: ms(a.start), end: ms(a.end) })}`;
  }
  return null;
}

interface RequestGroup {
  asker: string;
  key: string;
  first: Logged<TypedStatement<'risk.request'>>;
  members: Logged<TypedStatement<'risk.request'>>[];
  due: number;
  /** Index of the first reply to any member, or Infinity. */
  firstReplyIndex: number;
}

/**
 * Requests to the judged party, in log order. A request is open from its integration until it is
 * answered (a risk.response or claim.reply of the addressee to it or to a request merged into
 * it) or its deadline passes.
 */
export function judgeRequests(j: ClaimJudge, ctx: ClaimContext): void {
  const { party, intervals } = j;
  const hours = j.params['riskResponse.hours'];
  const cap = j.params['riskRequest.maxOpen'];
  const groups: RequestGroup[] = [];
  // Per asker, so that one party's flood costs only its own groups.
  const byAsker = new Map<string, RequestGroup[]>();
  for (const r of ctx.requests) {
    if (r.statement.body.to !== party || !j.inWindow(r.integratedAt)) continue;
    const from = r.statement.issuer;
    const asker = intervals.get(from);
    if (!asker || !(asker.start <= r.integratedAt && r.integratedAt < asker.end)) continue;
    const replies = repliesTo(ctx, r, party);
    const record = (status: ClaimStatus, detail: string, mergedInto?: string): void =>
      j.record({
        statementId: r.statementId,
        type: 'risk.request',
        claimant: from,
        about: party,
        measure: j.measure,
        status,
        ...(mergedInto === undefined ? {} : { mergedInto }),
        detail,
        replies: replies.map((x) => x.ref),
      });
    const key = activityKey(ctx, r);
    if (key === null) {
      record(
        'unnamed',
        `The request of ${from} names no activity (neither a logged notification nor an area with a time window): recorded, but it starts no deadline.`,
      );
      continue;
    }
    let mine = byAsker.get(from);
    if (!mine) {
      mine = [];
      byAsker.set(from, mine);
    }
    const open = mine.filter((g) => g.due > r.integratedAt && g.firstReplyIndex > r.index);
    const same = open.find((g) => g.key === key);
    if (same) {
      same.members.push(r);
      for (const x of replies) same.firstReplyIndex = Math.min(same.firstReplyIndex, x.index);
      record(
        'merged',
        `The request of ${from} names the same activity as its request ${same.first.statementId}, still open: merged into it, sharing its deadline.`,
        same.first.statementId,
      );
      continue;
    }
    if (open.length >= cap) {
      record(
        'beyond-cap',
        `${from} already had ${open.length} ${open.length === 1 ? 'request' : 'requests'} open towards ${party}; the measure allows ${cap} at once: recorded, but it starts no deadline.`,
      );
      continue;
    }
    const group: RequestGroup = {
      asker: from,
      key,
      first: r,
      members: [r],
      due: r.integratedAt + hours * HOUR_MS,
      firstReplyIndex: replies.length > 0 ? replies[0]!.index : Infinity,
    };
    groups.push(group);
    mine.push(group);
    record(
      'deadline',
      `The request of ${from} names an activity and is within the measure's cap of ${cap} open requests: the reply is due within ${hours} hours.`,
    );
  }

  for (const g of groups) {
    const replies = g.members
      .flatMap((m) => repliesTo(ctx, m, party))
      .sort((a, b) => a.index - b.index);
    const reply = replies[0];
    const actual = reply?.integratedAt ?? null;
    const outcome = j.timed(g.due, actual);
    if (outcome === null) continue;
    const from = g.asker;
    const merged =
      g.members.length > 1
        ? ` ${g.members.length - 1} later ${g.members.length === 2 ? 'request' : 'requests'} naming the same activity ${g.members.length === 2 ? 'was' : 'were'} merged into it.`
        : '';
    const asked = `The request of ${from} about an unusual activity`;
    j.emit(
      'risk.response',
      outcome,
      [...g.members.map((m) => m.statementId), ...(reply ? [reply.statementId] : [])],
      g.due,
      actual,
      (outcome === 'missing'
        ? `${asked} has no public reply; due within ${hours} hours, by ${iso(g.due)}.`
        : `${asked} was answered ${duration(actual! - g.first.integratedAt)} after it was logged; due within ${hours} hours.`) +
        merged,
      { standing: 'established', claimants: [], replies: reply ? [reply.statementId] : [] },
    );
  }
}

// ---- observer reports: entitlement, corroboration, reply -----------------------------------

interface Classified {
  r: Logged<TypedStatement<'observer.report'>>;
  status: ClaimStatus;
  detail: string;
  declared?: ActivityVersion;
}

/** Whether `issuer` stood invited by name in `v`. */
function invites(v: ActivityVersion, issuer: string): boolean {
  return v.observation.invited && (v.observation.invitees ?? []).includes(issuer);
}

function classify(
  ctx: ClaimContext,
  r: Logged<TypedStatement<'observer.report'>>,
  party: string,
  accredited: ReadonlySet<string>,
  seen: Map<string, string>,
): Classified {
  const b = r.statement.body;
  const issuer = r.statement.issuer;
  const activity = ctx.activities.get(b.exercise);
  if (!activity || activity.issuer !== party || activity.versions[0]!.index > r.index) {
    const cited = ctx.byId.get(b.exercise);
    const why =
      cited !== undefined && cited.statement === undefined
        ? `cites entry ${cited.index}, which is not public, so no invitation of ${issuer} can be read`
        : `cites no public exercise.notification of ${party} logged before it, so no invitation of ${issuer} exists`;
    return {
      r,
      status: 'unsolicited',
      detail: `The report of ${issuer} ${why}: recorded as unsolicited; it yields no finding against ${party}.`,
    };
  }
  if (activity.cancel && activity.cancel.index < r.index) {
    return {
      r,
      status: 'cancelled',
      detail: `The report of ${issuer} is about an activity ${party} cancelled (${activity.cancel.statementId}) before the report was logged: recorded; it yields no finding.`,
    };
  }
  let declared: ActivityVersion | undefined;
  for (const v of activity.versions) if (v.index < r.index) declared = v;
  const invited = invites(declared!, issuer);
  if (!invited && !accredited.has(issuer)) {
    return {
      r,
      status: 'unsolicited',
      detail: `${issuer} was not invited to observe this activity (the notification as it stood when the report was logged ${declared!.observation.invited ? `invites ${(declared!.observation.invitees ?? []).join(', ') || 'nobody by name'}` : 'invites no observers'}): recorded as unsolicited; it yields no finding against ${party}.`,
    };
  }
  const key = `${b.exercise}\u0000${issuer}`;
  const earlier = seen.get(key);
  if (earlier !== undefined) {
    return {
      r,
      status: 'duplicate',
      detail: `${issuer} already reported on this activity (${earlier}); only its first report weighs: recorded as a duplicate.`,
    };
  }
  seen.set(key, r.statementId);
  return {
    r,
    status: 'entitled',
    detail: invited
      ? `${issuer} was invited by ${party} to observe this activity: its report weighs as evidence.`
      : `${issuer} is accredited by the measure to observe the activities it judges: its report weighs as evidence.`,
    declared: declared!,
  };
}

export function judgeReports(j: ClaimJudge, ctx: ClaimContext): void {
  const { party, at } = j;
  const k = j.params['observerReport.corroboration'];
  const seen = new Map<string, string>();
  const classified: Classified[] = [];
  for (const r of ctx.reports) {
    const b = r.statement.body;
    if (b.hostState !== party) continue;
    const due = ms(b.period.start);
    if (!j.inWindow(due) || due > at) continue;
    classified.push(classify(ctx, r, party, j.accredited, seen));
  }

  interface Judged {
    c: Classified;
    counts: 'discrepancy' | 'compliant' | null;
    over: string[];
    access: 'missing' | 'compliant';
  }
  const judged: Judged[] = [];
  for (const c of classified) {
    const replies = repliesTo(ctx, c.r, party);
    j.record({
      statementId: c.r.statementId,
      type: 'observer.report',
      claimant: c.r.statement.issuer,
      about: party,
      measure: j.measure,
      status: c.status,
      detail: c.detail,
      replies: replies.map((x) => x.ref),
    });
    if (c.status !== 'entitled') continue;
    const b = c.r.statement.body;
    const over = j.excess(b.declaredVsObserved, c.declared!);
    judged.push({
      c,
      counts:
        b.declaredVsObserved.length === 0 ? null : over.length > 0 ? 'discrepancy' : 'compliant',
      over,
      access: b.access === 'denied' ? 'missing' : 'compliant',
    });
  }

  const byExercise = new Map<string, Judged[]>();
  for (const x of judged) {
    const e = x.c.r.statement.body.exercise;
    const list = byExercise.get(e);
    if (list) list.push(x);
    else byExercise.set(e, [x]);
  }
  const tolerance = j.params['observerReport.tolerance'];
  const pct = `${num(Math.round(tolerance * 10000) / 100)} %`;
  for (const x of judged) {
    const r = x.c.r;
    const b = r.statement.body;
    const issuer = r.statement.issuer;
    const declared = x.c.declared!;
    const due = ms(b.period.start);
    const hostReplies = (ctx.replies.get(r.statementId) ?? []).filter(
      (y) => y.statement.issuer === party && y.index > r.index,
    );
    const last = hostReplies[hostReplies.length - 1];
    const rules: [RuleId, 'discrepancy' | 'compliant' | 'missing', string][] = [];
    if (x.counts !== null) {
      rules.push([
        'observer.counts',
        x.counts,
        x.counts === 'discrepancy'
          ? `Observers (${issuer}) counted more than declared beyond the ${pct} tolerance: ${x.over.join('; ')}.`
          : `Observers (${issuer}) counted no more than declared, within the ${pct} tolerance.`,
      ]);
    }
    rules.push([
      'observer.access',
      x.access,
      x.access === 'missing'
        ? `Observers (${issuer}), entitled to observe, were denied access by ${party}.`
        : `Observers (${issuer}) had ${b.access} access.`,
    ]);
    for (const [rule, outcome, text] of rules) {
      // Agreement: entitled reports on the same activity with the same outcome for this rule.
      const agreeing = byExercise
        .get(b.exercise)!
        .filter((y) => (rule === 'observer.counts' ? y.counts : y.access) === outcome);
      const claimants = [...new Set(agreeing.map((y) => y.c.r.statement.issuer))].sort(cmp);
      let standing: Standing;
      let why: string;
      if (last?.statement.body.position === 'acknowledge') {
        standing = 'established';
        why = `Established: ${party} acknowledged the report (${last.statementId}).`;
      } else if (claimants.length >= k) {
        standing = 'established';
        why = `Established: ${claimants.length} entitled observers from different parties agree (${claimants.join(', ')}); the measure needs ${k}.`;
      } else if (last?.statement.body.position === 'dispute' && outcome !== 'compliant') {
        // A dispute answers what the claim holds against the host; a favourable outcome stays
        // merely alleged until corroborated (a host cannot talk a claim into or out of its favour).
        standing = 'disputed';
        why = `Disputed: alleged by ${claimants.join(', ')}, disputed by ${party} (${last.statementId}); not corroborated by ${k} entitled observers from different parties.`;
      } else {
        standing = 'alleged';
        why = `Alleged by ${claimants.join(', ')}: not established until ${k} entitled observers from different parties agree or ${party} acknowledges it.`;
      }
      j.emit(
        rule,
        outcome,
        [
          r.statementId,
          b.exercise,
          declared.statementId,
          ...agreeing.map((y) => y.c.r.statementId),
          ...hostReplies.map((y) => y.statementId),
        ],
        due,
        null,
        `${text} ${why}`,
        { standing, claimants, replies: hostReplies.map((y) => y.statementId) },
      );
    }
  }
}
