/**
 * The genesis entry for a deployed ledger (DESIGN.md §3 `ledger.genesis`): built from the log
 * vkey the stack outputs, so the operator never needs the log key itself (which never leaves
 * AWS), and signed with the operator key downloaded from Secrets Manager.
 *
 * It is @cbm-ledger/ledger's createGenesis given the vkey instead of the log seed.
 */
import { createGenesis } from '@cbm-ledger/ledger';
import type { Envelope, KeyFile } from '@cbm-ledger/protocol';

export interface DeployedGenesisOptions {
  readonly origin: string;
  /** The stack's LogVkey output. */
  readonly logVkey: string;
  /** The operator key file (JSON text or parsed). */
  readonly operatorKeyFile: KeyFile | string;
  readonly now: number | Date;
  readonly operatorName?: string;
  /** Fixed nonce (tests); random otherwise. */
  readonly nonce?: string;
}

export function createDeployedGenesis(options: DeployedGenesisOptions): Envelope {
  return createGenesis(options);
}
