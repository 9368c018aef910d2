/**
 * Issue 9 §1 over HTTP: the reproduction (the operator's second and third party.register for
 * state:NOR, a declaration with the operator's key, a cosignature as Norway's witness) answered
 * with stable problems, and the bad-input table for registration, key and witness changes and
 * recovery: each row answers its status and code, checked against the OpenAPI document, and
 * writes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  STATEMENT_PAYLOAD_TYPE,
  cosign,
  ed25519,
  fromBase64,
  generateKeyFile,
  keyFileSeed,
  parseNote,
  sha256,
  sha256Hex,
  signEnvelope,
  statementId,
  toBase64,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope, KeyFile } from '@cbm-ledger/protocol';
import { ConfigurationError, readSettings } from '../src/lambda/environment.js';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import type { Party, TestLedger } from '@cbm-ledger/functions/testing';

const NOR = 'state:NOR';
const codeOf = (answer: { body: string }): unknown =>
  (JSON.parse(answer.body) as { code?: unknown }).code;
const DAY = 86_400_000;
const WITNESS_SEED = sha256(utf8Encode('nor witness'));
const WITNESS = {
  name: 'nor.example/witness',
  publicKey: toBase64(ed25519.publicKeyFromSeed(WITNESS_SEED)),
};

const entry = (k: KeyFile): { keyid: string; publicKey: string } => ({
  keyid: k.keyid,
  publicKey: k.publicKey,
});

let counter = 0;
/**
 * The next statement of `party`, signed by `signers` (default: its key) without the schema
 * check, so rows can carry what the ledger must refuse. The chain advances only if `advance`.
 */
function signed(
  ledger: TestLedger,
  party: Party,
  type: string,
  body: unknown,
  signers: readonly KeyFile[] = [party.key],
  advance = false,
): Envelope {
  counter += 1;
  const statement = {
    v: 1,
    ledger: ledger.config.origin,
    type,
    issuer: party.id,
    seq: party.seq + 1,
    prev: party.prev,
    issuedAt: new Date().toISOString(),
    nonce: toBase64(sha256(utf8Encode(`registry-nonce-${counter}`)).subarray(0, 16))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_'),
    visibility: 'public',
    body,
  };
  const envelope = signEnvelope(
    STATEMENT_PAYLOAD_TYPE,
    utf8Encode(JSON.stringify(statement)),
    signers.map(keyFileSeed),
  );
  if (advance) {
    party.seq += 1;
    party.prev = statementId(fromBase64(envelope.payload));
  }
  return envelope;
}

interface World {
  ledger: TestLedger;
  nor: Party;
  swe: Party;
  fin: Party;
  ext: Party;
}

async function accept(ledger: TestLedger, envelope: Envelope): Promise<void> {
  const answer = await ledger.submit(envelope);
  expect(answer.statusCode, answer.body).toBe(202);
  await ledger.integrator.runUntilIdle();
}

/** NOR (with a witness), SWE and FIN in the measure `nordic`; EXT in none. */
async function world(): Promise<World> {
  const ledger = await createTestLedger();
  const register = async (id: string, witness?: typeof WITNESS): Promise<Party> => {
    const key = generateKeyFile(id);
    await accept(
      ledger,
      signed(
        ledger,
        ledger.operator,
        'party.register',
        {
          party: { id, name: id, kind: 'state' },
          keys: [entry(key)],
          ...(witness === undefined ? {} : { witness }),
        },
        [ledger.operator.key],
        true,
      ),
    );
    return { id, key, seq: 0, prev: null };
  };
  const nor = await register(NOR, WITNESS);
  const swe = await register('state:SWE');
  const fin = await register('state:FIN');
  const ext = await register('state:EXT');
  const measure = {
    id: 'nordic',
    title: 'Nordic notification',
    parties: [NOR, swe.id, fin.id],
    ruleSet: 'vd2011',
    overrides: {},
    adoptedAt: '2026-01-15T12:00:00Z',
    inForceAt: '2026-02-01T00:00:00Z',
    term: {
      sunsetAt: '2031-02-01T00:00:00Z',
      renewal: 'affirmative',
      renewalPeriodMonths: 60,
      terminationNoticeDays: 180,
    },
    review: { firstAt: '2027-02-01T00:00:00Z', intervalMonths: 12, graceDays: 30 },
  };
  await accept(
    ledger,
    signed(ledger, nor, 'measure.define', measure, [nor.key, swe.key, fin.key], true),
  );
  return { ledger, nor, swe, fin, ext };
}

