/** The local runtime in this process, on a temporary data directory and a free port. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSettings, startLocalRuntime } from '@cbm-ledger/local';
import { parseKeyFile } from '@cbm-ledger/protocol';
import type { KeyFile } from '@cbm-ledger/protocol';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The runtime forks its store process from the build: build it first (incremental). */
export function build(): void {
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/local'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

export interface TestLedger {
  url: string;
  origin: string;
  logVkey: string;
  operator: KeyFile;
  close(): Promise<void>;
}

export async function startLedger(): Promise<TestLedger> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cbm-client-'));
  const quiet = {
    error: () => undefined,
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
  };
  const runtime = await startLocalRuntime(
    readSettings({ PORT: '0', CBM_DATA_DIR: dataDir }),
    quiet,
  );
  return {
    url: runtime.url,
    origin: runtime.origin,
    logVkey: runtime.logVkey,
    operator: parseKeyFile(await readFile(runtime.operatorKeyPath, 'utf8')),
    close: async () => {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const notification = (designation: string): unknown => ({
  designation,
  activityType: 'exercise',
  noticeClass: 'standard',
  start: '2027-04-10T05:00:00Z',
  end: '2027-04-20T18:00:00Z',
  area: { description: 'Training area' },
  participatingStates: ['state:JOR'],
  counts: {
    troops: 12000,
    battleTanks: 180,
    acv: 320,
    artillery: 90,
    aircraftSorties: 60,
    amphibiousTroops: 0,
    airborneTroops: 800,
  },
  observation: { invited: true, invitees: ['observer:un-team'] },
});
