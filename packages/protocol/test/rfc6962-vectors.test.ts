// RFC 6962 proof vectors from transparency-dev/merkle testdata (Apache-2.0), vendored unchanged in
// fixtures/vectors/rfc6962 (see its README and LICENSE). One case per file, named by its relative path.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBase64 } from '../src/bytes.js';
import { ErrorCode, ProtocolError } from '../src/errors.js';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../src/merkle.js';
import { vectorPath } from './fixtures/vectors.js';

const vectorsDir = vectorPath('rfc6962/');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? jsonFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .filter((p) => p.endsWith('.json'))
    .sort();
}

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function load<T>(path: string, fields: readonly string[]): T {
  const v = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // A vector with a field we do not read would be a vector we silently misinterpret.
  expect(Object.keys(v).sort()).toEqual([...fields].sort());
  return v as T;
}

const b64 = (s: string): Uint8Array => fromBase64(s);
const proofOf = (p: string[] | null): Uint8Array[] => (p ?? []).map(b64);

function outcome(check: () => void): ProtocolError | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
}

const inclusionFiles = jsonFiles(join(vectorsDir, 'inclusion'));
const consistencyFiles = jsonFiles(join(vectorsDir, 'consistency'));

describe('RFC 6962 inclusion vectors', () => {
  it('finds the vector files', () => {
    expect(inclusionFiles.length).toBeGreaterThanOrEqual(98);
  });

  for (const file of inclusionFiles) {
    it(relative(vectorsDir, file), () => {
      const v = load<InclusionVector>(file, [
        'leafIdx',
        'treeSize',
        'root',
        'leafHash',
        'proof',
        'desc',
        'wantErr',
      ]);
      const [root, leafHash, proof] = [b64(v.root), b64(v.leafHash), proofOf(v.proof)];
      const err = outcome(() => verifyInclusion(v.leafIdx, v.treeSize, leafHash, proof, root));
      if (v.wantErr) {
        expect(err?.code).toBe(ErrorCode.INCLUSION_PROOF_INVALID);
      } else {
        expect(err).toBeUndefined();
        expect(rootFromInclusionProof(v.leafIdx, v.treeSize, leafHash, proof)).toEqual(root);
      }
    });
  }
});

describe('RFC 6962 consistency vectors', () => {
  it('finds the vector files', () => {
    expect(consistencyFiles.length).toBeGreaterThanOrEqual(98);
  });

  for (const file of consistencyFiles) {
    it(relative(vectorsDir, file), () => {
      const v = load<ConsistencyVector>(file, [
        'size1',
        'size2',
        'root1',
        'root2',
        'proof',
        'desc',
        'wantErr',
      ]);
      const err = outcome(() =>
        verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), proofOf(v.proof)),
      );
      if (v.wantErr) expect(err?.code).toBe(ErrorCode.CONSISTENCY_PROOF_INVALID);
      else expect(err).toBeUndefined();
    });
  }
});
