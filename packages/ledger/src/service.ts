/**
 * The ledger's domain facade: what the HTTP handlers (Lambda and local) call. Stateless between
 * calls, so any number of instances can serve one set of stores.
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
import type { SignedRequest } from './auth.js';
import type { LedgerConfig } from './config.js';
import type { RegistryCache } from './derived-state.js';
import { CosignatureIntake, WitnessReads } from './cosignatures.js';
import type { CheckpointStatus, CosignatureReceipt } from './cosignatures.js';
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

export class LedgerService {
  readonly #reads: LedgerReads;
  readonly #evidence: EvidenceAccess;
  readonly #compliance: LedgerCompliance;
  readonly #admission: Admission;
  readonly #witnesses: WitnessReads;
  readonly #cosignatures: CosignatureIntake;
  readonly #auth: RequestAuthenticator;

  constructor(deps: LedgerServiceDeps) {
    this.#witnesses = new WitnessReads(deps);
    this.#cosignatures = new CosignatureIntake(deps);
    this.#auth = new RequestAuthenticator(deps);
    this.#reads = new LedgerReads(deps);
    this.#evidence = new EvidenceAccess(deps);
    this.#compliance = new LedgerCompliance(deps);
    this.#admission = new Admission({ ...deps, reads: this.#reads });
  }

  info(): Promise<LedgerInfo> {
    return this.#reads.info();
  }

  submit(req: SubmitRequest): Promise<SubmitOutcome> {
    return this.#admission.submit(req);
  }

  /** A statement's view; a claim's lists its public replies (right of reply). */
  async statement(id: string, viewer: Viewer): Promise<StatementView> {
    const view = await this.#reads.statement(id, viewer);
    if (!isClaimType(view.type)) return view;
    return { ...view, replies: await this.#compliance.repliesTo(view.statement) };
  }

  entries(start: number, limit: number, viewer: Viewer): Promise<EntriesPage> {
    return this.#reads.entries(start, limit, viewer);
  }

  entry(index: number, viewer: Viewer): Promise<EntryView> {
    return this.#reads.entry(index, viewer);
  }

  /** The newest checkpoint with every valid witness cosignature appended. */
  checkpoint(): Promise<string> {
    return this.#witnesses.checkpoint();
  }

  /** GET /v1/checkpoints/{size}: a checkpoint the log signed, its cosignatures and quorum. */
  checkpointStatus(size: number): Promise<CheckpointStatus> {
    return this.#witnesses.checkpointStatus(size);
  }

  /** POST /v1/checkpoint/cosignatures: keeps a verified cosignature of a registered witness. */
  addCosignature(body: unknown): Promise<CosignatureReceipt> {
    return this.#cosignatures.add(body);
  }

  /** The viewer of a request: anonymous when unsigned, else the signing party (or 401). */
  authenticate(request: SignedRequest): Promise<Viewer> {
    return this.#auth.viewer(request);
  }

  inclusionProof(index: number, treeSize: number): Promise<InclusionProofJson> {
    return this.#reads.inclusionProof(index, treeSize);
  }

  consistencyProof(from: number, to: number): Promise<ConsistencyProofJson> {
    return this.#reads.consistencyProof(from, to);
  }

  /** POST /v1/evidence: `viewer` is the signing (uploading) party; unsigned is refused. */
  createEvidenceUpload(body: unknown, viewer: Viewer): Promise<EvidenceUploadView> {
    return this.#evidence.createUpload(body, viewer);
  }

  evidenceDownload(sha256: string, viewer: Viewer): Promise<{ url: string }> {
    return this.#reads.evidenceDownload(sha256, viewer);
  }

  parties(): Promise<PartyView[]> {
    return this.#reads.parties();
  }

  party(id: string): Promise<PartyView> {
    return this.#reads.party(id);
  }

  /** GET /v1/compliance: the report over (the first treeSize entries, at), with its JCS bytes. */
  compliance(q: ComplianceQuery, viewer: Viewer): Promise<ComplianceResult> {
    return this.#compliance.compliance(q, viewer);
  }

  /** Per-state finding counts of the unfiltered report (public endpoint). */
  complianceSummary(
    q: { readonly at?: string; readonly treeSize?: number } = {},
  ): Promise<ComplianceSummary> {
    return this.#compliance.complianceSummary(q);
  }

  /** GET /v1/measures. */
  measures(at?: string, viewer?: Viewer): Promise<MeasureListView> {
    return this.#compliance.measures(at, viewer);
  }

  /** GET /v1/measures/{id}/timeline. */
  timeline(id: string, at?: string, viewer?: Viewer): Promise<TimelineView> {
    return this.#compliance.timeline(id, at, viewer);
  }
}
