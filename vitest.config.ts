import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against each package's TypeScript source, not its build output, so a stale dist/
// can never hide a failure.
const src = (pkg: string): string =>
  fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@cbm-ledger\/protocol\/testing$/,
        replacement: fileURLToPath(new URL('./packages/protocol/src/testing.ts', import.meta.url)),
      },
      { find: /^@cbm-ledger\/protocol$/, replacement: src('protocol') },
      { find: /^@cbm-ledger\/contract$/, replacement: src('contract') },
      {
        find: /^@cbm-ledger\/ledger\/testing$/,
        replacement: fileURLToPath(new URL('./packages/ledger/src/testing.ts', import.meta.url)),
      },
      { find: /^@cbm-ledger\/ledger$/, replacement: src('ledger') },
      {
        find: /^@cbm-ledger\/compliance\/testing$/,
        replacement: fileURLToPath(
          new URL('./packages/compliance/src/testing.ts', import.meta.url),
        ),
      },
      { find: /^@cbm-ledger\/compliance$/, replacement: src('compliance') },
      { find: /^@cbm-ledger\/store-aws$/, replacement: src('store-aws') },
      {
        find: /^@cbm-ledger\/functions\/testing$/,
        replacement: fileURLToPath(new URL('./functions/src/testing.ts', import.meta.url)),
      },
      {
        find: /^@cbm-ledger\/functions$/,
        replacement: fileURLToPath(new URL('./functions/src/index.ts', import.meta.url)),
      },
      { find: /^@cbm-ledger\/local$/, replacement: src('local') },
      {
        find: /^@cbm-ledger\/client\/node$/,
        replacement: fileURLToPath(new URL('./packages/client/src/node.ts', import.meta.url)),
      },
      { find: /^@cbm-ledger\/client$/, replacement: src('client') },
      { find: /^@cbm-ledger\/cli$/, replacement: src('cli') },
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'functions/test/**/*.test.ts',
      'infra/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // The infra suite synthesises (and bundles) the stacks once in a hook.
    hookTimeout: 300_000,
    testTimeout: 120_000,
    pool: 'forks',
    // The SDK's notice that it will drop Node 20 is noise here: Node 20 is the pinned platform.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
