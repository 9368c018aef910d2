/**
 * Issue 9 §1 at the domain level: nobody, the operator included, speaks for another party in the
 * registry. The reproduction (a second party.register adding an operator-made key, a third one
 * swapping the witness, the operator then cosigning as the party's witness) is refused; keys and
 * witness change only by the party's own statements; the operator may revoke, never add; and a
 * recovery needs the operator and a quorum of measure partners, waits out a veto period, and
 * can be vetoed by a still-valid key of the party. Every rejection writes nothing.
 */
import { describe, expect, it } from 'vitest';
import { cosign, ed25519, parseNote, sha256, toBase64, utf8Encode } from '@cbm-ledger/protocol';
import type { Leaf, Statement } from '@cbm-ledger/protocol';
import { LedgerError, Registry } from '@cbm-ledger/ledger';
import { dumpMemoryStores } from '@cbm-ledger/ledger/testing';
import {
  Harness,
  OPERATOR,
  checkInvariants,
  fixtureBody,
  infoExchangeBody,
  testKey,
} from '@cbm-ledger/ledger/testing';
import type { TestKey } from '@cbm-ledger/ledger/testing';

const NOR = 'state:NOR';
const DAY = 86_400_000;

function witnessKey(label: string): { name: string; seed: Uint8Array; publicKey: string } {
  const seed = sha256(utf8Encode(`witness:${label}`));
  return { name: `${label}/witness`, seed, publicKey: toBase64(ed25519.publicKeyFromSeed(seed)) };
}

const entry = (k: TestKey): { keyid: string; publicKey: string } => ({
  keyid: k.keyid,
  publicKey: k.publicKey,
});

/** Submits, expects a LedgerError with `code`, and checks that nothing was written. */
async function refused(h: Harness, code: string, submit: () => Promise<unknown>): Promise<void> {
  const before = dumpMemoryStores(h.memory);
  const chains = new Map(h.chains);
  let got = 'OK';
  try {
    await submit();
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    got = e.code;
  }
  expect(got).toBe(code);
  expect(dumpMemoryStores(h.memory)).toBe(before);
  h.chains.clear();
  for (const [k, v] of chains) h.chains.set(k, v);
}

async function norway(): Promise<{ h: Harness; w: ReturnType<typeof witnessKey> }> {
  const h = new Harness();
  await h.genesis();
  await h.integrate();
  const w = witnessKey('nor.example');
  await h.register(NOR, { witness: { name: w.name, publicKey: w.publicKey } });
  await h.register('state:SWE');
  await h.register('state:FIN');
  await h.integrate();
  return { h, w };
}

