import { describe, expect, it } from 'vitest';
import { createGenesis } from '@cbm-ledger/ledger';
import {
  NoteKeyType,
  encodeVkey,
  ed25519,
  generateKeyFile,
  parseStatement,
  fromBase64,
} from '@cbm-ledger/protocol';
import { createDeployedGenesis } from '../src/genesis.js';

const ORIGIN = 'cbm-ledger.example/test';

describe('the genesis of a deployed ledger', () => {
  const operator = generateKeyFile('operator:cbm-ledger', new Uint8Array(32).fill(1));
  const logSeed = new Uint8Array(32).fill(2);
  const logVkey = encodeVkey(ORIGIN, NoteKeyType.ed25519, ed25519.publicKeyFromSeed(logSeed));
  const now = Date.UTC(2026, 0, 2, 3, 4, 5);
  const nonce = 'AAAAAAAAAAAAAAAAAAAAAA';

  it('is byte-for-byte the entry createGenesis builds from the log seed', () => {
    const fromVkey = createDeployedGenesis({
      origin: ORIGIN,
      logVkey,
      operatorKeyFile: operator,
      now,
      nonce,
    });
    const fromSeed = createGenesis({
      origin: ORIGIN,
      operatorKeyFile: operator,
      logSeed,
      now,
      nonce,
    });
    expect(fromVkey).toEqual(fromSeed);
    const statement = parseStatement(fromBase64(fromVkey.payload));
    expect(statement.type).toBe('ledger.genesis');
  });

  it('refuses a vkey named after another origin, and a non-operator key', () => {
    expect(() =>
      createDeployedGenesis({ origin: 'other.example/x', logVkey, operatorKeyFile: operator, now }),
    ).toThrow(/not the origin/);
    const state = generateKeyFile('state:JOR', new Uint8Array(32).fill(3));
    expect(() =>
      createDeployedGenesis({ origin: ORIGIN, logVkey, operatorKeyFile: state, now }),
    ).toThrow(/operator/);
  });
});