const risk = {
  to: 'state:SWE',
  activity: { description: 'Armoured columns moving towards the border' },
  question: 'What is the purpose of this activity?',
};

describe('issue 9 §1 reproduction over HTTP', () => {
  it('refuses the operator’s takeover of state:NOR at every step, and NOR stays as it was', async () => {
    const { ledger, nor } = await world();
    const before = await ledger.call('GET', `/v1/parties/${NOR}`);
    const operatorMade = generateKeyFile(NOR);
    const second = await ledger.submit(
      signed(
        ledger,
        ledger.operator,
        'party.register',
        {
          party: { id: NOR, name: 'Norway', kind: 'state' },
          keys: [entry(nor.key), entry(operatorMade)],
        },
        [ledger.operator.key],
      ),
    );
    expect([second.statusCode, codeOf(second)]).toEqual([409, 'PARTY_ALREADY_REGISTERED']);
    const declaration = await ledger.submit(
      signed(ledger, nor, 'risk.request', risk, [operatorMade]),
    );
    expect([declaration.statusCode, codeOf(declaration)]).toEqual([422, 'KEY_UNKNOWN']);
    const operatorWitness = sha256(utf8Encode('operator as nor'));
    const third = await ledger.submit(
      signed(
        ledger,
        ledger.operator,
        'party.register',
        {
          party: { id: NOR, name: 'Norway', kind: 'state' },
          keys: [entry(nor.key)],
          witness: {
            name: WITNESS.name,
            publicKey: toBase64(ed25519.publicKeyFromSeed(operatorWitness)),
          },
        },
        [ledger.operator.key],
      ),
    );
    expect([third.statusCode, codeOf(third)]).toEqual([409, 'PARTY_ALREADY_REGISTERED']);
    const note = (await ledger.call('GET', '/v1/checkpoint')).body;
    const line = cosign(
      parseNote(note).text,
      WITNESS.name,
      operatorWitness,
      Math.floor(Date.now() / 1000),
    );
    const cosigned = await ledger.call('POST', '/v1/checkpoint/cosignatures', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkpoint: note, cosignature: line }),
    });
    expect([cosigned.statusCode, codeOf(cosigned)]).toEqual([422, 'COSIGNATURE_INVALID']);
    await ledger.integrator.runUntilIdle();
    expect((await ledger.call('GET', `/v1/parties/${NOR}`)).body).toBe(before.body);
  });
});

type Build = (w: World) => Envelope;
interface Row {
  name: string;
  build: Build;
  status: number;
  code: string;
}

const soon = (days: number): string => new Date(Date.now() + days * DAY).toISOString();
const recover = (w: World, patch: Record<string, unknown> = {}, signers?: KeyFile[]): Envelope =>
  signed(
    w.ledger,
    w.ledger.operator,
    'party.recover',
    {
      party: NOR,
      keys: [entry(generateKeyFile(NOR))],
      measure: 'nordic',
      reason: 'All keys lost.',
      effectiveAt: soon(15),
      ...patch,
    },
    signers ?? [w.ledger.operator.key, w.swe.key, w.fin.key],
  );

/** A 32-byte key that is a small-order Ed25519 point (the identity), with its true keyid. */
const SMALL_ORDER = new Uint8Array(32);
SMALL_ORDER[0] = 1;
const unusable = { keyid: sha256Hex(SMALL_ORDER), publicKey: toBase64(SMALL_ORDER) };

