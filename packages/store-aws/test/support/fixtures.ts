/** Statements, leaves and snapshots for the store tests: well-formed, cheap, and distinct. */
import { randomBytes } from 'node:crypto';
import type { AdmittedStatement, LogHead, RegistrySnapshot } from '@cbm-ledger/ledger';
import { GENESIS_PREV, type Leaf } from '@cbm-ledger/protocol';

const hex = (bytes = 32): string => randomBytes(bytes).toString('hex');
export const statementIdOf = (): string => `sha256:${hex()}`;

export function statement(overrides: Partial<AdmittedStatement> = {}): AdmittedStatement {
  const payload = Buffer.from(JSON.stringify({ v: 1, nonce: hex(16) })).toString('base64');
  return {
    id: statementIdOf(),
    issuer: 'state:JOR',
    seq: 1,
    prev: null,
    type: 'exercise.notification',
    visibility: 'public',
    audience: [],
    evidence: [],
    envelope: {
      payloadType: 'application/vnd.cbm-ledger.statement+json',
      payload,
      signatures: [{ keyid: hex(), sig: randomBytes(64).toString('base64') }],
    },
    envelopeDigest: `sha256:${hex()}`,
    admittedAt: 1_760_000_000_000,
    ...overrides,
  };
}

/** Leaves [start, start + count) written by one integrator run; `tag` makes runs differ. */
export function leaves(start: number, count: number, tag = 'a', evidence = 0): Leaf[] {
  return Array.from({ length: count }, (_, i) => ({
    v: 1 as const,
    index: start + i,
    prev: start + i === 0 ? GENESIS_PREV : hexOf(`${tag}:${start + i - 1}`),
    integratedAt: `2025-10-09T08:00:00.${String((start + i) % 1000).padStart(3, '0')}Z`,
    statement: `sha256:${hexOf(`${tag}:statement:${start + i}`)}`,
    envelope: `sha256:${hexOf(`${tag}:envelope:${start + i}`)}`,
    type: 'exercise.notification',
    issuer: 'state:JOR',
    seq: start + i + 1,
    visibility: 'public' as const,
    evidence: Array.from(
      { length: evidence },
      (_, k) => `sha256:${hexOf(`${tag}:evidence:${start + i}:${k}`)}`,
    ),
  }));
}

/** A deterministic 64-hex-digit string per label (not a hash anyone verifies here). */
function hexOf(label: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 64; round++) {
    for (const ch of `${label}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

export function head(size: number, tag = 'a'): LogHead {
  const frontier = Array.from({ length: popcount(size) }, () => Uint8Array.from(randomBytes(32)));
  return {
    size,
    rootHash: Uint8Array.from(randomBytes(32)),
    frontier,
    checkpoint: `ledger.example/${tag}\n${size}\nroot\n`,
  };
}

function popcount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

export function snapshot(asOf: number, parties = 1): RegistrySnapshot {
  return {
    asOf,
    parties: Array.from({ length: parties }, (_, i) => ({
      id: `observer:party-${i}`,
      name: `State ${i} ${'x'.repeat(40)}`,
      kind: 'observer' as const,
      keys: [
        {
          keyid: hexOf(`key:${i}`),
          publicKey: Buffer.from(hexOf(`pub:${i}`), 'hex').toString('base64'),
          validFromIndex: i,
          validFrom: '2025-10-09T08:00:00.000Z',
          status: 'active' as const,
        },
      ],
      registeredIndex: i,
    })),
  };
}
