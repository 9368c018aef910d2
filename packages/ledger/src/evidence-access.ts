/**
 * Who may upload and read evidence objects (docs/evidence-access.md).
 *
 * The rule: citing a hash never grants access to bytes. A party proves possession of an object
 * by uploading it (the store checks the bytes against the hash); admission admits a citation only
 * from an issuer that did. An object is readable by X iff some statement citing it was issued by a
 * party that proved possession, and X may read that statement (`mayRead`). So access follows the
 * statements of those who held the bytes, and widens only by their own later statements.
 *
 * Security: no answer here tells a caller whether somebody else stored an object. Uploads are
 * signed by the uploading party and answer only about that party's own copy; downloads answer the
 * same 404 whether the object is missing, uncited, or cited only where the caller may not read.
 */
import { SHA256_HEX_RE, partyKind } from '@cbm-ledger/protocol';
import type { LedgerConfig } from './config.js';
import { LedgerError } from './errors.js';
import type {
  AdmittedStatement,
  Clock,
  EvidenceQuota,
  EvidenceQuotaLimits,
  EvidenceStore,
  StatementReader,
} from './ports.js';
import type { EvidenceUploadView, Viewer } from './views.js';

/** How many citing statements a download looks through for one the viewer may read. */
export const CITING_LOOKUP_LIMIT = 100;

/** RFC 6838 `type/subtype` (restricted-name tokens), as statements' evidence entries use. */
const MEDIA_TYPE_RE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export interface EvidenceAccessDeps {
  readonly statements: Pick<StatementReader, 'citing'>;
  readonly evidence: EvidenceStore;
  /** Without one, a per-process budget (MemoryEvidenceQuota) applies. */
  readonly evidenceQuota?: EvidenceQuota;
  readonly clock: Clock;
  readonly config: LedgerConfig;
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

/** UTC `YYYY-MM-DD` of an epoch-ms instant: the quota's accounting day. */
export function quotaDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/**
 * A quota kept in this process only: right for one process (tests, a single local runtime),
 * too generous where many processes serve one ledger (each keeps its own count).
 */
export class MemoryEvidenceQuota implements EvidenceQuota {
  readonly #used = new Map<string, { count: number; bytes: number }>();

  reserve(
    party: string,
    day: string,
    bytes: number,
    limits: EvidenceQuotaLimits,
  ): Promise<boolean> {
    const key = `${party}\n${day}`;
    const used = this.#used.get(key) ?? { count: 0, bytes: 0 };
    if (used.count + 1 > limits.count || used.bytes + bytes > limits.bytes) {
      return Promise.resolve(false);
    }
    // Old days are never consulted again.
    for (const k of this.#used.keys()) if (!k.endsWith(`\n${day}`)) this.#used.delete(k);
    this.#used.set(key, { count: used.count + 1, bytes: used.bytes + bytes });
    return Promise.resolve(true);
  }
}

function violation(path: string, message: string): LedgerError {
  return new LedgerError('SCHEMA_VIOLATION', `${path}: ${message}`, { path });
}

/** No evidence the caller may read: one answer for missing, uncited and unreadable alike. */
function notReadable(sha256: string): LedgerError {
  return new LedgerError('NOT_FOUND', `no evidence ${sha256} readable by you`);
}

export class EvidenceAccess {
  readonly #d: EvidenceAccessDeps;
  readonly #quota: EvidenceQuota;

  constructor(deps: EvidenceAccessDeps) {
    this.#d = deps;
    this.#quota = deps.evidenceQuota ?? new MemoryEvidenceQuota();
  }

  /**
   * POST /v1/evidence, signed by the uploading party. Security: `body` is attacker-controlled
   * JSON; exactly the three fields are accepted, the size is bounded and the party's daily budget
   * charged before any presigning. `stored: true` only when this party itself uploaded the object
   * already; an object stored by others still needs this party's upload (its proof of possession).
   */
  async createUpload(body: unknown, viewer: Viewer): Promise<EvidenceUploadView> {
    const party = viewer.party;
    if (party === undefined) {
      throw new LedgerError(
        'AUTH_REQUIRED',
        'sign evidence uploads (RFC 9421) with a key of the uploading party',
      );
    }
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
    const own = await this.#d.evidence.possessed(sha256, party);
    if (own !== undefined) {
      return { sha256, size: own.size, mediaType: own.mediaType ?? mediaType, stored: true };
    }
    const limits = {
      count: this.#d.config.evidenceQuotaCount,
      bytes: this.#d.config.evidenceQuotaBytes,
    };
    const day = quotaDay(this.#d.clock.now());
    if (!(await this.#quota.reserve(party, day, size, limits))) {
      throw new LedgerError(
        'EVIDENCE_QUOTA_EXCEEDED',
        `${party} has used its evidence budget for ${day} (${limits.count} uploads, ${limits.bytes} bytes per UTC day)`,
        { limits },
      );
    }
    const upload = await this.#d.evidence.createUpload(
      { sha256, size, mediaType },
      party,
      this.#d.config.evidenceUploadExpirySeconds,
    );
    return { sha256, size, mediaType, stored: false, upload: { ...upload } };
  }

  /**
   * GET /v1/evidence/{sha256}: a short-lived URL of the copy uploaded by the issuer of a citing
   * statement the viewer may read, that issuer having proved possession. Statements admitted by
   * an older build without that proof (a citation of a hash alone) grant nothing.
   */
  async download(sha256: string, viewer: Viewer): Promise<{ url: string }> {
    if (!SHA256_HEX_RE.test(sha256)) throw notReadable(sha256);
    const citing = await this.#d.statements.citing(sha256, CITING_LOOKUP_LIMIT);
    const checked = new Set<string>();
    for (const statement of citing) {
      if (!mayRead(statement, viewer) || checked.has(statement.issuer)) continue;
      checked.add(statement.issuer);
      if ((await this.#d.evidence.possessed(sha256, statement.issuer)) === undefined) continue;
      const url = await this.#d.evidence.createDownload(
        sha256,
        statement.issuer,
        this.#d.config.evidenceUploadExpirySeconds,
      );
      return { url };
    }
    throw notReadable(sha256);
  }
}
