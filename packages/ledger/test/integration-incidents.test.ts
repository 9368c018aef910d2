/**
 * A statement behind a staged leaf that the store lost or that was replaced behind the ledger's
 * back (issue 17): the integrator reports an incident and carries on, instead of throwing on
 * every run forever. Registry entries are the exception: without their own statement the
 * registry cannot be folded, so they are reported and stop integration.
 */
import { describe, expect, it } from 'vitest';
import { Integrator, IntegrationIncidentError } from '@cbm-ledger/ledger';
import type {
  AdmittedStatement,
  IntegrationIncident,
  LogHead,
  LogStore,
  StatementStore,
} from '@cbm-ledger/ledger';
import { Harness, infoExchangeBody } from '@cbm-ledger/ledger/testing';

type Tamper = (s: AdmittedStatement) => AdmittedStatement | undefined;

/**
 * The store as a tamperer left it: getBySeq of the chosen slot answers `tamper(s)`. The
 * statements given to markIntegrated are recorded in `marked`.
 */
function tampered(
  store: StatementStore,
  issuer: string,
  seq: number,
  tamper: Tamper,
  marked: string[] = [],
): StatementStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'markIntegrated') {
        return (entries: readonly { statement: AdmittedStatement; index: number }[]) => {
          marked.push(...entries.map((e) => `${e.statement.issuer} ${e.statement.seq}`));
          return target.markIntegrated(entries);
        };
      }
      if (prop === 'getBySeq') {
        return async (i: string, q: number) => {
          const s = await target.getBySeq(i, q);
          return i === issuer && q === seq && s !== undefined ? tamper(s) : s;
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

/** A log whose head never moves: the batch stays staged, as after a crash before commitHead. */
function stuckHead(log: LogStore): LogStore {
  return new Proxy(log, {
    get(target, prop, receiver) {
      if (prop === 'commitHead')
        return (_e: number | undefined, _h: LogHead) => Promise.resolve(false);
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

async function stagedLedger(): Promise<{ h: Harness; size: number; jor: number }> {
  const h = new Harness();
  await h.bootstrap(['state:JOR', 'state:EGY']);
  const size = (await h.memory.log.readHead())?.size ?? 0;
  await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2025));
  await h.issue('state:EGY', 'info.exchange', infoExchangeBody(2025));
  // Leaves staged, head not moved: the next run adopts them.
  const staging = h.newIntegrator({ ports: { ...h.memory, log: stuckHead(h.memory.log) } });
  await staging.runOnce();
  const staged = await h.memory.log.readLeaves(size, 10);
  expect(staged.length).toBe(2);
  const jor = staged.find((l) => l.issuer === 'state:JOR')?.index ?? -1;
  return { h, size, jor };
}

const TAMPERS: [string, IntegrationIncident['code'], Tamper][] = [
  ['deleted', 'STATEMENT_MISSING', () => undefined],
  ['replaced by another statement', 'STATEMENT_ALTERED', (s) => ({ ...s, id: 'f'.repeat(64) })],
  [
    'envelope rewritten',
    'STATEMENT_ALTERED',
    (s) => ({ ...s, envelopeDigest: `sha256:${'0'.repeat(64)}` }),
  ],
];

describe('integration incidents', () => {
  it.each(TAMPERS)(
    'a staged statement %s: reported once per run, the log still grows, nothing else is rewritten',
    async (_, code, tamper) => {
      const { h, size, jor } = await stagedLedger();
      const incidents: IntegrationIncident[] = [];
      const marked: string[] = [];
      const statements = tampered(h.memory.statements, 'state:JOR', 1, tamper, marked);
      const integrator = new Integrator({
        ...h.memory,
        statements,
        signer: h.signer,
        clock: h.clock,
        config: h.config,
        onIncident: (i) => incidents.push(i),
      });
      const result = await integrator.runOnce();
      expect(result).toEqual({ integrated: 2, treeSize: size + 2 });
      expect(incidents).toHaveLength(1);
      expect(incidents[0]).toMatchObject({ code, index: jor, issuer: 'state:JOR', seq: 1 });
      // Only the untouched statement is marked integrated: the tampered item is not rewritten.
      expect(marked).toEqual(['state:EGY 1']);
      expect((await h.memory.log.readHead())?.size).toBe(size + 2);
    },
  );

  it('without a hook, the incident is thrown as IntegrationIncidentError (nothing committed)', async () => {
    const { h, size } = await stagedLedger();
    const integrator = new Integrator({
      ...h.memory,
      statements: tampered(h.memory.statements, 'state:JOR', 1, () => undefined),
      signer: h.signer,
      clock: h.clock,
      config: h.config,
    });
    const error = await integrator.runOnce().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationIncidentError);
    expect((error as IntegrationIncidentError).code).toBe('STATEMENT_MISSING');
    expect((await h.memory.log.readHead())?.size).toBe(size);
  });

  it('a registry entry whose statement is missing is reported and stops integration', async () => {
    const h = new Harness();
    await h.bootstrap(['state:JOR']);
    const head = await h.memory.log.readHead();
    const [genesis] = await h.memory.log.readLeaves(0, 1);
    expect(genesis?.type).toBe('ledger.genesis');
    await h.issue('state:JOR', 'info.exchange', infoExchangeBody(2025));
    const incidents: IntegrationIncident[] = [];
    const integrator = new Integrator({
      ...h.memory,
      // No registry snapshot: the integrator must replay entry 0 from its own statement.
      registry: {
        read: () => Promise.resolve(undefined),
        write: () => Promise.resolve(true),
      },
      statements: tampered(
        h.memory.statements,
        genesis?.issuer ?? '',
        genesis?.seq ?? 0,
        () => undefined,
      ),
      signer: h.signer,
      clock: h.clock,
      config: h.config,
      onIncident: (i) => incidents.push(i),
    });
    await expect(integrator.runOnce()).rejects.toBeInstanceOf(IntegrationIncidentError);
    expect(incidents.map((i) => [i.code, i.index])).toEqual([['STATEMENT_MISSING', 0]]);
    expect((await h.memory.log.readHead())?.size).toBe(head?.size);
  });
});
