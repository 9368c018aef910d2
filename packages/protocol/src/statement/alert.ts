/**
 * `datashare.alert`: an OASIS Common Alerting Protocol (CAP) 1.2 alert carried as JSON.
 *
 * Mapping: each CAP element becomes a member of the same name; elements that may repeat
 * (`code`, `info`, `category`, `responseType`, `eventCode`, `parameter`, `resource`, `area`,
 * `polygon`, `circle`, `geocode`) become arrays; `valueName`/`value` pairs become objects.
 * Timestamps keep CAP's own form `YYYY-MM-DDThh:mm:ss±hh:mm` (CAP 1.2 forbids `Z` and
 * fractional seconds; UTC is `-00:00`). `resource.derefUri` is not carried: large material goes
 * to the statement's evidence instead.
 */
import { parseUtcTimestamp } from '../identifiers.js';
import { longText, MAX_NAME, shortText } from './common.js';
import { issuerSigns } from './model.js';
import type { TypeRule } from './model.js';
import {
  array,
  ensure,
  fail,
  integer,
  number,
  object,
  oneOf,
  refine,
  string,
  patternOf,
  timestamp,
  withSchema,
} from './validate.js';
import type { Validator } from './validate.js';

export const CAP_STATUS = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const CAP_MSG_TYPE = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const CAP_SCOPE = ['Public', 'Restricted', 'Private'] as const;
export const CAP_CATEGORY = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
] as const;
export const CAP_RESPONSE_TYPE = [
  'Shelter',
  'Evacuate',
  'Prepare',
  'Execute',
  'Avoid',
  'Monitor',
  'Assess',
  'AllClear',
  'None',
] as const;
export const CAP_URGENCY = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITY = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CAP_CERTAINTY = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;
export const HAZARD_DOMAINS = ['military', 'hazard', 'environment', 'health'] as const;

const CAP_DATETIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})([+-])(\d{2}):(\d{2})$/;
const CAP_DATETIME_SRC = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}[+-]\\d{2}:\\d{2}';

/** Epoch ms of a CAP 1.2 dateTime (`2026-05-01T10:00:00+03:00`), or undefined. */
export function parseCapDateTime(s: string): number | undefined {
  const m = CAP_DATETIME_RE.exec(s);
  if (!m) return undefined;
  const local = parseUtcTimestamp(`${m[1]}Z`);
  const hours = Number(m[3]);
  const minutes = Number(m[4]);
  if (local === undefined || hours > 23 || minutes > 59) return undefined;
  const offset = (hours * 60 + minutes) * 60_000;
  return m[2] === '+' ? local - offset : local + offset;
}

const capDateTime: Validator<string> = withSchema(
  {
    type: 'string',
    pattern: `^${CAP_DATETIME_SRC}$`,
    description:
      'CAP 1.2 dateTime `YYYY-MM-DDThh:mm:ss±hh:mm` (no `Z`, no fraction), a real date and time.',
  },
  (value, path) => {
    if (typeof value !== 'string' || parseCapDateTime(value) === undefined) {
      fail(path, 'not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm)');
    }
    return value;
  },
);

/** CAP identifiers and senders: no whitespace, commas, `<` or `&`. */
const CAP_TOKEN_SRC = '[^\\s,<&\\p{Cc}\\p{Cs}]{1,255}';
const capToken = string({
  max: 255,
  pattern: new RegExp(`^${CAP_TOKEN_SRC}$`, 'u'),
  what: 'a CAP identifier (no whitespace, ",", "<" or "&")',
});

/** `references`: whitespace-separated `sender,identifier,sent` triples. */
const REFERENCES_RE = new RegExp(
  `^${CAP_TOKEN_SRC},${CAP_TOKEN_SRC},${CAP_DATETIME_SRC}(?: ${CAP_TOKEN_SRC},${CAP_TOKEN_SRC},${CAP_DATETIME_SRC})*$`,
  'u',
);
const references = refine(
  'The `sent` time of every triple is a real CAP dateTime.',
  string({
    max: 16384,
    pattern: REFERENCES_RE,
    what: 'space-separated sender,identifier,sent triples',
  }),
  (value, path) => {
    for (const triple of value.split(' ')) {
      const sent = triple.slice(triple.lastIndexOf(',') + 1);
      if (parseCapDateTime(sent) === undefined) fail(path, `invalid sent time in "${triple}"`);
    }
  },
);

