/**
 * The genesis entry for a deployed ledger (DESIGN.md §3 `ledger.genesis`): built from the log
 * vkey the stack outputs, so the operator never needs the log key itself (which never leaves
 * AWS), and signed with the operator key downloaded from Secrets Manager.
 *
 * The same statement as @cbm-ledger/ledger's createGenesis, which takes the log seed instead.
 */
import { signStatement, newNonce } from '@cbm-ledger/ledger';
import { NoteKeyType, parseKeyFile, parseVkey, partyKind, keyFileSeed } from '@cbm-ledger/protocol';
import type { Envelope, GenesisBody, KeyFile, Statement } from '@cbm-ledger/protocol';

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
  const keyFile = parseKeyFile(options.operatorKeyFile);
  if (partyKind(keyFile.party) !== 'operator') {
    throw new Error(`the genesis is issued by an operator, not ${keyFile.party}`);
  }
  const vkey = parseVkey(options.logVkey);
  if (vkey.name !== options.origin) {
    throw new Error(`the log vkey is named ${vkey.name}, not the origin ${options.origin}`);
  }
  if (vkey.type !== NoteKeyType.ed25519) throw new Error('the log vkey is not an Ed25519 note key');
  const body: GenesisBody = {
    origin: options.origin,
    logVkey: options.logVkey,
    operator: { id: keyFile.party, name: options.operatorName ?? `Operator of ${options.origin}` },
    keys: [{ keyid: keyFile.keyid, publicKey: keyFile.publicKey }],
  };
  const now = typeof options.now === 'number' ? options.now : options.now.getTime();
  const statement: Statement = {
    v: 1,
    ledger: options.origin,
    type: 'ledger.genesis',
    issuer: keyFile.party,
    seq: 1,
    prev: null,
    issuedAt: new Date(now).toISOString(),
    nonce: options.nonce ?? newNonce(),
    visibility: 'public',
    body,
  };
  return signStatement(statement, [keyFileSeed(keyFile)]);
}
