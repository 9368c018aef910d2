/**
 * The example bodies (`cbm template`, docs/spec/statement-types.md): every statement type has
 * one, and each passes its type's validator inside an otherwise valid statement.
 */
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../src/bytes.js';
import {
  BODY_EXAMPLES,
  STATEMENT_TYPES,
  exampleBody,
  validateStatement,
} from '../src/statement/index.js';
import type { StatementType } from '../src/statement/index.js';

/** A statement around `body` that is valid in every field but the body. */
export function exampleStatement(type: StatementType, body: unknown): unknown {
  const issuer =
    type === 'ledger.genesis' || type === 'party.register'
      ? 'operator:cbm'
      : type === 'observer.report'
        ? 'observer:un-team'
        : 'state:JOR';
  return {
    v: 1,
    ledger: 'cbm-ledger.example/mena',
    type,
    issuer,
    seq: 1,
    prev: null,
    issuedAt: '2026-03-01T09:30:00.000Z',
    nonce: toBase64Url(new Uint8Array(16).fill(7)),
    visibility: 'public',
    body,
  };
}

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
