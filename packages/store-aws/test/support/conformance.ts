/**
 * The port contract (packages/ledger/src/ports.ts) as behaviour, run against every store
 * implementation: DynamoDB on dynalite, DynamoDB on moto, and the domain's memory adapters. Each
 * test gets fresh, empty stores from `makeStores`.
 */
import { describe, expect, it } from 'vitest';
import {
  LogConflictError,
  type AdmittedStatement,
  type LogStore,
  type RegistryStore,
  type ReplayGuard,
  type StatementStore,
} from '@cbm-ledger/ledger';
import {
  CompactRange,
  hashLeaf,
  inclusionProof,
  inclusionProofFromNodes,
  inclusionProofNodeIds,
  consistencyProof,
  consistencyProofFromNodes,
  consistencyProofNodeIds,
  nodeKey,
  toHex,
  type NodeId,
  type TreeNode,
} from '@cbm-ledger/protocol';
import { head, leaves, snapshot, statement, statementIdOf } from './fixtures.js';

export interface PortStores {
  readonly statements: StatementStore;
  readonly log: LogStore;
  readonly registry: RegistryStore;
  readonly replay: ReplayGuard;
}

const settle = <T>(promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> =>
  Promise.allSettled(promises);

function chain(issuer: string, count: number, admittedAt = 1_760_000_000_000): AdmittedStatement[] {
  const out: AdmittedStatement[] = [];
  for (let seq = 1; seq <= count; seq++) {
    out.push(
      statement({ issuer, seq, prev: out[seq - 2]?.id ?? null, admittedAt: admittedAt + seq }),
    );
  }
  return out;
}

export interface ConformanceOptions {
  /**
   * Whether the backend serialises concurrent conditional writes to one item, as DynamoDB and
   * dynalite do. moto_server does not (a threaded server with no per-item lock), so the race
   * tests are not registered for it; every conditional outcome is still tested sequentially.
   */
  readonly linearizable: boolean;
}

export function describePortConformance(
  name: string,
  makeStores: () => Promise<PortStores>,
  options: ConformanceOptions = { linearizable: true },
): void {
  const race = options.linearizable ? it : undefined;
  if (race === undefined)
    console.log(`${name}: concurrent-race tests not registered (writes not linearizable)`);
  const itRace = (title: string, fn: () => Promise<void>): void => {
    race?.(title, fn);
  };

  describe(`${name}: StatementStore`, () => {
    it('claims a free (issuer, seq) once and returns the stored statement by seq', async () => {
      const { statements } = await makeStores();
      const st = statement({
        evidence: ['ab'.repeat(32)],
        visibility: 'restricted',
        audience: ['state:ISR'],
      });
      expect(await statements.accept(st)).toEqual({ accepted: true });
      expect(await statements.getBySeq(st.issuer, st.seq)).toEqual(st);
      expect(await statements.getBySeq(st.issuer, 2)).toBeUndefined();
      expect(await statements.getBySeq('state:ISR', 1)).toBeUndefined();
    });

    itRace(
      'lets exactly one of 50 concurrent claims of one slot win; every loser sees the winner',
      async () => {
        const { statements } = await makeStores();
        const rivals = Array.from({ length: 50 }, () => statement({ issuer: 'state:EGY', seq: 7 }));
        const outcomes = await Promise.all(rivals.map((st) => statements.accept(st)));
        const winners = rivals.filter((_, i) => outcomes[i]?.accepted === true);
        expect(winners).toHaveLength(1);
        const winner = winners[0] as AdmittedStatement;
        for (const outcome of outcomes) {
          if (!outcome.accepted) expect(outcome.existing).toEqual(winner);
        }
        expect(await statements.getBySeq('state:EGY', 7)).toEqual(winner);
        expect(await statements.pending(100)).toEqual([winner]);
      },
    );

    it('keeps the signed admission promise with the statement, through integration', async () => {
      const { statements } = await makeStores();
      const promise = 'cbm-ledger/promise/v1\norigin o\n\n— o AAAAAAA=\n';
      const st = statement({ promise });
      await statements.accept(st);
      expect(await statements.getBySeq(st.issuer, st.seq)).toEqual(st);
      await statements.markIntegrated([{ statement: st, index: 3 }]);
      expect(await statements.getById(st.id)).toEqual({ ...st, index: 3 });
    });

    it('answers a repeated claim of the same statement with the statement itself', async () => {
      const { statements } = await makeStores();
      const st = statement();
      await statements.accept(st);
      expect(await statements.accept(st)).toEqual({ accepted: false, existing: st });
    });

    it('records a claim as pending even when the object carries an index', async () => {
      const { statements } = await makeStores();
      const st = statement({ index: 12 });
      await statements.accept(st);
      const stored = { ...st };
      delete stored.index;
      expect(await statements.getBySeq(st.issuer, st.seq)).toEqual(stored);
      expect(await statements.pending(10)).toEqual([stored]);
    });

    it('finds a statement by id only once it is linked, and link is idempotent', async () => {
      const { statements } = await makeStores();
      const st = statement();
      await statements.accept(st);
      expect(await statements.getById(st.id)).toBeUndefined();
      await statements.link(st);
      await statements.link(st);
      expect(await statements.getById(st.id)).toEqual(st);
      expect(await statements.getById(statementIdOf())).toBeUndefined();
      expect(await statements.getById(`sha256:${'0'.repeat(5000)}`)).toBeUndefined();
    });

    it('links many statements submitted at once', async () => {
      const { statements } = await makeStores();
      const all = Array.from({ length: 120 }, (_, i) =>
        statement({ issuer: `observer:o${i % 7}`, seq: i + 1 }),
      );
      await Promise.all(all.map((st) => statements.accept(st)));
      await Promise.all(all.map((st) => statements.link(st)));
      const found = await Promise.all(all.map((st) => statements.getById(st.id)));
      expect(found).toEqual(all);
    });

    it("names each issuer's highest accepted seq as its head, per issuer", async () => {
      const { statements } = await makeStores();
      expect(await statements.head('state:JOR')).toBeUndefined();
      const jor = chain('state:JOR', 12);
      const jorx = chain('state:JORX', 3);
      for (const st of [...jor, ...jorx].reverse()) await statements.accept(st);
      expect(await statements.head('state:JOR')).toEqual(jor[11]);
      expect(await statements.head('state:JORX')).toEqual(jorx[2]);
      expect(await statements.head('state:JO')).toBeUndefined();
      expect(await statements.head(`state:${'X'.repeat(3000)}`)).toBeUndefined();
      expect(await statements.getBySeq(`state:${'X'.repeat(3000)}`, 1)).toBeUndefined();
    });

    it('lists pending statements oldest first, ties by issuer then seq, up to the limit', async () => {
      const { statements } = await makeStores();
      const t = 1_760_000_000_000;
      const all = [
        statement({ issuer: 'state:SAU', seq: 1, admittedAt: t + 5 }),
        statement({ issuer: 'state:ARE', seq: 2, admittedAt: t + 1 }),
        statement({ issuer: 'state:ARE', seq: 1, admittedAt: t + 1 }),
        statement({ issuer: 'state:ISR', seq: 1, admittedAt: t }),
        statement({ issuer: 'observer:osce', seq: 1, admittedAt: t + 1 }),
        statement({ issuer: 'state:QAT', seq: 1, admittedAt: t + 10_000_000 }),
      ];
      for (const st of all) await statements.accept(st);
      const expected = [all[3], all[4], all[2], all[1], all[0], all[5]];
      expect(await statements.pending(100)).toEqual(expected);
      expect(await statements.pending(3)).toEqual(expected.slice(0, 3));
      expect(await statements.pending(0)).toEqual([]);
    });

    it('orders a large, tied pending set the same way at every limit', async () => {
      const { statements } = await makeStores();
      const t = 1_760_000_000_000;
      const all = Array.from({ length: 150 }, (_, i) =>
        statement({
          issuer: `observer:p${(i * 37) % 11}`,
          seq: i + 1,
          admittedAt: t + ((i * 7919) % 13),
        }),
      );
      await Promise.all(all.map((st) => statements.accept(st)));
      const order = [...all].sort(
        (a, b) =>
          a.admittedAt - b.admittedAt ||
          (a.issuer < b.issuer ? -1 : a.issuer > b.issuer ? 1 : 0) ||
          a.seq - b.seq,
      );
      for (const limit of [1, 2, 37, 149, 150, 500]) {
        expect((await statements.pending(limit)).map((s) => s.id)).toEqual(
          order.slice(0, limit).map((s) => s.id),
        );
      }
    });

    it('drops integrated statements from pending and records their index, idempotently', async () => {
      const { statements } = await makeStores();
      const all = chain('state:LBN', 5);
      for (const st of all) {
        await statements.accept(st);
        await statements.link(st);
      }
      const done = all.slice(0, 3).map((st, i) => ({ statement: st, index: 40 + i }));
      await statements.markIntegrated(done);
      await statements.markIntegrated(done);
      expect(await statements.pending(10)).toEqual(all.slice(3));
      for (const { statement: st, index } of done) {
        expect(await statements.getById(st.id)).toEqual({ ...st, index });
        expect(await statements.getBySeq(st.issuer, st.seq)).toEqual({ ...st, index });
      }
      expect(await statements.head('state:LBN')).toEqual(all[4]);
      expect(await statements.getById((all[3] as AdmittedStatement).id)).toEqual(all[3]);
      await statements.markIntegrated([]);
    });

    it('marks a batch larger than one write request integrated', async () => {
      const { statements } = await makeStores();
      const all = chain('state:IRQ', 60);
      await Promise.all(all.map((st) => statements.accept(st)));
      await Promise.all(all.map((st) => statements.link(st)));
      await statements.markIntegrated(all.map((st, i) => ({ statement: st, index: i })));
      expect(await statements.pending(100)).toEqual([]);
      expect(await statements.getById((all[59] as AdmittedStatement).id)).toEqual({
        ...all[59],
        index: 59,
      });
    });

    it('finds the linked statements that cite an evidence object', async () => {
      const { statements } = await makeStores();
      const doc = 'cd'.repeat(32);
      const other = 'ef'.repeat(32);
      const citing = [
        statement({ issuer: 'state:OMN', seq: 1, evidence: [doc] }),
        statement({ issuer: 'state:KWT', seq: 1, evidence: [other, doc] }),
      ];
      const unrelated = statement({ issuer: 'state:BHR', seq: 1, evidence: [other] });
      for (const st of [...citing, unrelated]) {
        await statements.accept(st);
        await statements.link(st);
      }
      const found = await statements.citing(doc, 10);
      expect(found.map((s) => s.id).sort()).toEqual(citing.map((s) => s.id).sort());
      expect(await statements.citing(doc, 1)).toHaveLength(1);
      expect(await statements.citing('01'.repeat(32), 10)).toEqual([]);
    });
  });

  describe(`${name}: LogStore`, () => {
    it('moves the head only from the expected size', async () => {
      const { log } = await makeStores();
      expect(await log.readHead()).toBeUndefined();
      const first = head(1);
      expect(await log.commitHead(0, first)).toBe(false);
      expect(await log.commitHead(undefined, first)).toBe(true);
      expect(await log.commitHead(undefined, head(1, 'b'))).toBe(false);
      expect(await log.commitHead(2, head(3))).toBe(false);
      expect(await log.readHead()).toEqual(first);
      const second = head(300);
      expect(await log.commitHead(1, second)).toBe(true);
      expect(await log.readHead()).toEqual(second);
    });

    itRace('lets exactly one of 20 concurrent head commits from one size win', async () => {
      const { log } = await makeStores();
      await log.commitHead(undefined, head(5));
      const rivals = Array.from({ length: 20 }, (_, i) => head(6 + i, `r${i}`));
      const results = await Promise.all(rivals.map((h) => log.commitHead(5, h)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await log.readHead()).toEqual(rivals[results.indexOf(true)]);
    });

    it('stages leaves across a bundle boundary and reads them back in order', async () => {
      const { log } = await makeStores();
      const first = leaves(0, 250);
      const second = leaves(250, 20);
      await log.writeLeaves(0, first);
      await log.writeLeaves(250, second);
      expect(await log.readLeaves(0, 270)).toEqual([...first, ...second]);
      expect(await log.readLeaves(245, 10)).toEqual([...first.slice(245), ...second.slice(0, 5)]);
      expect(await log.readLeaves(255, 1)).toEqual([second[5]]);
      expect(await log.readLeaves(269, 50)).toEqual([second[19]]);
      expect(await log.readLeaves(270, 10)).toEqual([]);
      expect(await log.readLeaves(10_000, 10)).toEqual([]);
      expect(await log.readLeaves(3, 0)).toEqual([]);
    });

    it('treats rewriting the same leaves as a no-op, also when they overlap new ones', async () => {
      const { log } = await makeStores();
      const all = leaves(0, 300);
      await log.writeLeaves(0, all.slice(0, 270));
      await log.writeLeaves(250, all.slice(250, 270));
      await log.writeLeaves(260, all.slice(260, 300));
      expect(await log.readLeaves(0, 1000)).toEqual(all);
    });

    it('refuses different leaves at taken indices and keeps the originals', async () => {
      const { log } = await makeStores();
      const original = leaves(0, 270);
      await log.writeLeaves(0, original);
      await expect(log.writeLeaves(250, leaves(250, 20, 'b'))).rejects.toBeInstanceOf(
        LogConflictError,
      );
      // Same leaves up to 269, a different one at 269 itself.
      const mixed = [...original.slice(255, 269), ...leaves(269, 1, 'b')];
      await expect(log.writeLeaves(255, mixed)).rejects.toBeInstanceOf(LogConflictError);
      expect(await log.readLeaves(0, 1000)).toEqual(original);
    });

    itRace(
      'lets one of 10 concurrent integrators stage a whole batch and refuses the rest',
      async () => {
        const { log } = await makeStores();
        await log.writeLeaves(0, leaves(0, 200));
        const runs = Array.from({ length: 10 }, (_, i) => leaves(200, 120, `run${i}`));
        const results = await settle(runs.map((run) => log.writeLeaves(200, run)));
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(won).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LogConflictError);
        }
        expect(await log.readLeaves(200, 200)).toEqual(runs[won[0] as number]);
      },
    );

    it('keeps leaves that cite many evidence objects', async () => {
      const { log } = await makeStores();
      const big = leaves(254, 4, 'big', 40);
      await log.writeLeaves(0, leaves(0, 254));
      await log.writeLeaves(254, big);
      await log.writeLeaves(254, big);
      await expect(log.writeLeaves(255, leaves(255, 1, 'other', 40))).rejects.toBeInstanceOf(
        LogConflictError,
      );
      expect(await log.readLeaves(252, 10)).toEqual([...leaves(252, 2), ...big]);
    });

    it('stores tree nodes and serves inclusion and consistency proofs from them', async () => {
      const { log } = await makeStores();
      const size = 700;
      const leafHashes = Array.from({ length: size }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));
      const range = CompactRange.empty();
      const batches: TreeNode[][] = [[]];
      leafHashes.forEach((h, i) => {
        (batches[batches.length - 1] as TreeNode[]).push(...range.append(h));
        if (i % 97 === 96) batches.push([]);
      });
      for (const batch of batches) await log.writeNodes(batch);

      expect(await log.readNodes([])).toEqual(new Map());
      for (const [index, treeSize] of [
        [0, 1],
        [5, 700],
        [255, 256],
        [256, 700],
        [699, 700],
        [511, 600],
      ] as const) {
        const ids = inclusionProofNodeIds(index, treeSize);
        const nodes = await log.readNodes(ids);
        const proof = inclusionProofFromNodes(
          index,
          treeSize,
          (id) => nodes.get(nodeKey(id)) as Uint8Array,
        );
        expect(proof.map(toHex)).toEqual(
          inclusionProof(leafHashes.slice(0, treeSize), index, treeSize).map(toHex),
        );
      }
      const ids = consistencyProofNodeIds(300, 700);
      const nodes = await log.readNodes(ids);
      const proof = consistencyProofFromNodes(
        300,
        700,
        (id) => nodes.get(nodeKey(id)) as Uint8Array,
      );
      expect(proof.map(toHex)).toEqual(consistencyProof(leafHashes, 300, 700).map(toHex));
    });

    it('returns exactly the stored nodes of any set asked for', async () => {
      const { log } = await makeStores();
      const stored: TreeNode[] = [];
      for (let level = 0; level < 24; level += 3) {
        for (const index of [0, 1, 255, 256, 1000, 2 ** 20 + 7]) {
          stored.push({ level, index, hash: hashLeaf(Buffer.from(`${level}/${index}`)) });
        }
      }
      // Also a whole tile's width of one level, in one call.
      for (let index = 512; index < 768; index++) {
        stored.push({ level: 1, index, hash: hashLeaf(Buffer.from(`1/${index}`)) });
      }
      await log.writeNodes(stored);
      await log.writeNodes(stored.slice(0, 10));
      const missing: NodeId[] = [
        { level: 0, index: 2 },
        { level: 4, index: 0 },
        { level: 1, index: 768 },
        { level: 40, index: 0 },
      ];
      const asked = [...stored, ...missing];
      const found = await log.readNodes(asked);
      expect(found.size).toBe(stored.length);
      for (const node of stored)
        expect(toHex(found.get(nodeKey(node)) as Uint8Array)).toBe(toHex(node.hash));
      for (const id of missing) expect(found.has(nodeKey(id))).toBe(false);
      for (let n = 0; n <= 5; n++) {
        const some = await log.readNodes(stored.slice(0, n));
        expect([...some.keys()].sort()).toEqual(stored.slice(0, n).map(nodeKey).sort());
      }
    });

    it('keeps one checkpoint per size: the same note again is a no-op, another is refused', async () => {
      const { log } = await makeStores();
      expect(await log.getCheckpoint(10)).toBeUndefined();
      await log.putCheckpoint(10, 'note ten\n');
      await log.putCheckpoint(10, 'note ten\n');
      await log.putCheckpoint(11, 'note eleven\n');
      await expect(log.putCheckpoint(10, 'another note\n')).rejects.toThrow();
      expect(await log.getCheckpoint(10)).toBe('note ten\n');
      expect(await log.getCheckpoint(11)).toBe('note eleven\n');
    });

    it('keeps every cosignature per (size, witness, time) and never replaces one', async () => {
      const { log } = await makeStores();
      expect(await log.listCosignatures(7)).toEqual([]);
      expect(await log.putCosignature(7, 'w.example/b', '— w.example/b AAAA', 100)).toBe(true);
      expect(await log.putCosignature(7, 'w.example/b', '— w.example/b BBBB', 100)).toBe(false);
      expect(await log.putCosignature(7, 'w.example/b', '— w.example/b CCCC', 200)).toBe(true);
      expect(await log.putCosignature(7, 'w.example/a', '— w.example/a DDDD', 300)).toBe(true);
      expect(await log.putCosignature(8, 'w.example/a', '— w.example/a EEEE', 300)).toBe(true);
      // A name that looks like another's key suffix must not collide with it.
      const tricky = `w.example/b#${'0'.repeat(13)}100`;
      expect(await log.putCosignature(7, tricky, '— tricky FFFF', 100)).toBe(true);
      expect(await log.listCosignatures(7)).toEqual([
        { size: 7, witness: 'w.example/a', line: '— w.example/a DDDD', time: 300 },
        { size: 7, witness: 'w.example/b', line: '— w.example/b AAAA', time: 100 },
        { size: 7, witness: 'w.example/b', line: '— w.example/b CCCC', time: 200 },
        { size: 7, witness: tricky, line: '— tricky FFFF', time: 100 },
      ]);
      expect(await log.listCosignatures(8)).toEqual([
        { size: 8, witness: 'w.example/a', line: '— w.example/a EEEE', time: 300 },
      ]);
    });

    itRace(
      'keeps exactly one of 20 concurrent cosignatures for one (size, witness, time)',
      async () => {
        const { log } = await makeStores();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => log.putCosignature(3, 'w', `— w L${i}`, 9)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const kept = await log.listCosignatures(3);
        expect(kept).toEqual([
          { size: 3, witness: 'w', line: `— w L${results.indexOf(true)}`, time: 9 },
        ]);
      },
    );
  });

  describe(`${name}: ReplayGuard`, () => {
    const keyid = 'ab'.repeat(32);
    const future = Math.floor(Date.now() / 1000) + 300;

    it('lets a nonce be claimed once per key while unexpired', async () => {
      const { replay } = await makeStores();
      expect(await replay.claim(keyid, 'nonce-1', future)).toBe(true);
      expect(await replay.claim(keyid, 'nonce-1', future)).toBe(false);
      expect(await replay.claim(keyid, 'nonce-1', future + 100)).toBe(false);
      expect(await replay.claim(keyid, 'nonce-2', future)).toBe(true);
      expect(await replay.claim('cd'.repeat(32), 'nonce-1', future)).toBe(true);
    });

    it('lets an expired claim be taken again', async () => {
      const { replay } = await makeStores();
      const past = Math.floor(Date.now() / 1000) - 10;
      expect(await replay.claim(keyid, 'old', past)).toBe(true);
      expect(await replay.claim(keyid, 'old', future)).toBe(true);
      expect(await replay.claim(keyid, 'old', future)).toBe(false);
    });

    itRace('lets exactly one of 20 concurrent claims of one nonce win', async () => {
      const { replay } = await makeStores();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => replay.claim(keyid, 'raced', future)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe(`${name}: RegistryStore`, () => {
    it('replaces the snapshot only from the expected asOf', async () => {
      const { registry } = await makeStores();
      expect(await registry.read()).toBeUndefined();
      expect(await registry.write(snapshot(1), 0)).toBe(false);
      expect(await registry.write(snapshot(1), undefined)).toBe(true);
      expect(await registry.write(snapshot(2), undefined)).toBe(false);
      expect(await registry.write(snapshot(3), 2)).toBe(false);
      expect(await registry.read()).toEqual(snapshot(1));
      expect(await registry.write(snapshot(4, 3), 1)).toBe(true);
      expect(await registry.read()).toEqual(snapshot(4, 3));
    });

    itRace('lets exactly one of 20 concurrent writers from one asOf win', async () => {
      const { registry } = await makeStores();
      await registry.write(snapshot(1), undefined);
      const rivals = Array.from({ length: 20 }, (_, i) => snapshot(2 + i, 2));
      const results = await Promise.all(rivals.map((s) => registry.write(s, 1)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await registry.read()).toEqual(rivals[results.indexOf(true)]);
    });

    it('keeps a registry too large for one uncompressed item', async () => {
      const { registry } = await makeStores();
      const large = snapshot(9, 2500);
      expect(JSON.stringify(large).length).toBeGreaterThan(500_000);
      expect(await registry.write(large, undefined)).toBe(true);
      expect(await registry.read()).toEqual(large);
    });
  });
}
