/**
 * The published statement schemas (statementSchema, served at /v1/schemas/{type}) agree with
 * validateStatement, as judged by an independent JSON Schema 2020-12 implementation (Ajv, strict):
 * every example body and valid fixture passes both; every refused statement of the bad-input
 * tables is refused by both, except the ones whose only fault is a rule no JSON Schema keyword
 * can state (listed below, and stated in the schema's descriptions instead).
 */
import { describe, expect, it } from 'vitest';
import {
  STATEMENT_SCHEMA_DIALECT,
  STATEMENT_TYPES,
  exampleBody,
  statementSchema,
  statementSchemaId,
  validateStatement,
} from '../src/statement/index.js';
import { validStatements } from '../src/testing.js';
import { BAD_STATEMENTS, edited } from './fixtures/bad-statements.js';
import { exampleStatement } from './fixtures/example-statement.js';
import { schemaAccepts, schemaErrors } from './fixtures/statement-schemas.js';

/**
 * Refused statements the schema accepts, by `group: case`. Each one's fault is beyond JSON Schema:
 * an impossible calendar date or time, a key hash, a rule across fields (ordering of times,
 * nil/empty, presence depending on another member), uniqueness by one member, the rules of the
 * envelope and body together that admission applies (issuer kind, visibility, issuer is the
 * party). Exact: a case that starts to fail under the schema must leave this list.
 */
const BEYOND_SCHEMA = new Set([
  'envelope: a ledger with a scheme',
  'envelope: an impossible issuedAt',
  'envelope: evidence repeated by hash',
  'envelope: an evidence name with a path',
  'envelope: an evidence name of ..',
  'registry: genesis after the first statement',
  'registry: genesis for another origin',
  'registry: genesis by someone other than the operator',
  'registry: a log vkey named for another log',
  'registry: a log vkey with a wrong hash',
  'registry: a non-public genesis',
  'registry: a keyid that is not the key’s hash',
  'registry: a party kind contradicting its id',
  'registry: party registration by a state',
  'registry: a key registered twice',
  'registry: a restricted party registration',
  'registry: a key.add issued by another party',
  'registry: a key.add with a wrong keyid',
  'registry: a restricted key.add',
  'registry: a witness.set by the operator',
  'registry: a party.recover by a state',
  'registry: a party.recover without a reason',
  'registry: a party.recover of the operator itself',
  'registry: a recovery.veto by another party',
  'registry: a key rotation issued by another party',
  'registry: rotating a key into itself',
  'registry: a new key with a wrong keyid',
  'registry: a revocation by an unrelated state',
  'measure: an issuer outside the parties',
  'measure: a measure defined by an observer',
  'measure: entry into force before adoption',
  'measure: a sunset at entry into force',
  'measure: a renewal period with renewal none',
  'measure: automatic renewal without a period',
  'measure: a first review before entry into force',
  'measure: a withdrawal by an observer',
  'military: a nil calendar with activities',
  'military: an empty calendar that is not nil',
  'military: an activity ending before it starts',
  'military: an activity two years out',
  'military: an impossible date',
  'military: an activity listed twice',
  'military: a calendar by an observer',
  'military: an exercise ending as it starts',
  'military: invitees without an invitation',
  'military: a refusal reason with an invitation',
  'military: an unclosed polygon ring',
  'military: a notification by an observer',
  'military: an update that changes nothing',
  'military: an update with end before start',
  'military: a unit listed twice',
  'alert, risk and observer: a CAP time with a 25-hour offset',
  'alert, risk and observer: scope Restricted without restriction',
  'alert, risk and observer: scope Private without addresses',
  'alert, risk and observer: an update without references',
  'alert, risk and observer: references with an impossible time',
  'alert, risk and observer: an alert without info',
  'alert, risk and observer: an unclosed CAP polygon',
  'alert, risk and observer: a CAP polygon off the globe',
  'alert, risk and observer: a ceiling without altitude',
  'alert, risk and observer: a request to oneself',
  'alert, risk and observer: an activity seen ending before it started',
  'alert, risk and observer: a report by the operator',
  'alert, risk and observer: a host reporting on itself',
  'alert, risk and observer: an observation period ending before it starts',
  'alert, risk and observer: a count compared twice',
]);

describe('statement schemas', () => {
  it.each([...STATEMENT_TYPES])('publishes a 2020-12 schema for %s with its type fixed', (type) => {
    const schema = statementSchema(type);
    expect(schema['$schema']).toBe(STATEMENT_SCHEMA_DIALECT);
    expect(schema['$id']).toBe(statementSchemaId(type));
    expect((schema['properties'] as Record<string, unknown>)['type']).toEqual({ const: type });
    // Plain JSON: what the API serves is exactly this.
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it.each([...STATEMENT_TYPES])('accepts the example body of %s under both', (type) => {
    const statement = exampleStatement(type, exampleBody(type));
    expect(() => validateStatement(statement)).not.toThrow();
    expect(schemaAccepts(statement), schemaErrors(type, statement)).toBe(true);
  });

  it.each([...STATEMENT_TYPES])('accepts the valid %s fixture under both', (type) => {
    const statement = validStatements[type];
    expect(() => validateStatement(statement)).not.toThrow();
    expect(schemaAccepts(statement), schemaErrors(type, statement)).toBe(true);
  });

  it('refuses a statement of one type under the schema of another', () => {
    const statement = exampleStatement('risk.response', exampleBody('risk.response')) as object;
    expect(schemaAccepts({ ...statement, type: 'claim.reply' })).toBe(false);
    expect(schemaAccepts({ ...statement, type: 'no.such-type' })).toBe(false);
  });

  describe.each(BAD_STATEMENTS)('bad %s fields', (group, cases) => {
    it.each(cases)(
      '%s: refused by the validator, and by the schema unless beyond it',
      (name, type, edits) => {
        const statement = edited(type, edits);
        expect(() => validateStatement(statement)).toThrow();
        expect(schemaAccepts(statement)).toBe(BEYOND_SCHEMA.has(`${group}: ${name}`));
      },
    );
  });

  it('lists only cases that exist', () => {
    const names = new Set(
      BAD_STATEMENTS.flatMap(([group, cases]) => cases.map(([name]) => `${group}: ${name}`)),
    );
    for (const name of BEYOND_SCHEMA) expect(names).toContain(name);
  });
});
