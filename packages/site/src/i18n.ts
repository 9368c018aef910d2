/** English and Arabic: the words of the page, dates and numbers in the reader's language. */
export type Lang = 'en' | 'ar';
export const LANGS: readonly Lang[] = ['en', 'ar'];

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

const en = {
  title: 'CBM Ledger — public register',
  tagline:
    'Confidence- and security-building measures, declared and signed by the states themselves.',
  nav: 'Sections',
  register: 'Register',
  language: 'العربية',
  languageLabel: 'Read this page in Arabic',
  checking: 'Checking the ledger in your browser…',
  verified: 'Verified in your browser',
  failed: 'Verification FAILED',
  notVerified: 'not verified',
  verifiedDetail: (size: string, origin: string) =>
    `Checkpoint of ${size} entries signed by the pinned key of ${origin}`,
  cosigned: (n: string, of: string, k: string) =>
    `cosigned by ${n} of ${of} known witnesses (${k} required)`,
  witnessFromLog: 'witness keys taken from verified registry entries',
  witnessPinned: 'witness keys pinned in this page',
  firstVisit: 'first visit: this browser will check that later trees extend this one',
  consistentWith: (n: string) => `consistent with the tree of ${n} entries this browser saw before`,
  sameAsBefore: 'the same tree this browser saw before',
  inclusionOk: 'inclusion proven',
  inclusionFailed: 'inclusion proof FAILED',
  inclusionPending: 'checking inclusion…',
  entry: 'Entry',
  latest: 'Latest declarations',
  when: 'Recorded',
  accepted: 'Accepted',
  promisedBy: 'Promised by',
  promiseKept: 'recorded within the time the ledger promised when it accepted the filing',
  promiseBroken:
    "recorded AFTER the time the ledger promised: the delay is the operator's, not the filer's",
  promiseNone: 'filed before admission promises: no promised time',
  who: 'Filed by',
  what: 'Declaration',
  check: 'Check',
  stubRestricted: (who: string, type: string) =>
    `${who} filed ${article(type)} ${type} — restricted: only its hash is public.`,
  stubParticipants: (who: string, type: string) =>
    `${who} filed ${article(type)} ${type} — for the participating states only: only its hash is public.`,
  leafHash: 'Leaf hash',
  statementId: 'Statement id',
  seq: 'Sequence in the issuer’s chain',
  type: 'Type',
  visibility: 'Visibility',
  states: 'States and observers',
  measures: 'Measures',
  declarations: 'Declarations',
  chain: 'Chain of statements',
  chainOk: (n: string) => `${n} statements, sequence continuous from 1`,
  chainGap: (at: string) => `sequence breaks at ${at}`,
  compliance: 'Compliance summary',
  complianceNote:
    'Computed by the ledger from the public entries (recompute it with cbm compliance --offline); not verified in this page.',
  outcome: 'Outcome',
  count: 'Count',
  alleged: 'alleged',
  disputed: 'disputed',
  noFindings: 'No findings.',
  timeline: 'Review and sunset timeline',
  timelineNote:
    'Dates are computed by the ledger from the measure definition; the definition entry is verified below.',
  parties: 'Parties',
  status: 'Status',
  definedIn: 'Defined in entry',
  today: 'today',
  notFound: 'Not found.',
  failures: 'What failed',
  atIndex: (i: string) => `at entry ${i}`,
  footer: 'Everything marked verified was checked by this page with the log key pinned in it.',
  permalink: 'Permalink',
  upcoming: 'upcoming',
  receiptNav: 'Verify a receipt',
  receiptTitle: 'Verify a receipt',
  receiptIntro:
    'Drop a receipt (the JSON file cbm submit --receipt-out writes) here or choose it: this page checks it offline against the pinned log key and the witnesses; the file is not sent anywhere.',
  receiptChoose: 'Receipt file',
  receiptOk: (index: string, size: string, at: string, witnesses: string) =>
    `Yes: entry ${index}, recorded ${at}, is in the tree of ${size} entries signed by the pinned log key; cosigned by ${witnesses}.`,
  receiptBad: 'No, this receipt does not verify',
};
export type Strings = typeof en;

