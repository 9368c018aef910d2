/** Signed statements (DESIGN.md §3): types, bodies, parsing, validation and signer rules. */
export { STATEMENT_TYPES, VISIBILITIES, isStatementType } from './model.js';
export { BODY_EXAMPLES, exampleBody, exampleIssuer } from './examples.js';
export type {
  EvidenceRef,
  SignerRequirement,
  SignerRule,
  Statement,
  StatementType,
  Visibility,
} from './model.js';
export {
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_DEPTH,
  STATEMENT_SCHEMA_DIALECT,
  isStatementOf,
  parseStatement,
  statementSchema,
  statementSchemaId,
  statementSigners,
  validateStatement,
} from './statement.js';
export type { JsonSchema } from './validate.js';
export type { AnyStatement, StatementBodies, TypedStatement } from './statement.js';
export { ACTIVITY_TYPES, COUNT_FIELDS, MAX_COUNT } from './common.js';
export type { ActivityCounts, ActivityType, CountField, KeyEntry } from './common.js';
export { PARTY_KINDS, REVOCATION_REASONS } from './ledger.js';
export type {
  GenesisBody,
  KeyAddBody,
  KeyRevokeBody,
  KeyRotateBody,
  PartyRecoverBody,
  PartyRegisterBody,
  RecoveryVetoBody,
  WitnessSetBody,
} from './ledger.js';
export { RENEWAL_MODES, REVIEW_OUTCOMES, RULE_PARAMETERS, RULE_SETS } from './measure.js';
export type {
  MeasureDefineBody,
  MeasureRenewBody,
  MeasureReviewBody,
  MeasureWithdrawBody,
  RenewalMode,
  RuleOverrides,
  RuleParameter,
  RuleParameterKind,
  RuleSetId,
} from './measure.js';
export type {
  ActivityArea,
  CalendarActivity,
  CalendarAnnualBody,
  ExerciseCancelBody,
  ExerciseChanges,
  ExerciseNotificationBody,
  ExerciseUpdateBody,
  Holdings,
  InfoExchangeBody,
  ObservationPlan,
  UnitHolding,
} from './military.js';
export {
  CAP_CATEGORY,
  CAP_CERTAINTY,
  CAP_MSG_TYPE,
  CAP_RESPONSE_TYPE,
  CAP_SCOPE,
  CAP_SEVERITY,
  CAP_STATUS,
  CAP_URGENCY,
  HAZARD_DOMAINS,
  parseCapDateTime,
} from './alert.js';
export type { CapAlert, CapArea, CapInfo, CapResource, DatashareAlertBody } from './alert.js';
export type { ActivityInQuestion, RiskRequestBody, RiskResponseBody } from './risk.js';
export { ACCESS_LEVELS } from './observer.js';
export type { DeclaredVsObserved, ObserverReportBody } from './observer.js';
export type { Geometry, Position } from './geojson.js';
export { CLAIM_POSITIONS } from './claim.js';
export type { ClaimPosition, ClaimReplyBody } from './claim.js';