describe('the operator cannot take over a state identity (issue 9 §1 reproduction)', () => {
  it('refuses a second party.register adding an operator key, its declarations, and a witness swap', async () => {
    const { h, w } = await norway();
    const operatorMade = testKey(NOR, 'operator-made');
    // 1. A second party.register listing a key the operator generated.
    await refused(h, 'PARTY_ALREADY_REGISTERED', () =>
      h.issue(OPERATOR, 'party.register', {
        party: { id: NOR, name: 'Norway', kind: 'state' },
        keys: [entry(h.key(NOR)), entry(operatorMade)],
      }),
    );
    // 2. A declaration signed with that key as issuer state:NOR.
    await refused(h, 'KEY_UNKNOWN', () =>
      h.issue(NOR, 'info.exchange', infoExchangeBody(), { signers: [operatorMade] }),
    );
    // 3. A third party.register swapping Norway's witness for one the operator holds.
    const operatorWitness = witnessKey('operator-as-nor');
    await refused(h, 'PARTY_ALREADY_REGISTERED', () =>
      h.issue(OPERATOR, 'party.register', {
        party: { id: NOR, name: 'Norway', kind: 'state' },
        keys: [entry(h.key(NOR))],
        witness: { name: w.name, publicKey: operatorWitness.publicKey },
      }),
    );
    // 4. The operator cosigns as Norway's witness: the line does not verify under Norway's key.
    const note = await h.service.checkpoint();
    const line = cosign(
      parseNote(note).text,
      w.name,
      operatorWitness.seed,
      Math.floor(h.clock.now() / 1000),
    );
    await expect(
      h.service.addCosignature({ checkpoint: note, cosignature: line }),
    ).rejects.toSatisfy(
      (e: unknown) => e instanceof LedgerError && e.code === 'COSIGNATURE_INVALID',
    );
    // Norway's own witness still cosigns.
    const own = cosign(parseNote(note).text, w.name, w.seed, Math.floor(h.clock.now() / 1000));
    expect((await h.service.addCosignature({ checkpoint: note, cosignature: own })).party).toBe(
      NOR,
    );
    const party = await h.service.party(NOR);
    expect(party.keys.map((k) => k.keyid)).toEqual([h.key(NOR).keyid]);
    expect(party.witness).toEqual({ name: w.name, publicKey: w.publicKey });
    await checkInvariants(h.memory, h.signer.vkey);
  });

  it('replays an old log whose second party.register added a key without handing the key over', () => {
    // What an older build admitted: entry 2 re-registers state:NOR with an operator key.
    const registry = Registry.empty();
    const leaf = (index: number, s: Statement): Leaf => ({
      v: 1,
      index,
      prev: '0'.repeat(64),
      integratedAt: new Date(1_780_000_000_000 + index).toISOString(),
      statement: `sha256:${String(index).padStart(64, '0')}`,
      envelope: `sha256:${String(index).padStart(64, '0')}`,
      type: s.type,
      issuer: s.issuer,
      seq: s.seq,
      visibility: 'public',
      evidence: [],
    });
    const h = new Harness();
    const genesis = h.genesisStatement();
    registry.apply(leaf(0, genesis), genesis);
    const norKey = testKey(NOR);
    const operatorMade = testKey(NOR, 'operator-made');
    const w = witnessKey('nor.example');
    const register = (seq: number, keys: TestKey[], witness = w): Statement =>
      h.statement(
        OPERATOR,
        'party.register',
        {
          party: { id: NOR, name: 'Norway', kind: 'state' },
          keys: keys.map(entry),
          witness: { name: witness.name, publicKey: witness.publicKey },
        },
        { seq, prev: `sha256:${'0'.repeat(64)}` },
      );
    registry.apply(leaf(1, register(2, [norKey])), register(2, [norKey]));
    const second = register(3, [norKey, operatorMade], witnessKey('operator-as-nor'));
    registry.apply(leaf(2, second), second);
    expect(registry.key(operatorMade.keyid)).toBeUndefined();
    expect(registry.party(NOR)?.keys.map((k) => k.keyid)).toEqual([norKey.keyid]);
    expect(registry.party(NOR)?.witness?.publicKey).toBe(w.publicKey);
  });
});

