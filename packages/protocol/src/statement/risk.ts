/**
 * Risk-reduction dialogue: risk.request and risk.response (Vienna Document 2011 ch. III,
 * consultation on unusual military activities).
 */
import { longText, partyId, statementId } from './common.js';
import { activityArea } from './military.js';
import type { ActivityArea } from './military.js';
import { issuerSigns } from './model.js';
import type { TypeRule } from './model.js';
import { ensure, millis, object, refine, timestamp } from './validate.js';
import type { Validator } from './validate.js';

/**
 * The activity a request asks about: a `description`, optionally where (`area`), when it was
 * seen (`start`, `end`: RFC 3339 UTC, end after start) and the notification it may relate to.
 */
export interface ActivityInQuestion {
  description: string;
  area?: ActivityArea;
  start?: string;
  end?: string;
  notification?: string;
}

const activityInQuestion: Validator<ActivityInQuestion> = refine(
  'If both are given, `end` follows `start`.',
  object(
    { description: longText },
    { area: activityArea, start: timestamp, end: timestamp, notification: statementId },
  ),
  (a, path) => {
    if (a.start !== undefined && a.end !== undefined) {
      ensure(millis(a.end) > millis(a.start), `${path}.end`, 'must follow start');
    }
  },
);

/** `risk.request`: the issuer asks party `to` (not itself) `question` about `activity`. */
export interface RiskRequestBody {
  to: string;
  activity: ActivityInQuestion;
  question: string;
}

export const riskRequestRule: TypeRule<RiskRequestBody> = {
  body: object({ to: partyId, activity: activityInQuestion, question: longText }),
  checks: '`body.to` is not the issuer.',
  check: (s) => ensure(s.body.to !== s.issuer, '$.body.to', 'must not be the issuer'),
  signers: issuerSigns,
};

/** `risk.response`: the `answer` to the risk.request with statement id `request`. */
export interface RiskResponseBody {
  request: string;
  answer: string;
}

export const riskResponseRule: TypeRule<RiskResponseBody> = {
  body: object({ request: statementId, answer: longText }),
  signers: issuerSigns,
};
