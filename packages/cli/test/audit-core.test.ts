/**
 * The audit core against logs built in memory: a sound log passes; each kind of fault is caught
 * and named by the first bad index; resumption and consistency with an earlier checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, parseVkey, toBase64 } from '@cbm-ledger/protocol';
import type { Envelope } from '@cbm-ledger/protocol';
import { auditLog } from '../src/audit/core.js';
import type { AuditOptions, AuditReport } from '../src/audit/core.js';
import { VerifyPool } from '../src/audit/pool.js';
import type { AuditState } from '../src/audit/state.js';
import { build } from './support/build.js';
import { TestLog, measureBody, notificationBody } from './support/log.js';

let pool: VerifyPool;
beforeAll(() => {
  build();
  pool = new VerifyPool(2);
});
afterAll(() => pool.close());

function audit(
  log: TestLog,
  options: Partial<AuditOptions> & { size?: number } = {},
): Promise<AuditReport> {
  const { size, ...rest } = options;
  return auditLog({
    source: log.source(size),
    logKey: parseVkey(log.logVkey),
    pool,
    batchSize: 7,
    ...rest,
  });
}

/** A log with parties, notifications, a consensus measure, a rotation and a restricted entry. */
function soundLog(): TestLog {
  const log = new TestLog();
  const jor = log.register('state:JOR');
  const egy = log.register('state:EGY');
  log.register('observer:un-team');
  for (let i = 0; i < 12; i++)
    log.add('state:JOR', 'exercise.notification', notificationBody(`EX ${i}`));
  log.add('state:JOR', 'measure.define', measureBody('mena', ['state:JOR', 'state:EGY']), {
    signers: [jor, egy],
  });
  log.rotate('state:EGY');
  log.add('state:EGY', 'exercise.notification', notificationBody('AFTER ROTATION'));
  log.add('state:JOR', 'exercise.notification', notificationBody('SECRET'), {
    visibility: 'restricted',
    hidden: true,
  });
  return log;
}

function flipSignature(e: Envelope): void {
  const sig = fromBase64(e.signatures[0]!.sig);
  sig[5] = sig[5]! ^ 1;
  e.signatures[0]!.sig = toBase64(sig);
}

describe('audit of a sound log', () => {
  it('passes, checking every readable signature and the root', async () => {
    const log = soundLog();
    const report = await audit(log);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.treeSize).toBe(log.entries.length);
    expect(report.leafOnly).toBe(1);
    expect(report.envelopes).toBe(log.entries.length - 1);
    // genesis 1 + 3 registrations + 12 + measure 2 + rotation 2 + 1
    expect(report.signatures).toBe(1 + 3 + 12 + 2 + 2 + 1);
    expect(report.issuers).toBe(3);
    expect(report.state.verified?.checkpoint.size).toBe(log.entries.length);
  });

  it('resumes from its state and proves the log only grew', async () => {
    const log = soundLog();
    const first = await audit(log, { size: 10 });
    expect(first.ok).toBe(true);
    const second = await audit(log, { state: first.state });
    expect(second.failures).toEqual([]);
    expect(second.resumedFrom).toBe(10);
    expect(second.audited).toBe(log.entries.length - 10);
    expect(second.consistency).toMatchObject({ from: 10, to: log.entries.length });
  });

  it('resumes an interrupted scan from the progress it saved', async () => {
    const log = soundLog();
    const saved: AuditState[] = [];
    const report = await audit(log, {
      pageSize: 3,
      saveEvery: 6,
      onSave: (s) => {
        saved.push(structuredClone(s));
        return Promise.resolve();
      },
    });
    expect(report.ok).toBe(true);
    expect(saved.length).toBeGreaterThan(1);
    const partial = saved[1]!;
    expect(partial.partial?.next).toBeGreaterThan(0);
    const resumed = await audit(log, { state: partial });
    expect(resumed.failures).toEqual([]);
    expect(resumed.resumedFrom).toBe(partial.partial?.next);
  });
});

