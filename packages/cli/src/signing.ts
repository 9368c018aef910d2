/**
 * The signing file of `cbm draft` → `cbm sign` → `cbm submit --envelope`: one statement's exact
 * payload bytes and the DSSE signatures collected so far, passed from office to office (mail, a
 * USB stick) so each signs on its own machine, offline, in any order.
 *
 *   { "cbm": "signing/v1", "statement": "sha256:…", "payloadType": "…", "payload": "<base64>",
 *     "signatures": [{ "keyid", "sig" }], "signers": [{ "keyid", "party", "publicKey" }] }
 *
 * `payloadType`, `payload` and `signatures` are the DSSE envelope the ledger receives, unchanged.
 * `signers` records, per signature, the public key that made it and its party: with it, every
 * office checks offline that the payload was not changed after an earlier signature (each one
 * must verify) and that nobody signs twice. The ledger checks the keys against its registry.
 */
import { readFile } from 'node:fs/promises';
import {
  STATEMENT_PAYLOAD_TYPE,
  fromBase64,
  isProtocolError,
  keyFileSeed,
  keyId,
  parseEnvelope,
  parseStatement,
  signEnvelope,
  statementId,
  statementSigners,
  verifyEnvelope,
} from '@cbm-ledger/protocol';
import type { Envelope, KeyFile, Statement } from '@cbm-ledger/protocol';
import { CommandError } from './errors.js';
import type { Io } from './io.js';

export const SIGNING_FORMAT = 'signing/v1';

export interface SignerRecord {
  keyid: string;
  party: string;
  publicKey: string;
}

export interface SigningFile {
  cbm: typeof SIGNING_FORMAT;
  /** Statement id of `payload`: what every signer signs and the ledger will call it. */
  statement: string;
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
  signers: SignerRecord[];
}

/** A signing file and what it says, checked: schema, payload, and every signature so far. */
export interface CheckedSigning {
  file: SigningFile;
  statement: Statement;
}

const FIELDS = ['cbm', 'statement', 'payloadType', 'payload', 'signatures', 'signers'];

function tampered(message: string, path?: string): CommandError {
  return new CommandError('SIGNING_FILE_INVALID', message, path);
}

/** A new signing file for `statement`, with no signature yet. */
export function draftSigningFile(payload: Uint8Array): SigningFile {
  return {
    cbm: SIGNING_FORMAT,
    statement: statementId(payload),
    payloadType: STATEMENT_PAYLOAD_TYPE,
    payload: Buffer.from(payload).toString('base64'),
    signatures: [],
    signers: [],
  };
}

