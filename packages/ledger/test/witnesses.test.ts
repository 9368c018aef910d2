import { describe, expect, it } from 'vitest';
import {
  cosign,
  ed25519,
  openCheckpoint,
  parseNote,
  parseVkey,
  sha256,
  signCheckpoint,
  signNoteText,
  toBase64,
  utf8Encode,
  verifyCosignatures,
} from '@cbm-ledger/protocol';
import { LedgerError } from '@cbm-ledger/ledger';
import { dumpMemoryStores } from '@cbm-ledger/ledger/testing';
import { Harness, LOG_SEED, ORIGIN, infoExchangeBody } from '@cbm-ledger/ledger/testing';

interface Witness {
  readonly name: string;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

function witness(name: string): Witness {
  const seed = sha256(utf8Encode(`witness:${name}`));
  return { name, seed, publicKey: ed25519.publicKeyFromSeed(seed) };
}

const W1 = witness('w1.example/witness');
const W2 = witness('w2.example/witness');
const STRANGER = witness('stranger.example/witness');

async function ledger(config: { witnessQuorum?: number } = {}): Promise<Harness> {
  const h = new Harness({ config });
  await h.genesis();
  await h.integrate();
  await h.register('observer:w1', {
    witness: { name: W1.name, publicKey: toBase64(W1.publicKey) },
  });
  await h.register('state:JOR', { witness: { name: W2.name, publicKey: toBase64(W2.publicKey) } });
  await h.register('state:ISR');
  await h.integrate();
  return h;
}

const bodyOf = (note: string): string => parseNote(note).text;
const seconds = (h: Harness): number => Math.floor(h.clock.now() / 1000);

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy(
    (e: unknown) => e instanceof LedgerError && e.code === code,
    `expected ${code}`,
  );
}

