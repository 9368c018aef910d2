/**
 * The project's spec (docs/spec/) kept true: statement-types.md is exactly what its generator
 * writes from the code, and every statement type has a section whose example is the type's
 * example body (`cbm template`), passes the validator and the published schema, and names the
 * signer rule the code applies; the wire-format document names every leaf field the code hashes.
 * Regenerate with `node scripts/spec-statement-types.mjs`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalLeaf, GENESIS_PREV } from '../src/leaf.js';
import {
  STATEMENT_TYPES,
  exampleBody,
  statementSigners,
  validateStatement,
} from '../src/statement/index.js';
import { exampleStatement } from './fixtures/example-statement.js';
import { schemaAccepts, schemaErrors } from './fixtures/statement-schemas.js';

const spec = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../docs/spec/${name}`, import.meta.url)), 'utf8');

const typesDoc = spec('statement-types.md');

/** The text of a `## \`type\`` section, up to the next section. */
function section(type: string): string | undefined {
  const start = typesDoc.indexOf(`## \`${type}\`\n`);
  if (start < 0) return undefined;
  const next = typesDoc.indexOf('\n## ', start + 1);
  return typesDoc.slice(start, next < 0 ? undefined : next);
}

describe('docs/spec/statement-types.md', () => {
  it.each([...STATEMENT_TYPES])(
    'documents %s with its validating example and signer rule',
    (type) => {
      const text = section(type);
      expect(
        text,
        `no section for ${type}: run node scripts/spec-statement-types.mjs`,
      ).toBeDefined();
      const json = /```json\n([\s\S]*?)\n```/.exec(text!)?.[1];
      expect(json, `no JSON example for ${type}`).toBeDefined();
      const body = JSON.parse(json!) as unknown;
      expect(body).toEqual(exampleBody(type));
      const statement = validateStatement(exampleStatement(type, body));
      expect(schemaAccepts(statement), schemaErrors(type, statement)).toBe(true);
      const { rule } = statementSigners(statement);
      expect(text).toContain(`(\`${rule}\`)`);
    },
  );

  it('is what scripts/spec-statement-types.mjs writes (members from the schemas included)', () => {
    // The generator reads the built protocol package (dist), as `npm test` builds it first.
    const script = fileURLToPath(
      new URL('../../../scripts/spec-statement-types.mjs', import.meta.url),
    );
    const generated = execFileSync(process.execPath, [script, '--stdout'], { encoding: 'utf8' });
    expect(
      typesDoc,
      'docs/spec/statement-types.md is stale: run node scripts/spec-statement-types.mjs',
    ).toBe(generated);
  });

  it('documents no type the code does not have', () => {
    const documented = [...typesDoc.matchAll(/^## `([^`]+)`$/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...STATEMENT_TYPES].sort());
  });
});

describe('docs/spec/wire-formats.md', () => {
  const doc = spec('wire-formats.md');
  it('names every leaf field the code hashes', () => {
    const leaf = JSON.parse(
      canonicalLeaf({
        v: 1,
        index: 0,
        prev: GENESIS_PREV,
        integratedAt: '2026-01-01T00:00:00.000Z',
        statement: `sha256:${'0'.repeat(64)}`,
        envelope: `sha256:${'0'.repeat(64)}`,
        type: 'ledger.genesis',
        issuer: 'operator:cbm',
        seq: 1,
        visibility: 'public',
        evidence: [],
      }),
    ) as Record<string, unknown>;
    for (const field of Object.keys(leaf)) expect(doc).toContain(`| \`${field}\``);
  });
});
