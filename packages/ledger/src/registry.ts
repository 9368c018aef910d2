/**
 * The registry of parties and keys, and of the measures the log defines (what measure admission
 * checks against), derived from the log alone: folding `apply` over the leaves
 * in index order (with their statements) gives the same registry on every machine, so anyone
 * holding the log can recompute who could sign what, and when.
 *
 * `apply` is total: it never throws on a statement that admission let through, because two
 * statements admitted against the same registry state may conflict once both are in the log (two
 * rotations of one key, a registration racing a revocation). The first in log order wins and
 * the later one does what it still can; admission rejects such statements whenever it sees the
 * conflict already integrated.
 */
import { MeasureBook, pendingRecovery } from '@cbm-ledger/compliance';
import type { MeasureRecord, RecoveryRecord } from '@cbm-ledger/compliance';
import { formatUtcMillis, leafRecordedAt, parseUtcTimestamp } from '@cbm-ledger/protocol';
import type {
  AnyStatement,
  GenesisBody,
  KeyAddBody,
  KeyEntry,
  KeyRevokeBody,
  KeyRotateBody,
  Leaf,
  PartyRecoverBody,
  PartyRegisterBody,
  RecoveryVetoBody,
  Statement,
  WitnessSetBody,
} from '@cbm-ledger/protocol';
import type { KeyRecord, PartyRecord, RegistrySnapshot } from './ports.js';

/**
 * Statement types that change the registry: parties and keys, and the measures admission checks
 * measure statements against (the compliance package's MeasureBook, folded the same way).
 */
export const REGISTRY_TYPES: ReadonlySet<string> = new Set([
  'ledger.genesis',
  'party.register',
  'key.rotate',
  'key.revoke',
  'measure.define',
  'measure.review',
  'measure.renew',
  'measure.withdraw',
  // Registry extension 1 (docs/registry.md).
  'key.add',
  'witness.set',
  'party.recover',
  'recovery.veto',
]);

export interface KeyOwner {
  readonly party: PartyRecord;
  readonly key: KeyRecord;
}

export class Registry {
  #asOf: number;
  readonly #parties: Map<string, PartyRecord>;
  /** keyid → party id; a keyid belongs to at most one party, forever. */
  readonly #owners: Map<string, string>;
  readonly #measures = new MeasureBook();

  private constructor(
    asOf: number,
    parties: readonly PartyRecord[],
    measures: readonly MeasureRecord[] = [],
  ) {
    this.#asOf = asOf;
    for (const m of measures) this.#measures.measures.set(m.id, m);
    this.#parties = new Map();
    this.#owners = new Map();
    for (const p of parties) {
      this.#parties.set(p.id, p);
      for (const k of p.keys) this.#owners.set(k.keyid, p.id);
    }
  }

  static empty(): Registry {
    return new Registry(0, []);
  }

  static fromSnapshot(snapshot: RegistrySnapshot | undefined): Registry {
    if (snapshot === undefined) return Registry.empty();
    return new Registry(
      snapshot.asOf,
      structuredClone(snapshot.parties),
      structuredClone(snapshot.measures ?? []),
    );
  }