describe('audit of a faulty log names the first bad index', () => {
  const cases: [string, (log: TestLog) => number, string][] = [
    [
      'a signature that does not verify',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), {
          envelope: flipSignature,
        }).index,
      'SIGNATURE_INVALID',
    ],
    [
      'a statement signed by a key nobody registered',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), {
          signers: [new TestLog().operator],
        }).index,
      'KEY_UNKNOWN',
    ],
    [
      "a statement signed with another party's key",
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), {
          signers: [log.issuers.get('state:EGY')!.key],
        }).index,
      'KEY_NOT_ISSUERS',
    ],
    [
      "a consensus measure missing a party's signature",
      (log) =>
        log.add('state:JOR', 'measure.define', measureBody('m2', ['state:JOR', 'state:EGY'])).index,
      'COSIGNATURE_MISSING',
    ],
    [
      'an issuer chain with a gap',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), {
          statement: (s) => {
            s.seq += 1;
          },
        }).index,
      'ISSUER_CHAIN_BROKEN',
    ],
    [
      'a statement whose prev is not its predecessor',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), {
          statement: (s) => {
            s.prev = `sha256:${'ab'.repeat(32)}`;
          },
        }).index,
      'ISSUER_CHAIN_BROKEN',
    ],
    [
      'an entry integrated before its statement was issued',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), { issuedOffset: 3600 })
          .index,
      'INTEGRATED_BEFORE_ISSUED',
    ],
    [
      'integration times running backwards',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), { after: -60 }).index,
      'INTEGRATED_AT_BACKWARDS',
    ],
    [
      'a leaf whose type differs from its statement',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), {
          leaf: (l) => {
            l.type = 'exercise.update';
          },
        }).index,
      'STATEMENT_LEAF_MISMATCH',
    ],
    [
      'a leaf recording another envelope digest',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), {
          leaf: (l) => {
            l.envelope = `sha256:${'cd'.repeat(32)}`;
          },
        }).index,
      'ENVELOPE_DIGEST_MISMATCH',
    ],
    [
      'a leaf recording another statement id',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), {
          leaf: (l) => {
            l.statement = `sha256:${'cd'.repeat(32)}`;
          },
        }).index,
      'STATEMENT_ID_MISMATCH',
    ],
    [
      'a statement for another ledger',
      (log) =>
        log.add('state:JOR', 'exercise.notification', notificationBody('X'), {
          statement: (s) => {
            s.ledger = 'cbm-ledger.example/other';
          },
        }).index,
      'WRONG_LEDGER',
    ],
    [
      'a key used after it was rotated out',
      (log) => {
        const old = log.issuers.get('state:EGY')!.key;
        log.rotate('state:EGY');
        return log.add('state:EGY', 'exercise.notification', notificationBody('X'), {
          signers: [old],
          after: 3600,
        }).index;
      },
      'KEY_RETIRED',
    ],
  ];

  for (const [what, breakIt, check] of cases) {
    it(`catches ${what} (${check})`, async () => {
      const log = soundLog();
      const bad = breakIt(log);
      log.add('state:JOR', 'exercise.notification', notificationBody('AFTER'));
      const report = await audit(log);
      expect(report.ok).toBe(false);
      expect(report.firstBadIndex).toBe(bad);
      expect(report.failures[0]).toMatchObject({ index: bad, check });
    });
  }

  it('shows that a leaf altered in the store is not the one the log signed', async () => {
    const log = soundLog();
    log.tamper(7, (leaf) => {
      leaf.integratedAt = '2026-10-01T00:00:00.000Z';
    });
    const report = await audit(log);
    expect(report.ok).toBe(false);
    expect(report.firstBadIndex).toBe(7);
    expect(report.failures.map((f) => f.check)).toEqual([
      'INTEGRATED_AT_BACKWARDS',
      'NOT_IN_SIGNED_TREE',
    ]);
  });

  it('reports, with its index, an entry the ledger cannot serve because its store item fails its integrity check', async () => {
    const log = soundLog();
    const source = log.source();
    // What the API answers (STORE_INTEGRITY naming the entry) for a page covering entry 11.
    const corrupt = {
      ...source,
      entries: (start: number, limit: number) =>
        start <= 11 && 11 < start + limit
          ? Promise.reject(
              Object.assign(new Error('STORE_INTEGRITY: entry 11 fails its integrity check'), {
                code: 'STORE_INTEGRITY',
                problem: {
                  code: 'STORE_INTEGRITY',
                  status: 500,
                  index: 11,
                  detail:
                    'entry 11 fails its integrity check in the store: item lacks attribute leaf',
                },
              }),
            )
          : source.entries(start, limit),
    };
    const report = await audit(log, { source: corrupt, pageSize: 5 });
    expect(report.ok).toBe(false);
    expect(report.firstBadIndex).toBe(11);
    expect(report.failures[0]).toMatchObject({ index: 11, check: 'STORE_INTEGRITY' });
    expect(report.failures[0]!.message).toContain('item lacks attribute leaf');
  });

  it('locates an altered leaf by the signed tree, not by the chain break after it', async () => {
    const log = soundLog();
    log.tamper(9, (leaf) => {
      // Half a second later: every check of entry 9 alone still passes.
      leaf.integratedAt = new Date(Date.parse(leaf.integratedAt) + 500).toISOString();
    });
    const report = await audit(log);
    expect(report.firstBadIndex).toBe(9);
    expect(report.failures.map((f) => [f.index, f.check])).toEqual([
      [9, 'NOT_IN_SIGNED_TREE'],
      [10, 'CHAIN_BROKEN'],
    ]);
  });

  it('blames the entry after a chain break when the one before is the signed one', async () => {
    const log = soundLog();
    log.tamper(10, (leaf) => {
      leaf.prev = '00'.repeat(32);
    });
    const report = await audit(log);
    expect(report.firstBadIndex).toBe(10);
    expect(report.failures.map((f) => [f.index, f.check])).toEqual([
      [10, 'CHAIN_BROKEN'],
      [10, 'NOT_IN_SIGNED_TREE'],
    ]);
  });

  it('locates an altered last leaf (no successor to break the chain) by the root', async () => {
    const log = soundLog();
    const last = log.entries.length - 1;
    log.tamper(last, (leaf) => {
      leaf.visibility = 'public';
      leaf.integratedAt = '2030-01-01T00:00:00.000Z';
    });
    const report = await audit(log);
    expect(report.firstBadIndex).toBe(last);
    expect(report.failures[0]?.check).toBe('NOT_IN_SIGNED_TREE');
  });

  it('refuses a checkpoint not signed by the trusted log key', async () => {
    const log = soundLog();
    const impostor = new TestLog(0x18); // same origin, another log key
    const report = await auditLog({
      source: log.source(),
      logKey: parseVkey(impostor.logVkey),
      pool,
    });
    expect(report.ok).toBe(false);
    expect(report.failures[0]?.check).toBe('CHECKPOINT_INVALID');
    expect(report.audited).toBe(0);
  });

  it("refuses a log whose history was rewritten since the state file's checkpoint", async () => {
    const a = soundLog();
    const first = await audit(a);
    const b = soundLog(); // same keys and origin, other statements (other nonces and times)
    b.add('state:JOR', 'exercise.notification', notificationBody('MORE'));
    b.add('state:JOR', 'exercise.notification', notificationBody('MORE 2'));
    const report = await audit(b, { state: first.state });
    expect(report.ok).toBe(false);
    expect(report.failures[0]?.check).toBe('INCONSISTENT');
    // The state keeps the checkpoint verified before: the next audit still holds the ledger to it.
    expect(report.state.verified?.checkpoint.size).toBe(a.entries.length);
  });

  it('refuses a log that shrank', async () => {
    const log = soundLog();
    const first = await audit(log);
    const report = await audit(log, { size: 5, state: first.state });
    expect(report.failures[0]?.check).toBe('LOG_SHRANK');
  });

  it('warns, rather than fails, where an unreadable registry entry hides a key', async () => {
    const log = new TestLog();
    log.register('state:JOR', { visibility: 'participants', hidden: true });
    log.add('state:JOR', 'exercise.notification', notificationBody('X'));
    const report = await audit(log);
    expect(report.ok).toBe(true);
    // Every policy violation is reported (issuer, key and missing signer), each as unverifiable.
    expect(report.warnings.map((w) => [w.check, w.index])).toEqual([
      ['REGISTRY_UNREADABLE', 1],
      ['UNVERIFIABLE', 2],
      ['UNVERIFIABLE', 2],
      ['UNVERIFIABLE', 2],
    ]);
  });
});
