/**
 * The submit outbox: every signed envelope is written here (fsync'd, mode 0600) BEFORE it is
 * sent, and removed only once the ledger has answered with a receipt or definitively refused it.
 * Running `cbm submit` again for the same ledger, issuer, type and content — after a lost reply,
 * a timeout or a killed process — finds the entry and resubmits the identical bytes, which the
 * ledger answers 200 with the status of the statement it holds: a retry never files a second
 * statement.
 *
 * Entries are keyed by what the person asked for (ledger origin, issuer, type, body, visibility,
 * audience, refs, evidence), not by the signed statement, whose nonce and issuedAt differ on every
 * signing. Security: the directory is the submitter's own state ($CBM_HOME, 0700); an entry that
 * does not parse, or whose envelope does not hash to its recorded statement id, is refused rather
 * than guessed at, so a damaged file can neither be resubmitted blindly nor silently replaced by a
 * fresh signature (which could duplicate a statement the ledger already holds).
 */
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { envelopeStatementId } from '@cbm-ledger/client';
import type { StatementDraft } from '@cbm-ledger/client';
import { canonicalize, sha256Hex, utf8Encode } from '@cbm-ledger/protocol';
import type { Envelope } from '@cbm-ledger/protocol';
import { writeFileAtomic } from './command.js';
import { CommandError } from './errors.js';
import { stateDir } from './state-dir.js';

export interface OutboxEntry {
  v: 1;
  /** outboxKey of the request; also the file name. */
  key: string;
  /** The ledger's origin the statement is for. */
  ledger: string;
  issuer: string;
  type: string;
  /** Statement id of `envelope`. */
  statement: string;
  envelope: Envelope;
  /** When it was signed (local clock), for `cbm` messages only. */
  signedAt: string;
}

/** What identifies "the same submission": the request, not its signature. */
export function outboxKey(ledger: string, issuer: string, draft: StatementDraft): string {
  const request = {
    ledger,
    issuer,
    type: draft.type,
    body: draft.body,
    visibility: draft.visibility ?? 'public',
    audience: [...(draft.audience ?? [])].sort(),
    refs: [...(draft.refs ?? [])].sort(),
    evidence: (draft.evidence ?? []).map((e) => e.sha256),
  };
  return sha256Hex(utf8Encode(canonicalize(request)));
}

const KEY_RE = /^[0-9a-f]{64}$/;

function isEnvelope(value: unknown): value is Envelope {
  const e = value as Partial<Envelope> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.payloadType === 'string' &&
    typeof e.payload === 'string' &&
    Array.isArray(e.signatures)
  );
}

export class Outbox {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The outbox under the CLI's state directory ($CBM_HOME or ~/.cbm). */
  static at(env: Readonly<Record<string, string | undefined>>): Outbox {
    return new Outbox(join(stateDir(env), 'outbox'));
  }

  #file(key: string): string {
    if (!KEY_RE.test(key)) throw new TypeError(`not an outbox key: ${key}`);
    return join(this.dir, `${key}.json`);
  }

  /** The pending entry for `key`, or undefined. A damaged entry is an OUTBOX_CORRUPT error. */
  async get(key: string): Promise<OutboxEntry | undefined> {
    const file = this.#file(key);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return undefined;
      throw e;
    }
    const corrupt = (why: string): CommandError =>
      new CommandError(
        'OUTBOX_CORRUPT',
        `the outbox entry ${file} is damaged (${why}); inspect it, and check with 'cbm get' whether the ledger holds the statement before removing it`,
      );
    let entry: Partial<OutboxEntry>;
    try {
      entry = JSON.parse(text) as Partial<OutboxEntry>;
    } catch {
      throw corrupt('not JSON');
    }
    if (entry.v !== 1 || entry.key !== key || !isEnvelope(entry.envelope)) {
      throw corrupt('not an outbox entry for this submission');
    }
    let id: string;
    try {
      id = envelopeStatementId(entry.envelope);
    } catch {
      throw corrupt('its envelope payload is not base64');
    }
    if (id !== entry.statement) throw corrupt('its envelope does not match its statement id');
    return entry as OutboxEntry;
  }

  /** Stores an entry durably before its envelope is sent. */
  async put(entry: OutboxEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.#file(entry.key), `${JSON.stringify(entry, null, 2)}\n`);
  }

  async remove(key: string): Promise<void> {
    await unlink(this.#file(key)).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
    });
  }

  /** Keys of every pending entry. */
  async keys(): Promise<string[]> {
    try {
      return (await readdir(this.dir))
        .filter((f) => f.endsWith('.json') && KEY_RE.test(f.slice(0, -5)))
        .map((f) => f.slice(0, -5))
        .sort();
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return [];
      throw e;
    }
  }
}
