/**
 * Admission: everything between a POST /v1/statements body and a durable "accepted", in the
 * order issue 3 fixes. Each check is cheaper than the next, and nothing is written until every
 * check has passed, so rejected input writes nothing (DESIGN.md §6.5). The single decisive write
 * is `StatementStore.accept`, a conditional claim of (issuer, seq).
 *
 * Security: the body is attacker-controlled throughout. Sizes are bounded before parsing,
 * signatures are checked before the issuer chain or evidence is looked up for anyone, and every
 * failure maps to a 4xx LedgerError with a stable code.
 */
import {
  ErrorCode,
  envelopeDigest,
  formatPromise,
  formatUtcMillis,
  isPartyId,
  isProtocolError,
  isStatementType,
  parseEnvelope,
  parseJsonStrict,
  parseStatement,
  parseUtcTimestamp,
  partyKind,
  statementId,
  fromBase64,
  isAcceptablePublicKey,
  utf8Decode,
  verifyEnvelope,
} from '@cbm-ledger/protocol';
import type {
  GenesisBody,
  ParsedEnvelope,
  PartyKind,
  Statement,
  StatementType,
} from '@cbm-ledger/protocol';
import {
  ISSUER_KINDS,
  checkClaimAdmission,
  checkMeasureAdmission,
  checkReplyAdmission,
  evaluateRegistryPolicy,
} from '@cbm-ledger/compliance';
import type { MeasureAdmissionCode, RegistryViolation } from '@cbm-ledger/compliance';
import type { LedgerConfig } from './config.js';
import { LedgerError, fromProtocolError } from './errors.js';
import type {
  AdmittedStatement,
  CheckpointSigner,
  Clock,
  EvidenceStore,
  LogStore,
  RegistryStore,
  StatementStore,
} from './ports.js';
import { mayRead } from './evidence-access.js';
import type { LedgerReads } from './reads.js';
import { RegistryCache } from './derived-state.js';
import type { Registry } from './registry.js';
import type { IntegrationSignal } from './signal.js';
import type { SubmitOutcome } from './views.js';

/**
 * Accepted Content-Types for a submission: plain JSON, and the DSSE envelope media type
 * (`application/vnd.dsse.envelope.v1+json`, with its shorter `application/vnd.dsse+json`
 * spelling). A `charset` parameter is allowed if it says UTF-8; other parameters are ignored.
 */
export const SUBMISSION_MEDIA_TYPES: readonly string[] = [
  'application/json',
  'application/vnd.dsse.envelope.v1+json',
  'application/vnd.dsse+json',
];

/** Which kinds of party may issue each type: the registry policy's table (one for all). */
export { ISSUER_KINDS };

/** How often a submit waiting without an IntegrationSignal looks at the store. */
const POLL_INTERVAL_MS = 100;

export interface SubmitRequest {
  readonly body: Uint8Array;
  readonly contentType: string | undefined;
  /** From `Prefer: wait=N`; capped by config.maxWaitSeconds. */
  readonly waitSeconds?: number;
}

export interface AdmissionDeps {
  readonly statements: StatementStore;
  readonly log: LogStore;
  readonly registry: RegistryStore;
  readonly evidence: EvidenceStore;
  readonly clock: Clock;
  readonly config: LedgerConfig;
  readonly logVkey: string;
  /**
   * The log key, which signs each admission promise (docs/promises.md). Without one, submissions
   * fail as a configuration fault: a 2xx must never go out without its promise.
   */
  readonly logSigner?: CheckpointSigner;
  readonly integration?: IntegrationSignal;
  /** Admission's copy of the registry; without one, every submission reads the snapshot. */
  readonly registryCache?: RegistryCache;
  readonly reads: LedgerReads;
}

/** What the chain check needs of an accepted statement: both never change once accepted. */
interface ChainLink {
  readonly id: string;
  readonly admittedAt: number;
}

/** Slots remembered per process: a few per active issuer is all the chain check asks about. */
const CHAIN_CACHE_SLOTS = 16_384;

/**
 * Recently seen (issuer, seq) → (id, admittedAt). An accepted slot is immutable (DESIGN.md §6:
 * the conditional accept decides it once), so a remembered one is always right and seq k's
 * predecessor check needs no read when this process accepted or saw seq k-1. Only slots known to
 * be held are remembered; a miss asks the store.
 */
