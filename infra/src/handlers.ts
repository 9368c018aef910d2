/**
 * The Lambda entry points the stack deploys, one function (and one IAM role) per entry.
 *
 * Least privilege is enforced by IAM, per function, and by API Gateway, which routes each path to
 * exactly one function. The split entries (`submit.ts`, `read.ts`, `cosign.ts`) only make the
 * bundles smaller: until one exists, its function bundles the full router (`api.ts`), which
 * still cannot do more than its role allows and still only receives its own paths.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LAMBDA_DIR } from './paths.js';

export type HandlerName = 'submit' | 'read' | 'cosign' | 'public' | 'router' | 'integrator';

export interface HandlerSpec {
  readonly name: HandlerName;
  /** File under functions/src/lambda/ exporting `handler`. */
  readonly entry: string;
  /** Used while `entry` does not exist yet (see the module comment). */
  readonly fallback?: string;
  readonly description: string;
}

export const HANDLERS: Readonly<Record<HandlerName, HandlerSpec>> = {
  submit: {
    name: 'submit',
    entry: 'submit.ts',
    fallback: 'api.ts',
    description: 'POST /v1/statements and POST /v1/evidence: admission (DSSE-authenticated)',
  },
  read: {
    name: 'read',
    entry: 'read.ts',
    fallback: 'api.ts',
    description: 'GET /v1/*: reads, proofs, receipts, evidence downloads (no writes)',
  },
  cosign: {
    name: 'cosign',
    entry: 'cosign.ts',
    fallback: 'api.ts',
    description:
      'POST /v1/checkpoint/cosignatures: witness cosignatures, verified before they are kept',
  },
  public: {
    name: 'public',
    entry: 'public.ts',
    fallback: 'api.ts',
    description: 'GET /public/v1/*: the unauthenticated, cacheable transparency view (read-only)',
  },
  router: {
    name: 'router',
    entry: 'router.ts',
    fallback: 'api.ts',
    description: 'Unknown paths and wrong methods: 404/405 problem+json, no data access at all',
  },
  integrator: {
    name: 'integrator',
    entry: 'integrator.ts',
    description: 'Sequencing and integration: leaves, tree, signed checkpoints (the only signer)',
  },
};

export interface ResolvedEntry {
  /** Absolute path of the file bundled. */
  readonly path: string;
  /** True when the fallback is bundled because the dedicated entry does not exist. */
  readonly usesFallback: boolean;
}

export function resolveEntry(spec: HandlerSpec, dir: string = LAMBDA_DIR): ResolvedEntry {
  const path = join(dir, spec.entry);
  if (existsSync(path)) return { path, usesFallback: false };
  if (spec.fallback !== undefined) {
    const fallback = join(dir, spec.fallback);
    if (existsSync(fallback)) return { path: fallback, usesFallback: true };
  }
  throw new Error(`Lambda entry ${path} does not exist`);
}
