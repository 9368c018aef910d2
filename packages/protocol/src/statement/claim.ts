/**
 * `claim.reply`: the right of reply (docs/compliance-claims.md). The party a claim is about —
 * the host of an observed activity (`observer.report`) or the addressee of a request
 * (`risk.request`) — answers it with a signed statement citing it.
 *
 * An additive extension of the v1 statement types: older statements are unaffected, and older
 * verifiers that do not know the type refuse it rather than misread it. Who may reply is a rule
 * across statements: the compliance engine weighs a reply only when its issuer is the party the
 * cited claim is about, and admission refuses other replies when it can see the claim.
 */
import { longText, statementId } from './common.js';
import { issuerSigns } from './model.js';
import type { TypeRule } from './model.js';
import { object, oneOf } from './validate.js';

export const CLAIM_POSITIONS = ['acknowledge', 'dispute'] as const;
export type ClaimPosition = (typeof CLAIM_POSITIONS)[number];

/**
 * - `claim`: statement id of the observer.report or risk.request answered.
 * - `position`: `acknowledge` (the claim is accepted as stated) or `dispute`.
 * - `answer`: the party's account, free text.
 */
export interface ClaimReplyBody {
  claim: string;
  position: ClaimPosition;
  answer: string;
}

export const claimReplyRule: TypeRule<ClaimReplyBody> = {
  body: object({ claim: statementId, position: oneOf(CLAIM_POSITIONS), answer: longText }),
  signers: issuerSigns,
};
