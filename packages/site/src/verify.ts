/**
 * What the page checks before it says "verified", all with @cbm-ledger/protocol (no second
 * implementation): the checkpoint's signature against the pinned log key, witness cosignatures
 * and the k-of-n quorum, consistency with the largest tree this browser saw before, each entry's
 * leaf bytes, hash chain and statement id, and the inclusion proof of every entry shown.
 */
import {
  bytesEqual,
  checkWitnessQuorum,
  fromBase64,
  hashLeaf,
  openCheckpoint,
  parseEnvelope,
  parseLeaf,
  parseStatement,
  parseVkey,
  statementId,
  toBase64,
  utf8Decode,
  verifyConsistency,
  verifyCosignatures,
  verifyInclusion,
  verifyLeafChain,
} from '@cbm-ledger/protocol';
import type {
  Checkpoint,
  Leaf,
  Statement,
  VerifiedCosignature,
  WitnessKey,
} from '@cbm-ledger/protocol';
import type { SiteConfig } from './config.js';

/** One thing that did not verify: what, and at which index when it concerns an entry. */
export interface Failure {
  readonly what: string;
  readonly index?: number;
}

export interface EntryView {
  readonly index: number;
  readonly leaf: Leaf;
  readonly leafHash: Uint8Array;
  /** The statement, when it is public and its bytes match the leaf's statement id. */
  readonly statement?: Statement;
  /** Set when the entry's own bytes failed a check; such an entry is never shown as content. */
  readonly failure?: string;
}

export type ConsistencyResult =
  | { readonly kind: 'first-visit' }
  | { readonly kind: 'same'; readonly size: number }
  | { readonly kind: 'extends'; readonly from: number };

export interface Ledger {
  readonly config: SiteConfig;
  readonly checkpoint: Checkpoint;
  readonly note: string;
  readonly consistency: ConsistencyResult;
  readonly witnesses: readonly WitnessKey[];
  readonly witnessSource: 'pinned' | 'log';
  readonly cosignatures: readonly VerifiedCosignature[];
  readonly entries: readonly EntryView[];
  /** Registered display names by party id, from verified party.register entries. */
  readonly names: ReadonlyMap<string, string>;
  /** Failures found while loading (entries, witnesses); empty when everything held. */
  readonly failures: readonly Failure[];
}

/** Thrown when nothing can be trusted: the checkpoint, or consistency with what was seen. */
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
  constructor(
    readonly failure: Failure,
    readonly checkpoint?: Checkpoint,
  ) {
    super(failure.what);
  }
}

export interface Api {
  text(path: string): Promise<string>;
  json<T>(path: string): Promise<T>;
}

export function httpApi(base: string): Api {
  const get = async (path: string, accept: string, cache: RequestCache): Promise<Response> => {
    const res = await fetch(`${base}${path}`, { headers: { accept }, credentials: 'omit', cache });
    if (!res.ok) throw new Error(`GET ${base}${path} answered ${res.status}`);
    return res;
  };
  return {
    // The checkpoint is the news: always revalidated, never a cached copy of an older tree.
    text: async (path) => (await get(path, 'text/plain', 'no-cache')).text(),
    json: async <T>(path: string) =>
      (await (await get(path, 'application/json', 'default')).json()) as T,
  };
}

/** Where this browser remembers the largest tree it verified, per log origin. */
export interface SeenStore {
  get(origin: string): { size: number; root: string } | undefined;
  set(origin: string, seen: { size: number; root: string }): void;
}

export function localSeenStore(storage: Storage): SeenStore {
  const key = (origin: string): string => `cbm-site:largest-checkpoint:${origin}`;
  return {
    get(origin) {
      const text = storage.getItem(key(origin));
      if (text === null) return undefined;
      try {
        const v = JSON.parse(text) as { size?: unknown; root?: unknown };
        if (typeof v.size === 'number' && typeof v.root === 'string')
          return { size: v.size, root: v.root };
      } catch {
        // A damaged record is treated as absent: it can only make the check weaker, never pass
        // a rolled-back tree it would have caught, since we store again after verifying.
      }
      return undefined;
    },
    set(origin, seen) {
      storage.setItem(key(origin), JSON.stringify(seen));
    },
  };
}

