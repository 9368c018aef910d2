import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the CLI keeps what must survive a crash (outbox, received promises): $CBM_HOME or ~/.cbm. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.CBM_HOME;
  return home !== undefined && home !== '' ? home : join(homedir(), '.cbm');
}
