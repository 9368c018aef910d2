/**
 * POST /v1/checkpoint/cosignatures and GET /v1/checkpoints/{size} over HTTP: a witness's
 * cosignature kept and served, and the bad-input table (transport and domain), each answer
 * checked against the OpenAPI document.
 */
import { describe, expect, it } from 'vitest';
import {
  cosign,
  ed25519,
  generateKeyFile,
  openCheckpoint,
  parseNote,
  parseVkey,
  sha256,
  toBase64,
  utf8Encode,
} from '@cbm-ledger/protocol';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import type { TestLedger } from '@cbm-ledger/functions/testing';
import { json } from './reads-fixture.js';

const SEED = sha256(utf8Encode('http witness'));
const NAME = 'witness.example/http';

async function witnessedLedger(witnessQuorum = 1): Promise<{ ledger: TestLedger; note: string }> {
  const ledger = await createTestLedger({ witnessQuorum });
  const key = generateKeyFile('observer:http-witness');
  const register = ledger.sign(ledger.operator, 'party.register', {
    party: { id: 'observer:http-witness', name: 'HTTP witness', kind: 'observer' },
    keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
    witness: { name: NAME, publicKey: toBase64(ed25519.publicKeyFromSeed(SEED)) },
  });
  expect((await ledger.submit(register)).statusCode).toBe(202);
  await ledger.integrator.runUntilIdle();
  return { ledger, note: (await ledger.call('GET', '/v1/checkpoint')).body };
}

const post = (ledger: TestLedger, body: string, contentType = 'application/json') =>
  ledger.call('POST', '/v1/checkpoint/cosignatures', {
    headers: { 'content-type': contentType },
    body,
  });

const now = (): number => Math.floor(Date.now() / 1000);

describe('witness cosignatures over HTTP', () => {
  it('keeps a cosignature (201), knows it again (200) and serves it with the checkpoint', async () => {
    const { ledger, note } = await witnessedLedger();
    const line = cosign(parseNote(note).text, NAME, SEED, now());
    const request = JSON.stringify({ checkpoint: note, cosignature: line });
    const kept = await post(ledger, request);
    expect(kept.statusCode, kept.body).toBe(201);
    expect(json(kept)).toMatchObject({
      witness: NAME,
      party: 'observer:http-witness',
      stored: true,
    });
    const again = await post(ledger, request);
    expect(again.statusCode).toBe(200);
    expect(json(again)['stored']).toBe(false);
    expect((await ledger.call('GET', '/v1/checkpoint')).body).toBe(`${note}${line}\n`);

    const size = openCheckpoint(note, parseVkey(ledger.logVkey)).checkpoint.size;
    const status = json<{ quorum: unknown; cosignatures: unknown[] }>(
      await ledger.call('GET', `/v1/checkpoints/${size}`),
    );
    expect(status.quorum).toEqual({ required: 1, witnesses: 1, met: true });
    expect(json(await ledger.call('GET', '/v1/ledger'))['witnessQuorum']).toBe(1);
  });

  type Case = [string, (note: string) => [string, string?], number, string];
  const table: Case[] = [
    ['no body', () => [''], 400, 'BODY_EMPTY'],
    [
      'another media type',
      (note) => [JSON.stringify({ checkpoint: note }), 'text/plain'],
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body over 64 KiB',
      () => [JSON.stringify({ checkpoint: 'x'.repeat(70_000), cosignature: '' })],
      413,
      'BODY_TOO_LARGE',
    ],
    ['a body that is not JSON', () => ['{"checkpoint":'], 400, 'MALFORMED'],
    [
      'an unknown field',
      (note) => [JSON.stringify({ checkpoint: note, cosignature: '', x: 1 })],
      400,
      'UNKNOWN_FIELD',
    ],
    [
      'a cosignature that is not a string',
      (note) => [JSON.stringify({ checkpoint: note, cosignature: 1 })],
      400,
      'SCHEMA_VIOLATION',
    ],
    [
      'a malformed line',
      (note) => [JSON.stringify({ checkpoint: note, cosignature: `— ${NAME}` })],
      400,
      'MALFORMED',
    ],
    [
      'a checkpoint the log never signed',
      (note) => [
        JSON.stringify({
          checkpoint: note.replace(/\n\n.*$/s, '\n\n— x AAAAAAAA\n'),
          cosignature: cosign(parseNote(note).text, NAME, SEED, now()),
        }),
      ],
      422,
      'CHECKPOINT_UNKNOWN',
    ],
    [
      'an unregistered witness',
      (note) => [
        JSON.stringify({
          checkpoint: note,
          cosignature: cosign(parseNote(note).text, 'other.example/w', SEED, now()),
        }),
      ],
      422,
      'WITNESS_UNKNOWN',
    ],
    [
      'a forged cosignature',
      (note) => [
        JSON.stringify({
          checkpoint: note,
          cosignature: cosign(parseNote(note).text, NAME, sha256(utf8Encode('forger')), now()),
        }),
      ],
      422,
      'COSIGNATURE_INVALID',
    ],
  ];

  it.each(table)('answers %s with %i %s and keeps nothing', async (_name, make, status, code) => {
    const { ledger, note } = await witnessedLedger();
    const before = ledger.dump();
    const [body, contentType] = make(note);
    const answer = await post(ledger, body, contentType);
    expect(answer.statusCode, answer.body).toBe(status);
    expect(json(answer)['code']).toBe(code);
    expect(ledger.dump()).toBe(before);
  });

  it.each([
    ['01', 400, 'MALFORMED'],
    ['-1', 400, 'RANGE_INVALID'],
    ['999', 404, 'NOT_FOUND'],
  ] as const)('answers GET /v1/checkpoints/%s with %i %s', async (size, status, code) => {
    const { ledger } = await witnessedLedger();
    const answer = await ledger.call('GET', `/v1/checkpoints/${size}`);
    expect(answer.statusCode).toBe(status);
    expect(json(answer)['code']).toBe(code);
  });
});
