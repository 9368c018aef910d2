/**
 * The page's pinned trust configuration. It is written into index.html by whoever serves the
 * page — the local runtime from its own log key at start, the CDK app at deploy — and never
 * fetched from the API it is used to check.
 */
export interface PinnedWitness {
  /** C2SP cosignature vkey: `<name>+<hex key id>+base64(0x04 ‖ key)`. */
  readonly vkey: string;
}

export interface SiteConfig {
  readonly origin: string;
  /** The log's C2SP note vkey: every checkpoint must verify against it. */
  readonly logVkey: string;
  /**
   * Pinned witnesses. When absent (the local runtime, whose witnesses register after start),
   * the page takes witness keys from party.register / witness.set entries it has verified.
   */
  readonly witnesses?: readonly PinnedWitness[];
  /** k of the k-of-n witness quorum the page requires; 0 = none. */
  readonly witnessQuorum: number;
  /** Base of the public API, same origin; default `/public/v1`. */
  readonly apiBase?: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readSiteConfig(doc: Document): SiteConfig {
  const node = doc.getElementById('cbm-site-config');
  if (node === null || node.textContent === null || node.textContent.trim() === '') {
    throw new ConfigError('this page has no pinned log key (cbm-site-config is missing)');
  }
  let value: unknown;
  try {
    value = JSON.parse(node.textContent);
  } catch {
    throw new ConfigError('the pinned configuration is not JSON');
  }
  const c = value as Partial<SiteConfig> | null;
  if (
    c === null ||
    typeof c !== 'object' ||
    typeof c.origin !== 'string' ||
    typeof c.logVkey !== 'string' ||
    typeof c.witnessQuorum !== 'number' ||
    !Number.isSafeInteger(c.witnessQuorum) ||
    c.witnessQuorum < 0 ||
    (c.witnesses !== undefined &&
      (!Array.isArray(c.witnesses) ||
        !c.witnesses.every((w: unknown) => typeof (w as PinnedWitness)?.vkey === 'string')))
  ) {
    throw new ConfigError('the pinned configuration lacks origin, logVkey or witnessQuorum');
  }
  return c as SiteConfig;
}
