/**
 * The ledger table's layout: its name, keys, index, TTL attribute and partition-key prefixes, and
 * the item layout below. The adapters (statement-store.ts, log-store.ts, registry-store.ts,
 * replay-guard.ts, evidence-quota.ts) write this layout; table.ts creates the table from it for
 * the local runtime, and the deployment (infra/) derives the table definition and grants each
 * write path exactly the partitions it writes from it, so its template tests check the grants
 * against this one list.
 *
 * StatementStore, LogStore and RegistryStore over one DynamoDB table, with conditional writes
 * only: dynalite, the embedded DynamoDB, has no TransactWriteItems and no streams, and none are
 * needed because every decision is a single conditional write on a single item.
 *
 * Cost model (measured on dynalite: ~1,000 single conditional PutItem/s, ~8,000 items/s through
 * BatchWriteItem; per-request overhead dominates): admitting a statement costs exactly one
 * conditional PutItem; its bookkeeping (`link`: id pointer, citations) is coalesced across
 * concurrent submissions into BatchWriteItem requests. Everything the integrator writes per
 * statement goes through BatchWriteItem, and what it writes per batch (leaves, tree tiles, head,
 * checkpoint, registry) is a handful of requests whatever the batch size.
 *
 * Item layout (table keys `pk`, `sk`, both strings; numbers in keys are zero-padded to 16 digits,
 * which covers every safe integer, so string order is numeric order):
 *
 * | item              | pk                  | sk                    | attributes |
 * |-------------------|---------------------|-----------------------|------------|
 * | acceptance        | `issuer#<party>`    | `seq#<seq>`           | id, issuer, seq, prev (S or NULL), type, visibility, audience (L of S), evidence (L of S), envelope (JSON S), envelopeDigest, admittedAt (N), promise (S, the signed admission promise); while pending gpk `pending#<0..3>` + gsk `<admittedAt 15 digits>#<issuer>#<seq>`; once integrated `index` (N) |
 * | id pointer        | `statement#<id>`    | `statement`           | issuer, seq, index (N, once integrated) |
 * | citation          | `evidence#<hex>`    | `cites#<issuer>#<seq>`| issuer, seq: a statement citing evidence object `<hex>` |
 * | leaf bundle       | `leaves`            | `bundle#<index/256>`  | `l<index%256>`: the canonical (JCS) leaf, or `ref:<hex>` for a leaf over 1,400 bytes |
 * | large leaf        | `leafdoc`           | `sha256#<hex>`        | leaf: the canonical leaf whose SHA-256 is `<hex>` |
 * | tree tile         | `tree#<level/8>`    | `tile#<k>`            | `n<r>_<o>` (B, 32 bytes): the node at level 8·(level/8)+r, index k·2^(8−r)+o |
 * | head              | `log`               | `head`                | size (N), root (B), frontier (L of B), checkpoint (S) |
 * | checkpoint        | `checkpoint`        | `<size>`              | note (S) |
 * | cosignature       | `cosignature#<size>`| `<witness>#<time>`    | witness (S), line (S), time (N): one per (size, witness, time), never replaced |
 * | nonce claim       | `replay#<keyid>`    | `<nonce>`             | ttl (N, POSIX s): a signed read's nonce until its signature expires (DynamoDB TTL deletes it) |
 * | evidence budget   | `evidence-quota#<party>` | `<YYYY-MM-DD>`   | count (N), bytes (N), ttl (N): a party's evidence upload grants that UTC day (evidence-quota.ts) |
 * | registry          | `registry`          | `snapshot`            | asOf (N), snapshot (JSON S) or snapshotZ (gzip B) when large |
 *
 * The GSI `pending` (gpk, gsk; projection ALL) is sparse: only acceptance items still awaiting
 * integration carry gpk/gsk. Four shards (by the id's last hex digit) spread the index's write
 * load over partition keys; `pending()` merges them by gsk (admission time, issuer, seq), paging
 * each shard only as far as the merge needs.
 *
 * Why these shapes:
 * - accept = PutItem `attribute_not_exists(pk)` on (issuer, seq): the claim, the pending mark and
 *   the envelope in one write. A lost race reads the holder (ReturnValuesOnConditionCheckFailure
 *   where supported, a consistent GetItem otherwise).
 * - link writes the id pointer and the citations with unconditional puts (both are functions of
 *   the statement), batched across concurrent callers.
 * - markIntegrated re-puts the acceptance item without gpk/gsk and with `index`, and writes the id
 *   pointer with `index` and the citations (what link writes, which the port asks of it), all
 *   through BatchWriteItem: none needs a condition, because an acceptance item only ever changes
 *   from pending to integrated with a fixed index.
 * - Leaves: one attribute per index inside a 256-leaf bundle, written by conditional UpdateItems
 *   (64 leaves each, in index order) whose condition is, per index, `attribute_not_exists(l) OR
 *   l = :leaf`. That takes each index exactly once, makes rewriting the same leaf a no-op, needs
 *   no read first, and leaves a contiguous prefix after a crash or conflict. Leaves over 1,400
 *   bytes (a statement citing more than a dozen evidence objects) live in their own item under
 *   their hash, so a bundle stays under DynamoDB's 400 KB item limit (256 × 1,400 B ≈ 350 KB).
 * - Tree: tiles of 8 levels (after C2SP tlog-tiles), each node its own attribute, written by
 *   unconditional UpdateItem SET. Node hashes never change, so SET is idempotent and monotone:
 *   concurrent integrators cannot lose each other's nodes, and no read-modify-write is needed.
 *   A batch of 256 leaves costs about five UpdateItems; an inclusion proof reads its O(log n)
 *   nodes from a few tiles in one BatchGetItem.
 * - Head, checkpoints and registry: one item each, conditional on the value they advance from.
 *
 * Every read that decides something is strongly consistent. The pending index (a GSI) cannot be:
 * on AWS it may briefly still list a statement just marked integrated, so the integrator must
 * check the id pointer's index before integrating what `pending()` returns.
 */

