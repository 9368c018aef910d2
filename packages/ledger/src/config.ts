import { DEFAULT_RECOVERY_DELAY_MS } from '@cbm-ledger/compliance';

/** Tunables of the ledger service; every runtime setting documented in the README maps here. */
export interface LedgerConfig {
  /** The ledger's origin (DESIGN.md §2): statements must name it, checkpoints carry it. */
  readonly origin: string;
  /** How far a statement's `issuedAt` may lie from the ledger clock, in ms (DESIGN.md §3). */
  readonly issuedAtSkewMs: number;
  /**
   * How long before admission a statement signed by two or more parties (a measure.define, a
   * party.recover) may have been issued, in ms: the days the offices need to sign it one after
   * another, each on its own machine (docs/spec/wire-formats.md). A future issuedAt is still
   * bounded by issuedAtSkewMs, and single-signer statements keep that short window both ways.
   * Nothing is judged on issuedAt (deadlines use integratedAt), so the longer window lets nobody
   * backdate what counts. Default 14 days.
   */
  readonly maxSigningMs: number;
  /** Largest accepted submission body (the whole envelope), in bytes. */
  readonly maxBodyBytes: number;
  /** Largest evidence object accepted for upload, in bytes. */
  readonly maxEvidenceBytes: number;
  /** Most statements integrated per integrator run (one checkpoint per run). */
  readonly integrationBatchSize: number;
  /** Upper bound on `Prefer: wait=N`. */
  readonly maxWaitSeconds: number;
  /** Lifetime of presigned evidence uploads and downloads. */
  readonly evidenceUploadExpirySeconds: number;
  /** Per-party evidence upload grants per UTC day (docs/evidence-access.md). */
  readonly evidenceQuotaCount: number;
  /** Per-party evidence bytes granted per UTC day. */
  readonly evidenceQuotaBytes: number;
  /** Most entries returned by one page of GET /v1/entries. */
  readonly pageLimit: number;
  /**
   * Witness quorum k: a checkpoint counts as witnessed once k distinct registered witnesses
   * cosigned it (GET /v1/checkpoints/{size}). 0: no quorum is asked for.
   */
  readonly witnessQuorum: number;
  /**
   * How long admission may use its in-process copy of the registry (parties, keys, measures)
   * before reading the stored snapshot again, in ms. Where the integrator runs in another process
   * (Lambda), a revocation or a new measure takes effect for admission within this bound after
   * its integration; the local runtime's in-process integrator hands each new snapshot over at
   * once, so there it takes effect immediately. 0: read the snapshot on every submission.
   */
  readonly registryMaxAgeMs: number;
  /**
   * Least time between a party.recover's admission and its `effectiveAt`, in ms: the window in
   * which the party's remaining keys can veto it (docs/registry.md). Default 14 days.
   */
  readonly recoveryDelayMs: number;
  /**
   * Maximum merge delay, in ms: every admission promise says the statement will be integrated by
   * its acceptedAt plus this (docs/promises.md). A statement integrated later is the operator's
   * broken promise, reported as an operator finding.
   */
  readonly maxMergeDelayMs: number;
}

export function defaultLedgerConfig(origin: string): LedgerConfig {
  return {
    origin,
    issuedAtSkewMs: 600_000,
    maxSigningMs: 14 * 86_400_000,
    maxBodyBytes: 262_144,
    maxEvidenceBytes: 104_857_600,
    integrationBatchSize: 256,
    maxWaitSeconds: 20,
    evidenceUploadExpirySeconds: 900,
    evidenceQuotaCount: 200,
    evidenceQuotaBytes: 2_147_483_648,
    pageLimit: 1000,
    witnessQuorum: 0,
    registryMaxAgeMs: 1000,
    recoveryDelayMs: DEFAULT_RECOVERY_DELAY_MS,
    // 24 hours, Certificate Transparency's customary maximum merge delay (RFC 6962 §3): long
    // enough to ride out an integrator outage and a redeploy, short enough that a held-back
    // statement is evident within a day.
    maxMergeDelayMs: 86_400_000,
  };
}

/** The ledger settings every deployment (Lambda, the local runtime) reads from its environment. */
export type LedgerEnvSettings = Partial<
  Pick<
    LedgerConfig,
    | 'maxMergeDelayMs'
    | 'recoveryDelayMs'
    | 'maxSigningMs'
    | 'evidenceQuotaCount'
    | 'evidenceQuotaBytes'
  >
>;

/** A malformed ledger setting; `variable` names it, the message says what it must be. */
export class LedgerSettingError extends Error {
  override readonly name = 'LedgerSettingError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One table for both runtimes and the CDK context (infra/src/config.ts), so the variables, ranges
 * and messages cannot drift apart. A variable's value times `unitMs` is the config value.
 */
export const LEDGER_ENV: readonly {
  readonly variable: string;
  readonly key: keyof LedgerEnvSettings;
  readonly max: number;
  readonly unitMs: number;
}[] = [
  {
    variable: 'CBM_MAX_MERGE_DELAY_SECONDS',
    key: 'maxMergeDelayMs',
    max: 99_999_999,
    unitMs: 1000,
  },
  { variable: 'CBM_RECOVERY_DELAY_DAYS', key: 'recoveryDelayMs', max: 365, unitMs: 86_400_000 },
  { variable: 'CBM_MAX_SIGNING_DAYS', key: 'maxSigningMs', max: 365, unitMs: 86_400_000 },
  { variable: 'CBM_EVIDENCE_QUOTA_COUNT', key: 'evidenceQuotaCount', max: 9_999_999, unitMs: 1 },
  {
    variable: 'CBM_EVIDENCE_QUOTA_BYTES',
    key: 'evidenceQuotaBytes',
    max: 999_999_999_999_999,
    unitMs: 1,
  },
];

/**
 * The set variables of LEDGER_ENV as config overrides (unset or blank ones are left out, so the
 * defaults apply); throws LedgerSettingError for a value that is not a whole number in range.
 */
export function readLedgerEnv(
  env: Readonly<Record<string, string | undefined>>,
): LedgerEnvSettings {
  const out: { -readonly [K in keyof LedgerEnvSettings]: number } = {};
  for (const { variable, key, max, unitMs } of LEDGER_ENV) {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') continue;
    if (!/^[1-9][0-9]*$/.test(raw) || Number(raw) > max) {
      throw new LedgerSettingError(
        variable,
        `${variable} must be an integer from 1 to ${max}, not ${raw}`,
      );
    }
    out[key] = Number(raw) * unitMs;
  }
  return out;
}

/** The LEDGER_ENV overrides held by a larger settings object. */
export function ledgerEnvOverrides(settings: LedgerEnvSettings): LedgerEnvSettings {
  const out: { -readonly [K in keyof LedgerEnvSettings]: number } = {};
  for (const { key } of LEDGER_ENV) {
    const v = settings[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