interface EntryJson {
  index: number;
  leafHash: string;
  leafBytes: string;
  envelope?: unknown;
}

interface ProofJson {
  index: number;
  treeSize: number;
  leafHash: string;
  hashes: string[];
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function checkConsistency(
  api: Api,
  seen: SeenStore,
  checkpoint: Checkpoint,
): Promise<ConsistencyResult> {
  const before = seen.get(checkpoint.origin);
  const root = toBase64(checkpoint.rootHash);
  if (before === undefined) return { kind: 'first-visit' };
  if (before.size > checkpoint.size) {
    throw new VerificationError(
      {
        what: `rolled back: this browser verified a tree of ${before.size} entries before, the server now shows ${checkpoint.size}`,
      },
      checkpoint,
    );
  }
  if (before.size === checkpoint.size) {
    if (before.root !== root) {
      throw new VerificationError(
        { what: `forked: a tree of ${checkpoint.size} entries with another root than before` },
        checkpoint,
      );
    }
    return { kind: 'same', size: before.size };
  }
  try {
    const proof = await api.json<{ hashes: string[] }>(
      `/proofs/consistency?from=${before.size}&to=${checkpoint.size}`,
    );
    verifyConsistency(
      before.size,
      checkpoint.size,
      fromBase64(before.root),
      checkpoint.rootHash,
      proof.hashes.map((h) => fromBase64(h)),
    );
  } catch (e) {
    throw new VerificationError(
      {
        what: `not consistent with the tree of ${before.size} entries this browser saw before (${message(e)})`,
      },
      checkpoint,
    );
  }
  return { kind: 'extends', from: before.size };
}

function readEntry(json: EntryJson, prev: Leaf | undefined, expected: number): EntryView {
  const bytes = fromBase64(json.leafBytes);
  const leaf = parseLeaf(JSON.parse(utf8Decode(bytes)));
  const leafHash = hashLeaf(bytes);
  const fail = (failure: string): EntryView => ({ index: expected, leaf, leafHash, failure });
  if (leaf.index !== expected || json.index !== expected)
    return fail(`served as index ${json.index}, leaf says ${leaf.index}`);
  if (!bytesEqual(leafHash, fromBase64(json.leafHash)))
    return fail('leaf hash does not match the leaf bytes');
  try {
    verifyLeafChain(prev, leaf);
  } catch (e) {
    return fail(`hash chain broken: ${message(e)}`);
  }
  if (json.envelope === undefined) return { index: expected, leaf, leafHash };
  try {
    const { payload } = parseEnvelope(json.envelope);
    if (statementId(payload) !== leaf.statement)
      return fail('the statement served is not the one the leaf commits to');
    return { index: expected, leaf, leafHash, statement: parseStatement(payload) };
  } catch (e) {
    return fail(`statement unreadable: ${message(e)}`);
  }
}

function body(s: Statement | undefined): Record<string, unknown> {
  return (s?.body ?? {}) as Record<string, unknown>;
}

/** Checks the inclusion proofs of `indexes` in the verified tree; one result per index. */
export async function verifyInclusions(
  api: Api,
  ledger: Pick<Ledger, 'checkpoint' | 'entries'>,
  indexes: readonly number[],
): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  const { size, rootHash } = ledger.checkpoint;
  await Promise.all(
    [...new Set(indexes)].map(async (index) => {
      const entry = ledger.entries[index];
      if (entry === undefined) {
        out.set(index, `entry ${index} is not in the verified tree`);
        return;
      }
      try {
        const proof = await api.json<ProofJson>(
          `/proofs/inclusion?index=${index}&treeSize=${size}`,
        );
        verifyInclusion(
          index,
          size,
          entry.leafHash,
          proof.hashes.map((h) => fromBase64(h)),
          rootHash,
        );
        out.set(index, null);
      } catch (e) {
        out.set(index, `inclusion proof of entry ${index} does not verify (${message(e)})`);
      }
    }),
  );
  return out;
}

/**
 * Loads and verifies the ledger: throws VerificationError when the checkpoint or consistency
 * fails (nothing is shown then); otherwise returns every entry up to the checkpoint, with
 * per-entry and witness failures listed.
 */