describe('witness cosignatures', () => {
  it('keeps a verified cosignature and serves the checkpoint with it appended', async () => {
    const h = await ledger();
    const note = await h.service.checkpoint();
    const line = cosign(bodyOf(note), W1.name, W1.seed, seconds(h));
    const receipt = await h.service.addCosignature({ checkpoint: note, cosignature: line });
    const size = openCheckpoint(note, parseVkey(h.signer.vkey)).checkpoint.size;
    expect(receipt).toEqual({
      treeSize: size,
      witness: W1.name,
      party: 'observer:w1',
      time: seconds(h),
      stored: true,
    });
    const served = await h.service.checkpoint();
    expect(served).toBe(`${note}${line}\n`);
    // Still a checkpoint of this log, and the cosignature verifies for anyone holding W1's key.
    expect(openCheckpoint(served, parseVkey(h.signer.vkey)).checkpoint.size).toBe(size);
    expect(verifyCosignatures(served, [W1])).toEqual([{ name: W1.name, time: seconds(h) }]);
  });

  it('answers the same cosignature again without keeping it twice', async () => {
    const h = await ledger();
    const note = await h.service.checkpoint();
    const line = cosign(bodyOf(note), W1.name, W1.seed, seconds(h));
    await h.service.addCosignature({ checkpoint: note, cosignature: line });
    const before = dumpMemoryStores(h.memory);
    const again = await h.service.addCosignature({
      checkpoint: `${note}${line}\n`,
      cosignature: line,
    });
    expect(again.stored).toBe(false);
    expect(dumpMemoryStores(h.memory)).toBe(before);
  });

  it('serves the newest cosignature per witness and keeps the earlier ones for audit', async () => {
    const h = await ledger();
    const note = await h.service.checkpoint();
    const size = openCheckpoint(note, parseVkey(h.signer.vkey)).checkpoint.size;
    const first = cosign(bodyOf(note), W1.name, W1.seed, seconds(h));
    const second = cosign(bodyOf(note), W1.name, W1.seed, seconds(h) + 60);
    const other = cosign(bodyOf(note), W2.name, W2.seed, seconds(h));
    // Out of order on purpose: the newest time wins, not the latest arrival.
    await h.service.addCosignature({ checkpoint: note, cosignature: second });
    await h.service.addCosignature({ checkpoint: note, cosignature: first });
    await h.service.addCosignature({ checkpoint: note, cosignature: other });
    expect(await h.service.checkpoint()).toBe(`${note}${second}\n${other}\n`);
    expect((await h.memory.log.listCosignatures(size)).map((c) => c.line)).toEqual([
      first,
      second,
      other,
    ]);
  });

  it('accepts a cosignature of an older checkpoint and reports it per size', async () => {
    const h = await ledger();
    const old = await h.service.checkpoint();
    const oldSize = openCheckpoint(old, parseVkey(h.signer.vkey)).checkpoint.size;
    await h.issue('state:ISR', 'info.exchange', infoExchangeBody());
    await h.integrate();
    const line = cosign(bodyOf(old), W2.name, W2.seed, seconds(h));
    expect((await h.service.addCosignature({ checkpoint: old, cosignature: line })).treeSize).toBe(
      oldSize,
    );
    const status = await h.service.checkpointStatus(oldSize);
    expect(status.checkpoint).toBe(`${old}${line}\n`);
    expect(status.cosignatures).toEqual([
      { witness: W2.name, party: 'state:JOR', time: seconds(h) },
    ]);
    // The newest checkpoint has none yet.
    expect(parseNote(await h.service.checkpoint()).signatures).toHaveLength(1);
  });

  it('reports whether a checkpoint met the k-of-n witness quorum', async () => {
    const h = await ledger({ witnessQuorum: 2 });
    const note = await h.service.checkpoint();
    const size = openCheckpoint(note, parseVkey(h.signer.vkey)).checkpoint.size;
    expect((await h.service.checkpointStatus(size)).quorum).toEqual({
      required: 2,
      witnesses: 2,
      met: false,
    });
    await h.service.addCosignature({
      checkpoint: note,
      cosignature: cosign(bodyOf(note), W1.name, W1.seed, seconds(h)),
    });
    // Two cosignatures by one witness are still one witness.
    await h.service.addCosignature({
      checkpoint: note,
      cosignature: cosign(bodyOf(note), W1.name, W1.seed, seconds(h) + 1),
    });
    expect((await h.service.checkpointStatus(size)).quorum.met).toBe(false);
    await h.service.addCosignature({
      checkpoint: note,
      cosignature: cosign(bodyOf(note), W2.name, W2.seed, seconds(h)),
    });
    const status = await h.service.checkpointStatus(size);
    expect(status.quorum).toEqual({ required: 2, witnesses: 2, met: true });
    expect(status.cosignatures.map((c) => c.witness)).toEqual([W1.name, W2.name]);
    const info = await h.service.info();
    expect(info.witnessQuorum).toBe(2);
    expect(info.witnesses.map((w) => [w.name, w.party])).toEqual([
      [W1.name, 'observer:w1'],
      [W2.name, 'state:JOR'],
    ]);
  });

  it('reports a met quorum of zero and refuses sizes the log never signed', async () => {
    const h = await ledger();
    const size = openCheckpoint(await h.service.checkpoint(), parseVkey(h.signer.vkey)).checkpoint
      .size;
    expect((await h.service.checkpointStatus(size)).quorum).toEqual({
      required: 0,
      witnesses: 2,
      met: true,
    });
    await rejects(h.service.checkpointStatus(size + 1), 'NOT_FOUND');
  });

  it('stops serving a cosignature once the stored line no longer verifies', async () => {
    const h = await ledger();
    const note = await h.service.checkpoint();
    const size = openCheckpoint(note, parseVkey(h.signer.vkey)).checkpoint.size;
    // A line that reached the store by another way than the verified intake.
    const forged = cosign(bodyOf(note), W1.name, STRANGER.seed, seconds(h));
    await h.memory.log.putCosignature(size, W1.name, forged, seconds(h));
    expect(await h.service.checkpoint()).toBe(note);
  });
});

