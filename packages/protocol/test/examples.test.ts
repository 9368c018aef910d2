/**
 * The example bodies (`cbm template`, docs/spec/statement-types.md): every statement type has
 * one, and each passes its type's validator inside an otherwise valid statement.
 */
import { describe, expect, it } from 'vitest';
import {
  BODY_EXAMPLES,
  STATEMENT_TYPES,
  exampleBody,
  validateStatement,
} from '../src/statement/index.js';
import { exampleStatement } from './fixtures/example-statement.js';

describe('example bodies', () => {
  it.each([...STATEMENT_TYPES])('%s has an example that validates', (type) => {
    const body = exampleBody(type);
    expect(body, `no example body for ${type}: add one to statement/examples.ts`).toBeDefined();
    expect(() => validateStatement(exampleStatement(type, body))).not.toThrow();
  });

  it('lists no type that does not exist', () => {
    for (const type of Object.keys(BODY_EXAMPLES)) {
      expect(STATEMENT_TYPES as readonly string[]).toContain(type);
    }
  });

  it('hands out copies: changing one leaves the example intact', () => {
    const a = exampleBody('exercise.notification') as { designation: string };
    a.designation = 'CHANGED';
    expect((exampleBody('exercise.notification') as { designation: string }).designation).not.toBe(
      'CHANGED',
    );
  });
});
