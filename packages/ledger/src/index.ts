/** @cbm-ledger/ledger: the ledger's domain behind ports (DESIGN.md §1). No AWS SDK here. */
export * from './ports.js';
export * from './config.js';
export * from './errors.js';
export * from './views.js';
export * from './registry.js';
export * from './signal.js';
export * from './admission.js';
export * from './reads.js';
export * from './integrator.js';
export * from './service.js';
export * from './signer.js';
export * from './genesis.js';
export * from './memory.js';
