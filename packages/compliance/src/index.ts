/**
 * @cbm-ledger/compliance — the compliance engine, measure timelines and measure admission rules
 * (DESIGN.md §7). Pure: no I/O; runs in Node and in browsers; shared by the server and the CLI
 * so that a report replayed from the public view is byte-identical to the server's.
 */
export {
  ComplianceInputError,
  complianceEntryFromLeaf,
  parseAt,
  prepareEntries,
} from './entries.js';
export { brokenPromises } from './promises.js';
export type { OperatorFinding } from './promises.js';
export type {
  ComplianceEntry,
  ComplianceInputErrorCode,
  Entry as PreparedEntry,
  EvidenceScope,
  PrepareOptions,
} from './entries.js';
export {
  LATEST_RULES_VERSION,
  RULES_VERSIONS,
  RULE_SET_DATA,
  acrs1994,
  isRulesVersion,
  resolveParameters,
  vd2011,
} from './rulesets.js';
export type { RuleParameterValue, RuleParameters, RuleSet, RulesVersion } from './rulesets.js';
export { CLAIM_STATUSES, CLAIM_TYPES, STANDINGS, isClaimType } from './claims.js';
export type {
  ClaimBasis,
  ClaimRecord,
  ClaimType,
  ClaimReplyRef,
  ClaimStatus,
  Standing,
} from './claims.js';
export {
  CLAIM_ADMISSION_CODES,
  checkClaimAdmission,
  checkReplyAdmission,
  claimSubject,
  namesActivity,
} from './claim-admission.js';
export type { ClaimAdmissionCode, ClaimAdmissionResult } from './claim-admission.js';
export { CLAIMS_BASIS, COMPLIANCE_RULES, EVIDENCE_BASIS, RULE_IDS } from './rules.js';
export type { RuleDescription, RuleId } from './rules.js';
export {
  OUTCOMES,
  canonicalReport,
  compareFindings,
  complianceSummary,
  evaluateCompliance,
} from './engine.js';
export type {
  ComplianceInput,
  ComplianceReport,
  ComplianceSummary,
  Finding,
  Outcome,
} from './engine.js';
export {
  EXPIRING_WINDOW_DAYS,
  MeasureBook,
  analyzeMeasure,
  measureBook,
  partyInterval,
} from './measures.js';
export type {
  MeasureAnalysis,
  MeasureRecord,
  MeasureStatus,
  MeasureTerm,
  ReviewSlot,
} from './measures.js';
export { TIMELINE_EVENT_KINDS, listMeasures, measureTimeline } from './timeline.js';
export type {
  MeasureSummary,
  MeasureTimeline,
  TimelineEvent,
  TimelineEventKind,
  TimelineOptions,
} from './timeline.js';
export {
  MEASURE_ADMISSION_CODES,
  admissionMeasureBook,
  checkMeasureAdmission,
} from './admission-rules.js';
export type { MeasureAdmissionCode, MeasureAdmissionResult } from './admission-rules.js';
export {
  DEFAULT_RECOVERY_DELAY_MS,
  ISSUER_KINDS,
  REGISTRY_POLICY_CODES,
  evaluateRegistryPolicy,
  keyProblem,
  pendingRecovery,
} from './registry-policy.js';
export type {
  PolicyKey,
  PolicyParty,
  RecoveryRecord,
  RegistryPolicyCode,
  RegistryPolicyOptions,
  RegistryPolicyResult,
  RegistryView,
  RegistryViolation,
  SignatureUse,
} from './registry-policy.js';