describe('keys and witness change only by the party itself', () => {
  it('adds a key with key.add signed by a current key and the new key', async () => {
    const { h } = await norway();
    const old = h.key(NOR);
    const added = testKey(NOR, 'added');
    const body = { party: NOR, newKey: entry(added) };
    await refused(h, 'COSIGNATURE_MISSING', () =>
      h.issue(NOR, 'key.add', body, { signers: [old] }),
    );
    await refused(h, 'COSIGNATURE_MISSING', () =>
      h.issue(NOR, 'key.add', body, { signers: [added] }),
    );
    // The operator signing Norway's key.add (issuer state:NOR, operator key): not Norway's key.
    await refused(h, 'KEY_NOT_ISSUERS', () =>
      h.issue(NOR, 'key.add', body, { signers: [h.key(OPERATOR), added] }),
    );
    await h.issue(NOR, 'key.add', body, { signers: [old, added] });
    await h.integrate();
    const party = await h.service.party(NOR);
    expect(party.keys.map((k) => [k.keyid, k.status])).toEqual([
      [old.keyid, 'active'],
      [added.keyid, 'active'],
    ]);
    expect(
      (await h.issue(NOR, 'info.exchange', infoExchangeBody(), { signers: [added] })).outcome
        .status,
    ).toBe(202);
    // A keyid belongs to one party, once.
    await refused(h, 'KEY_ALREADY_REGISTERED', () =>
      h.issue(
        'state:SWE',
        'key.add',
        { party: 'state:SWE', newKey: entry(added) },
        {
          signers: [h.key('state:SWE'), added],
        },
      ),
    );
  });

  it('changes the witness only by the party’s witness.set, and keeps names unique', async () => {
    const { h, w } = await norway();
    const next = witnessKey('nor-2.example');
    await h.issue(NOR, 'witness.set', {
      party: NOR,
      witness: { name: next.name, publicKey: next.publicKey },
    });
    await h.integrate();
    expect((await h.service.party(NOR)).witness).toEqual({
      name: next.name,
      publicKey: next.publicKey,
    });
    const note = await h.service.checkpoint();
    const stale = cosign(parseNote(note).text, w.name, w.seed, Math.floor(h.clock.now() / 1000));
    await expect(
      h.service.addCosignature({ checkpoint: note, cosignature: stale }),
    ).rejects.toBeInstanceOf(LedgerError);
    const fresh = cosign(
      parseNote(note).text,
      next.name,
      next.seed,
      Math.floor(h.clock.now() / 1000),
    );
    expect((await h.service.addCosignature({ checkpoint: note, cosignature: fresh })).party).toBe(
      NOR,
    );
    // Sweden may not take Norway's witness name (its cosignatures would count as Norway's).
    const mine = witnessKey('swe.example');
    await refused(h, 'WITNESS_NAME_TAKEN', () =>
      h.issue('state:SWE', 'witness.set', {
        party: 'state:SWE',
        witness: { name: next.name, publicKey: mine.publicKey },
      }),
    );
    // Nor may the operator sign one for Norway.
    await refused(h, 'KEY_NOT_ISSUERS', () =>
      h.issue(
        NOR,
        'witness.set',
        { party: NOR, witness: { name: mine.name, publicKey: mine.publicKey } },
        {
          signers: [h.key(OPERATOR)],
        },
      ),
    );
  });

  it('lets the operator revoke a key (a visible act) but never add one', async () => {
    const { h } = await norway();
    await h.issue(OPERATOR, 'key.revoke', {
      party: NOR,
      keyid: h.key(NOR).keyid,
      reason: 'compromised',
      effectiveAt: new Date(h.clock.now()).toISOString(),
    });
    await h.integrate();
    expect((await h.service.party(NOR)).keys[0]).toMatchObject({
      status: 'revoked',
      revocationReason: 'compromised',
    });
    await refused(h, 'KEY_REVOKED', () => h.issue(NOR, 'info.exchange', infoExchangeBody()));
  });
});

