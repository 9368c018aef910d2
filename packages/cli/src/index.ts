/**
 * @cbm-ledger/cli — the `cbm` command (DESIGN.md §9) and the library behind it: the audit core
 * (also driven by the audit benchmark), the signature worker pool, the witness round.
 */
export { COMMANDS, run } from './main.js';
export { processIo } from './io.js';
export type { Io, OutputStream } from './io.js';
export { auditLog, LogAuditor } from './audit/core.js';
export type {
  AuditFinding,
  AuditOptions,
  AuditProgressEvent,
  AuditReport,
  AuditSource,
} from './audit/core.js';
export { VerifyPool } from './audit/pool.js';
export { parseAuditState } from './audit/state.js';
export type { AuditProgress, AuditState, VerifiedCheckpoint } from './audit/state.js';
export { httpAuditSource } from './commands/audit.js';
export { witnessRound } from './commands/witness.js';
export type { WitnessRound, WitnessState } from './commands/witness.js';
export { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './errors.js';
