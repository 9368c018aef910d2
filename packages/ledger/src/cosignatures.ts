/**
 * Witness cosignatures (DESIGN.md §4, C2SP tlog-cosignature): intake of cosignatures from
 * registered witnesses, the checkpoint served with every valid one appended, and the quorum
 * status of any checkpoint the log signed.
 *
 * A cosignature is kept only after it verified over a checkpoint this log signed and still holds
 * (its log signature verifies under the log's vkey and its body is the one stored for its size).
 * Cosignatures are re-verified against the witness keys of the current registry whenever they are
 * served, so a party that sets a new witness identity (its own witness.set, docs/registry.md)
 * stops vouching with its old one, and a stored line can never smuggle an unverified signature
 * into a served note. The witness identity is only ever one the party set: its registration (the
 * one introduction) or its own witness.set; nobody else can change it.
 */
import {
  SIGNATURE_LINE_PREFIX,
  appendCosignatures,
  fromBase64,
  isProtocolError,
  openCheckpoint,
  parseNote,
  parseSignatureLine,
  parseVkey,
  verifyCosignatureLine,
} from '@cbm-ledger/protocol';
import type { NoteVerifierKey, WitnessKey } from '@cbm-ledger/protocol';
import type { LedgerConfig } from './config.js';
import { LedgerError } from './errors.js';
import type {
  Clock,
  LogReader,
  LogStore,
  PartyRecord,
  RegistryReader,
  StoredCosignature,
} from './ports.js';
import { Registry } from './registry.js';

/** Body of POST /v1/checkpoint/cosignatures. */
export interface CosignatureRequest {
  /** The checkpoint note as served (other signatures may follow the log's). */
  checkpoint: string;
  /** One cosignature line, `— <witness name> <base64>`. */
  cosignature: string;
}

/** What POST /v1/checkpoint/cosignatures answers. */
export interface CosignatureReceipt {
  treeSize: number;
  witness: string;
  party: string;
  /** POSIX seconds, as cosigned. */
  time: number;
  /** False when this very cosignature was kept already. */
  stored: boolean;
}

export interface WitnessCosignature {
  witness: string;
  party: string;
  /** POSIX seconds. */
  time: number;
}

/** GET /v1/checkpoints/{size}: a checkpoint the log signed, its cosignatures and quorum. */
export interface CheckpointStatus {
  treeSize: number;
  /** The signed note with every valid cosignature (the newest per witness) appended. */
  checkpoint: string;
  cosignatures: WitnessCosignature[];
  quorum: {
    /** k: distinct witnesses required (0: none asked for). */
    required: number;
    /** n: registered witnesses. */
    witnesses: number;
    /** Whether at least k distinct registered witnesses cosigned this checkpoint. */
    met: boolean;
  };
}

/** Bounds the request: a note of a hundred signatures and one line fit easily. */
const MAX_NOTE_CHARS = 32 * 1024;
const MAX_LINE_CHARS = 1024;

export interface WitnessReadDeps {
  readonly log: LogReader;
  readonly registry: RegistryReader;
  readonly config: LedgerConfig;
}

interface RegisteredWitness extends WitnessKey {
  readonly party: string;
}

function registeredWitnesses(parties: readonly PartyRecord[]): RegisteredWitness[] {
  return parties.flatMap((p) =>
    p.witness === undefined
      ? []
      : [{ name: p.witness.name, publicKey: fromBase64(p.witness.publicKey, 32), party: p.id }],
  );
}

/** The read side: what both the API and the read-only public view serve. */
export class WitnessReads {
  readonly #d: WitnessReadDeps;

  constructor(deps: WitnessReadDeps) {
    this.#d = deps;
  }

  /** The newest checkpoint with every valid cosignature appended (GET /v1/checkpoint). */
  async checkpoint(): Promise<string> {
    const head = await this.#d.log.readHead();
    if (head === undefined) throw new LedgerError('NOT_FOUND', 'the log has no checkpoint yet');
    return (await this.#cosigned(head.size, head.checkpoint)).checkpoint;
  }

  /** A checkpoint the log signed at `size`, its valid cosignatures, and whether k were met. */
  async checkpointStatus(size: number): Promise<CheckpointStatus> {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new LedgerError('RANGE_INVALID', 'size must be a non-negative integer');
    }
    const note = await this.#d.log.getCheckpoint(size);
    if (note === undefined)
      throw new LedgerError('NOT_FOUND', `the log signed no checkpoint of size ${size}`);
    return this.#cosigned(size, note);
  }

  async #cosigned(size: number, note: string): Promise<CheckpointStatus> {
    const [stored, snapshot] = await Promise.all([
      this.#d.log.listCosignatures(size),
      this.#d.registry.read(),
    ]);
    const witnesses = registeredWitnesses(Registry.fromSnapshot(snapshot).parties());
    const body = parseNote(note).text;
    const valid = newestValid(body, stored, witnesses);
    const required = this.#d.config.witnessQuorum;
    const distinct = new Set(valid.map((v) => v.witness)).size;
    return {
      treeSize: size,
      checkpoint:
        valid.length === 0
          ? note
          : appendCosignatures(
              note,
              valid.map((v) => v.line),
            ),
      cosignatures: valid.map(({ witness, party, time }) => ({ witness, party, time })),
      quorum: { required, witnesses: witnesses.length, met: distinct >= required },
    };
  }
}

/**
 * Per witness name, the newest stored line that verifies under a currently registered witness
 * key of that name; sorted by witness name so the served note is deterministic.
 */