const ar: Strings = {
  title: 'سجل تدابير بناء الثقة — السجل العام',
  tagline: 'تدابير بناء الثقة والأمن، تعلنها الدول بنفسها وتوقّعها.',
  nav: 'الأقسام',
  register: 'السجل',
  language: 'English',
  languageLabel: 'اقرأ هذه الصفحة بالإنجليزية',
  checking: 'جارٍ التحقق من السجل في متصفحك…',
  verified: 'تم التحقق في متصفحك',
  failed: 'فشل التحقق',
  notVerified: 'غير متحقق منه',
  verifiedDetail: (size, origin) => `نقطة تحقق من ${size} قيدًا موقّعة بالمفتاح المثبّت لـ ${origin}`,
  cosigned: (n, of, k) => `وقّعها ${n} من ${of} من الشهود المعروفين (المطلوب ${k})`,
  witnessFromLog: 'مفاتيح الشهود مأخوذة من قيود سجل متحقق منها',
  witnessPinned: 'مفاتيح الشهود مثبّتة في هذه الصفحة',
  firstVisit: 'الزيارة الأولى: سيتحقق هذا المتصفح من أن الأشجار اللاحقة تمتد من هذه',
  consistentWith: (n) => `متسقة مع شجرة من ${n} قيدًا رآها هذا المتصفح من قبل`,
  sameAsBefore: 'الشجرة نفسها التي رآها هذا المتصفح من قبل',
  inclusionOk: 'الإدراج مُثبت',
  inclusionFailed: 'فشل إثبات الإدراج',
  inclusionPending: 'جارٍ التحقق من الإدراج…',
  entry: 'القيد',
  latest: 'أحدث الإعلانات',
  when: 'تاريخ التسجيل',
  accepted: 'تاريخ القبول',
  promisedBy: 'الموعد الموعود',
  promiseKept: 'سُجّل ضمن الموعد الذي وعد به السجل عند قبول الإيداع',
  promiseBroken: 'سُجّل بعد الموعد الذي وعد به السجل: التأخير من المشغّل لا من المودِع',
  promiseNone: 'أُودع قبل وعود القبول: لا موعد موعود',
  who: 'مقدّم من',
  what: 'الإعلان',
  check: 'التحقق',
  stubRestricted: (who, type) => `قدّم ${who} ‏${type} — مقيّد: لا يُنشر إلا بصمته.`,
  stubParticipants: (who, type) => `قدّم ${who} ‏${type} — للدول المشاركة فقط: لا يُنشر إلا بصمته.`,
  leafHash: 'بصمة الورقة',
  statementId: 'معرّف البيان',
  seq: 'الرقم التسلسلي في سلسلة المُصدِر',
  type: 'النوع',
  visibility: 'الإتاحة',
  states: 'الدول والمراقبون',
  measures: 'التدابير',
  declarations: 'الإعلانات',
  chain: 'سلسلة البيانات',
  chainOk: (n) => `${n} بيانات، التسلسل متصل من ${formatNumber('ar', 1)}`,
  chainGap: (at) => `ينقطع التسلسل عند ${at}`,
  compliance: 'ملخص الامتثال',
  complianceNote:
    'يحسبه السجل من القيود العامة (أعد حسابه بالأمر cbm compliance --offline)؛ لا تتحقق منه هذه الصفحة.',
  outcome: 'النتيجة',
  count: 'العدد',
  alleged: 'مزعوم',
  disputed: 'متنازع عليه',
  noFindings: 'لا توجد نتائج.',
  timeline: 'الجدول الزمني للمراجعة والانقضاء',
  timelineNote: 'يحسب السجل التواريخ من تعريف التدبير؛ قيد التعريف متحقق منه أدناه.',
  parties: 'الأطراف',
  status: 'الحالة',
  definedIn: 'عُرّف في القيد',
  today: 'اليوم',
  notFound: 'غير موجود.',
  failures: 'ما الذي فشل',
  atIndex: (i) => `عند القيد ${i}`,
  footer: 'كل ما وُسم بأنه متحقق منه فحصته هذه الصفحة بمفتاح السجل المثبّت فيها.',
  permalink: 'رابط دائم',
  upcoming: 'قادم',
  receiptNav: 'تحقق من إيصال',
  receiptTitle: 'تحقق من إيصال',
  receiptIntro:
    'أفلت هنا إيصالًا (ملف JSON الذي يكتبه cbm submit --receipt-out) أو اختره: تتحقق منه هذه الصفحة دون اتصال بمفتاح السجل المثبّت والشهود؛ لا يُرسل الملف إلى أي مكان.',
  receiptChoose: 'ملف الإيصال',
  receiptOk: (index, size, at, witnesses) =>
    `نعم: القيد ${index}، المسجّل في ${at}، موجود في شجرة من ${size} قيدًا موقّعة بمفتاح السجل المثبّت؛ وقّعها أيضًا ${witnesses}.`,
  receiptBad: 'لا، هذا الإيصال لا يتحقق',
};

