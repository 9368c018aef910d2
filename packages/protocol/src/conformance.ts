/**
 * The `cbm-conformance` operations of DESIGN.md §9, as a pure function so that other
 * implementations and independent suites can drive this one. The bin shim does the I/O.
 *
 * Conventions (§9): hashes, keys, seeds and signatures are base64. `dsse-sign` takes the payload
 * as base64 bytes, as the DSSE envelope itself carries it.
 */
import { fromBase64, toBase64 } from './bytes.js';
import { cosign, verifyCosignatures } from './cosignature.js';
import { parseEnvelope, signEnvelope, verifyEnvelope } from './dsse.js';
import { ed25519 } from './ed25519.js';
import { ErrorCode, ProtocolError } from './errors.js';
import { keyId, encodeVkey, NoteKeyType, parseVkey } from './keys.js';
import { canonicalLeaf, leafHash, parseLeaf } from './leaf.js';
import {
  consistencyProof,
  inclusionProof,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';
import { signNoteText, verifyNote } from './note.js';
import { openPromise, signPromise } from './promise.js';
import { parseStatement } from './statement/index.js';
import { parseJsonStrict } from './json.js';

export const CONFORMANCE_OPS = [
  'leaf-hash',
  'merkle-root',
  'inclusion-proof',
  'consistency-proof',
  'verify-inclusion',
  'verify-consistency',
  'vkey',
  'sign-note',
  'verify-note',
  'cosign',
  'verify-cosignatures',
  'dsse-sign',
  'dsse-verify',
  'validate-statement',
  'sign-promise',
  'verify-promise',
] as const;

export type ConformanceOp = (typeof CONFORMANCE_OPS)[number];

export interface ConformanceResult {
  /** 0: success or verified; 1: verification failed or input invalid; 2: usage error. */
  readonly exitCode: 0 | 1 | 2;
  readonly output: Record<string, unknown>;
}

export function isConformanceOp(op: string): op is ConformanceOp {
  return (CONFORMANCE_OPS as readonly string[]).includes(op);
}

// Field readers: conformance input is attacker-shaped data like any other, so every field is
// checked and a wrong one becomes MALFORMED (exit 1), never a crash.
type Input = Record<string, unknown>;

function field(input: Input, name: string): unknown {
  if (!(name in input)) throw new ProtocolError(ErrorCode.MALFORMED, `missing field`, `$.${name}`);
  return input[name];
}

function str(input: Input, name: string): string {
  const v = field(input, name);
  if (typeof v !== 'string')
    throw new ProtocolError(ErrorCode.MALFORMED, 'expected a string', `$.${name}`);
  return v;
}

function int(input: Input, name: string): number {
  const v = field(input, name);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ProtocolError(ErrorCode.MALFORMED, 'expected a non-negative integer', `$.${name}`);
  }
  return v;
}

function b64(input: Input, name: string, len?: number): Uint8Array {
  try {
    return fromBase64(str(input, name), len);
  } catch (e) {
    if (e instanceof ProtocolError && e.path === undefined) {
      throw new ProtocolError(e.code, e.message, `$.${name}`);
    }
    throw e;
  }
}

function arr(input: Input, name: string): unknown[] {
  const v = field(input, name);
  if (!Array.isArray(v))
    throw new ProtocolError(ErrorCode.MALFORMED, 'expected an array', `$.${name}`);
  return v;
}

function b64List(input: Input, name: string): Uint8Array[] {
  return arr(input, name).map((v, i) => {
    if (typeof v !== 'string') {
      throw new ProtocolError(ErrorCode.MALFORMED, 'expected base64', `$.${name}[${i}]`);
    }
    return fromBase64(v);
  });
}

function obj(v: unknown, path: string): Input {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ProtocolError(ErrorCode.MALFORMED, 'expected an object', path);
  }
  return v as Input;
}

