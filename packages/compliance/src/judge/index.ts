/**
 * Judging one party under one measure: every rule family, in the order the engine has always
 * run them (the order findings are emitted in; reports sort them, but keep it anyway).
 */
import { judgeReports, judgeRequests } from '../claims.js';
import type { ClaimRecord } from '../claims.js';
import type { Finding } from '../finding.js';
import { activities } from './activities.js';
import { annualFilings } from './annual-filings.js';
import { calendarReportedActivities } from './calendar-reported.js';
import { JudgeCore } from './core.js';
import type { Context, JudgeScope } from './core.js';
import { healthAlerts } from './health-alerts.js';
import { observerReports } from './observer-reports-v1.js';
import { riskResponses } from './risk-responses-v1.js';

export { FIELD_NAMES, buildContext, cmp } from './core.js';
export type { Context, JudgeScope } from './core.js';

export function judgeParty(
  ctx: Context,
  scope: JudgeScope,
): { findings: Finding[]; claims: ClaimRecord[] } {
  const j = new JudgeCore(ctx, scope);
  activities(j);
  calendarReportedActivities(j);
  annualFilings(j, 'calendar.annual');
  annualFilings(j, 'info.exchange');
  if (scope.version === '1.0.0') {
    riskResponses(j);
    observerReports(j);
  } else {
    // Rules 2.0.0: claims are not findings (claims.ts).
    const api = j.claimJudge();
    judgeRequests(api, ctx);
    judgeReports(api, ctx);
  }
  healthAlerts(j);
  return { findings: j.findings, claims: j.claims };
}