  toSnapshot(): RegistrySnapshot {
    const measures = [...this.#measures.measures.values()];
    return {
      asOf: this.#asOf,
      parties: structuredClone(this.parties()),
      ...(measures.length === 0 ? {} : { measures: structuredClone(measures) }),
    };
  }

  /** The measures defined so far, for measure admission (read it, never add to it). */
  measures(): MeasureBook {
    return this.#measures;
  }

  /** Number of log entries folded in: the registry describes the log's first `asOf` entries. */
  get asOf(): number {
    return this.#asOf;
  }

  /** Parties in registration order. */
  parties(): PartyRecord[] {
    return [...this.#parties.values()].sort((a, b) => a.registeredIndex - b.registeredIndex);
  }

  party(id: string): PartyRecord | undefined {
    return this.#parties.get(id);
  }

  /** The operator that created the ledger (registered by entry 0). */
  operator(): PartyRecord | undefined {
    for (const p of this.#parties.values()) {
      if (p.kind === 'operator' && p.registeredIndex === 0) return p;
    }
    return undefined;
  }

  /** The party holding `keyid` and the key's record, whatever its status. */
  key(keyid: string): KeyOwner | undefined {
    const owner = this.#owners.get(keyid);
    const party = owner === undefined ? undefined : this.#parties.get(owner);
    const key = party?.keys.find((k) => k.keyid === keyid);
    return party === undefined || key === undefined ? undefined : { party, key };
  }

  /**
   * The party's keys that sign at time `at` (epoch ms; default: now, i.e. every active key):
   * registered at or before `at`, and not rotated out or revoked by then.
   */
  keysOf(partyId: string, at?: number): KeyRecord[] {
    const party = this.#parties.get(partyId);
    if (party === undefined) return [];
    if (at === undefined) return party.keys.filter((k) => k.status === 'active');
    return party.keys.filter((k) => {
      const from = parseUtcTimestamp(k.validFrom) ?? Infinity;
      const until = k.validUntil === undefined ? Infinity : (parseUtcTimestamp(k.validUntil) ?? 0);
      return from <= at && at < until;
    });
  }

  /**
   * Folds one log entry in; `statement` is required for the REGISTRY_TYPES and ignored for the
   * others. Entries below `asOf` were folded already and are ignored, so replaying a batch after
   * a crash is harmless; a gap is a caller bug and throws.
   */
  apply(leaf: Leaf, statement?: Statement): void {
    if (leaf.index < this.#asOf) return;
    if (leaf.index > this.#asOf) {
      throw new Error(`registry at ${this.#asOf} cannot apply entry ${leaf.index}`);
    }
    if (REGISTRY_TYPES.has(leaf.type)) {
      if (
        statement === undefined ||
        statement.type !== leaf.type ||
        statement.issuer !== leaf.issuer ||
        statement.seq !== leaf.seq
      ) {
        throw new Error(`entry ${leaf.index} needs its own ${leaf.type} statement`);
      }
      switch (statement.type) {
        case 'ledger.genesis':
          // Only entry 0 creates the ledger; a later genesis (two raced on an empty log) is inert.
          if (leaf.index === 0) this.#genesis(statement.body as GenesisBody, leaf);
          break;
        case 'party.register':
          this.#register(statement.body as PartyRegisterBody, leaf);
          break;
        case 'key.rotate':
          this.#rotate(statement.body as KeyRotateBody, leaf);
          break;
        case 'key.revoke':
          this.#revoke(statement.body as KeyRevokeBody, leaf);
          break;
        case 'key.add':
          this.#addKey(statement.body as KeyAddBody, leaf);
          break;
        case 'witness.set':
          this.#setWitness(statement.body as WitnessSetBody, leaf);
          break;
        case 'party.recover':
          this.#recover(statement.body as PartyRecoverBody, leaf);
          break;
        case 'recovery.veto':
          this.#veto(statement.body as RecoveryVetoBody, leaf);
          break;
        case 'measure.define':
        case 'measure.review':
        case 'measure.renew':
        case 'measure.withdraw':
          // The book keeps the first definition of an id and ignores what non-parties say.
          this.#measures.add({
            index: leaf.index,
            // Judged on the time the log committed to (acceptedAt for v2), as compliance does.
            integratedAt: parseUtcTimestamp(leafRecordedAt(leaf)) ?? 0,
            statementId: leaf.statement,
            statement: statement as AnyStatement,
          });
          break;
        default:
          break;
      }
    }
    this.#asOf = leaf.index + 1;
  }

  #newKeys(entries: readonly KeyEntry[], leaf: Leaf): KeyRecord[] {
    const added: KeyRecord[] = [];
    for (const e of entries) {
      // First registration of a key wins: a keyid never changes hands or comes back to life.
      if (this.#owners.has(e.keyid) || added.some((k) => k.keyid === e.keyid)) continue;
      added.push({
        keyid: e.keyid,
        publicKey: e.publicKey,
        validFromIndex: leaf.index,
        validFrom: leaf.integratedAt,
        status: 'active',
      });
    }
    return added;
  }

  #put(party: PartyRecord): void {
    this.#parties.set(party.id, party);
    for (const k of party.keys) this.#owners.set(k.keyid, party.id);
  }

