/**
 * The composition root: the one place the domain's parts are put together into the roles the
 * HTTP edge serves. `createLedger` returns every role in one object (the local runtime, the
 * all-in-one Lambda, tests); each API Lambda builds only the role its routes call
 * (`createSubmitRole`, `createReadRole`, `createCosignRole`), so its bundle and its store rights
 * stay those of that role. Stateless between calls: any number of instances can serve one set of
 * stores.
 */
import { isClaimType } from '@cbm-ledger/compliance';
import type { ComplianceSummary } from '@cbm-ledger/compliance';
import { Admission } from './admission.js';
import type { SubmitRequest } from './admission.js';
import { LedgerCompliance } from './compliance.js';
import type {
  ComplianceQuery,
  ComplianceResult,
  MeasureListView,
  TimelineView,
} from './compliance.js';
import { RequestAuthenticator } from './auth.js';
import type { AuthDeps } from './auth.js';
import type { SignedRequest } from './auth.js';
import type { LedgerConfig } from './config.js';
import type { RegistryCache } from './derived-state.js';
import { CosignatureIntake, WitnessReads } from './cosignatures.js';
import type {
  CheckpointStatus,
  CosignatureIntakeDeps,
  CosignatureReceipt,
} from './cosignatures.js';
import type {
  CheckpointSigner,
  Clock,
  EvidenceQuota,
  EvidenceStore,
  LogStore,
  RegistryStore,
  ReplayGuard,
  StatementStore,
} from './ports.js';
import { EvidenceAccess } from './evidence-access.js';
import { LedgerReads } from './reads.js';
import type { IntegrationSignal } from './signal.js';
import type {
  ConsistencyProofJson,
  EntriesPage,
  EntryView,
  EvidenceUploadView,
  InclusionProofJson,
  LedgerInfo,
  PartyView,
  StatementView,
  SubmitOutcome,
  Viewer,
} from './views.js';

export interface LedgerServiceDeps {
  readonly statements: StatementStore;
  readonly log: LogStore;
  readonly registry: RegistryStore;
  readonly evidence: EvidenceStore;
  /** Per-party daily evidence budget; without one, each process keeps its own. */
  readonly evidenceQuota?: EvidenceQuota;
  readonly clock: Clock;
  readonly config: LedgerConfig;
  /** The log's C2SP verifier key, published by GET /v1/ledger and checked against genesis. */
  readonly logVkey: string;
  /** The log key; admission signs every promise with it (docs/promises.md). */
  readonly logSigner?: CheckpointSigner;
  readonly integration?: IntegrationSignal;
  /** Replay protection for signed reads; without it signed requests are refused (401). */
  readonly replay?: ReplayGuard;
  /**
   * Admission's copy of the registry (derived-state.ts), shared with the in-process integrator
   * where there is one; without it every submission reads the registry snapshot.
   */
  readonly registryCache?: RegistryCache;
}

/** POST /v1/statements and POST /v1/evidence: what the submit function serves. */
export interface SubmitRole {
  submit(req: SubmitRequest): Promise<SubmitOutcome>;
  /** POST /v1/evidence: `viewer` is the signing (uploading) party; unsigned is refused. */
  createEvidenceUpload(body: unknown, viewer: Viewer): Promise<EvidenceUploadView>;
  /** The viewer of a request: anonymous when unsigned, else the signing party (or 401). */
  authenticate(request: SignedRequest): Promise<Viewer>;
}

/** Every GET under /v1: what the read function serves. */
export interface ReadRole {
  info(): Promise<LedgerInfo>;
  /** A statement's view; a claim's lists the replies of the party it is about. */
  statement(id: string, viewer: Viewer): Promise<StatementView>;
  entries(start: number, limit: number, viewer: Viewer): Promise<EntriesPage>;
  entry(index: number, viewer: Viewer): Promise<EntryView>;
  /** The newest checkpoint with every valid witness cosignature appended. */
  checkpoint(): Promise<string>;
  /** GET /v1/checkpoints/{size}: a checkpoint the log signed, its cosignatures and quorum. */
  checkpointStatus(size: number): Promise<CheckpointStatus>;
  inclusionProof(index: number, treeSize: number): Promise<InclusionProofJson>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProofJson>;
  evidenceDownload(sha256: string, viewer: Viewer): Promise<{ url: string }>;
  parties(): Promise<PartyView[]>;
  party(id: string): Promise<PartyView>;
  /** GET /v1/compliance: the report over (the first treeSize entries, at), with its JCS bytes. */
  compliance(q: ComplianceQuery, viewer: Viewer): Promise<ComplianceResult>;
  /** Per-state finding counts of the unfiltered report (public endpoint). */
  complianceSummary(q?: {
    readonly at?: string;
    readonly treeSize?: number;
  }): Promise<ComplianceSummary>;
  /** GET /v1/measures. */
  measures(at?: string, viewer?: Viewer): Promise<MeasureListView>;
  /** GET /v1/measures/{id}/timeline. */
  timeline(id: string, at?: string, viewer?: Viewer): Promise<TimelineView>;
  authenticate(request: SignedRequest): Promise<Viewer>;
}

