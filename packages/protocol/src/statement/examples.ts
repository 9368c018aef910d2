/**
 * One example body per statement type: what `cbm template TYPE` prints, and what the project's
 * spec (docs/spec/statement-types.md) shows. Every example passes the type's validator (a test
 * checks each type has one, and that the spec shows exactly it), so a new user starts from a body
 * the ledger accepts rather than from four rounds of schema errors. Identifiers, keys and dates
 * are placeholders to replace: the keys belong to fixed, published seeds and must never be used.
 */
import { toBase64, utf8Encode } from '../bytes.js';
import { ed25519 } from '../ed25519.js';
import { NoteKeyType, encodeVkey } from '../keys.js';
import { sha256Hex } from '../sha256.js';
import type { StatementType } from './model.js';

/** A placeholder key entry `{keyid, publicKey}` from a fixed seed (never a real key). */
function exampleKey(seedByte: number): { keyid: string; publicKey: string } {
  const publicKey = ed25519.publicKeyFromSeed(new Uint8Array(32).fill(seedByte));
  return { keyid: sha256Hex(publicKey), publicKey: toBase64(publicKey) };
}

/** A placeholder statement id. */
function exampleId(label: string): string {
  return `sha256:${sha256Hex(utf8Encode(`example:${label}`))}`;
}

const counts = {
  troops: 12000,
  battleTanks: 180,
  acv: 320,
  artillery: 90,
  aircraftSorties: 60,
  amphibiousTroops: 0,
  airborneTroops: 800,
};

