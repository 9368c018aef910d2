/**
 * `@cbm-ledger/ledger/testing`: in-memory stores and fault injection, and a harness (a ledger on
 * them with a fake clock, deterministic keys and an invariant checker), for tests and benchmarks
 * (here and in the packages built on the ledger). Kept out of the main entry point so production
 * bundles never carry them and nothing can wire them into a deployment by accident.
 */
export * from './memory.js';
export * from './harness.js';
