/**
 * Rule family: constraining provisions (Vienna Document 2011 ch. VIII) — large activities per
 * period and their announcement ahead, constrained activities per year, larger ones, and how
 * many run at once.
 */
import { activitySubjects, current } from '../activities.js';
import type { Activity } from '../activities.js';
import { iso, num, yearOf } from '../time.js';
import { cmp } from './core.js';
import type { JudgeCore } from './core.js';

// -- constraining provisions --

export function constraints(j: JudgeCore, mine: readonly Activity[]): void {
  const { at, party } = j.scope;
  // Activities the party carries out while bound, not cancelled before their start, in order
  // of start (then statement id).
  const counted = mine
    .filter((a) => {
      const v = current(a);
      return j.inWindow(v.start) && !((a.cancel?.integratedAt ?? Infinity) <= v.start);
    })
    .sort((a, b) => current(a).start - current(b).start || cmp(a.id, b.id));
  const label = (a: Activity): string => {
    const v = current(a);
    return `"${v.designation}" (${num(v.counts.troops)} troops, ${num(v.counts.battleTanks)} battle tanks)`;
  };

  // Large activities: at most maxPerPeriod within any periodYears calendar years.
  const large = counted.filter((a) => j.isLarge(current(a).counts));
  const period = j.p['large.periodYears'];
  const maxLarge = j.p['large.maxPerPeriod'];
  large.forEach((a, i) => {
    const v = current(a);
    if (v.start > at) return;
    const year = yearOf(v.start);
    const window: Activity[] = [];
    for (let j = i - 1; j >= 0 && yearOf(current(large[j]!).start) > year - period; j--) {
      window.push(large[j]!);
    }
    const exceeded = window.length >= maxLarge;
    j.emit(
      'large.limit',
      exceeded ? 'exceeded' : 'compliant',
      exceeded ? [...activitySubjects(a), ...window.map((b) => b.id)] : activitySubjects(a),
      v.start,
      null,
      `${label(a)} is large activity number ${window.length + 1} of ${party} within the ${period} calendar years ending ${year}; at most ${maxLarge} allowed.`,
    );
    announcement(j, a, label(a));
  });

  // Other constrained activities: per calendar year, and the larger ones among them.
  const maxPerYear = j.p['constrained.maxPerYear'];
  const maxLarger = j.p['constrained.maxLargerPerYear'];
  const byYear = new Map<number, { all: Activity[]; larger: Activity[] }>();
  for (const a of counted) {
    const v = current(a);
    if (!j.isConstrained(v.counts) || j.isLarge(v.counts)) continue;
    const year = yearOf(v.start);
    let lists = byYear.get(year);
    if (!lists) {
      lists = { all: [], larger: [] };
      byYear.set(year, lists);
    }
    const quota = lists.all.slice(0, maxPerYear);
    const count = lists.all.length;
    lists.all.push(a);
    const isLarger = j.isLarger(v.counts);
    const largerCount = lists.larger.length;
    const largerQuota = lists.larger.slice(0, maxLarger);
    if (isLarger) lists.larger.push(a);
    if (v.start > at) continue;
    const subjects = activitySubjects(a);
    // When exceeded, the subjects are this activity and those that used up the year's quota.
    const exceeded = count >= maxPerYear;
    j.emit(
      'constrained.per-year',
      exceeded ? 'exceeded' : 'compliant',
      exceeded ? [...subjects, ...quota.map((b) => b.id)] : subjects,
      v.start,
      null,
      `${label(a)} is constrained activity number ${count + 1} of ${year}; at most ${maxPerYear} allowed.`,
    );
    if (isLarger) {
      const over = largerCount >= maxLarger;
      j.emit(
        'constrained.larger-per-year',
        over ? 'exceeded' : 'compliant',
        over ? [...subjects, ...largerQuota.map((b) => b.id)] : subjects,
        v.start,
        null,
        `${label(a)} is constrained activity number ${largerCount + 1} of ${year} above ${num(j.p['constrained.largerTroops'])} troops or ${num(j.p['constrained.largerBattleTanks'])} battle tanks; at most ${maxLarger} allowed.`,
      );
    }
  }

  // Simultaneous constrained activities (large ones included): a sweep over start times.
  const maxConcurrent = j.p['constrained.maxConcurrent'];
  const constrained = counted.filter((a) => j.isConstrained(current(a).counts));
  let active: Activity[] = [];
  constrained.forEach((a, i) => {
    const v = current(a);
    active = active.filter((b) => current(b).end > v.start);
    const running = [...active];
    for (let j = i + 1; j < constrained.length && current(constrained[j]!).start === v.start; j++) {
      running.push(constrained[j]!);
    }
    active.push(a);
    if (v.start > at) return;
    const exceeded = running.length + 1 > maxConcurrent;
    j.emit(
      'constrained.concurrent',
      exceeded ? 'exceeded' : 'compliant',
      exceeded ? [...activitySubjects(a), ...running.map((b) => b.id)] : activitySubjects(a),
      v.start,
      null,
      `${label(a)} starts with ${running.length} other constrained ${running.length === 1 ? 'activity' : 'activities'} under way; at most ${maxConcurrent} at once.`,
    );
  });
}

/** A large activity starting in year Y is in a calendar by the deadline of year Y - ahead. */
export function announcement(j: JudgeCore, a: Activity, name: string): void {
  const year = yearOf(current(a).start);
  const due = j.calendarDeadline(year - j.p['large.announceYearsAhead']);
  if (!j.inWindow(due)) return;
  const listing = j.firstListing(a.designations, year);
  const actual = listing?.integratedAt ?? null;
  const outcome = j.timed(due, actual);
  if (outcome === null) return;
  const subjects = activitySubjects(a);
  j.emit(
    'large.announcement',
    outcome,
    listing ? [...subjects, listing.statementId] : subjects,
    due,
    actual,
    outcome === 'compliant'
      ? `${name}, a large activity starting in ${year}, was announced in a calendar by ${iso(due)}.`
      : outcome === 'late'
        ? `${name}, a large activity starting in ${year}, was announced only ${iso(actual!)}; due ${iso(due)}.`
        : `${name}, a large activity starting in ${year}, was never announced in a public calendar; due ${iso(due)}.`,
  );
}
