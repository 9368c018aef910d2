/**
 * Reading a statement out of an envelope the log served (attacker-controlled bytes: the operator
 * may serve anything), and comparing it with its leaf.
 */
import { REGISTRY_TYPES } from '@cbm-ledger/ledger';
import { STATEMENT_TYPES, isPartyId, isStatementId, parseStatement } from '@cbm-ledger/protocol';
import type { EvidenceRef, Leaf, Statement } from '@cbm-ledger/protocol';
import { isUtf8 } from 'node:buffer';

/** Statement types whose content the audit relies on beyond the envelope fields. */
const FULLY_VALIDATED: ReadonlySet<string> = new Set([...REGISTRY_TYPES, 'measure.define']);
const TYPES: ReadonlySet<string> = new Set(STATEMENT_TYPES);
const VISIBILITIES: ReadonlySet<string> = new Set(['public', 'participants', 'restricted']);

/**
 * The envelope fields the audit uses, checked: full protocol validation for the statements that
 * change the registry or name co-signers (and for all with `strict`), a light check of the
 * common fields otherwise (the ledger validated the rest at admission, and the issuer signed the
 * exact bytes). Throws an Error saying what is wrong.
 */
export function readStatement(payload: Buffer, leafType: string, strict: boolean): Statement {
  if (strict || FULLY_VALIDATED.has(leafType)) return parseStatement(payload);
  if (!isUtf8(payload)) throw new Error('the payload is not UTF-8');
  const value: unknown = JSON.parse(payload.toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('the payload is not a JSON object');
  }
  const s = value as Record<string, unknown>;
  if (s.v !== 1) throw new Error('$.v must be 1');
  if (typeof s.ledger !== 'string') throw new Error('$.ledger is missing');
  if (typeof s.type !== 'string' || !TYPES.has(s.type)) throw new Error('$.type is not a type');
  if (!isPartyId(s.issuer)) throw new Error('$.issuer is not a party id');
  if (typeof s.seq !== 'number' || !Number.isSafeInteger(s.seq) || s.seq < 1) {
    throw new Error('$.seq is not a positive integer');
  }
  if (s.prev !== null && !isStatementId(s.prev)) throw new Error('$.prev is not a statement id');
  if (typeof s.issuedAt !== 'string') throw new Error('$.issuedAt is not a time');
  if (typeof s.visibility !== 'string' || !VISIBILITIES.has(s.visibility)) {
    throw new Error('$.visibility is not a visibility');
  }
  if (s.evidence !== undefined) {
    if (!Array.isArray(s.evidence)) throw new Error('$.evidence is not an array');
    for (const e of s.evidence as unknown[]) {
      if (typeof (e as EvidenceRef | null)?.sha256 !== 'string') {
        throw new Error('$.evidence has an entry without sha256');
      }
    }
  }
  return value as Statement;
}

export function sameEvidence(leaf: Leaf, statement: Statement): boolean {
  const refs = statement.evidence ?? [];
  if (refs.length !== leaf.evidence.length) return false;
  for (let i = 0; i < refs.length; i++) {
    if (leaf.evidence[i] !== `sha256:${refs[i]!.sha256}`) return false;
  }
  return true;
}