const valuePair = object({ valueName: shortText, value: shortText });
const valuePairs = array(valuePair, { min: 1, max: 100 });

const LAT = '-?\\d{1,2}(?:\\.\\d+)?';
const LON = '-?\\d{1,3}(?:\\.\\d+)?';
const POINT_RE = new RegExp(`^(${LAT}),(${LON})$`);
const CIRCLE_RE = new RegExp(`^(${LAT}),(${LON}) (\\d+(?:\\.\\d+)?)$`);

function checkPoint(lat: string, lon: string, path: string): void {
  const la = Number(lat);
  const lo = Number(lon);
  if (!(la >= -90 && la <= 90 && lo >= -180 && lo <= 180)) fail(path, 'coordinate out of range');
}

/** CAP polygon: at least four `lat,lon` pairs separated by spaces, the first equal to the last. */
const polygonText = string({ max: MAX_NAME * 64 });
const polygon: Validator<string> = withSchema(
  {
    ...polygonText.schema,
    pattern: `^${LAT},${LON}(?: ${LAT},${LON}){3,}$`,
    description:
      'CAP polygon: four or more `lat,lon` pairs (WGS 84, in range) separated by spaces, the first equal to the last.',
  },
  (value, path) => {
    const s = polygonText(value, path);
    const pairs = s.split(' ');
    if (pairs.length < 4) fail(path, 'a polygon needs at least four points');
    for (const pair of pairs) {
      const m = POINT_RE.exec(pair);
      if (!m) fail(path, `"${pair.slice(0, 40)}" is not a lat,lon pair`);
      checkPoint(m[1]!, m[2]!, path);
    }
    if (pairs[0] !== pairs[pairs.length - 1]) fail(path, 'the first and last points must be equal');
    return s;
  },
);

/** CAP circle: `lat,lon radius` with the radius in kilometres. */
const circleText = string({ max: 100 });
const circle: Validator<string> = withSchema(
  {
    ...circleText.schema,
    pattern: patternOf(CIRCLE_RE),
    description: 'CAP circle `lat,lon radius`: a point in range and a radius in kilometres.',
  },
  (value, path) => {
    const s = circleText(value, path);
    const m = CIRCLE_RE.exec(s);
    if (!m) fail(path, 'not "lat,lon radius"');
    checkPoint(m[1]!, m[2]!, path);
    return s;
  },
);

/** A CAP `area`; `ceiling` only together with `altitude` (feet above mean sea level). */
export interface CapArea {
  areaDesc: string;
  polygon?: string[];
  circle?: string[];
  geocode?: { valueName: string; value: string }[];
  altitude?: number;
  ceiling?: number;
}

const feet = number({ min: -100_000, max: 10_000_000 });

const capArea: Validator<CapArea> = refine(
  '`ceiling` only together with `altitude`, and not below it.',
  object(
    { areaDesc: shortText },
    {
      polygon: array(polygon, { min: 1, max: 100 }),
      circle: array(circle, { min: 1, max: 100 }),
      geocode: valuePairs,
      altitude: feet,
      ceiling: feet,
    },
  ),
  (a, path) => {
    if (a.ceiling !== undefined) {
      ensure(a.altitude !== undefined, `${path}.ceiling`, 'only together with altitude');
      ensure(a.ceiling >= a.altitude, `${path}.ceiling`, 'must not be below altitude');
    }
  },
);

/** A CAP `resource` (without `derefUri`); `digest` is CAP's SHA-1 hex. */
export interface CapResource {
  resourceDesc: string;
  mimeType: string;
  size?: number;
  uri?: string;
  digest?: string;
}

const uri = string({ max: 2048, pattern: /^[^\s\p{Cc}\p{Cs}]+$/u, what: 'a URI' });

const capResource: Validator<CapResource> = object(
  {
    resourceDesc: shortText,
    mimeType: string({ max: 255, pattern: /^[\x21-\x7e]+\/[\x21-\x7e]+$/, what: 'a MIME type' }),
  },
  {
    size: integer(),
    uri,
    digest: string({ max: 40, pattern: /^[0-9a-fA-F]{40}$/, what: 'a SHA-1 hex digest' }),
  },
);

