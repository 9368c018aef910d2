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
  toBase64,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Leaf, NodeId } from '@cbm-ledger/protocol';
import type { LedgerConfig } from './config.js';
import { LedgerError } from './errors.js';
import type {
  AdmittedStatement,
  Clock,
  EvidenceQuota,
  EvidenceStore,
  LogHead,
  LogReader,
  PartyRecord,
  RegistryReader,
  StatementReader,
} from './ports.js';
import { EvidenceAccess, mayRead } from './evidence-access.js';
import { integrityFault, readCheckedLeaves, readCheckedStatement } from './integrity.js';
import { Registry } from './registry.js';
import type {
  ConsistencyProofJson,
  EntriesPage,
  EntryView,
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
  /** Per-party evidence upload budget; without one, a per-process one (evidence-access.ts). */
  readonly evidenceQuota?: EvidenceQuota;
  readonly clock: Clock;
  readonly config: LedgerConfig;
  readonly logVkey: string;
}

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

export class LedgerReads {
  readonly #d: ReadDeps;
  readonly #evidence: EvidenceAccess;

  constructor(deps: ReadDeps) {
    this.#d = deps;
    this.#evidence = new EvidenceAccess(deps);
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
      ...(statement.promise === undefined ? {} : { promise: statement.promise }),
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
    // #leaves has checked that the leaf is there, at this index.
    const leaf = (await this.#leaves(index, 1))[0]!;
    if (leaf.statement !== statement.id) {
      throw integrityFault(index, `its leaf commits to ${leaf.statement}, not ${statement.id}`);
    }
    return {
      statement: statement.id,
      leaf,
      inclusion: await this.#inclusion(index, head.size, leaf),
      checkpoint: head.checkpoint,
      ...(statement.promise === undefined ? {} : { promise: statement.promise }),
    };
  }

  async entries(start: number, limit: number, viewer: Viewer): Promise<EntriesPage> {
    requireCount(start, 'start');
    requireCount(limit, 'limit');
    if (limit === 0) throw new LedgerError('RANGE_INVALID', 'limit must be at least 1');
    const size = (await this.#d.log.readHead())?.size ?? 0;
    const count = Math.min(limit, this.#d.config.pageLimit, Math.max(0, size - start));
    const leaves = count === 0 ? [] : await this.#leaves(start, count);
    const entries = await Promise.all(leaves.map((leaf) => this.#entryView(leaf, viewer)));
    const end = start + count;
    return { entries, treeSize: size, ...(count > 0 && end < size ? { next: end } : {}) };
  }

  async entry(index: number, viewer: Viewer): Promise<EntryView> {
    requireCount(index, 'index');
    const size = (await this.#d.log.readHead())?.size ?? 0;
    if (index >= size) throw new LedgerError('NOT_FOUND', `no entry ${index} (tree size ${size})`);
    const [leaf] = await this.#leaves(index, 1);
    return this.#entryView(leaf!, viewer);
  }

  /** Leaves [start, start + count) below the head, checked (integrity.ts). */
  #leaves(start: number, count: number): Promise<Leaf[]> {
    return readCheckedLeaves(this.#d.log, start, count);
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
    const statement = await readCheckedStatement(this.#d.statements, leaf);
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
    const get = await this.#nodes(leaf === undefined ? [leafId, ...ids] : ids, index);
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

  /**
   * Reads the nodes in one call and returns a lookup that fails loudly on a missing one. A node
   * missing or unreadable in the store answers STORE_INTEGRITY naming the node (and, for an
   * inclusion proof, the entry it was asked for), never a bare 500.
   */
  async #nodes(ids: readonly NodeId[], entry?: number): Promise<(id: NodeId) => Uint8Array> {
    let found: Map<string, Uint8Array>;
    try {
      found = ids.length === 0 ? new Map<string, Uint8Array>() : await this.#d.log.readNodes(ids);
    } catch (e) {
      if (e instanceof LedgerError) throw e;
      throw nodeFault(
        ids.map(nodeKey).join(', '),
        e instanceof Error ? e.message : String(e),
        entry,
      );
    }
    return (id) => {
      const hash = found.get(nodeKey(id));
      if (hash === undefined || hash.length !== 32) {
        throw nodeFault(nodeKey(id), hash === undefined ? 'missing' : 'not a 32-byte hash', entry);
      }
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
      ...(p.witnessSetIndex === undefined ? {} : { witnessSetIndex: p.witnessSetIndex }),
      ...(p.recoveries === undefined ? {} : { recoveries: [...p.recoveries] }),
      head: head === undefined ? null : { seq: head.seq, statement: head.id },
    };
  }

  /** GET /v1/evidence/{sha256} (evidence-access.ts). */
  evidenceDownload(sha256: string, viewer: Viewer): Promise<{ url: string }> {
    return this.#evidence.download(sha256, viewer);
  }
}

function nodeFault(node: string, why: string, entry?: number): LedgerError {
  return new LedgerError(
    'STORE_INTEGRITY',
    `tree node ${node} fails its integrity check in the store: ${why}` +
      (entry === undefined ? '' : ` (needed for entry ${entry})`),
    { node, ...(entry === undefined ? {} : { index: entry }) },
  );
}
