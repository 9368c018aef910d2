import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../src/conformance.js';
import { VECTORS_DIR } from './fixtures/vectors.js';

// Drives the real bin (built output), as an independent suite would after `npm ci`.
const BIN = fileURLToPath(new URL('../bin/cbm-conformance.js', import.meta.url));
const VECTORS = VECTORS_DIR;

interface Run {
  code: number | null;
  out: Record<string, unknown>;
}

function run(op: string, input: unknown): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile('node', [BIN, op], (err, stdout) => {
      if (err && typeof err.code !== 'number') return reject(new Error(err.message));
      try {
        resolve({ code: child.exitCode, out: JSON.parse(stdout) as Record<string, unknown> });
      } catch (e) {
        reject(new Error(`stdout is not JSON: ${stdout}`, { cause: e }));
      }
    });
    child.stdin?.end(typeof input === 'string' ? input : JSON.stringify(input));
  });
}

const seedA = Buffer.alloc(32, 1).toString('base64');
const seedB = Buffer.alloc(32, 2).toString('base64');
const h = (n: number): string => Buffer.alloc(32, n).toString('base64');

describe('cbm-conformance', () => {
  it('builds leaf hashes, roots and proofs that its own verifiers accept', async () => {
    const leafHashes = [1, 2, 3, 4, 5, 6, 7].map(h);
    const root = await run('merkle-root', { leafHashes });
    expect(root.code).toBe(0);
    const inc = await run('inclusion-proof', { leafHashes, index: 4, treeSize: 7 });
    expect(inc.code).toBe(0);
    const ok = await run('verify-inclusion', {
      index: 4,
      treeSize: 7,
      leafHash: h(5),
      root: root.out.root,
      hashes: inc.out.hashes,
    });
    expect(ok).toEqual({ code: 0, out: { ok: true } });
    const bad = await run('verify-inclusion', {
      index: 3,
      treeSize: 7,
      leafHash: h(5),
      root: root.out.root,
      hashes: inc.out.hashes,
    });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatchObject({ ok: false, code: 'INCLUSION_PROOF_INVALID' });

    const root3 = await run('merkle-root', { leafHashes: leafHashes.slice(0, 3) });
    const cons = await run('consistency-proof', { leafHashes, from: 3, to: 7 });
    expect(cons.code).toBe(0);
    const cok = await run('verify-consistency', {
      from: 3,
      to: 7,
      root1: root3.out.root,
      root2: root.out.root,
      hashes: cons.out.hashes,
    });
    expect(cok).toEqual({ code: 0, out: { ok: true } });
    const cbad = await run('verify-consistency', {
      from: 3,
      to: 7,
      root1: root.out.root,
      root2: root3.out.root,
      hashes: cons.out.hashes,
    });
    expect(cbad.out).toMatchObject({ ok: false, code: 'CONSISTENCY_PROOF_INVALID' });
  });

  it('verifies the third-party RFC 6962 vectors through the command line', async () => {
    const happy = JSON.parse(
      readFileSync(`${VECTORS}rfc6962/consistency/1/happy-path.json`, 'utf8'),
    ) as { size1: number; size2: number; root1: string; root2: string; proof: string[] };
    const r = await run('verify-consistency', {
      from: happy.size1,
      to: happy.size2,
      root1: happy.root1,
      root2: happy.root2,
      hashes: happy.proof,
    });
    expect(r).toEqual({ code: 0, out: { ok: true } });
  });

  it('hashes a leaf canonically', async () => {
    const leaf = {
      v: 1,
      index: 0,
      prev: '0'.repeat(64),
      integratedAt: '2026-11-24T10:00:00.000Z',
      statement: `sha256:${'a'.repeat(64)}`,
      envelope: `sha256:${'b'.repeat(64)}`,
      type: 'ledger.genesis',
      issuer: 'operator:local',
      seq: 1,
      visibility: 'public',
      evidence: [],
    };
    const r = await run('leaf-hash', { leaf });
    expect(r.code).toBe(0);
    expect(r.out.canonical).toBe(
      `{"envelope":"sha256:${'b'.repeat(64)}","evidence":[],"index":0,"integratedAt":"2026-11-24T10:00:00.000Z","issuer":"operator:local","prev":"${'0'.repeat(64)}","seq":1,"statement":"sha256:${'a'.repeat(64)}","type":"ledger.genesis","v":1,"visibility":"public"}`,
    );
    const bad = await run('leaf-hash', { leaf: { ...leaf, extra: 1 } });
    expect(bad.code).toBe(1);
  });

  it('signs and verifies notes, checkpoints and cosignatures', async () => {
    const text = 'cbm-ledger.local/dev\n3\n' + h(9) + '\n';
    const vk = await run('vkey', { name: 'cbm-ledger.local/dev', seed: seedA, type: 'note' });
    expect(String(vk.out.vkey)).toMatch(/^cbm-ledger\.local\/dev\+[0-9a-f]{8}\+/);
    const note = await run('sign-note', { text, name: 'cbm-ledger.local/dev', seed: seedA });
    expect(note.code).toBe(0);
    const v = await run('verify-note', { note: note.out.note, vkeys: [vk.out.vkey] });
    expect(v).toEqual({ code: 0, out: { verified: ['cbm-ledger.local/dev'] } });

    const cos = await run('cosign', {
      checkpoint: note.out.note,
      name: 'witness.jo',
      seed: seedB,
      time: 1764000000,
    });
    expect(cos.code).toBe(0);
    const served = `${String(note.out.note)}${String(cos.out.line)}\n`;
    const pubB = (await run('vkey', { name: 'witness.jo', seed: seedB, type: 'cosignature' })).out
      .vkey as string;
    const publicKey = Buffer.from(pubB.split('+')[2]!, 'base64').subarray(1).toString('base64');
    const vc = await run('verify-cosignatures', {
      note: served,
      witnesses: [{ name: 'witness.jo', publicKey }],
    });
    expect(vc).toEqual({ code: 0, out: { verified: [{ name: 'witness.jo', time: 1764000000 }] } });
  });

  it('verifies the C2SP signed-note example', async () => {
    const vec = JSON.parse(readFileSync(`${VECTORS}c2sp-signed-note.json`, 'utf8')) as {
      vkey: string;
      note: string;
    };
    const r = await run('verify-note', { note: vec.note, vkeys: [vec.vkey] });
    expect(r).toEqual({ code: 0, out: { verified: ['example.com/foo'] } });
  });

  it('signs and verifies DSSE envelopes', async () => {
    const payload = Buffer.from('{"hello":"world"}').toString('base64');
    const signed = await run('dsse-sign', {
      payloadType: 'text/plain',
      payload,
      seeds: [seedA, seedB],
    });
    expect(signed.code).toBe(0);
    const vk = await run('vkey', { name: 'x', seed: seedA, type: 'note' });
    const pubA = Buffer.from(String(vk.out.vkey).split('+')[2]!, 'base64')
      .subarray(1)
      .toString('base64');
    const v = await run('dsse-verify', { envelope: signed.out.envelope, publicKeys: [pubA] });
    expect(v.code).toBe(0);
    expect(v.out.verified).toHaveLength(1);
    const env = signed.out.envelope as { payload: string };
    const tampered = { ...env, payload: Buffer.from('{"hello":"wurld"}').toString('base64') };
    const t = await run('dsse-verify', { envelope: tampered, publicKeys: [pubA] });
    expect(t.code).toBe(1);
    expect(t.out).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
  });

  it('validates statements and names the fault', async () => {
    const r = await run('validate-statement', { payload: '{"v":1}' });
    expect(r.code).toBe(1);
    expect(r.out.ok).toBe(false);
    expect(typeof r.out.code).toBe('string');
  });

  it('answers usage errors with exit 2 and bad input with exit 1', async () => {
    expect((await run('no-such-op', {})).code).toBe(2);
    expect((await run('merkle-root', 'not json')).out).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
    expect((await run('merkle-root', { leafHashes: ['!!'] })).code).toBe(1);
    expect(runConformance('vkey', '{"name":"x","seed":"AAAA","type":"note"}').exitCode).toBe(1);
  });
});
