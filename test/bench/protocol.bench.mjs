// npm run bench:protocol — throughput of the protocol core on this machine. Prints figures; it
// asserts nothing (benchmarks are never timed tests).
import {
  CompactRange,
  inclusionProofFromNodes,
  leafHash,
  naclEd25519,
  nodeEd25519,
  nodeKey,
  verifyInclusion,
} from '@cbm-ledger/protocol';

function rate(label, fn, { minMs = 1500 } = {}) {
  // Warm up, then run in rounds until minMs has passed.
  for (let i = 0; i < 50; i++) fn(i);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let i = 0; i < 100; i++) fn(n++);
    t = performance.now();
  }
  const perSec = (n / (t - t0)) * 1000;
  console.log(`${label.padEnd(52)} ${Math.round(perSec).toLocaleString('en-US').padStart(12)} /s`);
  return perSec;
}

console.log(`node ${process.version}, ${process.arch}, single thread\n`);

const seed = new Uint8Array(32).fill(7);
const msg = new TextEncoder().encode('x'.repeat(600));
const results = {};
for (const impl of [nodeEd25519, naclEd25519]) {
  const pub = impl.publicKeyFromSeed(seed);
  const sig = impl.sign(seed, msg);
  results[impl.name] = rate(
    `Ed25519 verify (${impl.name}, 600-byte message)`,
    () => {
      if (!impl.verify(pub, msg, sig)) throw new Error('verify failed');
    },
    { minMs: impl.name === 'tweetnacl' ? 3000 : 1500 },
  );
}
console.log(
  `  node:crypto / tweetnacl ratio: ${(results['node:crypto'] / results.tweetnacl).toFixed(1)}x\n`,
);

const leaf = (i) => ({
  v: 1,
  index: i,
  prev: 'ab'.repeat(32),
  integratedAt: '2026-11-24T10:00:00.000Z',
  statement: `sha256:${'cd'.repeat(32)}`,
  envelope: `sha256:${'ef'.repeat(32)}`,
  type: 'exercise.notification',
  issuer: 'state:JOR',
  seq: i + 1,
  visibility: 'public',
  evidence: [],
});
rate('leaf hash (JCS + RFC 6962 leaf hash)', (i) => leafHash(leaf(i)));

for (const size of [1_000, 1_000_000]) {
  const nodes = new Map();
  const range = CompactRange.empty();
  const t0 = performance.now();
  for (let i = 0; i < size; i++) {
    const lh = new Uint8Array(32);
    new DataView(lh.buffer).setUint32(0, i);
    for (const n of range.append(lh)) nodes.set(nodeKey(n), n.hash);
  }
  const ms = performance.now() - t0;
  console.log(
    `${`Merkle append, building a ${size.toLocaleString('en-US')}-leaf tree`.padEnd(52)} ${Math.round(
      (size / ms) * 1000,
    )
      .toLocaleString('en-US')
      .padStart(12)} /s`,
  );
  const root = range.root();
  const get = (id) => nodes.get(nodeKey(id));
  // Pre-generate proofs for spread-out indices, then time verification alone.
  const proofs = Array.from({ length: 1000 }, (_, k) => {
    const index = Math.floor((k * size) / 1000);
    const lh = new Uint8Array(32);
    new DataView(lh.buffer).setUint32(0, index);
    return { index, lh, proof: inclusionProofFromNodes(index, size, get) };
  });
  rate(`inclusion-proof verify, tree size ${size.toLocaleString('en-US')}`, (i) => {
    const p = proofs[i % proofs.length];
    verifyInclusion(p.index, size, p.lh, p.proof, root);
  });
}