/** POST /v1/checkpoint/cosignatures: what the cosigning function serves. */
export interface CosignRole {
  /** Keeps a verified cosignature of a registered witness. */
  addCosignature(body: unknown): Promise<CosignatureReceipt>;
  authenticate(request: SignedRequest): Promise<Viewer>;
}

/** Every role in one object: the whole API. */
export type LedgerService = SubmitRole & ReadRole & CosignRole;

/** The authenticator a role uses; one is built when the caller shares none. */
function authenticator(deps: AuthDeps, shared?: RequestAuthenticator): RequestAuthenticator {
  return shared ?? new RequestAuthenticator(deps);
}

export function createSubmitRole(
  deps: LedgerServiceDeps,
  shared?: RequestAuthenticator,
): SubmitRole {
  const admission = new Admission({ ...deps, reads: new LedgerReads(deps) });
  const evidence = new EvidenceAccess(deps);
  const auth = authenticator(deps, shared);
  return {
    submit: (req) => admission.submit(req),
    createEvidenceUpload: (body, viewer) => evidence.createUpload(body, viewer),
    authenticate: (request) => auth.viewer(request),
  };
}

export function createReadRole(deps: LedgerServiceDeps, shared?: RequestAuthenticator): ReadRole {
  const reads = new LedgerReads(deps);
  const witnesses = new WitnessReads(deps);
  const compliance = new LedgerCompliance(deps);
  const auth = authenticator(deps, shared);
  return {
    info: () => reads.info(),
    statement: async (id, viewer) => {
      const view = await reads.statement(id, viewer);
      if (!isClaimType(view.type)) return view;
      return { ...view, replies: await compliance.repliesTo(view.statement) };
    },
    entries: (start, limit, viewer) => reads.entries(start, limit, viewer),
    entry: (index, viewer) => reads.entry(index, viewer),
    checkpoint: () => witnesses.checkpoint(),
    checkpointStatus: (size) => witnesses.checkpointStatus(size),
    inclusionProof: (index, treeSize) => reads.inclusionProof(index, treeSize),
    consistencyProof: (from, to) => reads.consistencyProof(from, to),
    evidenceDownload: (sha256, viewer) => reads.evidenceDownload(sha256, viewer),
    parties: () => reads.parties(),
    party: (id) => reads.party(id),
    compliance: (q, viewer) => compliance.compliance(q, viewer),
    complianceSummary: (q = {}) => compliance.complianceSummary(q),
    measures: (at, viewer) => compliance.measures(at, viewer),
    timeline: (id, at, viewer) => compliance.timeline(id, at, viewer),
    authenticate: (request) => auth.viewer(request),
  };
}

/** What cosigning needs: the log and the registry, no evidence store. */
export type CosignRoleDeps = CosignatureIntakeDeps & AuthDeps;

export function createCosignRole(deps: CosignRoleDeps, shared?: RequestAuthenticator): CosignRole {
  const intake = new CosignatureIntake(deps);
  const auth = authenticator(deps, shared);
  return {
    addCosignature: (body) => intake.add(body),
    authenticate: (request) => auth.viewer(request),
  };
}

/** Every role over one set of dependencies, sharing one request authenticator. */
export function createLedger(deps: LedgerServiceDeps): LedgerService {
  const auth = new RequestAuthenticator(deps);
  return {
    ...createSubmitRole(deps, auth),
    ...createReadRole(deps, auth),
    ...createCosignRole(deps, auth),
  };
}
