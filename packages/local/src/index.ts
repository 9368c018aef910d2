/** @cbm-ledger/local: the embedded runtime behind `npm start` (DESIGN.md §8). */
export { startLocalRuntime, OPERATOR_PARTY, StartupError, stderrLogger } from './runtime.js';
export type { LocalRuntime } from './runtime.js';
export { readSettings, SettingsError } from './settings.js';
export type { LocalSettings } from './settings.js';
export { createLocalServer, toEvent, writeResult } from './http-adapter.js';
export type { LocalRoute, LocalServerOptions } from './http-adapter.js';
export { IntegratorLoop } from './integration-loop.js';
export { LocalEvidenceStore, UPLOAD_PREFIX } from './evidence.js';
export { main, banner } from './main.js';
export { createSiteRoute, pinConfig, DEFAULT_SITE_DIR, SITE_CONFIG_MARKER } from './site.js';
export type { PinnedSiteConfig } from './site.js';
