/**
 * The ledger's domain facade: what the HTTP handlers (Lambda and local) call. Stateless between
 * calls, so any number of instances can serve one set of stores.
 */
import { Admission } from './admission.js';
import type { SubmitRequest } from './admission.js';
import type { LedgerConfig } from './config.js';
import type { Clock, EvidenceStore, LogStore, RegistryStore, StatementStore } from './ports.js';
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
  readonly clock: Clock;
  readonly config: LedgerConfig;
  /** The log's C2SP verifier key, published by GET /v1/ledger and checked against genesis. */
  readonly logVkey: string;
  readonly integration?: IntegrationSignal;
}

export class LedgerService {
  readonly #reads: LedgerReads;
  readonly #admission: Admission;

  constructor(deps: LedgerServiceDeps) {
    this.#reads = new LedgerReads(deps);
    this.#admission = new Admission({ ...deps, reads: this.#reads });
  }

  info(): Promise<LedgerInfo> {
    return this.#reads.info();
  }

  submit(req: SubmitRequest): Promise<SubmitOutcome> {
    return this.#admission.submit(req);
  }

  statement(id: string, viewer: Viewer): Promise<StatementView> {
    return this.#reads.statement(id, viewer);
  }

  entries(start: number, limit: number, viewer: Viewer): Promise<EntriesPage> {
    return this.#reads.entries(start, limit, viewer);
  }

  entry(index: number, viewer: Viewer): Promise<EntryView> {
    return this.#reads.entry(index, viewer);
  }

  checkpoint(): Promise<string> {
    return this.#reads.checkpoint();
  }

  inclusionProof(index: number, treeSize: number): Promise<InclusionProofJson> {
    return this.#reads.inclusionProof(index, treeSize);
  }

  consistencyProof(from: number, to: number): Promise<ConsistencyProofJson> {
    return this.#reads.consistencyProof(from, to);
  }

  createEvidenceUpload(body: unknown): Promise<EvidenceUploadView> {
    return this.#reads.createEvidenceUpload(body);
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
}
