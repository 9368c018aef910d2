/**
 * Read side of the ledger: info, statements, entries, checkpoints, proofs, receipts, parties and
 * evidence. Everything served is bounded by the committed head: leaves staged beyond it are not
 * final until an integrator commits them, so nobody sees them yet.
 *
 * Proofs are built from stored perfect-subtree nodes (protocol compact-range), so an inclusion or
 * consistency proof costs O(log n) node reads whatever the log's size.
 */
import {
  NoteKeyType,
  RULE_SETS,
  SHA256_HEX_RE,
  consistencyProofFromNodes,
  consistencyProofNodeIds,
  canonicalLeaf,
  encodeVkey,
  fromBase64,
  hashLeaf,
  inclusionProofFromNodes,
  inclusionProofNodeIds,
  isStatementId,
  leafHash,
  nodeKey,
  partyKind,
  toBase64,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Leaf, NodeId } from '@cbm-ledger/protocol';
import type { LedgerConfig } from './config.js';
import { LedgerError } from './errors.js';
import type {
  AdmittedStatement,
  Clock,
  EvidenceStore,
  LogHead,
  LogReader,
  PartyRecord,
  RegistryReader,
  StatementReader,
} from './ports.js';
import { Registry } from './registry.js';
import type {
  ConsistencyProofJson,
  EntriesPage,
  EntryView,
  EvidenceUploadView,
  InclusionProofJson,
  LedgerInfo,
  PartyView,
  Receipt,
  StatementView,
  Viewer,
} from './views.js';

/** Software version reported by GET /v1/ledger. */
export const LEDGER_VERSION = '0.1.0';

/** Read-only views of the stores suffice: the public view builds this facade without writes. */
export interface ReadDeps {
  readonly statements: StatementReader;
  readonly log: LogReader;
  readonly registry: RegistryReader;
  readonly evidence: EvidenceStore;
  readonly clock: Clock;
  readonly config: LedgerConfig;
  readonly logVkey: string;
}

/** How many citing statements an evidence download looks through for one the viewer may read. */
const CITING_LOOKUP_LIMIT = 100;

/** RFC 6838 `type/subtype` (restricted-name tokens), as statements' evidence entries use. */
const MEDIA_TYPE_RE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function requireCount(value: unknown, what: string): number {
  if (!isCount(value)) {
    throw new LedgerError('RANGE_INVALID', `${what} must be a non-negative integer`, {
      parameter: what,
    });
  }
  return value;
}

/**
 * Whether `viewer` may read the statement's envelope: public ones by everyone; otherwise its
 * issuer and operators always, `participants` any authenticated party of the ledger (the viewer
 * is only ever set after authenticating with a registered key), `restricted` its audience.
 */
export function mayRead(statement: AdmittedStatement, viewer: Viewer): boolean {
  if (statement.visibility === 'public') return true;
  const party = viewer.party;
  if (party === undefined) return false;
  if (party === statement.issuer || partyKind(party) === 'operator') return true;
  if (statement.visibility === 'participants') return true;
  return statement.audience.includes(party);
}

export class LedgerReads {
  readonly #d: ReadDeps;

  constructor(deps: ReadDeps) {
    this.#d = deps;
  }