const rows: Row[] = [
  // Registration.
  {
    name: 'a second party.register with the same key',
    build: (w) =>
      signed(
        w.ledger,
        w.ledger.operator,
        'party.register',
        {
          party: { id: NOR, name: 'Norway', kind: 'state' },
          keys: [entry(w.nor.key)],
        },
        [w.ledger.operator.key],
      ),
    status: 409,
    code: 'PARTY_ALREADY_REGISTERED',
  },
  {
    name: 'a second party.register renaming the party only',
    build: (w) =>
      signed(
        w.ledger,
        w.ledger.operator,
        'party.register',
        {
          party: { id: NOR, name: 'Kingdom of Norway', kind: 'state' },
          keys: [entry(generateKeyFile(NOR))],
        },
        [w.ledger.operator.key],
      ),
    status: 409,
    code: 'PARTY_ALREADY_REGISTERED',
  },
  {
    name: 'a second party.register co-signed by the party itself',
    build: (w) => {
      const extra = generateKeyFile(NOR);
      return signed(
        w.ledger,
        w.ledger.operator,
        'party.register',
        {
          party: { id: NOR, name: 'Norway', kind: 'state' },
          keys: [entry(extra)],
        },
        [w.ledger.operator.key, extra],
      );
    },
    status: 409,
    code: 'PARTY_ALREADY_REGISTERED',
  },
  {
    name: 'a new party listing another party’s key',
    build: (w) =>
      signed(
        w.ledger,
        w.ledger.operator,
        'party.register',
        {
          party: { id: 'state:DNK', name: 'Denmark', kind: 'state' },
          keys: [entry(w.nor.key)],
        },
        [w.ledger.operator.key],
      ),
    status: 409,
    code: 'KEY_ALREADY_REGISTERED',
  },
  {
    name: 'a new party claiming another party’s witness name',
    build: (w) =>
      signed(
        w.ledger,
        w.ledger.operator,
        'party.register',
        {
          party: { id: 'state:DNK', name: 'Denmark', kind: 'state' },
          keys: [entry(generateKeyFile('state:DNK'))],
          witness: {
            name: WITNESS.name,
            publicKey: toBase64(ed25519.publicKeyFromSeed(sha256(utf8Encode('dnk')))),
          },
        },
        [w.ledger.operator.key],
      ),
    status: 409,
    code: 'WITNESS_NAME_TAKEN',
  },
  {
    name: 'a party.register issued by a state',
    build: (w) =>
      signed(w.ledger, w.swe, 'party.register', {
        party: { id: 'state:DNK', name: 'Denmark', kind: 'state' },
        keys: [entry(generateKeyFile('state:DNK'))],
      }),
    status: 422,
    code: 'ISSUER_KIND_NOT_ALLOWED',
  },
  {
    name: 'a party.register with a small-order key',
    build: (w) =>
      signed(
        w.ledger,
        w.ledger.operator,
        'party.register',
        {
          party: { id: 'state:DNK', name: 'Denmark', kind: 'state' },
          keys: [unusable],
        },
        [w.ledger.operator.key],
      ),
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
  {
    name: 'a party.register signed by a key it does not list (another state’s)',
    build: (w) =>
      signed(
        w.ledger,
        w.ledger.operator,
        'party.register',
        {
          party: { id: 'state:DNK', name: 'Denmark', kind: 'state' },
          keys: [entry(generateKeyFile('state:DNK'))],
        },
        [w.ledger.operator.key, w.swe.key],
      ),
    status: 422,
    code: 'KEY_NOT_ISSUERS',
  },
  // Key changes.
  {
    name: 'a key.add without the new key’s signature',
    build: (w) =>
      signed(w.ledger, w.nor, 'key.add', { party: NOR, newKey: entry(generateKeyFile(NOR)) }),
    status: 422,
    code: 'COSIGNATURE_MISSING',
  },
  {
    name: 'a key.add signed only by the new key',
    build: (w) => {
      const k = generateKeyFile(NOR);
      return signed(w.ledger, w.nor, 'key.add', { party: NOR, newKey: entry(k) }, [k]);
    },
    status: 422,
    code: 'COSIGNATURE_MISSING',
  },
  {
    name: 'a key.add for NOR signed by the operator’s key and the new key',
    build: (w) => {
      const k = generateKeyFile(NOR);
      return signed(w.ledger, w.nor, 'key.add', { party: NOR, newKey: entry(k) }, [
        w.ledger.operator.key,
        k,
      ]);
    },
    status: 422,
    code: 'KEY_NOT_ISSUERS',
  },
  {
    name: 'a key.add for NOR issued by the operator',
    build: (w) => {
      const k = generateKeyFile(NOR);
      return signed(w.ledger, w.ledger.operator, 'key.add', { party: NOR, newKey: entry(k) }, [
        w.ledger.operator.key,
        k,
      ]);
    },
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
  {
    name: 'a key.add of a key another party holds',
    build: (w) =>
      signed(w.ledger, w.nor, 'key.add', { party: NOR, newKey: entry(w.swe.key) }, [
        w.nor.key,
        w.swe.key,
      ]),
    status: 409,
    code: 'KEY_ALREADY_REGISTERED',
  },
  {
    name: 'a key.rotate retiring another party’s key',
    build: (w) => {
      const k = generateKeyFile(NOR);
      return signed(
        w.ledger,
        w.nor,
        'key.rotate',
        {
          party: NOR,
          newKey: entry(k),
          retiredKeyid: w.swe.key.keyid,
        },
        [w.nor.key, k],
      );
    },
    status: 422,
    code: 'KEY_UNKNOWN',
  },
  {
    name: 'a key.revoke of NOR’s key issued by another state',
    build: (w) =>
      signed(w.ledger, w.swe, 'key.revoke', {
        party: NOR,
        keyid: w.nor.key.keyid,
        reason: 'compromised',
        effectiveAt: soon(0),
      }),
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
  {
    name: 'an operator key.revoke without a reason',
    build: (w) =>
      signed(
        w.ledger,
        w.ledger.operator,
        'key.revoke',
        {
          party: NOR,
          keyid: w.nor.key.keyid,
          effectiveAt: soon(0),
        },
        [w.ledger.operator.key],
      ),
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
  // Witness changes.
  {
    name: 'a witness.set for NOR signed by the operator',
    build: (w) =>
      signed(
        w.ledger,
        w.nor,
        'witness.set',
        {
          party: NOR,
          witness: {
            name: 'operator.example/nor',
            publicKey: toBase64(ed25519.publicKeyFromSeed(sha256(utf8Encode('op')))),
          },
        },
        [w.ledger.operator.key],
      ),
    status: 422,
    code: 'KEY_NOT_ISSUERS',
  },
  {
    name: 'a witness.set taking NOR’s witness name',
    build: (w) =>
      signed(w.ledger, w.swe, 'witness.set', {
        party: w.swe.id,
        witness: {
          name: WITNESS.name,
          publicKey: toBase64(ed25519.publicKeyFromSeed(sha256(utf8Encode('swe')))),
        },
      }),
    status: 409,
    code: 'WITNESS_NAME_TAKEN',
  },
  {
    name: 'a witness.set taking NOR’s witness key under another name',
    build: (w) =>
      signed(w.ledger, w.swe, 'witness.set', {
        party: w.swe.id,
        witness: { name: 'swe.example/witness', publicKey: WITNESS.publicKey },
      }),
    status: 409,
    code: 'WITNESS_NAME_TAKEN',
  },
  // Recovery.
  {
    name: 'a party.recover signed by the operator and one of two partners',
    build: (w) => recover(w, {}, [w.ledger.operator.key, w.swe.key]),
    status: 422,
    code: 'RECOVERY_QUORUM_MISSING',
  },
  {
    name: 'a party.recover signed by the partners but not the operator',
    build: (w) => recover(w, {}, [w.swe.key, w.fin.key]),
    status: 422,
    code: 'COSIGNATURE_MISSING',
  },
  {
    name: 'a party.recover co-signed by the party itself',
    build: (w) => recover(w, {}, [w.ledger.operator.key, w.nor.key, w.swe.key]),
    status: 422,
    code: 'KEY_NOT_ISSUERS',
  },
  {
    name: 'a party.recover co-signed by a state outside the measure',
    build: (w) => recover(w, {}, [w.ledger.operator.key, w.swe.key, w.ext.key]),
    status: 422,
    code: 'KEY_NOT_ISSUERS',
  },
  {
    name: 'a party.recover taking effect in one day',
    build: (w) => recover(w, { effectiveAt: soon(1) }),
    status: 422,
    code: 'RECOVERY_TOO_SOON',
  },
  {
    name: 'a party.recover taking effect in the past',
    build: (w) => recover(w, { effectiveAt: soon(-1) }),
    status: 422,
    code: 'RECOVERY_TOO_SOON',
  },
  {
    name: 'a party.recover of an unregistered party',
    build: (w) => recover(w, { party: 'state:DNK', keys: [entry(generateKeyFile('state:DNK'))] }),
    status: 422,
    code: 'PARTY_UNKNOWN',
  },
  {
    name: 'a party.recover naming an unknown measure',
    build: (w) => recover(w, { measure: 'arctic' }),
    status: 422,
    code: 'MEASURE_UNKNOWN',
  },
  {
    name: 'a party.recover of a party outside the measure',
    build: (w) => recover(w, { party: w.ext.id, keys: [entry(generateKeyFile(w.ext.id))] }),
    status: 422,
    code: 'MEASURE_NOT_PARTY',
  },
  {
    name: 'a party.recover with a key another party holds',
    build: (w) => recover(w, { keys: [entry(w.swe.key)] }),
    status: 409,
    code: 'KEY_ALREADY_REGISTERED',
  },
  {
    name: 'a party.recover without a reason',
    build: (w) => recover(w, { reason: '' }),
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
  {
    name: 'a party.recover issued by a state',
    build: (w) =>
      signed(w.ledger, w.swe, 'party.recover', {
        party: NOR,
        keys: [entry(generateKeyFile(NOR))],
        measure: 'nordic',
        reason: 'All keys lost.',
        effectiveAt: soon(15),
      }),
    status: 422,
    code: 'ISSUER_KIND_NOT_ALLOWED',
  },
  {
    name: 'a recovery.veto of no pending recovery',
    build: (w) =>
      signed(w.ledger, w.nor, 'recovery.veto', {
        party: NOR,
        recovery: `sha256:${'a'.repeat(64)}`,
      }),
    status: 409,
    code: 'RECOVERY_NOT_PENDING',
  },
  {
    name: 'a recovery.veto for NOR issued by another state',
    build: (w) =>
      signed(w.ledger, w.swe, 'recovery.veto', {
        party: NOR,
        recovery: `sha256:${'a'.repeat(64)}`,
      }),
    status: 400,
    code: 'SCHEMA_VIOLATION',
  },
];

describe('registry bad input over HTTP', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it.each(rows)('$name → $status $code, nothing written', async (row) => {
    const before = w.ledger.dump();
    const answer = await w.ledger.submit(row.build(w));
    expect(answer.statusCode, answer.body).toBe(row.status);
    expect(answer.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ code: row.code, status: row.status });
    await w.ledger.integrator.runUntilIdle();
    expect(w.ledger.dump()).toBe(before);
    expect(w.ledger.logger.errors).toEqual([]);
  });

  it('has a row for each registry statement type', () => {
    const types = [
      'party.register',
      'key.add',
      'key.rotate',
      'key.revoke',
      'witness.set',
      'party.recover',
      'recovery.veto',
    ];
    expect(rows.length).toBeGreaterThanOrEqual(30);
    for (const t of types) expect(rows.some((r) => r.name.includes(t))).toBe(true);
  });
});

describe('CBM_MAX_SIGNING_DAYS', () => {
  const env = (days?: string): Record<string, string> => ({
    CBM_ORIGIN: 'cbm-ledger.test/env',
    ...(days === undefined ? {} : { CBM_MAX_SIGNING_DAYS: days }),
  });
  it('defaults to 14 days and takes 1 to 365', () => {
    expect(readSettings(env()).config.maxSigningMs).toBe(14 * DAY);
    expect(readSettings(env('3')).config.maxSigningMs).toBe(3 * DAY);
  });
  it.each(['0', '366', '-1', '1.5', 'two', '014'])('refuses %j', (days) => {
    expect(() => readSettings(env(days))).toThrow(ConfigurationError);
  });
});

describe('CBM_RECOVERY_DELAY_DAYS', () => {
  const env = (days?: string): Record<string, string> => ({
    CBM_ORIGIN: 'cbm-ledger.test/env',
    ...(days === undefined ? {} : { CBM_RECOVERY_DELAY_DAYS: days }),
  });
  it('defaults to 14 days and takes 1 to 365', () => {
    expect(readSettings(env()).config.recoveryDelayMs).toBe(14 * DAY);
    expect(readSettings(env('30')).config.recoveryDelayMs).toBe(30 * DAY);
  });
  it.each(['0', '366', '-1', '1.5', 'two', '014'])('refuses %j', (days) => {
    expect(() => readSettings(env(days))).toThrow(ConfigurationError);
  });
});
