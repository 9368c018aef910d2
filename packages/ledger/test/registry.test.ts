import { describe, expect, it } from 'vitest';
import { LedgerError, Registry } from '@cbm-ledger/ledger';
import {
  Harness,
  OPERATOR,
  checkInvariants,
  fixtureBody,
  infoExchangeBody,
  testKey,
} from '@cbm-ledger/ledger/testing';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LedgerError) return e.code;
    throw e;
  }
  return 'OK';
}

describe('the registry derived from the log', () => {
  it('rotates a key: the new key signs, the retired one no longer does, with validity windows', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR']);
    const old = h.key('state:JOR');
    const next = testKey('state:JOR', 'next');
    h.clock.advance(60_000);
    await h.issue(
      'state:JOR',
      'key.rotate',
      {
        party: 'state:JOR',
        newKey: { keyid: next.keyid, publicKey: next.publicKey },
        retiredKeyid: old.keyid,
      },
      { signers: [old, next] },
    );
    await h.integrate();
    const party = await h.service.party('state:JOR');
    const rotatedAt = new Date(h.clock.now()).toISOString();
    expect(party.keys).toEqual([
      expect.objectContaining({
        keyid: old.keyid,
        status: 'retired',
        validUntilIndex: 2,
        validUntil: rotatedAt,
      }),
      expect.objectContaining({
        keyid: next.keyid,
        status: 'active',
        validFromIndex: 2,
        validFrom: rotatedAt,
      }),
    ]);
    expect(party.head?.seq).toBe(1);

    expect(
      await codeOf(h.issue('state:JOR', 'info.exchange', infoExchangeBody(), { signers: [old] })),
    ).toBe('KEY_RETIRED');
    expect(
      (await h.issue('state:JOR', 'info.exchange', infoExchangeBody(), { signers: [next] })).outcome
        .status,
    ).toBe(202);

    const registry = Registry.fromSnapshot(await h.memory.registry.read());
    expect(registry.keysOf('state:JOR').map((k) => k.keyid)).toEqual([next.keyid]);
    expect(registry.keysOf('state:JOR', h.clock.now() - 30_000).map((k) => k.keyid)).toEqual([
      old.keyid,
    ]);
    await h.integrate();
    await checkInvariants(h.memory, h.signer.vkey);
  });

  it('revokes a key from the earlier of effectiveAt and integration; the party or the operator may revoke', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR', 'state:EGY']);
    const effectiveAt = new Date(h.clock.now() - 3_600_000).toISOString();
    await h.issue(OPERATOR, 'key.revoke', {
      party: 'state:JOR',
      keyid: h.key('state:JOR').keyid,
      reason: 'compromised',
      effectiveAt,
    });
    // The party itself revokes with a future effectiveAt: it takes effect on integration.
    await h.issue('state:EGY', 'key.revoke', {
      party: 'state:EGY',
      keyid: h.key('state:EGY').keyid,
      reason: 'superseded',
      effectiveAt: new Date(h.clock.now() + 86_400_000).toISOString(),
    });
    h.clock.advance(5_000);
    await h.integrate();
    const [jor, egy] = [await h.service.party('state:JOR'), await h.service.party('state:EGY')];
    expect(jor.keys[0]).toMatchObject({
      status: 'revoked',
      validUntil: new Date(Date.parse(effectiveAt)).toISOString(),
      validUntilIndex: 3,
      revocationReason: 'compromised',
    });
    expect(egy.keys[0]).toMatchObject({
      status: 'revoked',
      validUntil: new Date(h.clock.now()).toISOString(),
      validUntilIndex: 4,
    });
    expect(await codeOf(h.issue('state:JOR', 'info.exchange', infoExchangeBody()))).toBe(
      'KEY_REVOKED',
    );
    // Revoking it again is refused.
    expect(
      await codeOf(
        h.issue(OPERATOR, 'key.revoke', {
          party: 'state:JOR',
          keyid: h.key('state:JOR').keyid,
          reason: 'other',
          effectiveAt,
        }),
      ),
    ).toBe('KEY_REVOKED');
  });

  // Behaviour changed (issue 9 §1): a second party.register once restored a party with the
  // operator's keys, which let the operator speak for it. Now it is refused whatever it changes;
  // recovery is party.recover (registry-integrity.test.ts).
  it('refuses to register a party again, even one whose only key was revoked', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR']);
    const lost = h.key('state:JOR');
    await h.issue(OPERATOR, 'key.revoke', {
      party: 'state:JOR',
      keyid: lost.keyid,
      reason: 'compromised',
      effectiveAt: new Date(h.clock.now()).toISOString(),
    });
    await h.integrate();
    const fresh = testKey('state:JOR', 'restored');
    for (const keys of [[lost], [fresh]]) {
      expect(
        await codeOf(
          h.issue(OPERATOR, 'party.register', {
            party: { id: 'state:JOR', name: 'Jordan', kind: 'state' },
            keys: keys.map((k) => ({ keyid: k.keyid, publicKey: k.publicKey })),
            witness: {
              name: 'jor.example/witness',
              publicKey: testKey('state:JOR', 'witness').publicKey,
            },
          }),
        ),
      ).toBe('PARTY_ALREADY_REGISTERED');
    }
    await h.integrate();
    const party = await h.service.party('state:JOR');
    expect(party).toMatchObject({ name: 'state:JOR', registeredIndex: 1 });
    expect(party.witness).toBeUndefined();
    expect(party.keys.map((k) => k.status)).toEqual(['revoked']);
    h.keys.set('state:JOR', fresh);
    expect(await codeOf(h.issue('state:JOR', 'info.exchange', infoExchangeBody()))).toBe(
      'KEY_UNKNOWN',
    );
  });

  it('requires every party of a measure to sign, and accepts it once all have', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR', 'state:EGY', 'state:TUN']);
    const body = fixtureBody('measure.define');
    expect(
      await codeOf(
        h.issue('state:JOR', 'measure.define', body, {
          signers: [h.key('state:JOR'), h.key('state:EGY')],
        }),
      ),
    ).toBe('COSIGNATURE_MISSING');
    const signers = ['state:JOR', 'state:EGY', 'state:TUN'].map((p) => h.key(p));
    expect((await h.issue('state:JOR', 'measure.define', body, { signers })).outcome.status).toBe(
      202,
    );
    await h.integrate();
    await checkInvariants(h.memory, h.signer.vkey);
  });

  it('round-trips through its snapshot and ignores entries it has already folded in', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR', 'observer:team']);
    const snapshot = (await h.memory.registry.read())!;
    const registry = Registry.fromSnapshot(snapshot);
    expect(registry.toSnapshot()).toEqual(snapshot);
    const [leaf] = await h.memory.log.readLeaves(0, 1);
    registry.apply(leaf!);
    expect(registry.toSnapshot()).toEqual(snapshot);
    expect(registry.operator()?.id).toBe(OPERATOR);
    expect(registry.key(h.key('observer:team').keyid)?.party.id).toBe('observer:team');
    expect(() => registry.apply({ ...leaf!, index: snapshot.asOf + 1 })).toThrow(/cannot apply/);
  });
});
