/**
 * A ledger's log built in memory, for the audit's unit tests: real keys, signed statements,
 * leaves, tree and checkpoint, served through the AuditSource interface the way the API serves
 * them — with hooks to break any part of it.
 */
import {
  CompactRange,
  GENESIS_PREV,
  canonicalLeaf,
  NoteKeyType,
  STATEMENT_PAYLOAD_TYPE,
  consistencyProof,
  encodeVkey,
  envelopeDigest,
  formatCheckpoint,
  generateKeyFile,
  keyFileSeed,
  leafHash,
  leafHashHex,
  signEnvelope,
  signNoteText,
  statementId,
  toBase64,
  toBase64Url,
  utf8Encode,
  ed25519,
} from '@cbm-ledger/protocol';
import type {
  Envelope,
  KeyFile,
  Leaf,
  Statement,
  StatementType,
  Visibility,
} from '@cbm-ledger/protocol';
import type { EntryView } from '@cbm-ledger/ledger';
import type { AuditSource } from '../../src/audit/core.js';

export const ORIGIN = 'cbm-ledger.test/audit';
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

let seedCounter = 1;
export function testKey(party: string): KeyFile {
  const seed = new Uint8Array(32);
  new DataView(seed.buffer).setUint32(0, seedCounter++);
  seed[31] = 0x42;
  return generateKeyFile(party, seed);
}

interface Issuer {
  key: KeyFile;
  seq: number;
  prev: string | null;
}

export interface AddOptions {
  /** Keys that sign (default: the issuer's current key). */
  signers?: KeyFile[];
  visibility?: Visibility;
  audience?: string[];
  /** Served without its envelope (as to an anonymous reader of a non-public entry). */
  hidden?: boolean;
  /** Change the statement before it is signed. */
  statement?: (s: Statement) => void;
  /** Change the envelope after signing (the leaf records the changed envelope). */
  envelope?: (e: Envelope) => void;
  /** Change the leaf before it is hashed into the tree. */
  leaf?: (l: Leaf) => void;
  /** Seconds after the previous entry (default 1). */
  after?: number;
  /** issuedAt relative to integratedAt, in seconds (default -1). */
  issuedOffset?: number;
}

export class TestLog {
  readonly origin = ORIGIN;
  readonly logSeed: Uint8Array;
  readonly logVkey: string;
  readonly operator = testKey('operator:test');
  readonly entries: EntryView[] = [];
  readonly hashes: Uint8Array[] = [];
  readonly issuers = new Map<string, Issuer>();
  #time = T0;
  /** Entries served differently from what the tree holds (store tampering). */
  readonly served = new Map<number, EntryView>();

  constructor(logSeedByte = 0x17) {
    this.logSeed = new Uint8Array(32).fill(logSeedByte);
    this.logVkey = encodeVkey(ORIGIN, NoteKeyType.ed25519, ed25519.publicKeyFromSeed(this.logSeed));
    this.issuers.set(this.operator.party, { key: this.operator, seq: 0, prev: null });
    this.add(this.operator.party, 'ledger.genesis', {
      origin: ORIGIN,
      logVkey: this.logVkey,
      operator: { id: this.operator.party, name: 'Test operator' },
      keys: [{ keyid: this.operator.keyid, publicKey: this.operator.publicKey }],
    });
  }

  /** Registers a party (by the operator) and returns its key. */
  register(id: string, options: AddOptions & { witness?: KeyFile } = {}): KeyFile {
    const key = testKey(id);
    const kind = id.slice(0, id.indexOf(':'));
    this.add(
      this.operator.party,
      'party.register',
      {
        party: { id, name: `Party ${id}`, kind },
        keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
        ...(options.witness === undefined
          ? {}
          : {
              witness: {
                name: `${id.replace(':', '-')}.witness`,
                publicKey: options.witness.publicKey,
              },
            }),
      },
      options,
    );
    this.issuers.set(id, { key, seq: 0, prev: null });
    return key;
  }

  /** key.rotate by the party to a new key, signed by the old and the new one. */
  rotate(id: string): KeyFile {
    const issuer = this.issuers.get(id)!;
    const next = testKey(id);
    this.add(
      id,
      'key.rotate',
      {
        party: id,
        newKey: { keyid: next.keyid, publicKey: next.publicKey },
        retiredKeyid: issuer.key.keyid,
      },
      { signers: [issuer.key, next] },
    );
    issuer.key = next;
    return next;
  }