  async info(): Promise<LedgerInfo> {
    const [snapshot, head] = await Promise.all([this.#d.registry.read(), this.#d.log.readHead()]);
    const registry = Registry.fromSnapshot(snapshot);
    const witnesses = registry.parties().flatMap((p) =>
      p.witness === undefined
        ? []
        : [
            {
              party: p.id,
              name: p.witness.name,
              publicKey: p.witness.publicKey,
              vkey: encodeVkey(
                p.witness.name,
                NoteKeyType.cosignatureV1,
                fromBase64(p.witness.publicKey, 32),
              ),
            },
          ],
    );
    return {
      origin: this.#d.config.origin,
      logVkey: this.#d.logVkey,
      operator: registry.operator()?.id ?? null,
      witnesses,
      witnessQuorum: this.#d.config.witnessQuorum,
      ruleSets: [...RULE_SETS],
      version: LEDGER_VERSION,
      treeSize: head?.size ?? 0,
    };
  }

  async statement(id: string, viewer: Viewer): Promise<StatementView> {
    const statement = isStatementId(id) ? await this.#d.statements.getById(id) : undefined;
    if (statement === undefined) throw new LedgerError('NOT_FOUND', `no statement ${id}`);
    const receipt = await this.receiptFor(statement);
    return {
      statement: statement.id,
      status: receipt === undefined ? 'pending' : 'integrated',
      issuer: statement.issuer,
      seq: statement.seq,
      type: statement.type,
      visibility: statement.visibility,
      admittedAt: new Date(statement.admittedAt).toISOString(),
      ...(receipt === undefined ? {} : { index: receipt.leaf.index, receipt }),
      ...(mayRead(statement, viewer) ? { envelope: statement.envelope } : {}),
    };
  }

  /**
   * The receipt of an integrated statement against the current checkpoint, or undefined while it
   * is pending (not marked integrated, or its leaf is not yet below the committed head).
   */
  async receiptFor(
    statement: AdmittedStatement,
    knownHead?: LogHead,
  ): Promise<Receipt | undefined> {
    const index = statement.index;
    if (index === undefined) return undefined;
    const head = knownHead ?? (await this.#d.log.readHead());
    if (head === undefined || index >= head.size) return undefined;
    const [leaf] = await this.#d.log.readLeaves(index, 1);
    if (leaf === undefined || leaf.statement !== statement.id) {
      throw new Error(`leaf ${index} of ${statement.id} is missing`);
    }
    return {
      statement: statement.id,
      leaf,
      inclusion: await this.#inclusion(index, head.size, leaf),
      checkpoint: head.checkpoint,
    };
  }

  async entries(start: number, limit: number, viewer: Viewer): Promise<EntriesPage> {
    requireCount(start, 'start');
    requireCount(limit, 'limit');
    if (limit === 0) throw new LedgerError('RANGE_INVALID', 'limit must be at least 1');
    const size = (await this.#d.log.readHead())?.size ?? 0;
    const count = Math.min(limit, this.#d.config.pageLimit, Math.max(0, size - start));
    const leaves = count === 0 ? [] : await this.#d.log.readLeaves(start, count);
    if (leaves.length !== count) throw new Error(`log holds ${leaves.length} of ${count} leaves`);
    const entries = await Promise.all(leaves.map((leaf) => this.#entryView(leaf, viewer)));
    const end = start + count;
    return { entries, treeSize: size, ...(count > 0 && end < size ? { next: end } : {}) };
  }

  async entry(index: number, viewer: Viewer): Promise<EntryView> {
    requireCount(index, 'index');
    const size = (await this.#d.log.readHead())?.size ?? 0;
    if (index >= size) throw new LedgerError('NOT_FOUND', `no entry ${index} (tree size ${size})`);
    const [leaf] = await this.#d.log.readLeaves(index, 1);
    if (leaf === undefined) throw new Error(`leaf ${index} is missing`);
    return this.#entryView(leaf, viewer);
  }

  async #entryView(leaf: Leaf, viewer: Viewer): Promise<EntryView> {
    const bytes = utf8Encode(canonicalLeaf(leaf));
    const view: EntryView = {
      index: leaf.index,
      leaf,
      leafHash: toBase64(hashLeaf(bytes)),
      leafBytes: toBase64(bytes),
    };
    // Skip the statement read when the answer cannot include the envelope anyway.
    if (leaf.visibility !== 'public' && viewer.party === undefined) return view;
    const statement = await this.#d.statements.getBySeq(leaf.issuer, leaf.seq);
    if (statement === undefined || statement.id !== leaf.statement) {
      throw new Error(`statement of leaf ${leaf.index} is missing`);
    }
    return mayRead(statement, viewer) ? { ...view, envelope: statement.envelope } : view;
  }

  async checkpoint(): Promise<string> {
    const head = await this.#d.log.readHead();
    if (head === undefined) throw new LedgerError('NOT_FOUND', 'the log has no checkpoint yet');
    return head.checkpoint;
  }

  async inclusionProof(index: number, treeSize: number): Promise<InclusionProofJson> {
    requireCount(index, 'index');
    requireCount(treeSize, 'treeSize');
    const size = (await this.#d.log.readHead())?.size ?? 0;
    if (treeSize > size) {
      throw new LedgerError(
        'TREE_SIZE_BEYOND_LOG',
        `treeSize ${treeSize} exceeds the log (${size})`,
      );
    }
    if (index >= treeSize) {
      throw new LedgerError('RANGE_INVALID', `index ${index} is not below treeSize ${treeSize}`);
    }
    return this.#inclusion(index, treeSize);
  }

  async #inclusion(index: number, treeSize: number, leaf?: Leaf): Promise<InclusionProofJson> {
    const leafId: NodeId = { level: 0, index };
    const ids = inclusionProofNodeIds(index, treeSize);
    const get = await this.#nodes(leaf === undefined ? [leafId, ...ids] : ids);
    const hashes = inclusionProofFromNodes(index, treeSize, get);
    return {
      index,
      treeSize,
      leafHash: toBase64(leaf === undefined ? get(leafId) : leafHash(leaf)),
      hashes: hashes.map(toBase64),
    };
  }

  async consistencyProof(from: number, to: number): Promise<ConsistencyProofJson> {
    requireCount(from, 'from');
    requireCount(to, 'to');
    if (from > to) throw new LedgerError('RANGE_INVALID', `from ${from} exceeds to ${to}`);
    // RFC 6962 §2.1.2 defines consistency only from a non-empty tree: every tree extends the
    // empty one, and an empty "proof" for it would be accepted by a verifier for any root.
    if (from === 0) {
      throw new LedgerError('RANGE_INVALID', 'from must be at least 1 (RFC 6962 §2.1.2)', {
        parameter: 'from',
      });
    }
    const size = (await this.#d.log.readHead())?.size ?? 0;
    if (to > size) {
      throw new LedgerError('TREE_SIZE_BEYOND_LOG', `to ${to} exceeds the log (${size})`);
    }
    const get = await this.#nodes(consistencyProofNodeIds(from, to));
    return { from, to, hashes: consistencyProofFromNodes(from, to, get).map(toBase64) };
  }

  /** Reads the nodes in one call and returns a lookup that fails loudly on a missing one. */
  async #nodes(ids: readonly NodeId[]): Promise<(id: NodeId) => Uint8Array> {
    const found =
      ids.length === 0 ? new Map<string, Uint8Array>() : await this.#d.log.readNodes(ids);
    return (id) => {
      const hash = found.get(nodeKey(id));
      if (hash === undefined) throw new Error(`tree node ${nodeKey(id)} is missing`);
      return hash;
    };
  }

  async parties(): Promise<PartyView[]> {
    const registry = Registry.fromSnapshot(await this.#d.registry.read());
    return Promise.all(registry.parties().map((p) => this.#partyView(p)));
  }

  async party(id: string): Promise<PartyView> {
    const party = Registry.fromSnapshot(await this.#d.registry.read()).party(id);
    if (party === undefined) throw new LedgerError('NOT_FOUND', `no party ${id}`);
    return this.#partyView(party);
  }

  async #partyView(p: PartyRecord): Promise<PartyView> {
    const head = await this.#d.statements.head(p.id);
    return {
      id: p.id,
      name: p.name,
      kind: p.kind,
      keys: [...p.keys],
      ...(p.witness === undefined ? {} : { witness: p.witness }),
      registeredIndex: p.registeredIndex,
      head: head === undefined ? null : { seq: head.seq, statement: head.id },
    };
  }

  /**
   * POST /v1/evidence. Security: `body` is attacker-controlled JSON; exactly the three fields are
   * accepted, and the size is bounded before any presigning, so nobody obtains an upload URL
   * for more than the configured limit.
   */
  async createEvidenceUpload(body: unknown): Promise<EvidenceUploadView> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new LedgerError('SCHEMA_VIOLATION', '$: expected an object', { path: '$' });
    }
    const fields = body as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (key !== 'sha256' && key !== 'size' && key !== 'mediaType') {
        throw new LedgerError('UNKNOWN_FIELD', `$.${key}: unknown field`, { path: `$.${key}` });
      }
    }
    const { sha256, size, mediaType } = fields;
    if (typeof sha256 !== 'string' || !SHA256_HEX_RE.test(sha256)) {
      throw violation('$.sha256', 'must be 64 lowercase hex digits');
    }
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) {
      throw violation('$.size', 'must be a positive integer');
    }
    const max = this.#d.config.maxEvidenceBytes;
    if (size > max) {
      throw new LedgerError('EVIDENCE_TOO_LARGE', `$.size: exceeds ${max} bytes`, {
        path: '$.size',
      });
    }
    if (typeof mediaType !== 'string' || !MEDIA_TYPE_RE.test(mediaType)) {
      throw violation('$.mediaType', 'must be a type/subtype media type without parameters');
    }
    const stored = await this.#d.evidence.stat(sha256);
    if (stored !== undefined && stored.sha256 === sha256) {
      return { sha256, size: stored.size, mediaType: stored.mediaType ?? mediaType, stored: true };
    }
    const upload = await this.#d.evidence.createUpload(
      { sha256, size, mediaType },
      this.#d.config.evidenceUploadExpirySeconds,
    );
    return { sha256, size, mediaType, stored: false, upload: { ...upload } };
  }

  /** GET /v1/evidence/{sha256}: a short-lived URL, if the viewer may read a citing statement. */
  async evidenceDownload(sha256: string, viewer: Viewer): Promise<{ url: string }> {
    if (!SHA256_HEX_RE.test(sha256)) throw new LedgerError('NOT_FOUND', `no evidence ${sha256}`);
    const citing = await this.#d.statements.citing(sha256, CITING_LOOKUP_LIMIT);
    if (citing.length === 0) {
      throw new LedgerError('NOT_FOUND', `no statement cites evidence ${sha256}`);
    }
    if (!citing.some((s) => mayRead(s, viewer))) {
      throw new LedgerError('FORBIDDEN', 'no statement citing this evidence is readable by you');
    }
    const url = await this.#d.evidence.createDownload(
      sha256,
      this.#d.config.evidenceUploadExpirySeconds,
    );
    return { url };
  }
}

function violation(path: string, message: string): LedgerError {
  return new LedgerError('SCHEMA_VIOLATION', `${path}: ${message}`, { path });
}
