/**
 * Building and signing statements (DESIGN.md §3): the issuer's chain (`seq`, `prev`) from its
 * head on the ledger, a fresh nonce, `issuedAt` now, then DSSE signatures by the issuer and any
 * co-signers. The statement is validated before anything is signed, so a body that fails the
 * schema is reported with its JSON path and never reaches the ledger.
 */
import {
  STATEMENT_PAYLOAD_TYPE,
  fromBase64,
  keyFileSeed,
  parseStatement,
  randomSeed,
  signEnvelope,
  statementId,
  toBase64Url,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type {
  Envelope,
  EvidenceRef,
  KeyFile,
  Statement,
  StatementType,
  Visibility,
} from '@cbm-ledger/protocol';
import type { LedgerClient } from './client.js';
import { isApiError } from './errors.js';
import type { SubmitResult } from './types.js';

/** What the submitter decides; the chain, nonce and time are filled in. */
export interface StatementDraft {
  type: StatementType;
  body: unknown;
  /** Default `public`. */
  visibility?: Visibility;
  /** With `restricted`: who else may read it. */
  audience?: string[];
  refs?: string[];
  evidence?: EvidenceRef[];
}

/** The issuer's chain head: its latest accepted statement, or null before its first. */
export type ChainHead = { seq: number; statement: string } | null;

/** A fresh statement nonce: 16 random bytes, base64url (DESIGN.md §3). */
export function newNonce(): string {
  return toBase64Url(randomSeed().subarray(0, 16));
}

/**
 * The statement that continues `issuer`'s chain after `head`. Optional fields are only present
 * when given (unknown or empty ones would fail the schema).
 */
export function buildStatement(
  origin: string,
  issuer: string,
  head: ChainHead,
  draft: StatementDraft,
  options: { now?: number; nonce?: string } = {},
): Statement {
  const statement: Statement = {
    v: 1,
    ledger: origin,
    type: draft.type,
    issuer,
    seq: (head?.seq ?? 0) + 1,
    prev: head?.statement ?? null,
    issuedAt: new Date(options.now ?? Date.now()).toISOString(),
    nonce: options.nonce ?? newNonce(),
    visibility: draft.visibility ?? 'public',
    body: draft.body,
  };
  if (draft.audience !== undefined && draft.audience.length > 0) {
    statement.audience = [...draft.audience];
  }
  if (draft.refs !== undefined && draft.refs.length > 0) statement.refs = [...draft.refs];
  if (draft.evidence !== undefined && draft.evidence.length > 0) {
    statement.evidence = draft.evidence.map((e) => ({ ...e }));
  }
  return statement;
}

/**
 * Serialises and signs a statement with every key, issuer first. The payload is validated with
 * the protocol's schema first: a ProtocolError (code and JSON path) is thrown for a bad one.
 */
export function signStatement(statement: Statement, keys: readonly KeyFile[]): Envelope {
  const payload = utf8Encode(JSON.stringify(statement));
  parseStatement(payload);
  return signEnvelope(STATEMENT_PAYLOAD_TYPE, payload, keys.map(keyFileSeed));
}

/** The statement id of an envelope: `sha256:` + hex SHA-256 of its payload bytes. */
export function envelopeStatementId(envelope: Envelope): string {
  return statementId(fromBase64(envelope.payload));
}

export interface SubmitStatementOptions {
  /** The issuer's key; its party is the issuer. */
  key: KeyFile;
  /** Co-signers' keys (measure.define: every other party; key.rotate: the new key). */
  cosigners?: readonly KeyFile[];
  draft: StatementDraft;
  /** Wait up to this many seconds for integration (and a receipt). */
  waitSeconds?: number;
  /** The ledger's origin; fetched from GET /v1/ledger when absent. */
  origin?: string;
  /** Attempts when another submission by the same issuer takes the seq first; default 3. */
  attempts?: number;
  now?: () => number;
  /**
   * Called with each signed statement before it is sent, and awaited: a caller that must survive
   * a crash (the CLI's outbox) stores the envelope here, so that a second run resubmits these
   * exact bytes instead of signing a new statement.
   */
  onSigned?: (signed: { statement: Statement; envelope: Envelope; id: string }) => Promise<void>;
}

export interface SubmittedStatement {
  statement: Statement;
  envelope: Envelope;
  id: string;
  result: SubmitResult;
}

/**
 * The issuer's chain head from GET /v1/parties/{id}. An unknown party has no head: its first
 * statement is then submitted as seq 1 and the ledger answers why it refuses it (ISSUER_UNKNOWN).
 */
export async function chainHead(client: LedgerClient, issuer: string): Promise<ChainHead> {
  try {
    return (await client.party(issuer)).head;
  } catch (e) {
    if (isApiError(e, 'NOT_FOUND')) return null;
    throw e;
  }
}

/**
 * Builds, signs and submits the issuer's next statement. The head is read from
 * GET /v1/parties/{issuer}; if another submission by the same issuer wins the seq in between
 * (SEQ_CONFLICT or PREV_MISMATCH), the statement is rebuilt on the new head and signed again —
 * it is a new statement then, with its own id.
 */
export async function submitStatement(
  client: LedgerClient,
  options: SubmitStatementOptions,
): Promise<SubmittedStatement> {
  const origin = options.origin ?? (await client.origin());
  const issuer = options.key.party;
  const keys = [options.key, ...(options.cosigners ?? [])];
  const attempts = Math.max(1, options.attempts ?? 3);
  let head = await chainHead(client, issuer);
  for (let attempt = 1; ; attempt++) {
    const statement = buildStatement(origin, issuer, head, options.draft, {
      ...(options.now === undefined ? {} : { now: options.now() }),
    });
    const envelope = signStatement(statement, keys);
    await options.onSigned?.({ statement, envelope, id: envelopeStatementId(envelope) });
    try {
      const result = await client.submit(envelope, {
        ...(options.waitSeconds === undefined ? {} : { waitSeconds: options.waitSeconds }),
      });
      return { statement, envelope, id: result.statement, result };
    } catch (e) {
      const raced = isApiError(e, 'SEQ_CONFLICT') || isApiError(e, 'PREV_MISMATCH');
      if (!raced || attempt >= attempts) throw e;
      const fresh = (e.problem as { head?: ChainHead }).head;
      head = fresh !== undefined ? fresh : await chainHead(client, issuer);
    }
  }
}