  add(issuerId: string, type: StatementType, body: unknown, options: AddOptions = {}): EntryView {
    const issuer = this.issuers.get(issuerId);
    if (issuer === undefined) throw new Error(`unknown issuer ${issuerId}`);
    const index = this.entries.length;
    this.#time += (options.after ?? 1) * 1000;
    const visibility = options.visibility ?? 'public';
    const statement: Statement = {
      v: 1,
      ledger: ORIGIN,
      type,
      issuer: issuerId,
      seq: issuer.seq + 1,
      prev: issuer.prev,
      issuedAt: new Date(this.#time + (options.issuedOffset ?? -1) * 1000).toISOString(),
      nonce: toBase64Url(utf8Encode(`nonce-${index}-nonce-nonce`).subarray(0, 16)),
      visibility,
      ...(visibility === 'restricted' ? { audience: options.audience ?? ['state:EGY'] } : {}),
      body,
    };
    options.statement?.(statement);
    const payload = utf8Encode(JSON.stringify(statement));
    const envelope = signEnvelope(
      STATEMENT_PAYLOAD_TYPE,
      payload,
      (options.signers ?? [issuer.key]).map(keyFileSeed),
    );
    options.envelope?.(envelope);
    const prev = index === 0 ? GENESIS_PREV : leafHashHex(this.entries[index - 1]!.leaf);
    const leaf: Leaf = {
      v: 1,
      index,
      prev,
      integratedAt: new Date(this.#time).toISOString(),
      statement: statementId(payload),
      envelope: envelopeDigest(envelope),
      type,
      issuer: issuerId,
      seq: statement.seq,
      visibility,
      evidence: (statement.evidence ?? []).map((e) => `sha256:${e.sha256}`),
    };
    options.leaf?.(leaf);
    const hash = leafHash(leaf);
    const view: EntryView = {
      index,
      leaf,
      leafHash: toBase64(hash),
      leafBytes: toBase64(utf8Encode(canonicalLeaf(leaf))),
      ...(options.hidden === true ? {} : { envelope }),
    };
    this.entries.push(view);
    this.hashes.push(hash);
    issuer.seq = statement.seq;
    issuer.prev = leaf.statement;
    return view;
  }

  /** The signed checkpoint of the first `size` entries. */
  checkpoint(size = this.entries.length): string {
    const range = CompactRange.empty();
    for (const h of this.hashes.slice(0, size)) range.append(h);
    return signNoteText(
      formatCheckpoint({ origin: ORIGIN, size, rootHash: range.root(), extensions: [] }),
      [{ name: ORIGIN, seed: this.logSeed }],
    );
  }

  /** Serves entry `index` changed by `change`, as a store edited behind the log's back would. */
  tamper(index: number, change: (leaf: Leaf) => void): void {
    const original = this.entries[index]!;
    const leaf = structuredClone(original.leaf);
    change(leaf);
    this.served.set(index, { ...original, leaf, leafHash: toBase64(leafHash(leaf)) });
  }

  source(size = this.entries.length): AuditSource & { requests: number } {
    const note = this.checkpoint(size);
    const entry = (i: number): EntryView => this.served.get(i) ?? this.entries[i]!;
    const hashes = this.hashes;
    const counter = { requests: 0 };
    return Object.assign(counter, {
      checkpoint(): Promise<string> {
        counter.requests++;
        return Promise.resolve(note);
      },
      entries(start: number, limit: number) {
        counter.requests++;
        const end = Math.min(size, start + limit);
        const entries: EntryView[] = [];
        for (let i = start; i < end; i++) entries.push(entry(i));
        return Promise.resolve({
          entries: structuredClone(entries),
          treeSize: size,
          ...(end < size ? { next: end } : {}),
        });
      },
      consistencyProof(from: number, to: number) {
        counter.requests++;
        return Promise.resolve({
          from,
          to,
          hashes: consistencyProof(hashes, from, to).map(toBase64),
        });
      },
    });
  }
}

export const notificationBody = (designation: string): unknown => ({
  designation,
  activityType: 'exercise',
  noticeClass: 'standard',
  start: '2027-04-10T05:00:00Z',
  end: '2027-04-20T18:00:00Z',
  area: { description: 'Training area' },
  participatingStates: ['state:JOR'],
  counts: {
    troops: 12000,
    battleTanks: 180,
    acv: 320,
    artillery: 90,
    aircraftSorties: 60,
    amphibiousTroops: 0,
    airborneTroops: 800,
  },
  observation: { invited: true, invitees: ['observer:un-team'] },
});

export const measureBody = (id: string, parties: string[]): unknown => ({
  id,
  title: `Measure ${id}`,
  parties,
  ruleSet: 'vd2011',
  overrides: {},
  adoptedAt: '2026-01-15T12:00:00Z',
  inForceAt: '2026-02-01T00:00:00Z',
  term: { sunsetAt: '2031-02-01T00:00:00Z', renewal: 'none', terminationNoticeDays: 90 },
  review: { firstAt: '2027-02-01T00:00:00Z', intervalMonths: 12, graceDays: 30 },
});