async function readAllText(stream: Io['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The text of a file argument; `-` reads stdin. */
export async function readTextArg(
  arg: string,
  path: (p: string) => string,
  io: Io,
  what: string,
): Promise<string> {
  if (arg === '-') return readAllText(io.stdin);
  try {
    return await readFile(path(arg), 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CommandError(
      'FILE_UNREADABLE',
      `cannot read ${what} ${path(arg)}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(e))}`,
    );
  }
}

/**
 * Parses and checks a signing file, or a plain DSSE envelope (then its signatures cannot be
 * checked offline: `signers` is unknown, and the file is refused for signing but may be
 * submitted). Throws SIGNING_FILE_INVALID naming the first problem.
 */
export function checkSigningFile(text: string, source: string): CheckedSigning {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw tampered(`${source} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw tampered(`${source} is not a signing file (a JSON object)`);
  }
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (!FIELDS.includes(k)) throw tampered(`${source}: unknown field ${k}`, `$.${k}`);
  }
  if (v.cbm !== SIGNING_FORMAT) {
    throw tampered(
      `${source} is not a ${SIGNING_FORMAT} signing file (see 'cbm help draft')`,
      '$.cbm',
    );
  }
  if (!Array.isArray(v.signers)) throw tampered(`${source}: signers must be an array`, '$.signers');
  const signatures = Array.isArray(v.signatures) ? v.signatures : undefined;
  if (signatures === undefined) {
    throw tampered(`${source}: signatures must be an array`, '$.signatures');
  }
  if (v.payloadType !== STATEMENT_PAYLOAD_TYPE) {
    throw tampered(`${source}: payloadType must be ${STATEMENT_PAYLOAD_TYPE}`, '$.payloadType');
  }
  if (typeof v.payload !== 'string')
    throw tampered(`${source}: payload must be base64`, '$.payload');
  let payload: Uint8Array;
  let statement: Statement;
  try {
    payload = fromBase64(v.payload);
    statement = parseStatement(payload);
  } catch (e) {
    throw tampered(
      `${source}: the payload is not a valid statement: ${e instanceof Error ? e.message : String(e)}`,
      '$.payload',
    );
  }
  const id = statementId(payload);
  if (v.statement !== id) {
    throw tampered(
      `${source}: the payload is ${id}, not the statement ${String(v.statement)} it was drafted as (changed after drafting?)`,
      '$.statement',
    );
  }
  const signers = v.signers as unknown[];
  if (signers.length !== signatures.length) {
    throw tampered(`${source}: ${signatures.length} signatures but ${signers.length} signers`);
  }
  const records: SignerRecord[] = signers.map((s, i) => {
    const r = s as Partial<SignerRecord> | null;
    if (
      r === null ||
      typeof r !== 'object' ||
      typeof r.keyid !== 'string' ||
      typeof r.party !== 'string' ||
      typeof r.publicKey !== 'string'
    ) {
      throw tampered(`${source}: signer ${i} needs keyid, party and publicKey`, `$.signers[${i}]`);
    }
    return { keyid: r.keyid, party: r.party, publicKey: r.publicKey };
  });
  const file: SigningFile = {
    cbm: SIGNING_FORMAT,
    statement: id,
    payloadType: v.payloadType,
    payload: v.payload,
    signatures: signatures as SigningFile['signatures'],
    signers: records,
  };
  if (signatures.length > 0) verifyCollected(file, payload, source);
  return { file, statement };
}

/** Every signature so far verifies with the key its signer record names. */
function verifyCollected(file: SigningFile, payload: Uint8Array, source: string): void {
  const keys = new Map<string, Uint8Array>();
  file.signers.forEach((r, i) => {
    let publicKey: Uint8Array;
    try {
      publicKey = fromBase64(r.publicKey, 32);
    } catch {
      throw tampered(`${source}: signer ${i} has no valid public key`, `$.signers[${i}].publicKey`);
    }
    if (keyId(publicKey) !== r.keyid || file.signatures[i]?.keyid !== r.keyid) {
      throw tampered(`${source}: signer ${i} does not match signature ${i}`, `$.signers[${i}]`);
    }
    keys.set(r.keyid, publicKey);
  });
  try {
    const parsed = parseEnvelope(JSON.stringify(envelopeOf(file)));
    const verified = verifyEnvelope(parsed, keys);
    if (verified.length !== file.signatures.length) throw new Error('not every signature verified');
    void payload;
  } catch (e) {
    throw tampered(
      `${source}: a signature does not verify: the file was changed after it was signed (${
        isProtocolError(e) || e instanceof Error ? e.message : String(e)
      })`,
      '$.signatures',
    );
  }
}

/** The DSSE envelope the ledger receives: the file's payload and signatures, unchanged. */
export function envelopeOf(file: SigningFile): Envelope {
  return {
    payloadType: file.payloadType,
    payload: file.payload,
    signatures: file.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig })),
  };
}

/**
 * Adds `key`'s signature. Refused: a key that already signed, a second key of a party that
 * already signed, and a key of a party that is not a signer the statement's type needs (for
 * party.recover the measure partners may sign too; only the ledger knows them, so it judges).
 */
export function addSignature(checked: CheckedSigning, key: KeyFile): SigningFile {
  const { file, statement } = checked;
  if (file.signers.some((r) => r.keyid === key.keyid)) {
    throw new CommandError(
      'ALREADY_SIGNED',
      `key ${key.keyid} has already signed ${file.statement}`,
    );
  }
  if (file.signers.some((r) => r.party === key.party)) {
    throw new CommandError(
      'ALREADY_SIGNED',
      `${key.party} has already signed ${file.statement} (with another key)`,
    );
  }
  const required = statementSigners(statement);
  const allowed =
    required.parties.includes(key.party) ||
    (required.keyids ?? []).includes(key.keyid) ||
    statement.type === 'party.recover';
  if (!allowed) {
    throw new CommandError(
      'SIGNER_NOT_REQUIRED',
      `${key.party} is not a signer ${statement.type} needs here (${required.parties.join(', ')})`,
    );
  }
  const one = signEnvelope(file.payloadType, fromBase64(file.payload), [keyFileSeed(key)]);
  return {
    ...file,
    signatures: [...file.signatures, one.signatures[0]!],
    signers: [...file.signers, { keyid: key.keyid, party: key.party, publicKey: key.publicKey }],
  };
}

/** Which required parties have not signed yet. */
export function missingSigners(checked: CheckedSigning): string[] {
  const signed = new Set(checked.file.signers.map((r) => r.party));
  return statementSigners(checked.statement).parties.filter((p) => !signed.has(p));
}
