/**
 * Entries in plain language: registered party names and the body's own fields, never
 * "observer.report by observer:x". Restricted and participants entries become hash-only stubs.
 */
import type { Leaf } from '@cbm-ledger/protocol';
import { promiseKept } from '@cbm-ledger/client';
import type { EntryView, Ledger } from './verify.js';
import { STRINGS, formatDate, formatNumber, typeLabel } from './i18n.js';
import type { Lang } from './i18n.js';

type Body = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function partyName(ledger: Ledger, id: string): string {
  return ledger.names.get(id) ?? id;
}

function byStatement(ledger: Ledger, id: unknown): EntryView | undefined {
  return typeof id === 'string' ? ledger.entries.find((e) => e.leaf.statement === id) : undefined;
}

/** One sentence saying what the entry declares, or the stub when its content is not public. */
export function describeEntry(ledger: Ledger, entry: EntryView, lang: Lang): string {
  const t = STRINGS[lang];
  const who = partyName(ledger, entry.leaf.issuer);
  const label = typeLabel(lang, entry.leaf.type);
  if (entry.leaf.visibility === 'restricted') return t.stubRestricted(who, label);
  if (entry.leaf.visibility === 'participants') return t.stubParticipants(who, label);
  if (entry.statement === undefined) return `${who}: ${label}`;
  const b = entry.statement.body as Body;
  const ar = lang === 'ar';
  const date = (v: unknown): string => (typeof v === 'string' ? formatDate(lang, v) : '?');
  const n = (v: unknown): string => (typeof v === 'number' ? formatNumber(lang, v) : '?');
  switch (entry.leaf.type) {
    case 'ledger.genesis':
      return ar ? `أنشأ ${who} هذا السجل.` : `${who} created this ledger.`;
    case 'party.register': {
      const p = b['party'] as Body | undefined;
      const name = str(p?.['name']) ?? str(p?.['id']) ?? '?';
      return ar ? `سجّل ${who} الطرف ${name}.` : `${who} registered ${name}.`;
    }
    case 'measure.define': {
      const parties = ((b['parties'] as unknown[]) ?? []).map((p) => partyName(ledger, String(p)));
      const title = str(b['title']) ?? '';
      return ar
        ? `اعتمد ${parties.join(' و')} التدبير «${title}»، نافذ من ${date(b['inForceAt'])}.`
        : `${parties.join(', ')} adopted the measure “${title}”, in force from ${date(b['inForceAt'])}.`;
    }
    case 'calendar.annual': {
      const count = Array.isArray(b['activities']) ? b['activities'].length : 0;
      const year = num(b['year']);
      return ar
        ? `قدّم ${who} تقويمه السنوي لعام ${year ?? '?'}: ${n(count)} نشاط.`
        : `${who} filed its annual calendar for ${year ?? '?'}: ${n(count)} planned ${count === 1 ? 'activity' : 'activities'}.`;
    }
    case 'exercise.notification': {
      const counts = b['counts'] as Body | undefined;
      const area = str((b['area'] as Body | undefined)?.['description']) ?? '';
      const name = str(b['designation']) ?? '?';
      return ar
        ? `أخطر ${who} بالمناورة ${name}: ${n(counts?.['troops'])} جندي، من ${date(b['start'])} إلى ${date(b['end'])}، ${area}.`
        : `${who} notified the exercise ${name}: ${n(counts?.['troops'])} troops, ${date(b['start'])} to ${date(b['end'])}, ${area}.`;
    }
    case 'observer.report': {
      const host = partyName(ledger, str(b['hostState']) ?? '?');
      const exercise = byStatement(ledger, b['exercise'])?.statement?.body as Body | undefined;
      const name = str(exercise?.['designation']) ?? '';
      const findings = Array.isArray(b['findings']) ? b['findings'].join(' ') : '';
      return ar
        ? `أبلغ ${who} عن المناورة ${name} التي استضافها ${host}: ${findings}`
        : `${who} reported on ${host}’s exercise ${name}: ${findings}`;
    }
    case 'claim.reply': {
      const position = str(b['position']) ?? '';
      const answer = str(b['answer']) ?? '';
      return ar
        ? `ردّ ${who} على ادعاء (${position}): ${answer}`
        : `${who} replied to a claim (${position}): ${answer}`;
    }
    case 'datashare.alert': {
      const info = ((b['alert'] as Body | undefined)?.['info'] as Body[] | undefined)?.[0];
      const headline = str(info?.['headline']) ?? str(info?.['event']) ?? '';
      return ar ? `شارك ${who} إنذارًا: ${headline}` : `${who} shared an alert: ${headline}`;
    }
    case 'witness.set':
      return ar ? `عيّن ${who} مفتاح شاهد.` : `${who} set its witness key.`;
    default:
      return ar
        ? `قدّم ${who} ‏${label}.`
        : `${who} filed ${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}.`;
  }
}

/**
 * Whether the ledger kept the admission promise a v2 leaf commits to (docs/promises.md), by the
 * rule `cbm verify` applies: the times are the leaf's own, so as verified as its inclusion.
 */
export function promiseState(leaf: Leaf): 'kept' | 'broken' | 'none' {
  if (leaf.v !== 2) return 'none';
  return promiseKept(leaf) ? 'kept' : 'broken';
}