class ChainCache {
  readonly #slots = new Map<string, ChainLink>();

  constructor(private readonly statements: StatementStore) {}

  remember(statement: AdmittedStatement): void {
    const key = `${statement.issuer}\n${statement.seq}`;
    this.#slots.delete(key);
    this.#slots.set(key, { id: statement.id, admittedAt: statement.admittedAt });
    if (this.#slots.size > CHAIN_CACHE_SLOTS) {
      const oldest = this.#slots.keys().next();
      if (oldest.done !== true) this.#slots.delete(oldest.value);
    }
  }

  async get(issuer: string, seq: number): Promise<ChainLink | undefined> {
    const known = this.#slots.get(`${issuer}\n${seq}`);
    if (known !== undefined) return known;
    const stored = await this.statements.getBySeq(issuer, seq);
    if (stored !== undefined) this.remember(stored);
    return stored;
  }
}

export class Admission {
  readonly #d: AdmissionDeps;
  readonly #registry: RegistryCache;
  readonly #chain: ChainCache;

  constructor(deps: AdmissionDeps) {
    const signer = deps.logSigner;
    if (
      signer !== undefined &&
      (signer.origin !== deps.config.origin || signer.vkey !== deps.logVkey)
    ) {
      throw new Error(`the log signer (${signer.vkey}) is not the key of ${deps.logVkey}`);
    }
    this.#d = deps;
    this.#registry =
      deps.registryCache ?? new RegistryCache({ registry: deps.registry, maxAgeMs: 0 });
    this.#chain = new ChainCache(deps.statements);
  }

