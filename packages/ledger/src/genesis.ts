/**
 * Building and signing statements on the operator's side: the genesis entry the local runtime
 * submits on first start (and the infra docs describe), and a general signer for tests, tools
 * and the CLI.
 */
import {
  NoteKeyType,
  STATEMENT_PAYLOAD_TYPE,
  ed25519,
  encodeVkey,
  keyFileSeed,
  parseKeyFile,
  parseStatement,
  parseVkey,
  partyKind,
  randomSeed,
  signEnvelope,
  toBase64Url,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope, GenesisBody, KeyFile, Statement } from '@cbm-ledger/protocol';

/**
 * Serialises `statement` as the DSSE payload and signs it with every seed. The payload is
 * validated first, so a tool never signs a statement the ledger would reject on its schema.
 */
export function signStatement(statement: Statement, seeds: readonly Uint8Array[]): Envelope {
  const payload = utf8Encode(JSON.stringify(statement));
  parseStatement(payload);
  return signEnvelope(STATEMENT_PAYLOAD_TYPE, payload, seeds);
}

/** A fresh statement nonce: 16 random bytes, base64url (DESIGN.md §3). */
export function newNonce(): string {
  return toBase64Url(randomSeed().subarray(0, 16));
}

export interface GenesisOptions {
  readonly origin: string;
  /** The operator's key file (parsed or JSON text); its party must be `operator:<slug>`. */
  readonly operatorKeyFile: KeyFile | string;
  /** 32-byte seed of the log (checkpoint) key; only its public half goes into the statement. */
  readonly logSeed?: Uint8Array;
  /** Or the log's vkey itself, for an operator who never holds the log key (a deployed stack). */
  readonly logVkey?: string;
  /** Issue time: epoch ms or a Date. */
  readonly now: number | Date;
  /** The operator's display name; defaults to "Operator of <origin>". */
  readonly operatorName?: string;
  /** Fixed nonce (tests); random otherwise. */
  readonly nonce?: string;
}

/**
 * The ledger.genesis envelope: seq 1, prev null, public, issued by the key file's operator
 * party, introducing the log vkey and the operator key, signed by the operator key.
 */
export function createGenesis(options: GenesisOptions): Envelope {
  const keyFile = parseKeyFile(options.operatorKeyFile);
  if (partyKind(keyFile.party) !== 'operator') {
    throw new Error(`the genesis is issued by an operator, not ${keyFile.party}`);
  }
  let logVkey: string;
  if (options.logVkey !== undefined) {
    const vkey = parseVkey(options.logVkey);
    if (vkey.name !== options.origin) {
      throw new Error(`the log vkey is named ${vkey.name}, not the origin ${options.origin}`);
    }
    if (vkey.type !== NoteKeyType.ed25519)
      throw new Error('the log vkey is not an Ed25519 note key');
    logVkey = options.logVkey;
  } else if (options.logSeed !== undefined) {
    logVkey = encodeVkey(
      options.origin,
      NoteKeyType.ed25519,
      ed25519.publicKeyFromSeed(options.logSeed),
    );
  } else {
    throw new Error('the genesis needs the log seed or the log vkey');
  }
  const body: GenesisBody = {
    origin: options.origin,
    logVkey,
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