export const STRINGS: Record<Lang, Strings> = { en, ar };

const TYPE_LABELS: Record<Lang, Record<string, string>> = {
  en: {
    'ledger.genesis': 'ledger creation',
    'party.register': 'party registration',
    'key.rotate': 'key rotation',
    'key.revoke': 'key revocation',
    'key.add': 'key addition',
    'measure.define': 'measure definition',
    'measure.review': 'measure review',
    'measure.renew': 'measure renewal',
    'measure.withdraw': 'withdrawal from a measure',
    'calendar.annual': 'annual calendar',
    'exercise.notification': 'exercise notification',
    'exercise.update': 'exercise update',
    'exercise.cancel': 'exercise cancellation',
    'info.exchange': 'information exchange',
    'datashare.alert': 'early-warning alert',
    'risk.request': 'risk-reduction request',
    'risk.response': 'risk-reduction response',
    'observer.report': 'observer report',
    'witness.set': 'witness key',
    'party.recover': 'party recovery',
    'recovery.veto': 'recovery veto',
    'claim.reply': 'reply to a claim',
  },
  ar: {
    'ledger.genesis': 'إنشاء السجل',
    'party.register': 'تسجيل طرف',
    'key.rotate': 'تدوير مفتاح',
    'key.revoke': 'إلغاء مفتاح',
    'key.add': 'إضافة مفتاح',
    'measure.define': 'تعريف تدبير',
    'measure.review': 'مراجعة تدبير',
    'measure.renew': 'تجديد تدبير',
    'measure.withdraw': 'انسحاب من تدبير',
    'calendar.annual': 'تقويم سنوي',
    'exercise.notification': 'إخطار بمناورة',
    'exercise.update': 'تحديث مناورة',
    'exercise.cancel': 'إلغاء مناورة',
    'info.exchange': 'تبادل معلومات',
    'datashare.alert': 'إنذار مبكر',
    'risk.request': 'طلب للحد من المخاطر',
    'risk.response': 'رد على طلب الحد من المخاطر',
    'observer.report': 'تقرير مراقبين',
    'witness.set': 'مفتاح شاهد',
    'party.recover': 'استعادة طرف',
    'recovery.veto': 'اعتراض على استعادة',
    'claim.reply': 'رد على ادعاء',
  },
};

export function typeLabel(lang: Lang, type: string): string {
  return TYPE_LABELS[lang][type] ?? type;
}

const locale = (lang: Lang): string => (lang === 'ar' ? 'ar-EG' : 'en-GB');

export function formatDate(lang: Lang, iso: string, withTime = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), {
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: 'UTC',
  }).format(d);
}

export function formatNumber(lang: Lang, n: number): string {
  return new Intl.NumberFormat(locale(lang)).format(n);
}

const OUTCOME_LABELS: Record<Lang, Record<string, string>> = {
  en: {},
  ar: {
    compliant: 'ممتثل',
    late: 'متأخر',
    missing: 'مفقود',
    exceeded: 'متجاوز',
    discrepancy: 'تباين',
    'not-assessable': 'غير قابل للتقييم',
  },
};

/** A compliance outcome in the reader's language (English keeps the report's own words). */
export function outcomeLabel(lang: Lang, outcome: string): string {
  return OUTCOME_LABELS[lang][outcome] ?? outcome;
}