  async submit(req: SubmitRequest): Promise<SubmitOutcome> {
    // 1. Body size and content type.
    checkBody(req, this.#d.config.maxBodyBytes);

    // 2. DSSE envelope and statement schema.
    const envelope = parseSubmittedEnvelope(req.body);
    const statement = parseSubmittedStatement(envelope.payload);
    const id = statementId(envelope.payload);

    // 3. Idempotency: a statement the ledger holds is answered 200 as it stands. The common
    // case costs no read: the conditional accept (step 10) returns the slot's holder. Only a
    // rejection looks the slot up first, because an identical resubmission must get its 200
    // even when it would now fail a check (its issuedAt window has passed, its key was revoked
    // since). The slot (issuer, seq) rather than the id is looked at, so an earlier attempt
    // that stopped between accept and link is found too (and its link finished).
    let admitted: AdmittedStatement;
    try {
      admitted = this.#promised(await this.#check(statement, envelope, id));
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      const holder = await this.#d.statements.getBySeq(statement.issuer, statement.seq);
      if (holder?.id !== id) throw e;
      return this.#answerKnown(holder);
    }

    // 10. Durable acceptance: one conditional write claims (issuer, seq).
    const outcome = await this.#d.statements.accept(admitted);
    if (!outcome.accepted) {
      this.#chain.remember(outcome.existing);
      if (outcome.existing.id === id) return this.#answerKnown(outcome.existing);
      throw new LedgerError(
        'SEQ_CONFLICT',
        `seq ${statement.seq} of ${statement.issuer} is held by ${outcome.existing.id}`,
        { head: await this.#head(statement.issuer) },
      );
    }
    this.#chain.remember(admitted);
    await this.#d.statements.link(admitted);
    this.#d.integration?.notify();
    return this.#awaitIntegration(admitted, req.waitSeconds);
  }

  /** Steps 4–9: every check, in order; the statement as it would be accepted. */
  async #check(
    statement: Statement,
    envelope: ParsedEnvelope,
    id: string,
  ): Promise<AdmittedStatement> {
    // 4. Ledger origin: no replay from another ledger.
    if (statement.ledger !== this.#d.config.origin) {
      throw new LedgerError('WRONG_LEDGER', `statement is for ledger ${statement.ledger}`, {
        path: '$.ledger',
      });
    }

    // 5. issuedAt within the window around the ledger clock: never later than the clock allows
    // for skew; earlier by at most the skew, or by the signing window once step 6 has found two
    // or more parties' signatures (checked there, after the signatures verify).
    const now = this.#d.clock.now();
    const issuedAt = parseUtcTimestamp(statement.issuedAt) ?? NaN;
    const { issuedAtSkewMs, maxSigningMs } = this.#d.config;
    if (!(
      issuedAt - now <= issuedAtSkewMs && now - issuedAt <= Math.max(issuedAtSkewMs, maxSigningMs)
    )) {
      throw issuedAtOutOfWindow(statement, now, issuedAtSkewMs);
    }

    // 6–7. Registry (keys valid now, issuer kind, required signers) and Ed25519 verification;
    // then what a measure statement may say given the measures already integrated.
    const registry = await this.#registry.current();
    if (registry.asOf === 0) {
      this.#checkGenesis(statement, envelope);
      if (now - issuedAt > issuedAtSkewMs)
        throw issuedAtOutOfWindow(statement, now, issuedAtSkewMs);
    } else {
      const signers = checkSigners(
        registry,
        statement,
        envelope,
        now,
        this.#d.config.recoveryDelayMs,
      );
      if (now - issuedAt > issuedAtSkewMs && signers < 2) {
        throw issuedAtOutOfWindow(statement, now, issuedAtSkewMs);
      }
      checkMeasure(registry, statement, now);
      checkClaim(statement, now);
      await this.#checkReply(statement);
    }
    // 8. Issuer chain: seq continues the issuer's own chain and prev names its predecessor.
    const predecessor = await this.#checkChain(statement);

    // 9. Evidence objects uploaded by the issuer itself, with the declared hash and size.
    await this.#checkEvidence(statement);

    return {
      id,
      issuer: statement.issuer,
      seq: statement.seq,
      prev: statement.prev,
      type: statement.type,
      visibility: statement.visibility,
      audience: statement.audience ?? [],
      evidence: (statement.evidence ?? []).map((e) => e.sha256),
      envelope: envelope.envelope,
      envelopeDigest: envelopeDigest(envelope.envelope),
      // Never before the predecessor, even across machines with skewed clocks: integration takes
      // statements oldest first and so always finds seq k-1 ahead of seq k.
      admittedAt: Math.max(now, predecessor?.admittedAt ?? now),
    };
  }

  /**
   * Answers a statement the ledger already holds. One still pending may be an earlier attempt
   * that got as far as accept and no further: its link is finished first (idempotent).
   */
  async #answerKnown(statement: AdmittedStatement): Promise<SubmitOutcome> {
    if (statement.index === undefined) await this.#d.statements.link(statement);
    const receipt = await this.#d.reads.receiptFor(statement);
    // The stored promise, never a fresh one: a crash between accept and answer, or a resubmission,
    // must not yield two promises for one statement.
    const promise = statement.promise === undefined ? {} : { promise: statement.promise };
    if (receipt === undefined) {
      return { status: 200, body: { statement: statement.id, status: 'pending', ...promise } };
    }
    return {
      status: 200,
      body: {
        statement: statement.id,
        status: 'integrated',
        ...promise,
        index: receipt.leaf.index,
        receipt,
      },
    };
  }

  /**
   * Signs the admission promise for a statement about to be accepted. It is signed before the
   * conditional accept and stored by it, so it is durable exactly when the statement is, and
   * every later answer returns the stored bytes (Ed25519 is deterministic, so even a lost race
   * between two identical submissions signs the same note).
   */
  #promised(statement: AdmittedStatement): AdmittedStatement {
    const signer = this.#d.logSigner;
    if (signer === undefined) {
      throw new Error('admission has no log signer: it cannot sign admission promises');
    }
    const body = formatPromise({
      origin: signer.origin,
      statement: statement.id,
      acceptedAt: formatUtcMillis(statement.admittedAt),
      integrateBy: formatUtcMillis(statement.admittedAt + this.#d.config.maxMergeDelayMs),
    });
    return { ...statement, promise: signer.sign(body) };
  }

