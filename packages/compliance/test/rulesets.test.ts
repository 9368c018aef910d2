import { RULE_PARAMETERS, RULE_SETS, validateStatement } from '@cbm-ledger/protocol';
import type { RuleOverrides, RuleParameter } from '@cbm-ledger/protocol';
import { describe, expect, it } from 'vitest';
import { acrs1994, RULE_SET_DATA, resolveParameters, vd2011 } from '../src/index.js';
import { fakeNonce, FIXTURE_ORIGIN } from '@cbm-ledger/protocol/testing';
import { measure } from '../src/testing.js';

const NAMES = Object.keys(RULE_PARAMETERS).sort();

describe('rule sets', () => {
  it('exist for every rule set a measure may name', () => {
    expect(Object.keys(RULE_SET_DATA).sort()).toEqual([...RULE_SETS].sort());
  });

  it.each([vd2011, acrs1994])(
    '$id defines exactly the parameters a measure may override',
    (set) => {
      expect(Object.keys(set.parameters).sort()).toEqual(NAMES);
    },
  );

  it.each([vd2011, acrs1994])('$id cites a source for every parameter', (set) => {
    for (const [name, p] of Object.entries(set.parameters)) {
      expect(p.source, name).toMatch(
        /FSC\.DOC\/1\/11\), ch\. [IVX]+|WHO International Health Regulations \(2005\), article 6|CBM Ledger default|ACRS/,
      );
    }
  });

  it.each([vd2011, acrs1994])('$id has values a measure could also set as overrides', (set) => {
    const overrides = Object.fromEntries(
      Object.entries(set.parameters).map(([k, p]) => [k, p.value]),
    ) as RuleOverrides;
    expect(() =>
      validateStatement({
        v: 1,
        ledger: FIXTURE_ORIGIN,
        type: 'measure.define',
        issuer: 'state:JOR',
        seq: 1,
        prev: null,
        issuedAt: '2026-01-01T00:00:00Z',
        nonce: fakeNonce('all overrides'),
        visibility: 'public',
        body: measure({
          id: 'all-overrides',
          parties: ['state:JOR', 'state:EGY'],
          ruleSet: set.id,
          overrides,
          adoptedAt: '2026-01-01T00:00:00Z',
          inForceAt: '2026-01-01T00:00:00Z',
          sunsetAt: '2030-01-01T00:00:00Z',
        }),
      }),
    ).not.toThrow();
  });

  it('holds the published Vienna Document 2011 numbers', () => {
    const v = (name: RuleParameter): number => vd2011.parameters[name].value;
    expect([
      v('notification.troops'),
      v('notification.battleTanks'),
      v('notification.acv'),
      v('notification.artillery'),
      v('notification.aircraftSorties'),
      v('notification.amphibiousTroops'),
      v('notification.airborneTroops'),
      v('notification.leadTimeDays'),
    ]).toEqual([9000, 250, 500, 250, 200, 3000, 3000, 42]);
    expect([
      v('observation.troops'),
      v('observation.battleTanks'),
      v('observation.amphibiousTroops'),
    ]).toEqual([13000, 300, 3500]);
    expect([v('calendar.deadlineMonth'), v('calendar.deadlineDay')]).toEqual([11, 15]);
    expect([v('infoExchange.deadlineMonth'), v('infoExchange.deadlineDay')]).toEqual([12, 15]);
    expect([
      v('large.troops'),
      v('large.battleTanks'),
      v('large.maxPerPeriod'),
      v('large.periodYears'),
    ]).toEqual([40000, 900, 1, 3]);
    expect([
      v('constrained.troops'),
      v('constrained.battleTanks'),
      v('constrained.maxPerYear'),
      v('constrained.largerTroops'),
      v('constrained.largerBattleTanks'),
      v('constrained.maxLargerPerYear'),
      v('constrained.maxConcurrent'),
    ]).toEqual([13000, 300, 6, 25000, 400, 3, 3]);
    expect([v('riskResponse.hours'), v('healthAlert.hours')]).toEqual([48, 24]);
  });

  it('takes the ACRS notification thresholds and otherwise the Vienna Document', () => {
    expect(acrs1994.parameters['notification.troops'].value).toBe(4001);
    expect(acrs1994.parameters['notification.battleTanks'].value).toBe(111);
    for (const name of NAMES as RuleParameter[]) {
      if (name === 'notification.troops' || name === 'notification.battleTanks') continue;
      expect(acrs1994.parameters[name].value, name).toBe(vd2011.parameters[name].value);
      expect(acrs1994.parameters[name].source, name).toContain('As vd2011');
    }
  });

  it('applies a measure’s overrides by name and keeps every other default', () => {
    const p = resolveParameters('acrs1994', { 'notification.leadTimeDays': 30 });
    expect(p['notification.leadTimeDays']).toBe(30);
    expect(p['notification.troops']).toBe(4001);
    expect(p['healthAlert.hours']).toBe(24);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(vd2011.parameters['notification.troops'])).toBe(true);
    expect(() => {
      (vd2011.parameters['notification.troops'] as { value: number }).value = 1;
    }).toThrow(TypeError);
  });
});