describe('witness cosignatures: bad input', () => {
  type Case = [string, (h: Harness, note: string) => unknown, string];
  const now = (h: Harness): number => seconds(h);
  const cases: Case[] = [
    ['a body that is not an object', () => 'text', 'SCHEMA_VIOLATION'],
    ['an array', () => [], 'SCHEMA_VIOLATION'],
    [
      'an unknown field',
      (h, note) => ({ checkpoint: note, cosignature: 'x', extra: 1 }),
      'UNKNOWN_FIELD',
    ],
    ['no checkpoint', () => ({ cosignature: 'x' }), 'SCHEMA_VIOLATION'],
    [
      'a cosignature that is not a string',
      (_h, note) => ({ checkpoint: note, cosignature: 7 }),
      'SCHEMA_VIOLATION',
    ],
    [
      'an overlong cosignature',
      (_h, note) => ({ checkpoint: note, cosignature: `— ${'a'.repeat(2000)}` }),
      'SCHEMA_VIOLATION',
    ],
    [
      'a checkpoint that is no note',
      (h, note) => ({
        checkpoint: 'hello\n',
        cosignature: cosign(bodyOf(note), W1.name, W1.seed, now(h)),
      }),
      'CHECKPOINT_UNKNOWN',
    ],
    [
      'a checkpoint signed by another log key',
      (h) => {
        const forged = signCheckpoint(
          { origin: ORIGIN, size: 3, rootHash: new Uint8Array(32).fill(9), extensions: [] },
          new Uint8Array(32).fill(77),
        );
        return {
          checkpoint: forged,
          cosignature: cosign(bodyOf(forged), W1.name, W1.seed, now(h)),
        };
      },
      'CHECKPOINT_UNKNOWN',
    ],
    [
      'a checkpoint body altered under the log signature',
      (h, note) => {
        const altered = note.replace(
          /^(.*\n)(\d+)\n/,
          (_m, origin: string, size: string) => `${origin}${Number(size) + 1}\n`,
        );
        return {
          checkpoint: altered,
          cosignature: cosign(bodyOf(altered), W1.name, W1.seed, now(h)),
        };
      },
      'CHECKPOINT_UNKNOWN',
    ],
    [
      'a checkpoint the log key signed but the log never kept (a fork)',
      (h) => {
        const fork = signCheckpoint(
          { origin: ORIGIN, size: 2, rootHash: new Uint8Array(32).fill(5), extensions: [] },
          LOG_SEED,
        );
        return { checkpoint: fork, cosignature: cosign(bodyOf(fork), W1.name, W1.seed, now(h)) };
      },
      'CHECKPOINT_UNKNOWN',
    ],
    [
      'a line without the em dash',
      (_h, note) => ({ checkpoint: note, cosignature: `- ${W1.name} AAAA` }),
      'MALFORMED',
    ],
    [
      'a line that is not base64',
      (_h, note) => ({ checkpoint: note, cosignature: `— ${W1.name} !!!` }),
      'MALFORMED',
    ],
    [
      'a cosigner that is no registered witness',
      (h, note) => ({
        checkpoint: note,
        cosignature: cosign(bodyOf(note), STRANGER.name, STRANGER.seed, now(h)),
      }),
      'WITNESS_UNKNOWN',
    ],
    [
      'a forged cosignature under a registered name',
      (h, note) => ({
        checkpoint: note,
        cosignature: cosign(bodyOf(note), W1.name, STRANGER.seed, now(h)),
      }),
      'COSIGNATURE_INVALID',
    ],
    [
      'a cosignature of another checkpoint (mismatched)',
      (h, note) => {
        const other = signCheckpoint(
          { origin: ORIGIN, size: 1, rootHash: new Uint8Array(32), extensions: [] },
          LOG_SEED,
        );
        return { checkpoint: note, cosignature: cosign(bodyOf(other), W1.name, W1.seed, now(h)) };
      },
      'COSIGNATURE_INVALID',
    ],
    [
      "an ordinary note signature by the witness's key (not cosignature/v1)",
      (_h, note) => {
        const signed = signNoteText(bodyOf(note), [{ name: W1.name, seed: W1.seed }]);
        return { checkpoint: note, cosignature: signed.slice(bodyOf(note).length + 1, -1) };
      },
      'COSIGNATURE_INVALID',
    ],
    [
      'a cosignature time beyond the clock skew',
      (h, note) => ({
        checkpoint: note,
        cosignature: cosign(bodyOf(note), W1.name, W1.seed, now(h) + 3600),
      }),
      'COSIGNATURE_INVALID',
    ],
  ];

  it.each(cases)('refuses %s and writes nothing', async (_name, make, code) => {
    const h = await ledger();
    const note = await h.service.checkpoint();
    const before = dumpMemoryStores(h.memory);
    await rejects(h.service.addCosignature(make(h, note)), code);
    expect(dumpMemoryStores(h.memory)).toBe(before);
  });
});
