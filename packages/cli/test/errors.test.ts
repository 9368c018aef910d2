/**
 * What a refused body tells the person at the terminal: every offending field, from the ledger's
 * problem `errors` or from local validation, and nothing a hostile server could use to forge
 * terminal output.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '@cbm-ledger/client';
import { ErrorCode, ProtocolError, fieldErrors } from '@cbm-ledger/protocol';
import { describeFailure, fieldErrorLines } from '../src/errors.js';

const SERVER = 'http://127.0.0.1:8080';

describe('describeFailure', () => {
  it('lists every field error of a refused submission', () => {
    const failure = describeFailure(
      new ApiError({
        status: 400,
        code: 'UNKNOWN_FIELD',
        detail: '$.body.id: unknown field',
        path: '$.body.id',
        errors: [
          { code: 'UNKNOWN_FIELD', path: '$.body.id', message: 'unknown field' },
          { code: 'SCHEMA_VIOLATION', path: '$.body.counts.acv', message: 'required' },
        ],
      }),
      SERVER,
    );
    expect(failure.message).toBe('the ledger refused: UNKNOWN_FIELD at $.body.id: unknown field');
    expect(fieldErrorLines(failure)).toEqual([
      '2 errors in all:',
      '  UNKNOWN_FIELD at $.body.id: unknown field',
      '  SCHEMA_VIOLATION at $.body.counts.acv: required',
    ]);
  });

  it('adds no lines for a single error', () => {
    const failure = describeFailure(
      new ProtocolError(ErrorCode.SCHEMA_VIOLATION, 'required', '$.body.x'),
      SERVER,
    );
    expect(failure.errors).toBeUndefined();
    expect(fieldErrorLines(failure)).toEqual([]);
  });

  it('lists every field error of a local validation', () => {
    const failure = describeFailure(
      fieldErrors([
        { code: ErrorCode.SCHEMA_VIOLATION, path: '$.seq', message: 'must be between 1 and 9' },
        { code: ErrorCode.UNKNOWN_FIELD, path: '$.body.x', message: 'unknown field' },
      ]),
      SERVER,
    );
    expect(failure.message).toMatch(/^the statement fails the schema: SCHEMA_VIOLATION at \$\.seq/);
    expect(failure.errors?.map((e) => e.path)).toEqual(['$.seq', '$.body.x']);
  });

  it('drops malformed entries and control characters from a server’s errors', () => {
    const failure = describeFailure(
      new ApiError({
        status: 400,
        code: 'SCHEMA_VIOLATION',
        path: '$.a',
        errors: [
          { code: 'SCHEMA_VIOLATION', path: '$.a', message: 'bad\u001b[2J\nforged line' },
          { code: 'SCHEMA_VIOLATION', path: 7, message: 'no path' },
          'not an object',
          null,
          { code: 'UNKNOWN_FIELD', path: '$.b\u202e', message: 'unknown field' },
        ],
      }),
      SERVER,
    );
    expect(failure.errors).toEqual([
      { code: 'SCHEMA_VIOLATION', path: '$.a', message: 'bad[2Jforged line' },
      { code: 'UNKNOWN_FIELD', path: '$.b', message: 'unknown field' },
    ]);
  });

  it('ignores errors that are not a list', () => {
    const failure = describeFailure(
      new ApiError({ status: 400, code: 'MALFORMED', errors: 'everything' }),
      SERVER,
    );
    expect(failure.errors).toBeUndefined();
  });
});
