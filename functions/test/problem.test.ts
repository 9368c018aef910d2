import { describe, expect, it } from 'vitest';
import { LedgerError } from '@cbm-ledger/ledger';
import { createApiHandler, problemType } from '../src/index.js';
import type { LedgerApi } from '../src/index.js';
import { checked, event, recordingLogger } from '@cbm-ledger/functions/testing';

/** A service whose every method fails with `error`. */
function failing(error: Error): LedgerApi {
  const fail = (): Promise<never> => Promise.reject(error);
  return {
    info: fail,
    submit: fail,
    statement: fail,
    entries: fail,
    entry: fail,
    checkpoint: fail,
    inclusionProof: fail,
    consistencyProof: fail,
    createEvidenceUpload: fail,
    evidenceDownload: fail,
    parties: fail,
    party: fail,
    compliance: fail,
    complianceSummary: fail,
    measures: fail,
    timeline: fail,
    checkpointStatus: fail,
    addCosignature: fail,
    authenticate: fail,
  };
}

async function get(service: LedgerApi | (() => Promise<LedgerApi>), path = '/v1/ledger') {
  const logger = recordingLogger();
  const api = createApiHandler(service, { logger });
  const answer = checked('GET', path, await api(event('GET', path), { awsRequestId: 'req-42' }));
  return { answer, problem: JSON.parse(answer.body) as Record<string, unknown>, logger };
}

describe('the error mapping', () => {
  it('turns a LedgerError into RFC 9457 problem+json with its stable code', async () => {
    const { answer, problem, logger } = await get(
      failing(new LedgerError('NOT_FOUND', 'no such thing')),
      '/v1/entries/3',
    );
    expect(answer.statusCode).toBe(404);
    expect(answer.headers?.['content-type']).toBe('application/problem+json');
    expect(problem).toEqual({
      type: 'urn:cbm-ledger:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'no such thing',
      code: 'NOT_FOUND',
    });
    expect(logger.errors).toEqual([]);
  });

  it('keeps extensions but never lets them overwrite the standard members', async () => {
    const error = new LedgerError('NOT_FOUND', 'gone', {
      head: null,
      status: 200,
      code: 'OK',
      type: 'about:blank',
      path: '$.seq',
    });
    const { answer, problem } = await get(failing(error), '/v1/entries/3');
    expect(answer.statusCode).toBe(404);
    expect(problem).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      type: problemType('NOT_FOUND'),
      head: null,
      path: '$.seq',
    });
  });

  it('answers an unexpected error with 500 INTERNAL, logging it but revealing nothing of it', async () => {
    const secret = new Error(
      'ResourceNotFoundException: table arn:aws:dynamodb:eu-west-1:123456789012:table/cbm',
    );
    const { answer, problem, logger } = await get(failing(secret));
    expect(answer.statusCode).toBe(500);
    expect(problem['code']).toBe('INTERNAL');
    expect(answer.body).not.toContain('arn:aws');
    expect(answer.body).not.toContain('ResourceNotFound');
    expect(problem['detail']).toContain('req-42');
    expect(logger.errors).toHaveLength(1);
    expect(JSON.stringify(logger.errors[0]?.[1] ?? {})).toContain('req-42');
  });

  it('answers a store outage with 503 and Retry-After, and logs it', async () => {
    const { answer, logger } = await get(
      failing(new LedgerError('STORE_UNAVAILABLE', 'throttled')),
    );
    expect(answer.statusCode).toBe(503);
    expect(answer.headers?.['retry-after']).toBe('1');
    expect(logger.errors).toHaveLength(1);
  });

  it('answers 500 when the service cannot be built (a misconfigured cold start)', async () => {
    const { answer, logger } = await get(() => Promise.reject(new Error('CBM_ORIGIN is not set')));
    expect(answer.statusCode).toBe(500);
    expect(answer.body).not.toContain('CBM_ORIGIN');
    expect(logger.errors).toHaveLength(1);
  });

  it('routes before building the service: an unknown path is 404 even when the service cannot be built', async () => {
    let built = 0;
    const { answer } = await get(() => {
      built++;
      return Promise.reject(new Error('unconfigured'));
    }, '/v2/ledger');
    expect(answer.statusCode).toBe(404);
    expect(built).toBe(0);
  });
});