  /**
   * The first entry: with nothing registered, only the operator's ledger.genesis is admitted,
   * signed by a key listed in its own body and naming this ledger's log key.
   */
  #checkGenesis(statement: Statement, envelope: ParsedEnvelope): void {
    if (statement.type !== 'ledger.genesis') {
      throw new LedgerError('LEDGER_NOT_INITIALIZED', 'the ledger has no genesis entry yet');
    }
    const body = statement.body as GenesisBody;
    if (body.logVkey !== this.#d.logVkey) {
      throw new LedgerError('WRONG_LEDGER', 'logVkey is not this ledger’s log key', {
        path: '$.body.logVkey',
      });
    }
    body.keys.forEach((k, i) => requireUsableKey(k.publicKey, `$.body.keys[${i}].publicKey`));
    const keys = new Map(body.keys.map((k) => [k.keyid, fromBase64(k.publicKey, 32)]));
    envelope.envelope.signatures.forEach((s, i) => {
      if (!keys.has(s.keyid)) {
        throw new LedgerError(
          'KEY_UNKNOWN',
          `key ${s.keyid} is not an operator key of the genesis`,
          {
            path: `$.signatures[${i}].keyid`,
          },
        );
      }
    });
    verifySignatures(envelope, keys);
  }

  /** Returns the predecessor (seq - 1), if the statement has one. */
  async #checkChain(statement: Statement): Promise<ChainLink | undefined> {
    if (statement.seq === 1) return undefined;
    const predecessor = await this.#chain.get(statement.issuer, statement.seq - 1);
    if (predecessor === undefined) {
      throw new LedgerError(
        'SEQ_GAP',
        `${statement.issuer} has no statement with seq ${statement.seq - 1}`,
        { path: '$.seq', head: await this.#head(statement.issuer) },
      );
    }
    if (predecessor.id !== statement.prev) {
      throw new LedgerError(
        'PREV_MISMATCH',
        `prev must be ${predecessor.id}, the statement with seq ${statement.seq - 1}`,
        { path: '$.prev', head: await this.#head(statement.issuer) },
      );
    }
    return predecessor;
  }

  /**
   * Each cited object must have been uploaded by the issuer itself (docs/evidence-access.md):
   * citing a hash that somebody else stored proves nothing and would grant the citing party's
   * audience access to the bytes. Security: the answers are the same whether or not another
   * party stored the object, and never repeat what is stored.
   */
  /**
   * A claim.reply must answer a claim about its issuer that the issuer may read
   * (docs/compliance-claims.md): otherwise any party could file "replies" to claims about others.
   */
  async #checkReply(statement: Statement): Promise<void> {
    if (statement.type !== 'claim.reply') return;
    const cited = (statement.body as { claim: string }).claim;
    const held = await this.#d.statements.getById(cited);
    const claim =
      held !== undefined && mayRead(held, { party: statement.issuer })
        ? parseStatement(fromBase64(held.envelope.payload))
        : undefined;
    const result = checkReplyAdmission(statement, claim);
    if (!result.ok) throw new LedgerError(result.code, result.detail, { path: result.path });
  }

  async #checkEvidence(statement: Statement): Promise<void> {
    const refs = statement.evidence ?? [];
    const issuer = statement.issuer;
    const stored = await Promise.all(refs.map((e) => this.#d.evidence.possessed(e.sha256, issuer)));
    refs.forEach((ref, i) => {
      const object = stored[i];
      const path = `$.evidence[${i}]`;
      if (object === undefined) {
        throw new LedgerError(
          'EVIDENCE_MISSING',
          `${issuer} has not uploaded evidence ${ref.sha256} (POST /v1/evidence, signed by the issuer)`,
          { path },
        );
      }
      if (object.sha256 !== ref.sha256 || object.size !== ref.size) {
        throw new LedgerError(
          'EVIDENCE_MISMATCH',
          `evidence ${ref.sha256} as uploaded by ${issuer} does not have the declared size ${ref.size}`,
          { path },
        );
      }
    });
  }

  async #head(issuer: string): Promise<{ seq: number; statement: string } | null> {
    const head = await this.#d.statements.head(issuer);
    return head === undefined ? null : { seq: head.seq, statement: head.id };
  }

  /**
   * With a wait requested, answers 201 with the receipt once the statement is below the
   * committed head, else 202. The statement is durable by now, so a failure while waiting still
   * answers 202 rather than an error the client might take for a rejection.
   */
  async #awaitIntegration(
    statement: AdmittedStatement,
    waitSeconds?: number,
  ): Promise<SubmitOutcome> {
    const promise = statement.promise === undefined ? {} : { promise: statement.promise };
    const pending: SubmitOutcome = {
      status: 202,
      body: { statement: statement.id, status: 'pending', ...promise },
    };
    const seconds = Math.min(
      Number.isFinite(waitSeconds) && waitSeconds! > 0 ? waitSeconds! : 0,
      this.#d.config.maxWaitSeconds,
    );
    if (seconds <= 0) return pending;
    const deadline = Date.now() + seconds * 1000;
    try {
      for (;;) {
        // Look before sleeping: a wake-up sent before we started waiting must not be lost.
        const current = await this.#d.statements.getBySeq(statement.issuer, statement.seq);
        const receipt = current === undefined ? undefined : await this.#d.reads.receiptFor(current);
        if (receipt !== undefined) {
          return {
            status: 201,
            body: {
              statement: statement.id,
              status: 'integrated',
              ...promise,
              index: receipt.leaf.index,
              receipt,
            },
          };
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) return pending;
        if (this.#d.integration !== undefined) {
          await this.#d.integration.waitForIntegration(statement.id, remaining);
        } else {
          await sleep(Math.min(POLL_INTERVAL_MS, remaining));
        }
      }
    } catch {
      return pending;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkBody(req: SubmitRequest, maxBodyBytes: number): void {
  if (req.body.length > maxBodyBytes) {
    throw new LedgerError('BODY_TOO_LARGE', `body exceeds ${maxBodyBytes} bytes`);
  }
  checkContentType(req.contentType);
  if (req.body.length === 0) throw new LedgerError('BODY_EMPTY', 'the body is empty');
}

function checkContentType(contentType: string | undefined): void {
  const unsupported = (): LedgerError =>
    new LedgerError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be one of ${SUBMISSION_MEDIA_TYPES.join(', ')}`,
    );
  if (contentType === undefined) throw unsupported();
  const [type = '', ...params] = contentType.split(';');
  if (!SUBMISSION_MEDIA_TYPES.includes(type.trim().toLowerCase())) throw unsupported();
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    // The envelope is JSON and JSON is UTF-8 (RFC 8259 §8.1); anything else would be misread.
    if (charset !== 'utf-8' && charset !== 'utf8') throw unsupported();
  }
}

function parseSubmittedEnvelope(body: Uint8Array): ParsedEnvelope {
  try {
    return parseEnvelope(utf8Decode(body));
  } catch (e) {
    if (isProtocolError(e)) throw fromProtocolError(e);
    throw e;
  }
}

function parseSubmittedStatement(payload: Uint8Array): Statement {
  try {
    return parseStatement(payload);
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    // The protocol reports an issuer of the wrong kind as a schema violation at $.issuer; the
    // ledger answers it with its own code, decided from its table rather than the message.
    if (e.code === ErrorCode.SCHEMA_VIOLATION && e.path === '$.issuer') {
      const kindError = issuerKindError(payload);
      if (kindError !== undefined) throw kindError;
    }
    throw fromProtocolError(e);
  }
}

function issuerKindError(payload: Uint8Array): LedgerError | undefined {
  let value: unknown;
  try {
    value = parseJsonStrict(utf8Decode(payload));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, issuer } = value as Record<string, unknown>;
  if (!isStatementType(type) || !isPartyId(issuer)) return undefined;
  const kind = partyKind(issuer);
  if (ISSUER_KINDS[type].includes(kind)) return undefined;
  return kindNotAllowed(type, kind);
}

function kindNotAllowed(type: StatementType, kind: PartyKind): LedgerError {
  return new LedgerError(
    'ISSUER_KIND_NOT_ALLOWED',
    `a ${kind} may not issue ${type} (allowed: ${ISSUER_KINDS[type].join(', ')})`,
    { path: '$.issuer' },
  );
}

/** Ed25519 verification of every signature against the given keys (DSSE PAE). */
function verifySignatures(
  envelope: ParsedEnvelope,
  keys: ReadonlyMap<string, Uint8Array>,
): string[] {
  try {
    return verifyEnvelope(envelope, keys);
  } catch (e) {
    if (isProtocolError(e)) throw fromProtocolError(e);
    throw e;
  }
}

/** The answer to an issuedAt outside the admission window (step 5). */
function issuedAtOutOfWindow(statement: Statement, now: number, skewMs: number): LedgerError {
  return new LedgerError(
    'ISSUED_AT_OUT_OF_WINDOW',
    `issuedAt ${statement.issuedAt} is more than ${skewMs} ms from the ledger clock ` +
      `${new Date(now).toISOString()} (only a statement signed by two or more parties may be ` +
      `older, up to the signing window)`,
    { path: '$.issuedAt', now: new Date(now).toISOString() },
  );
}

/**
 * The registry and signer policy (the compliance package's, shared with `cbm audit`), then
 * Ed25519 verification. Every signature must be by a key valid now of a party that is a required
 * signer, or by a key the statement itself introduces (proof of possession); the first violation
 * is the answer. Missing signatures are judged once the present ones verified, so a forged
 * signature answers SIGNATURE_INVALID rather than a missing co-signer. Returns the number of
 * distinct parties whose verified signatures the statement carries (what decides how old its
 * issuedAt may be).
 */
function checkSigners(
  registry: Registry,
  statement: Statement,
  envelope: ParsedEnvelope,
  now: number,
  recoveryDelayMs: number,
): number {
  const result = evaluateRegistryPolicy(registry, statement, envelope.envelope.signatures, {
    at: now,
    recoveryDelayMs,
  });
  const before = result.violations.find((v) => v.kind !== 'coverage');
  if (before !== undefined) throw violationError(before);
  const keys = new Map<string, Uint8Array>();
  for (const use of result.uses) {
    if (use !== undefined) keys.set(use.keyid, fromBase64(use.publicKey, 32));
  }
  verifySignatures(envelope, keys);
  const missing = result.violations[0];
  if (missing !== undefined) throw violationError(missing);
  return new Set(result.uses.flatMap((use) => (use === undefined ? [] : [use.party]))).size;
}

function violationError(v: RegistryViolation): LedgerError {
  return new LedgerError(v.code, v.detail, {
    ...(v.path === undefined ? {} : { path: v.path }),
    ...(v.party === undefined ? {} : { party: v.party }),
  });
}

/** Where in a measure statement each measure admission code points. */
const MEASURE_PATHS: Readonly<Record<MeasureAdmissionCode, string>> = {
  MEASURE_UNKNOWN: '$.body.measure',
  MEASURE_NOT_PARTY: '$.issuer',
  MEASURE_EXISTS: '$.body.id',
  MEASURE_EXPIRED: '$.body.measure',
  MEASURE_NOT_RENEWABLE: '$.body.newSunsetAt',
  REVIEW_NOT_SCHEDULED: '$.body.dueAt',
  WITHDRAWAL_NOTICE_TOO_SHORT: '$.body.effectiveAt',
};

/**
 * Who may define, review, renew and withdraw from a measure, and when (DESIGN.md §3, §7; the
 * rules are the compliance package's, so timelines and admission agree), judged against the
 * measures integrated so far and the admission clock. Statements of other types pass.
 */
function checkMeasure(registry: Registry, statement: Statement, now: number): void {
  if (!statement.type.startsWith('measure.')) return;
  const result = checkMeasureAdmission(statement, now, registry.measures());
  if (result.ok) return;
  throw new LedgerError(result.code, result.detail, { path: MEASURE_PATHS[result.code] });
}

/**
 * What a claim must say to be admitted (docs/compliance-claims.md; the rules are the compliance
 * package's): an observer.report about a period that has begun, a risk.request naming the
 * activity it asks about. Statements of other types pass.
 */
function checkClaim(statement: Statement, now: number): void {
  const result = checkClaimAdmission(statement, now);
  if (result.ok) return;
  throw new LedgerError(result.code, result.detail, { path: result.path });
}

/**
 * Security: the schema only checks that a key is 32 bytes. A non-canonical or small-order
 * Ed25519 point can never verify here (the protocol rejects it) but could in a laxer verifier,
 * so such keys are refused at registration rather than published as the party's.
 */
function requireUsableKey(publicKey: string, path: string): void {
  if (!isAcceptablePublicKey(fromBase64(publicKey, 32))) {
    throw new LedgerError('SCHEMA_VIOLATION', `${path}: not a usable Ed25519 public key`, { path });
  }
}