describe('party.recover: the operator and a quorum, a waiting period, a veto', () => {
  async function measured(): Promise<{
    h: Harness;
    fresh: TestKey;
    body: Record<string, unknown>;
  }> {
    const { h } = await norway();
    const parties = [NOR, 'state:SWE', 'state:FIN'];
    const measure = { ...(fixtureBody('measure.define') as object), id: 'nordic', parties };
    await h.issue(NOR, 'measure.define', measure, { signers: parties.map((p) => h.key(p)) });
    await h.integrate();
    const fresh = testKey(NOR, 'recovered');
    const body = {
      party: NOR,
      keys: [entry(fresh)],
      measure: 'nordic',
      reason: 'Every signing key of the ministry was destroyed.',
      effectiveAt: new Date(h.clock.now() + 15 * DAY).toISOString(),
    };
    return { h, fresh, body };
  }

  it('refuses a recovery without the quorum, too soon, or of a party outside the measure', async () => {
    const { h, body } = await measured();
    const op = h.key(OPERATOR);
    await refused(h, 'RECOVERY_QUORUM_MISSING', () =>
      h.issue(OPERATOR, 'party.recover', body, { signers: [op, h.key('state:SWE')] }),
    );
    await refused(h, 'RECOVERY_TOO_SOON', () =>
      h.issue(
        OPERATOR,
        'party.recover',
        { ...body, effectiveAt: new Date(h.clock.now() + DAY).toISOString() },
        {
          signers: [op, h.key('state:SWE'), h.key('state:FIN')],
        },
      ),
    );
    await refused(h, 'COSIGNATURE_MISSING', () =>
      h.issue(OPERATOR, 'party.recover', body, {
        signers: [h.key('state:SWE'), h.key('state:FIN')],
      }),
    );
    await refused(h, 'MEASURE_UNKNOWN', () =>
      h.issue(OPERATOR, 'party.recover', { ...body, measure: 'none' }, { signers: [op] }),
    );
    // The party itself is no signer of its recovery (nor a partner's vote).
    await refused(h, 'KEY_NOT_ISSUERS', () =>
      h.issue(OPERATOR, 'party.recover', body, { signers: [op, h.key(NOR), h.key('state:SWE')] }),
    );
  });

  it('takes effect after the waiting period: the new keys sign from effectiveAt, the old ones stop', async () => {
    const { h, fresh, body } = await measured();
    const old = h.key(NOR);
    await h.issue(OPERATOR, 'party.recover', body, {
      signers: [h.key(OPERATOR), h.key('state:SWE'), h.key('state:FIN')],
    });
    await h.integrate();
    const party = await h.service.party(NOR);
    expect(party.recoveries).toEqual([
      expect.objectContaining({ index: 5, effectiveAt: body.effectiveAt, keyids: [fresh.keyid] }),
    ]);
    // During the waiting period the recovered key does not sign; the old one still does.
    await refused(h, 'KEY_NOT_YET_VALID', () =>
      h.issue(NOR, 'info.exchange', infoExchangeBody(), { signers: [fresh] }),
    );
    expect((await h.issue(NOR, 'info.exchange', infoExchangeBody(2025))).outcome.status).toBe(202);
    await h.integrate();
    // A second recovery while one is pending is refused.
    await refused(h, 'RECOVERY_PENDING', () =>
      h.issue(
        OPERATOR,
        'party.recover',
        { ...body, keys: [entry(testKey(NOR, 'x'))] },
        {
          signers: [h.key(OPERATOR), h.key('state:SWE'), h.key('state:FIN')],
        },
      ),
    );
    h.clock.t = Date.parse(body.effectiveAt as string) + 1;
    h.keys.set(NOR, fresh);
    expect((await h.issue(NOR, 'info.exchange', infoExchangeBody(2024))).outcome.status).toBe(202);
    await refused(h, 'KEY_RETIRED', () =>
      h.issue(NOR, 'info.exchange', infoExchangeBody(2023), { signers: [old] }),
    );
    await h.integrate();
    await checkInvariants(h.memory, h.signer.vkey);
  });

  it('is cancelled by a veto signed with a still-valid key before effectiveAt', async () => {
    const { h, fresh, body } = await measured();
    const { outcome } = await h.issue(OPERATOR, 'party.recover', body, {
      signers: [h.key(OPERATOR), h.key('state:SWE'), h.key('state:FIN')],
    });
    await h.integrate();
    await refused(h, 'RECOVERY_NOT_PENDING', () =>
      h.issue(NOR, 'recovery.veto', { party: NOR, recovery: `sha256:${'0'.repeat(64)}` }),
    );
    await refused(h, 'KEY_NOT_YET_VALID', () =>
      h.issue(
        NOR,
        'recovery.veto',
        { party: NOR, recovery: outcome.body.statement },
        { signers: [fresh] },
      ),
    );
    await h.issue(NOR, 'recovery.veto', {
      party: NOR,
      recovery: outcome.body.statement,
      detail: 'We hold our keys; we asked for no recovery.',
    });
    await h.integrate();
    const party = await h.service.party(NOR);
    expect(party.recoveries?.[0]?.vetoedIndex).toBe(6);
    expect(party.keys.map((k) => [k.status, k.validUntil])).toEqual([
      ['active', undefined],
      ['revoked', body.effectiveAt],
    ]);
    h.clock.t = Date.parse(body.effectiveAt as string) + 1;
    await refused(h, 'KEY_REVOKED', () =>
      h.issue(NOR, 'info.exchange', infoExchangeBody(), { signers: [fresh] }),
    );
    expect((await h.issue(NOR, 'info.exchange', infoExchangeBody(2024))).outcome.status).toBe(202);
  });
});