const ops: Record<ConformanceOp, (input: Input) => Record<string, unknown>> = {
  'leaf-hash': (input) => {
    const leaf = parseLeaf(field(input, 'leaf'));
    return { canonical: canonicalLeaf(leaf), leafHash: toBase64(leafHash(leaf)) };
  },
  'merkle-root': (input) => ({ root: toBase64(merkleRoot(b64List(input, 'leafHashes'))) }),
  'inclusion-proof': (input) => ({
    hashes: inclusionProof(
      b64List(input, 'leafHashes'),
      int(input, 'index'),
      int(input, 'treeSize'),
    ).map(toBase64),
  }),
  'consistency-proof': (input) => ({
    hashes: consistencyProof(
      b64List(input, 'leafHashes'),
      int(input, 'from'),
      int(input, 'to'),
    ).map(toBase64),
  }),
  'verify-inclusion': (input) => {
    verifyInclusion(
      int(input, 'index'),
      int(input, 'treeSize'),
      b64(input, 'leafHash'),
      b64List(input, 'hashes'),
      b64(input, 'root'),
    );
    return { ok: true };
  },
  'verify-consistency': (input) => {
    verifyConsistency(
      int(input, 'from'),
      int(input, 'to'),
      b64(input, 'root1'),
      b64(input, 'root2'),
      b64List(input, 'hashes'),
    );
    return { ok: true };
  },
  vkey: (input) => {
    const type = str(input, 'type');
    if (type !== 'note' && type !== 'cosignature') {
      throw new ProtocolError(ErrorCode.MALFORMED, 'expected "note" or "cosignature"', '$.type');
    }
    const pub = ed25519.publicKeyFromSeed(b64(input, 'seed', 32));
    const t = type === 'note' ? NoteKeyType.ed25519 : NoteKeyType.cosignatureV1;
    return { vkey: encodeVkey(str(input, 'name'), t, pub) };
  },
  'sign-note': (input) => ({
    note: signNoteText(str(input, 'text'), [
      { name: str(input, 'name'), seed: b64(input, 'seed', 32) },
    ]),
  }),
  'verify-note': (input) => {
    const keys = arr(input, 'vkeys').map((v, i) => {
      if (typeof v !== 'string') {
        throw new ProtocolError(ErrorCode.MALFORMED, 'expected a vkey string', `$.vkeys[${i}]`);
      }
      return parseVkey(v);
    });
    return { verified: verifyNote(str(input, 'note'), keys) };
  },
  cosign: (input) => {
    let checkpoint = str(input, 'checkpoint');
    // Accept the checkpoint as served (a signed note) or as its bare body: cosignatures cover the
    // body only (tlog-cosignature).
    const split = checkpoint.indexOf('\n\n');
    if (split >= 0) checkpoint = checkpoint.slice(0, split + 1);
    return {
      line: cosign(checkpoint, str(input, 'name'), b64(input, 'seed', 32), int(input, 'time')),
    };
  },
  'verify-cosignatures': (input) => {
    const witnesses = arr(input, 'witnesses').map((w, i) => {
      const o = obj(w, `$.witnesses[${i}]`);
      const name = o.name;
      if (typeof name !== 'string') {
        throw new ProtocolError(ErrorCode.MALFORMED, 'expected a string', `$.witnesses[${i}].name`);
      }
      return { name, publicKey: b64(o, 'publicKey', 32) };
    });
    const verified = verifyCosignatures(str(input, 'note'), witnesses);
    return { verified: verified.map((v) => ({ name: v.name, time: v.time })) };
  },
  'dsse-sign': (input) => {
    const seeds = b64List(input, 'seeds');
    seeds.forEach((s, i) => {
      if (s.length !== 32)
        throw new ProtocolError(ErrorCode.MALFORMED, 'seed must be 32 bytes', `$.seeds[${i}]`);
    });
    return { envelope: signEnvelope(str(input, 'payloadType'), b64(input, 'payload'), seeds) };
  },
  'dsse-verify': (input) => {
    const envelopeIn = obj(field(input, 'envelope'), '$.envelope');
    const payloadType = envelopeIn.payloadType;
    const parsed = parseEnvelope(envelopeIn, {
      payloadType: typeof payloadType === 'string' ? payloadType : '',
    });
    const keys = new Map<string, Uint8Array>();
    for (const pub of b64List(input, 'publicKeys')) keys.set(keyId(pub), pub);
    const verified = verifyEnvelope(parsed, keys);
    if (verified.length === 0) {
      throw new ProtocolError(ErrorCode.SIGNATURE_INVALID, 'no signature by a given key verifies');
    }
    return { verified };
  },
  'validate-statement': (input) => {
    const payload = str(input, 'payload');
    const statement = parseStatement(payload);
    return { ok: true, type: statement.type };
  },
  // Admission promises (docs/promises.md): the log key signs the promise note; a verifier opens
  // it with the log vkey, rejecting other origins (PROMISE_WRONG_ORIGIN) and bad signatures.
  'sign-promise': (input) => ({
    note: signPromise(
      {
        origin: str(input, 'origin'),
        statement: str(input, 'statement'),
        acceptedAt: str(input, 'acceptedAt'),
        integrateBy: str(input, 'integrateBy'),
      },
      b64(input, 'seed', 32),
    ),
  }),
  'verify-promise': (input) => {
    const promise = openPromise(str(input, 'note'), parseVkey(str(input, 'vkey')));
    return { ok: true, ...promise };
  },
};

/**
 * Runs one operation. Protocol failures (bad input, failed verification) give exit 1 and
 * `{ok:false, code, detail}`; anything else escaping is a bug and is reported as code INTERNAL.
 */
export function runConformance(op: string, inputText: string): ConformanceResult {
  if (!isConformanceOp(op)) {
    return { exitCode: 2, output: { ok: false, code: 'USAGE', detail: `unknown op: ${op}` } };
  }
  try {
    const input = obj(parseJsonStrict(inputText), '$');
    return { exitCode: 0, output: ops[op](input) };
  } catch (e) {
    if (e instanceof ProtocolError) {
      return { exitCode: 1, output: { ok: false, code: e.code, detail: e.message } };
    }
    return { exitCode: 1, output: { ok: false, code: 'INTERNAL', detail: String(e) } };
  }
}