/** By type; a type missing here has no template yet (the examples test reports it). */
export const BODY_EXAMPLES: Readonly<Partial<Record<StatementType, unknown>>> = {
  'ledger.genesis': {
    origin: 'cbm-ledger.example/mena',
    logVkey: encodeVkey(
      'cbm-ledger.example/mena',
      NoteKeyType.ed25519,
      ed25519.publicKeyFromSeed(new Uint8Array(32).fill(0x0b)),
    ),
    operator: { id: 'operator:cbm', name: 'CBM Ledger operations' },
    keys: [exampleKey(0x0a)],
  },
  'party.register': {
    party: { id: 'state:JOR', name: 'Hashemite Kingdom of Jordan', kind: 'state' },
    keys: [exampleKey(0x11)],
    witness: { name: 'jordan.witness', publicKey: exampleKey(0x12).publicKey },
  },
  'key.rotate': {
    party: 'state:JOR',
    newKey: exampleKey(0x13),
    retiredKeyid: exampleKey(0x11).keyid,
  },
  'key.revoke': {
    party: 'state:JOR',
    keyid: exampleKey(0x11).keyid,
    reason: 'compromised',
    effectiveAt: '2026-02-28T00:00:00Z',
    detail: 'Reported lost by the submitting office.',
  },
  'measure.define': {
    id: 'mena-notification-2026',
    title: 'Prior notification of military activities',
    parties: ['state:JOR', 'state:EGY'],
    ruleSet: 'vd2011',
    overrides: {},
    adoptedAt: '2026-01-15T12:00:00Z',
    inForceAt: '2026-02-01T00:00:00Z',
    term: {
      sunsetAt: '2031-02-01T00:00:00Z',
      renewal: 'affirmative',
      renewalPeriodMonths: 60,
      terminationNoticeDays: 180,
    },
    review: { firstAt: '2027-02-01T00:00:00Z', intervalMonths: 12, graceDays: 30 },
    summary: 'Parties notify notifiable activities and invite observers.',
  },
  'measure.review': {
    measure: 'mena-notification-2026',
    dueAt: '2027-02-01T00:00:00Z',
    outcome: 'continue',
  },
  'measure.renew': { measure: 'mena-notification-2026', newSunsetAt: '2036-02-01T00:00:00Z' },
  'measure.withdraw': {
    measure: 'mena-notification-2026',
    effectiveAt: '2027-08-01T00:00:00Z',
    reason: 'Superseded by a regional agreement.',
  },
  'calendar.annual': {
    year: 2027,
    nil: false,
    activities: [
      {
        designation: 'DESERT SHIELD 27',
        type: 'exercise',
        start: '2027-04-10',
        end: '2027-04-20',
        troops: 12000,
        battleTanks: 180,
        area: 'Southern military region',
        participatingStates: ['state:JOR'],
      },
    ],
  },
  'exercise.notification': {
    designation: 'DESERT SHIELD 27',
    activityType: 'exercise',
    noticeClass: 'standard',
    start: '2027-04-10T05:00:00Z',
    end: '2027-04-20T18:00:00Z',
    area: {
      description: 'Training area south of Ma’an',
      geojson: {
        type: 'Polygon',
        coordinates: [
          [
            [35.6, 30.0],
            [36.2, 30.0],
            [36.2, 30.4],
            [35.6, 30.4],
            [35.6, 30.0],
          ],
        ],
      },
    },
    participatingStates: ['state:JOR'],
    counts,
    observation: { invited: true, invitees: ['state:EGY', 'observer:un-team'] },
  },
  'exercise.update': {
    notification: exampleId('exercise.notification'),
    changes: { end: '2027-04-22T18:00:00Z', counts: { ...counts, troops: 12500 } },
    reason: 'Two days added for recovery.',
  },
  'exercise.cancel': {
    notification: exampleId('exercise.notification'),
    reason: 'Cancelled for budgetary reasons.',
  },
  'info.exchange': {
    year: 2026,
    holdings: {
      personnel: 310000,
      battleTanks: 2500,
      acv: 5000,
      artillery: 2100,
      combatAircraft: 480,
      combatHelicopters: 90,
      units: [{ designation: '2nd Field Army', location: 'Ismailia', personnel: 90000 }],
    },
  },
  'datashare.alert': {
    alert: {
      identifier: 'TN-MOH-2026-0042',
      sender: 'alerts@health.gov.tn',
      sent: '2026-03-01T10:15:00+01:00',
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
      info: [
        {
          category: ['Health'],
          event: 'Cholera outbreak',
          urgency: 'Expected',
          severity: 'Severe',
          certainty: 'Likely',
          onset: '2026-02-27T00:00:00+01:00',
          expires: '2026-03-15T00:00:00+01:00',
          headline: 'Suspected cholera cluster near Sfax',
          area: [{ areaDesc: 'Sfax governorate' }],
        },
      ],
    },
    hazardDomain: 'health',
    assessedAt: '2026-03-01T08:45:00Z',
  },
  'risk.request': {
    to: 'state:EGY',
    // Names the activity it asks about (an area and a time window, or `notification`: the
    // statement id of a notification), or admission refuses it (docs/compliance-claims.md).
    activity: {
      description: 'Armoured columns moving towards the border crossing at Aqaba.',
      area: { description: 'Aqaba governorate' },
      start: '2026-02-28T22:00:00Z',
      end: '2026-03-01T06:00:00Z',
    },
    question: 'Please explain the purpose and scale of this movement.',
  },
  'risk.response': {
    request: exampleId('risk.request'),
    answer: 'A scheduled rotation of one armoured brigade; no exercise is taking place.',
  },
  'observer.report': {
    exercise: exampleId('exercise.notification'),
    hostState: 'state:JOR',
    period: { start: '2027-04-12T06:00:00Z', end: '2027-04-13T18:00:00Z' },
    declaredVsObserved: [{ item: 'troops', declared: 12000, observed: 13500 }],
    access: 'managed',
    findings: ['Observed troop numbers exceeded the declaration by about 12 %.'],
    dissent: [],
  },
  // Registry extension 1 (docs/registry.md).
  'key.add': {
    party: 'state:JOR',
    newKey: exampleKey(0x14),
  },
  'witness.set': {
    party: 'state:JOR',
    witness: { name: 'jordan.witness-2', publicKey: exampleKey(0x15).publicKey },
  },
  'party.recover': {
    party: 'state:JOR',
    keys: [exampleKey(0x16)],
    measure: 'mena-notification-2026',
    reason: 'The ministry reports every signing key destroyed (note verbale 2026/114).',
    effectiveAt: '2026-03-20T00:00:00Z',
  },
  'recovery.veto': {
    party: 'state:JOR',
    recovery: exampleId('party.recover'),
    detail: 'Our keys are intact; we did not ask for a recovery.',
  },
  // Claims extension (docs/compliance-claims.md).
  'claim.reply': {
    claim: exampleId('observer.report'),
    position: 'dispute',
    answer: 'The count includes 2,000 support troops outside the exercise area.',
  },
};

/**
 * Who issues an example of `type`: the operator for the operator's types, an observer for a
 * report, a state otherwise (the examples test and the spec generator both use it).
 */
export function exampleIssuer(type: StatementType): string {
  if (type === 'ledger.genesis' || type === 'party.register' || type === 'party.recover') {
    return 'operator:cbm';
  }
  if (type === 'observer.report') return 'observer:un-team';
  return 'state:JOR';
}

/** A fresh copy of a type's example body, or undefined when the type has none. */
export function exampleBody(type: StatementType): unknown {
  const body = BODY_EXAMPLES[type];
  return body === undefined ? undefined : structuredClone(body);
}