function newestValid(
  body: string,
  stored: readonly StoredCosignature[],
  witnesses: readonly RegisteredWitness[],
): (WitnessCosignature & { line: string })[] {
  const byName = new Map<string, WitnessCosignature & { line: string }>();
  for (const c of stored) {
    const current = byName.get(c.witness);
    if (current !== undefined && current.time >= c.time) continue;
    for (const w of witnesses) {
      if (w.name !== c.witness) continue;
      try {
        const { time } = verifyCosignatureLine(body, c.line, w);
        byName.set(c.witness, { witness: w.name, party: w.party, time, line: c.line });
        break;
      } catch {
        // Made with a key the witness no longer holds: kept for audit, not served.
      }
    }
  }
  return [...byName.values()].sort((a, b) => (a.witness < b.witness ? -1 : 1));
}

export interface CosignatureIntakeDeps {
  readonly log: LogStore;
  readonly registry: RegistryReader;
  readonly clock: Clock;
  readonly config: LedgerConfig;
  readonly logVkey: string;
}

function requireText(fields: Record<string, unknown>, name: string, max: number): string {
  const value = fields[name];
  if (typeof value !== 'string') {
    throw new LedgerError('SCHEMA_VIOLATION', `$.${name}: must be a string`, { path: `$.${name}` });
  }
  if (value.length > max) {
    throw new LedgerError('SCHEMA_VIOLATION', `$.${name}: longer than ${max} characters`, {
      path: `$.${name}`,
    });
  }
  return value;
}

/** POST /v1/checkpoint/cosignatures: the only write of this module. */
export class CosignatureIntake {
  readonly #d: CosignatureIntakeDeps;
  readonly #logKey: NoteVerifierKey;

  constructor(deps: CosignatureIntakeDeps) {
    this.#d = deps;
    this.#logKey = parseVkey(deps.logVkey);
  }

  /**
   * Security: the whole body is attacker-controlled and unauthenticated; the cosignature line is
   * what authenticates it. Nothing is written unless the checkpoint is one this log signed and
   * stored, the name is a registered witness, and the line verifies under that witness's key.
   */
  async add(body: unknown): Promise<CosignatureReceipt> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new LedgerError('SCHEMA_VIOLATION', '$: expected an object', { path: '$' });
    }
    const fields = body as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (key !== 'checkpoint' && key !== 'cosignature') {
        throw new LedgerError('UNKNOWN_FIELD', `$.${key}: unknown field`, { path: `$.${key}` });
      }
    }
    const note = requireText(fields, 'checkpoint', MAX_NOTE_CHARS);
    const line = requireText(fields, 'cosignature', MAX_LINE_CHARS);

    // 1. The checkpoint: signed by this log, and the very body the log stored for its size.
    let checkpointBody: string;
    let size: number;
    try {
      const opened = openCheckpoint(note, this.#logKey);
      checkpointBody = opened.note.text;
      size = opened.checkpoint.size;
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      throw new LedgerError(
        'CHECKPOINT_UNKNOWN',
        `$.checkpoint: not a checkpoint this log signed (${e.message})`,
        { path: '$.checkpoint' },
      );
    }
    const stored = await this.#d.log.getCheckpoint(size);
    if (stored === undefined || parseNote(stored).text !== checkpointBody) {
      throw new LedgerError(
        'CHECKPOINT_UNKNOWN',
        `$.checkpoint: the log keeps no such checkpoint of size ${size}`,
        { path: '$.checkpoint' },
      );
    }

    // 2. The line: well formed, by a registered witness, and valid over that body.
    if (!line.startsWith(SIGNATURE_LINE_PREFIX)) {
      throw new LedgerError('MALFORMED', '$.cosignature: expected "— <name> <base64>"', {
        path: '$.cosignature',
      });
    }
    let name: string;
    try {
      name = parseSignatureLine(line).name;
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      throw new LedgerError('MALFORMED', `$.cosignature: ${e.message}`, { path: '$.cosignature' });
    }
    const registry = Registry.fromSnapshot(await this.#d.registry.read());
    const candidates = registeredWitnesses(registry.parties()).filter((w) => w.name === name);
    if (candidates.length === 0) {
      throw new LedgerError('WITNESS_UNKNOWN', `$.cosignature: ${name} is no registered witness`, {
        path: '$.cosignature',
      });
    }
    let verified: { witness: RegisteredWitness; time: number } | undefined;
    let why = 'does not verify';
    for (const witness of candidates) {
      try {
        verified = { witness, time: verifyCosignatureLine(checkpointBody, line, witness).time };
        break;
      } catch (e) {
        if (!isProtocolError(e)) throw e;
        why = e.message;
      }
    }
    if (verified === undefined) {
      throw new LedgerError('COSIGNATURE_INVALID', `$.cosignature: ${why}`, {
        path: '$.cosignature',
      });
    }
    // A time far ahead would make this line the witness's "newest" for good.
    const latest = Math.floor((this.#d.clock.now() + this.#d.config.issuedAtSkewMs) / 1000);
    if (verified.time > latest) {
      throw new LedgerError('COSIGNATURE_INVALID', '$.cosignature: its time lies in the future', {
        path: '$.cosignature',
      });
    }

    const created = await this.#d.log.putCosignature(size, name, line, verified.time);
    return {
      treeSize: size,
      witness: name,
      party: verified.witness.party,
      time: verified.time,
      stored: created,
    };
  }
}
