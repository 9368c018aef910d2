/**
 * The audit and the registry policy (issue 9 §1): a log written by an older build, in which a
 * second party.register handed the operator a key of state:NOR and swapped its witness, fails
 * the audit with every violation at its index; allowed changes that a reader should look at
 * (not signed by the party itself, witness changes, backdated revocations) are warnings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVkey } from '@cbm-ledger/protocol';
import type { KeyFile } from '@cbm-ledger/protocol';
import { auditLog } from '../src/audit/core.js';
import type { AuditReport } from '../src/audit/core.js';
import { VerifyPool } from '../src/audit/pool.js';
import { build } from './support/build.js';
import { TestLog, notificationBody, testKey } from './support/log.js';

let pool: VerifyPool;
beforeAll(() => {
  build();
  pool = new VerifyPool(2);
});
afterAll(() => pool.close());

const audit = (log: TestLog): Promise<AuditReport> =>
  auditLog({ source: log.source(), logKey: parseVkey(log.logVkey), pool, batchSize: 5 });

const NOR = 'state:NOR';
const keyEntry = (k: KeyFile): { keyid: string; publicKey: string } => ({
  keyid: k.keyid,
  publicKey: k.publicKey,
});

describe('the audit against registry takeovers that slipped through an older build', () => {
  it('reports the second party.register, the declaration and the witness swap, each at its index', async () => {
    const log = new TestLog();
    const nor = log.register(NOR, { witness: testKey('observer:nor-witness') });
    log.register('state:SWE');
    const operatorMade = testKey(NOR);
    const second = log.add(log.operator.party, 'party.register', {
      party: { id: NOR, name: 'Norway', kind: 'state' },
      keys: [keyEntry(nor), keyEntry(operatorMade)],
    }).index;
    const declaration = log.add(NOR, 'exercise.notification', notificationBody('TAKEOVER'), {
      signers: [operatorMade],
    }).index;
    const third = log.add(log.operator.party, 'party.register', {
      party: { id: NOR, name: 'Norway', kind: 'state' },
      keys: [keyEntry(nor)],
      witness: { name: 'state-NOR.witness', publicKey: testKey('observer:op-witness').publicKey },
    }).index;
    log.add('state:SWE', 'exercise.notification', notificationBody('AFTER'));
    const report = await audit(log);
    expect(report.ok).toBe(false);
    expect(report.firstBadIndex).toBe(second);
    const failures = report.failures.map((f) => [f.index, f.check]);
    expect(failures).toContainEqual([second, 'PARTY_ALREADY_REGISTERED']);
    expect(failures).toContainEqual([second, 'KEY_ALREADY_REGISTERED']);
    expect(failures).toContainEqual([declaration, 'KEY_UNKNOWN']);
    expect(failures).toContainEqual([declaration, 'COSIGNATURE_MISSING']);
    expect(failures).toContainEqual([third, 'PARTY_ALREADY_REGISTERED']);
    // The entries around them are sound: nothing else is reported.
    expect(new Set(report.failures.map((f) => f.index))).toEqual(
      new Set([second, declaration, third]),
    );
  });

  it('warns on operator-only registrations, operator revocations, witness changes and backdated revocations', async () => {
    const log = new TestLog();
    const egy = log.register('state:EGY');
    const signedBefore = [
      log.add('state:EGY', 'exercise.notification', notificationBody('A')).index,
      log.add('state:EGY', 'exercise.notification', notificationBody('B')).index,
    ];
    const witness = testKey('observer:egy-witness');
    const set = log.add('state:EGY', 'witness.set', {
      party: 'state:EGY',
      witness: { name: 'egy.example/witness', publicKey: witness.publicKey },
    }).index;
    const effectiveAt = new Date(
      Date.parse(log.entries[signedBefore[0]!]!.leaf.integratedAt),
    ).toISOString();
    const revoke = log.add(log.operator.party, 'key.revoke', {
      party: 'state:EGY',
      keyid: egy.keyid,
      reason: 'compromised',
      effectiveAt,
    }).index;
    const report = await audit(log);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    const warnings = report.warnings.map((w) => [w.index, w.check]);
    expect(warnings).toEqual([
      [1, 'REGISTRY_CHANGE_NOT_BY_PARTY'],
      [set, 'WITNESS_CHANGED'],
      [revoke, 'REGISTRY_CHANGE_NOT_BY_PARTY'],
      [revoke, 'REVOCATION_BACKDATED'],
    ]);
    const backdated = report.warnings.find((w) => w.check === 'REVOCATION_BACKDATED')!;
    // It names the entries the revocation now covers: both notifications and the witness.set.
    expect(backdated.message).toContain(`3 entries it signed (${signedBefore.join(', ')}, ${set})`);
  });

  it('passes a party’s own key.add without a registry warning', async () => {
    const log = new TestLog();
    const jor = log.register('state:JOR');
    const added = testKey('state:JOR');
    log.add(
      'state:JOR',
      'key.add',
      { party: 'state:JOR', newKey: keyEntry(added) },
      { signers: [jor, added] },
    );
    log.add('state:JOR', 'exercise.notification', notificationBody('NEW KEY'), {
      signers: [added],
    });
    const report = await audit(log);
    expect(report.ok).toBe(true);
    expect(report.warnings.map((w) => [w.index, w.check])).toEqual([
      [1, 'REGISTRY_CHANGE_NOT_BY_PARTY'],
    ]);
  });
});
