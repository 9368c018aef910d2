/** docs/spec/api.md names every path and method of the OpenAPI document the API serves. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import openapi from '../src/openapi.json' with { type: 'json' };

const doc = readFileSync(fileURLToPath(new URL('../../docs/spec/api.md', import.meta.url)), 'utf8');
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

const operations = Object.entries(openapi.paths as Record<string, Record<string, unknown>>).flatMap(
  ([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
);

describe('docs/spec/api.md', () => {
  it('has operations to check', () => {
    expect(operations.length).toBeGreaterThan(20);
  });
  it.each(operations)('documents %s', (operation) => {
    expect(doc).toContain(`| \`${operation}\``);
  });
});