/** The table's name when none is configured (CBM_TABLE). */
export const DEFAULT_TABLE = 'cbm-ledger';
/** The table's partition key (a string). */
export const PARTITION_KEY = 'pk';
/** The table's sort key (a string). */
export const SORT_KEY = 'sk';
/** Sparse index over statements awaiting integration (projection ALL; see above). */
export const PENDING_INDEX = 'pending';
/** The pending index's partition key: `pending#<shard>`. */
export const PENDING_INDEX_KEY = 'gpk';
/** The pending index's sort key: admission time, issuer, seq. */
export const PENDING_INDEX_SORT_KEY = 'gsk';
/** The attribute DynamoDB's TTL must be configured on (epoch seconds). */
export const TTL_ATTRIBUTE = 'ttl';

/** Acceptance items: `issuer#<party>`; written by admission (accept) and integration. */
export const ISSUER_PARTITION = 'issuer#';
/** Id pointers: `statement#<id>`; admission (link) and integration. */
export const POINTER_PARTITION = 'statement#';
/** Evidence citations: `evidence#<hex>`; admission (link) and integration. */
export const CITATION_PARTITION = 'evidence#';
/** Leaf bundles; integration only. */
export const LEAVES_PARTITION = 'leaves';
/** Leaves too large for a bundle, under their hash; integration only. */
export const LEAF_DOC_PARTITION = 'leafdoc';
/** Tree tiles: `tree#<level/8>`; integration only. */
export const TREE_PARTITION = 'tree#';
/** The log head; integration only. */
export const HEAD_PARTITION = 'log';
/** Signed checkpoints; integration only. */
export const CHECKPOINT_PARTITION = 'checkpoint';
/** The registry snapshot; integration only. */
export const REGISTRY_PARTITION = 'registry';
/** Witness cosignatures: `cosignature#<size>`; the cosign path only. */
export const COSIGNATURE_PARTITION = 'cosignature#';
/** Nonce claims of signed requests: `replay#<keyid>`; they expire (TTL). */
export const REPLAY_PARTITION = 'replay#';
/** Daily evidence budgets: `evidence-quota#<party>`, one item per UTC day; they expire (TTL). */
export const EVIDENCE_QUOTA_PARTITION = 'evidence-quota#';
/** Acceptance items awaiting integration carry gpk `pending#<shard>` (the GSI, not a table pk). */
export const PENDING_INDEX_PARTITION = 'pending#';
/** The attribute an integrated acceptance item or pointer carries: written by integration only. */
export const INDEX_ATTRIBUTE = 'index';
