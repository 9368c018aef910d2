/**
 * @cbm-ledger/client — a typed client for the CBM Ledger API (DESIGN.md §5): every path,
 * authenticated reads (RFC 9421, the CBM profile), statements chained and signed for their
 * issuer, evidence uploads through presigned URLs, and offline receipt verification. Runs on
 * Node 20 and in browsers; Node-only file helpers live in `@cbm-ledger/client/node`.
 */
export { DEFAULT_SERVER, LedgerClient, PublicView } from './client.js';
export type { ClientOptions, ReadAuth } from './client.js';
export { parseRetryAfter, retryDelay } from './retry.js';
export type { RetryOptions } from './retry.js';
export {
  ApiError,
  ConnectionError,
  ResponseError,
  VerificationError,
  isApiError,
} from './errors.js';
export type { Problem } from './errors.js';
export {
  buildStatement,
  chainHead,
  envelopeStatementId,
  newNonce,
  signStatement,
  submitStatement,
} from './statements.js';
export type {
  ChainHead,
  StatementDraft,
  SubmitStatementOptions,
  SubmittedStatement,
} from './statements.js';
export { evidenceFromBlob, mediaTypeFor, uploadEvidence } from './evidence.js';
export type { EvidenceSource, UploadedEvidence } from './evidence.js';
export { currentReceipt, logKey, verifyReceipt, witnessKey } from './receipt.js';
export { checkLeafAgainstPromise, promiseKept, verifyPromise } from './promise.js';
export type { PromiseOptions } from './promise.js';
export type { ReceiptOptions, VerifiedReceipt } from './receipt.js';
export type * from './types.js';
