/**
 * A local runtime seeded with a small register for the site's browser tests: three states and an
 * observer (two of them witnesses), a measure adopted by consensus, a calendar, two exercise
 * notifications (one late), an observer report, and one restricted and one participants-only
 * alert whose bodies carry canary strings that must never reach the public page. Two witnesses
 * cosign the final checkpoint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerClient, submitStatement } from '@cbm-ledger/client';
import { cosign, exampleBody, generateKeyFile, keyFileSeed, parseNote } from '@cbm-ledger/protocol';
import type { KeyFile } from '@cbm-ledger/protocol';
import { readSettings, startLocalRuntime } from '@cbm-ledger/local';
import type { LocalRuntime } from '@cbm-ledger/local';

/** Strings that appear only in restricted or participants bodies. */
export const CANARIES = ['CANARY-RESTRICTED-5c1f9e', 'CANARY-PARTICIPANTS-a83d02'] as const;

export interface Scenario {
  readonly runtime: LocalRuntime;
  readonly client: LedgerClient;
  /** Index of each named entry. */
  readonly index: Record<'desert' | 'badr' | 'report' | 'restricted' | 'participants', number>;
  close(): Promise<void>;
}

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const quiet = {
  error: (...a: unknown[]) => console.error('ledger:', ...a),
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

export async function startScenario(): Promise<Scenario> {
  const dir = await mkdtemp(join(tmpdir(), 'cbm-site-'));
  const runtime = await startLocalRuntime(
    readSettings({
      PORT: '0',
      CBM_DATA_DIR: join(dir, 'ledger'),
      CBM_ORIGIN: 'cbm-ledger.local/site',
    }),
    quiet,
  );
  const client = new LedgerClient({ server: runtime.url });
  const { readKeyFile } = await import('@cbm-ledger/client/node');
  const operator = await readKeyFile(runtime.operatorKeyPath);
  const now = Date.now();
  const parties: [string, string, string | undefined][] = [
    ['state:JOR', 'Hashemite Kingdom of Jordan', 'jordan.witness'],
    ['state:EGY', 'Arab Republic of Egypt', undefined],
    ['state:ISR', 'State of Israel', undefined],
    ['observer:un-team', 'UN observation mission', 'un-team.witness'],
  ];
  const keys: Record<string, KeyFile> = {};
  const witnesses: { name: string; key: KeyFile }[] = [];
  for (const [id, name, witness] of parties) {
    keys[id] = generateKeyFile(id);
    const witnessKey = witness === undefined ? undefined : generateKeyFile(id);
    if (witness !== undefined && witnessKey !== undefined)
      witnesses.push({ name: witness, key: witnessKey });
    await submitStatement(client, {
      key: operator,
      draft: {
        type: 'party.register',
        body: {
          party: { id, name, kind: id.split(':')[0] },
          keys: [{ keyid: keys[id].keyid, publicKey: keys[id].publicKey }],
          ...(witnessKey === undefined
            ? {}
            : { witness: { name: witness, publicKey: witnessKey.publicKey } }),
        },
      },
      waitSeconds: 10,
    });
  }
  const k = (id: string): KeyFile => keys[id]!;
  await submitStatement(client, {
    key: k('state:JOR'),
    cosigners: [k('state:EGY'), k('state:ISR')],
    draft: {
      type: 'measure.define',
      body: {
        id: 'mena-csbm',
        title: 'Regional confidence- and security-building measures',
        parties: ['state:JOR', 'state:EGY', 'state:ISR'],
        ruleSet: 'vd2011',
        overrides: {},
        adoptedAt: iso(now - 2 * DAY),
        inForceAt: iso(now - 2 * DAY),
        term: {
          sunsetAt: iso(now + 5 * 365 * DAY),
          renewal: 'affirmative',
          renewalPeriodMonths: 60,
          terminationNoticeDays: 180,
        },
        review: { firstAt: iso(now + 300 * DAY), intervalMonths: 12, graceDays: 30 },
        summary: 'Prior notification and observation of military activities.',
      },
    },
    waitSeconds: 10,
  });
  const desertStart = now + 60 * DAY;
  const counts = (troops: number, tanks: number): Record<string, number> => ({
    troops,
    battleTanks: tanks,
    acv: Math.round(troops / 40),
    artillery: Math.round(troops / 150),
    aircraftSorties: 0,
    amphibiousTroops: 0,
    airborneTroops: 0,
  });
  const cal = await submitStatement(client, {
    key: k('state:JOR'),
    draft: {
      type: 'calendar.annual',
      body: {
        year: new Date(desertStart).getUTCFullYear(),
        nil: false,
        activities: [
          {
            designation: 'DESERT SHIELD',
            type: 'exercise',
            start: iso(desertStart).slice(0, 10),
            end: iso(desertStart + 10 * DAY).slice(0, 10),
            troops: 12000,
            battleTanks: 180,
            area: 'Southern military region',
          },
        ],
      },
    },
    waitSeconds: 10,
  });
  const desert = await submitStatement(client, {
    key: k('state:JOR'),
    draft: {
      type: 'exercise.notification',
      body: {
        designation: 'DESERT SHIELD',
        activityType: 'exercise',
        noticeClass: 'standard',
        start: iso(desertStart),
        end: iso(desertStart + 10 * DAY),
        area: { description: 'Southern military region, training area south of Ma’an' },
        participatingStates: ['state:JOR'],
        counts: counts(12000, 180),
        observation: { invited: true, invitees: ['state:EGY', 'observer:un-team'] },
        calendarRef: cal.id,
      },
      refs: [cal.id],
    },
    waitSeconds: 10,
  });
  const badrStart = now - DAY;
  const badr = await submitStatement(client, {
    key: k('state:EGY'),
    draft: {
      type: 'exercise.notification',
      body: {
        designation: 'BADR',
        activityType: 'exercise',
        noticeClass: 'alert',
        start: iso(badrStart),
        end: iso(badrStart + 8 * DAY),
        area: { description: 'Eastern Desert, west of the Gulf of Suez' },
        participatingStates: ['state:EGY'],
        counts: counts(15000, 320),
        observation: { invited: true, invitees: ['observer:un-team'] },
      },
    },
    waitSeconds: 10,
  });
  const report = await submitStatement(client, {
    key: k('observer:un-team'),
    draft: {
      type: 'observer.report',
      body: {
        exercise: badr.id,
        hostState: 'state:EGY',
        period: { start: iso(badrStart + 3_600_000), end: iso(now - 3_600_000) },
        declaredVsObserved: [
          { item: 'troops', declared: 15000, observed: 17500 },
          { item: 'battleTanks', declared: 320, observed: 320 },
        ],
        access: 'managed',
        findings: ['Observed troop numbers exceeded the declaration by about 17 %.'],
        dissent: [],
      },
      refs: [badr.id],
    },
    waitSeconds: 10,
  });
  const alert = (identifier: string, canary: string): unknown => {
    const body = exampleBody('datashare.alert') as {
      alert: { identifier: string; info: { headline?: string }[] };
    };
    body.alert.identifier = identifier;
    for (const info of body.alert.info) info.headline = canary;
    return { ...body, assessedAt: iso(now - 3_600_000) };
  };
  const restricted = await submitStatement(client, {
    key: k('state:ISR'),
    draft: {
      type: 'datashare.alert',
      body: alert('IL-R-1', CANARIES[0]),
      visibility: 'restricted',
      audience: ['state:JOR'],
    },
    waitSeconds: 10,
  });
  const participants = await submitStatement(client, {
    key: k('state:JOR'),
    draft: {
      type: 'datashare.alert',
      body: alert('JO-P-1', CANARIES[1]),
      visibility: 'participants',
    },
    waitSeconds: 10,
  });
  // Both witnesses cosign the latest checkpoint, as `cbm witness --once` would.
  const note = await client.checkpoint();
  const body = parseNote(note).text;
  for (const w of witnesses) {
    await client.postCosignature({
      checkpoint: note,
      cosignature: cosign(body, w.name, keyFileSeed(w.key), Math.floor(Date.now() / 1000)),
    });
  }
  const index = (r: { result: { index?: number } }): number => {
    if (r.result.index === undefined) throw new Error('statement not integrated');
    return r.result.index;
  };
  return {
    runtime,
    client,
    index: {
      desert: index(desert),
      badr: index(badr),
      report: index(report),
      restricted: index(restricted),
      participants: index(participants),
    },
    close: async () => {
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
