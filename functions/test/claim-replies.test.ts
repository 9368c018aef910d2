/**
 * Right of reply on the statement view (issue 15 §2): GET /v1/statements/{id} of a claim lists
 * the replies citing it, so a reader of the claim also sees the answer; other types carry none.
 * Responses are checked against the OpenAPI document by the fixture.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { StatementView } from '@cbm-ledger/ledger';
import { exampleBody } from '@cbm-ledger/protocol';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import type { Party, TestLedger } from '@cbm-ledger/functions/testing';

async function view(ledger: TestLedger, id: string): Promise<StatementView> {
  const answer = await ledger.call('GET', `/v1/statements/${id}`);
  expect(answer.statusCode, answer.body).toBe(200);
  return JSON.parse(answer.body) as StatementView;
}

async function admit(ledger: TestLedger, envelope: Parameters<TestLedger['submit']>[0]) {
  const answer = await ledger.submit(envelope);
  expect(answer.statusCode, answer.body).toBe(202);
  await ledger.integrator.runUntilIdle();
  return JSON.parse(answer.body) as { statement: string; index?: number };
}

describe('a claim’s statement view', () => {
  let ledger: TestLedger;
  let jor: Party;
  let egy: Party;
  let request: string;

  beforeAll(async () => {
    ledger = await createTestLedger();
    jor = await ledger.registerState('state:JOR');
    egy = await ledger.registerState('state:EGY');
    const body = { ...(exampleBody('risk.request') as object), to: egy.id };
    request = (await admit(ledger, ledger.sign(jor, 'risk.request', body))).statement;
  });

  it('lists no replies before the party it is about answers', async () => {
    const v = await view(ledger, request);
    expect(v).toMatchObject({ type: 'risk.request', status: 'integrated', replies: [] });
  });

  it('lists the addressee’s dispute and acknowledgement, in log order, with their entries', async () => {
    const dispute = await admit(
      ledger,
      ledger.sign(egy, 'claim.reply', {
        claim: request,
        position: 'dispute',
        answer: 'No columns moved; the area was closed for road works.',
      }),
    );
    const acknowledge = await admit(
      ledger,
      ledger.sign(egy, 'claim.reply', {
        claim: request,
        position: 'acknowledge',
        answer: 'On review, one battalion moved for a scheduled rotation.',
      }),
    );
    const v = await view(ledger, request);
    expect(v.replies?.map((r) => [r.statement, r.issuer, r.position])).toEqual([
      [dispute.statement, egy.id, 'dispute'],
      [acknowledge.statement, egy.id, 'acknowledge'],
    ]);
    const indices = v.replies!.map((r) => r.index);
    expect(indices[0]!).toBeLessThan(indices[1]!);
    expect(indices[0]!).toBeGreaterThan(v.index!);
  });

  it('is absent on statements that are not claims', async () => {
    const other = await view(ledger, (await view(ledger, request)).replies![0]!.statement);
    expect(other.type).toBe('claim.reply');
    expect(other.replies).toBeUndefined();
  });
});