/** A CAP `info` block. */
export interface CapInfo {
  language?: string;
  category: (typeof CAP_CATEGORY)[number][];
  event: string;
  responseType?: (typeof CAP_RESPONSE_TYPE)[number][];
  urgency: (typeof CAP_URGENCY)[number];
  severity: (typeof CAP_SEVERITY)[number];
  certainty: (typeof CAP_CERTAINTY)[number];
  audience?: string;
  eventCode?: { valueName: string; value: string }[];
  effective?: string;
  onset?: string;
  expires?: string;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  contact?: string;
  parameter?: { valueName: string; value: string }[];
  resource?: CapResource[];
  area?: CapArea[];
}

const capInfo: Validator<CapInfo> = object(
  {
    category: array(oneOf(CAP_CATEGORY), { min: 1, max: CAP_CATEGORY.length, uniqueBy: 'self' }),
    event: shortText,
    urgency: oneOf(CAP_URGENCY),
    severity: oneOf(CAP_SEVERITY),
    certainty: oneOf(CAP_CERTAINTY),
  },
  {
    language: string({
      max: 64,
      pattern: /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/,
      what: 'a language tag',
    }),
    responseType: array(oneOf(CAP_RESPONSE_TYPE), {
      min: 1,
      max: CAP_RESPONSE_TYPE.length,
      uniqueBy: 'self',
    }),
    audience: shortText,
    eventCode: valuePairs,
    effective: capDateTime,
    onset: capDateTime,
    expires: capDateTime,
    senderName: shortText,
    headline: shortText,
    description: longText,
    instruction: longText,
    web: uri,
    contact: shortText,
    parameter: valuePairs,
    resource: array(capResource, { min: 1, max: 100 }),
    area: array(capArea, { min: 1, max: 100 }),
  },
);

/**
 * A CAP 1.2 `alert`. Beyond the CAP schema: `restriction` is required with scope `Restricted`
 * and `addresses` with `Private` (CAP 1.2 §3.2.1); `references` is required unless msgType is
 * `Alert`, since the other types act on earlier messages; `Alert` and `Update` carry at least one
 * `info`.
 */
export interface CapAlert {
  identifier: string;
  sender: string;
  sent: string;
  status: (typeof CAP_STATUS)[number];
  msgType: (typeof CAP_MSG_TYPE)[number];
  source?: string;
  scope: (typeof CAP_SCOPE)[number];
  restriction?: string;
  addresses?: string;
  code?: string[];
  note?: string;
  references?: string;
  incidents?: string;
  info?: CapInfo[];
}

const capAlert: Validator<CapAlert> = refine(
  '`restriction` is required with scope `Restricted`, `addresses` with scope `Private`; `references` unless msgType is `Alert`; `info` with msgType `Alert` or `Update`.',
  object(
    {
      identifier: capToken,
      sender: capToken,
      sent: capDateTime,
      status: oneOf(CAP_STATUS),
      msgType: oneOf(CAP_MSG_TYPE),
      scope: oneOf(CAP_SCOPE),
    },
    {
      source: shortText,
      restriction: shortText,
      addresses: shortText,
      code: array(shortText, { min: 1, max: 100 }),
      note: longText,
      references,
      incidents: shortText,
      info: array(capInfo, { min: 1, max: 100 }),
    },
  ),
  (a, path) => {
    if (a.scope === 'Restricted') {
      ensure(a.restriction !== undefined, `${path}.restriction`, 'required with scope Restricted');
    }
    if (a.scope === 'Private') {
      ensure(a.addresses !== undefined, `${path}.addresses`, 'required with scope Private');
    }
    if (a.msgType !== 'Alert') {
      ensure(
        a.references !== undefined,
        `${path}.references`,
        `required with msgType ${a.msgType}`,
      );
    }
    if (a.msgType === 'Alert' || a.msgType === 'Update') {
      ensure(a.info !== undefined, `${path}.info`, `required with msgType ${a.msgType}`);
    }
  },
);

/**
 * `datashare.alert`: a CAP 1.2 `alert`, the `hazardDomain` it belongs to (`military`, `hazard`,
 * `environment`, `health`), and `assessedAt` (RFC 3339 UTC), when the issuer assessed it — the
 * clock for deadlines such as the 24-hour health-alert rule (WHO IHR art. 6).
 */
export interface DatashareAlertBody {
  alert: CapAlert;
  hazardDomain: (typeof HAZARD_DOMAINS)[number];
  assessedAt: string;
}

export const datashareAlertRule: TypeRule<DatashareAlertBody> = {
  body: object({ alert: capAlert, hazardDomain: oneOf(HAZARD_DOMAINS), assessedAt: timestamp }),
  signers: issuerSigns,
};
