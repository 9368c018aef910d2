/**
 * The partition-key prefixes of the ledger table's items (the item layout is documented in
 * dynamo.ts). Exported so that the deployment (infra/) grants each write path exactly the
 * partitions it writes, and its template tests can check the grants against this one list.
 */

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