export async function loadLedger(api: Api, config: SiteConfig, seen: SeenStore): Promise<Ledger> {
  const note = await api.text('/checkpoint');
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(note, parseVkey(config.logVkey)).checkpoint;
  } catch (e) {
    throw new VerificationError({
      what: `checkpoint signature does not verify against the pinned log key (${message(e)})`,
    });
  }
  const consistency = await checkConsistency(api, seen, checkpoint);

  const entries: EntryView[] = [];
  const failures: Failure[] = [];
  while (entries.length < checkpoint.size) {
    const page = await api.json<{ entries: EntryJson[] }>(`/entries?start=${entries.length}`);
    if (page.entries.length === 0) {
      failures.push({ what: `the server stopped serving entries at ${entries.length}` });
      break;
    }
    for (const json of page.entries) {
      if (entries.length >= checkpoint.size) break;
      let view: EntryView;
      try {
        view = readEntry(json, entries[entries.length - 1]?.leaf, entries.length);
      } catch (e) {
        // Without its leaf no later entry's chain can be checked: stop here.
        throw new VerificationError(
          { what: `entry unreadable: ${message(e)}`, index: entries.length },
          checkpoint,
        );
      }
      if (view.failure !== undefined) failures.push({ what: view.failure, index: view.index });
      entries.push(view);
    }
  }

  // Names and witness keys are content too: they count only from entries proven in the tree.
  const registry = entries.filter(
    (e) =>
      e.statement !== undefined &&
      (e.leaf.type === 'party.register' || e.leaf.type === 'witness.set'),
  );
  const proven = await verifyInclusions(
    api,
    { checkpoint, entries },
    registry.map((e) => e.index),
  );
  const names = new Map<string, string>();
  const logWitnesses: WitnessKey[] = [];
  for (const e of registry) {
    const failure = proven.get(e.index);
    if (failure !== null && failure !== undefined) {
      failures.push({ what: failure, index: e.index });
      continue;
    }
    const b = body(e.statement);
    const party = b['party'] as { id?: string; name?: string } | string | undefined;
    if (typeof party === 'object' && party?.id !== undefined && party.name !== undefined)
      names.set(party.id, party.name);
    const witness = b['witness'] as { name?: string; publicKey?: string } | undefined;
    if (witness?.name !== undefined && witness.publicKey !== undefined) {
      const at = logWitnesses.findIndex((w) => w.name === witness.name);
      const key = { name: witness.name, publicKey: fromBase64(witness.publicKey) };
      if (at >= 0) logWitnesses[at] = key;
      else logWitnesses.push(key);
    }
  }
  for (const e of entries) {
    if (e.leaf.type === 'ledger.genesis' && e.statement !== undefined) {
      const op = body(e.statement)['operator'] as { id?: string; name?: string } | undefined;
      if (op?.id !== undefined && op.name !== undefined) names.set(op.id, op.name);
    }
  }

  const witnessSource = config.witnesses === undefined ? 'log' : 'pinned';
  const witnesses: WitnessKey[] =
    config.witnesses === undefined
      ? logWitnesses
      : config.witnesses.map((w) => {
          const k = parseVkey(w.vkey);
          return { name: k.name, publicKey: k.publicKey };
        });
  let cosignatures: VerifiedCosignature[] = [];
  try {
    cosignatures = verifyCosignatures(note, witnesses);
  } catch (e) {
    failures.push({ what: `a witness cosignature does not verify (${message(e)})` });
  }
  try {
    checkWitnessQuorum(cosignatures, witnesses, config.witnessQuorum);
  } catch (e) {
    failures.push({ what: `witness quorum not met: ${message(e)}` });
  }
  // Only a tree that verified is remembered, so a bad answer never becomes the new reference.
  if (failures.length === 0)
    seen.set(checkpoint.origin, { size: checkpoint.size, root: toBase64(checkpoint.rootHash) });
  return {
    config,
    checkpoint,
    note,
    consistency,
    witnesses,
    witnessSource,
    cosignatures,
    entries,
    names,
    failures,
  };
}
