/**
 * Admission rules for claims (docs/compliance-claims.md): what an observer.report and a
 * risk.request must say to be admitted at all. Pure, judged from the statement and the admission
 * clock only, so that the ledger, a conformance checker and the tests apply the same rule.
 *
 * These are admission rules, not protocol validation: a statement admitted by an older ledger
 * stays valid (and replays) whatever it says; only new submissions are refused.
 */
import type { AnyStatement, Statement } from '@cbm-ledger/protocol';
import { parseAt } from './entries.js';
import { iso, ms } from './time.js';

export const CLAIM_ADMISSION_CODES = [
  'REPORT_PERIOD_NOT_BEGUN',
  'REQUEST_ACTIVITY_UNNAMED',
  'REPLY_NOT_ANSWERABLE',
] as const;
export type ClaimAdmissionCode = (typeof CLAIM_ADMISSION_CODES)[number];

export type ClaimAdmissionResult =
  { ok: true } | { ok: false; code: ClaimAdmissionCode; path: string; detail: string };

const OK: ClaimAdmissionResult = Object.freeze({ ok: true });

/**
 * Whether a risk.request names the activity it asks about: a notification's statement id, or an
 * area together with a time window (start and end). A description alone names nothing: it is
 * free text, and free text is what a flood of requests is made of.
 */
export function namesActivity(body: {
  activity: { notification?: string; area?: unknown; start?: string; end?: string };
}): boolean {
  const a = body.activity;
  return (
    a.notification !== undefined ||
    (a.area !== undefined && a.start !== undefined && a.end !== undefined)
  );
}

/**
 * Checks a validated statement at admission time `now` (epoch ms or RFC 3339 UTC):
 * - `observer.report`: its period has begun (`period.start` ≤ now), REPORT_PERIOD_NOT_BEGUN:
 *   nobody can have observed what has not started.
 * - `risk.request`: it names the activity it asks about (namesActivity),
 *   REQUEST_ACTIVITY_UNNAMED.
 * Other statements pass.
 */
export function checkClaimAdmission(
  statement: Statement,
  now: number | string,
): ClaimAdmissionResult {
  const t = typeof now === 'number' ? now : parseAt(now);
  const s = statement as AnyStatement;
  if (s.type === 'observer.report') {
    const start = ms(s.body.period.start);
    if (start > t) {
      return {
        ok: false,
        code: 'REPORT_PERIOD_NOT_BEGUN',
        path: '$.body.period.start',
        detail: `the observation period starts ${iso(start)}, after the ledger clock ${iso(t)}: a report can only be about a period that has begun`,
      };
    }
    return OK;
  }
  if (s.type === 'risk.request') {
    if (!namesActivity(s.body)) {
      return {
        ok: false,
        code: 'REQUEST_ACTIVITY_UNNAMED',
        path: '$.body.activity',
        detail:
          'a risk.request must name the activity it asks about: activity.notification (a statement id), or activity.area with activity.start and activity.end',
      };
    }
    return OK;
  }
  return OK;
}

/** The party a claim is about: an observer.report's `hostState`, a risk.request's `to`. */
export function claimSubject(statement: Statement): string | undefined {
  const s = statement as AnyStatement;
  if (s.type === 'observer.report') return s.body.hostState;
  if (s.type === 'risk.request') return s.body.to;
  return undefined;
}

/**
 * Whether a claim.reply may be admitted: it answers a claim (`claim`, the statement its body
 * cites, as the issuer may read it; undefined when there is none or the issuer may not read it)
 * that is about its issuer. Anything else is REPLY_NOT_ANSWERABLE, with one detail for every case
 * (security: the answer says nothing about statements the issuer may not read). Other types pass.
 */
export function checkReplyAdmission(
  reply: Statement,
  claim: Statement | undefined,
): ClaimAdmissionResult {
  const s = reply as AnyStatement;
  if (s.type !== 'claim.reply') return OK;
  if (claim !== undefined && claimSubject(claim) === s.issuer) return OK;
  return {
    ok: false,
    code: 'REPLY_NOT_ANSWERABLE',
    path: '$.body.claim',
    detail: `${s.body.claim} is no observer.report or risk.request about ${s.issuer} that it may read: only the party a claim is about may reply to it`,
  };
}