  #genesis(body: GenesisBody, leaf: Leaf): void {
    this.#put({
      id: body.operator.id,
      name: body.operator.name,
      kind: 'operator',
      keys: this.#newKeys(body.keys, leaf),
      registeredIndex: leaf.index,
    });
  }

  /**
   * A new party is added with its keys and witness identity. A party is introduced once: a
   * later party.register of the same id is inert, whatever it lists (admission refuses it with
   * PARTY_ALREADY_REGISTERED; an older build admitted such entries, and replaying one must not
   * hand its keys or witness to the party — the audit reports it as a violation).
   */
  #register(body: PartyRegisterBody, leaf: Leaf): void {
    if (this.#parties.has(body.party.id)) return;
    this.#put({
      id: body.party.id,
      name: body.party.name,
      kind: body.party.kind,
      keys: this.#newKeys(body.keys, leaf),
      ...(body.witness === undefined || this.#witnessTaken(body.party.id, body.witness)
        ? {}
        : { witness: { ...body.witness } }),
      registeredIndex: leaf.index,
    });
  }

  /** Whether another party holds this witness name or key (first holder keeps it). */
  #witnessTaken(party: string, w: { name: string; publicKey: string }): boolean {
    for (const p of this.#parties.values()) {
      if (p.id === party || p.witness === undefined) continue;
      if (p.witness.name === w.name || p.witness.publicKey === w.publicKey) return true;
    }
    return false;
  }

  #addKey(body: KeyAddBody, leaf: Leaf): void {
    const party = this.#parties.get(body.party);
    if (party === undefined) return;
    this.#put({ ...party, keys: [...party.keys, ...this.#newKeys([body.newKey], leaf)] });
  }

  /** The party's own witness.set replaces its cosigner identity. */
  #setWitness(body: WitnessSetBody, leaf: Leaf): void {
    const party = this.#parties.get(body.party);
    if (party === undefined || this.#witnessTaken(body.party, body.witness)) return;
    this.#put({ ...party, witness: { ...body.witness }, witnessSetIndex: leaf.index });
  }

  /**
   * A recovery: the new keys sign from `effectiveAt`, and from then the party's other keys stop
   * (validUntil), unless a recovery.veto is integrated first. One pending recovery at a time.
   */
  #recover(body: PartyRecoverBody, leaf: Leaf): void {
    const party = this.#parties.get(body.party);
    if (party === undefined) return;
    const integrated = parseUtcTimestamp(leaf.integratedAt) ?? 0;
    const effective = parseUtcTimestamp(body.effectiveAt) ?? 0;
    if (effective <= integrated || pendingRecovery(party, integrated) !== undefined) return;
    const keys = this.#newKeys(body.keys, leaf).map((k) => ({ ...k, validFrom: body.effectiveAt }));
    if (keys.length === 0) return;
    const stopped = party.keys.map((k): KeyRecord => {
      if (k.status !== 'active') return k;
      const until = k.validUntil === undefined ? Infinity : (parseUtcTimestamp(k.validUntil) ?? 0);
      if (until <= effective) return k;
      return { ...k, validUntilIndex: leaf.index, validUntil: body.effectiveAt };
    });
    const record: RecoveryRecord = {
      index: leaf.index,
      statement: leaf.statement,
      effectiveAt: body.effectiveAt,
      keyids: keys.map((k) => k.keyid),
      measure: body.measure,
    };
    this.#put({
      ...party,
      keys: [...stopped, ...keys],
      recoveries: [...(party.recoveries ?? []), record],
    });
  }

  /**
   * A veto before effectiveAt cancels the recovery: its keys are revoked from the start (they
   * never sign) and the keys it would have stopped sign on.
   */
  #veto(body: RecoveryVetoBody, leaf: Leaf): void {
    const party = this.#parties.get(body.party);
    if (party === undefined) return;
    const integrated = parseUtcTimestamp(leaf.integratedAt) ?? 0;
    const pending = pendingRecovery(party, integrated);
    if (pending?.statement !== body.recovery) return;
    const cancelled = new Set(pending.keyids);
    const keys = party.keys.map((k): KeyRecord => {
      if (cancelled.has(k.keyid)) {
        return {
          ...k,
          status: 'revoked',
          validUntilIndex: leaf.index,
          validUntil: k.validFrom,
          revocationReason: 'recovery vetoed',
        };
      }
      if (k.status === 'active' && k.validUntilIndex === pending.index) {
        const rest: { -readonly [F in keyof KeyRecord]?: KeyRecord[F] } = { ...k };
        delete rest.validUntil;
        delete rest.validUntilIndex;
        return rest as KeyRecord;
      }
      return k;
    });
    const recoveries = (party.recoveries ?? []).map((r) =>
      r.index === pending.index ? { ...r, vetoedIndex: leaf.index } : r,
    );
    this.#put({ ...party, keys, recoveries });
  }

  #rotate(body: KeyRotateBody, leaf: Leaf): void {
    const party = this.#parties.get(body.party);
    if (party === undefined) return;
    const keys = party.keys.map((k) =>
      k.keyid === body.retiredKeyid && k.status === 'active'
        ? {
            ...k,
            status: 'retired' as const,
            validUntilIndex: leaf.index,
            validUntil: leaf.integratedAt,
          }
        : k,
    );
    this.#put({ ...party, keys: [...keys, ...this.#newKeys([body.newKey], leaf)] });
  }

  /**
   * The key stops signing when the revocation is integrated, or from `effectiveAt` if that is
   * earlier (a compromise reported after the fact). A future `effectiveAt` does not defer it: a
   * key somebody asked to revoke should not keep signing in the meantime.
   */
  #revoke(body: KeyRevokeBody, leaf: Leaf): void {
    const party = this.#parties.get(body.party);
    if (party === undefined) return;
    const integrated = parseUtcTimestamp(leaf.integratedAt) ?? 0;
    const effective = parseUtcTimestamp(body.effectiveAt) ?? integrated;
    const keys = party.keys.map((k): KeyRecord => {
      if (k.keyid !== body.keyid || k.status === 'revoked') return k;
      const earlier =
        k.validUntil === undefined ? integrated : (parseUtcTimestamp(k.validUntil) ?? 0);
      return {
        ...k,
        status: 'revoked',
        validUntilIndex: k.validUntilIndex ?? leaf.index,
        validUntil: formatUtcMillis(Math.min(earlier, effective)),
        revocationReason: body.reason,
      };
    });
    this.#put({ ...party, keys });
  }
}
