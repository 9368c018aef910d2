/**
 * The ledger service end to end over the DynamoDB stores — on dynalite (the embedded default)
 * and, when `moto_server` is on PATH, on moto as a second emulator: sixteen issuers submitting at
 * once while the integrator runs, then the DESIGN.md §6 invariants checked from the store alone.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createMemoryStores } from '@cbm-ledger/ledger/testing';
import {
  fromBase64,
  leafHash,
  merkleRoot,
  openCheckpoint,
  parseVkey,
  toBase64,
  verifyInclusion,
  verifyLeafChain,
} from '@cbm-ledger/protocol';
import { createDynamoClient, createDynamoStores, ensureTable } from '../src/index.js';
import { Harness, infoExchangeBody, states } from '@cbm-ledger/ledger/testing';
import { motoAvailable, startDynalite, startMoto, type Endpoint } from './support/servers.js';

const ISSUERS = 16;
const PER_ISSUER = 4;

function scenario(name: string, start: () => Promise<Endpoint>): void {
  describe(`ledger service on ${name}`, () => {
    let endpoint: Endpoint;
    let client: DynamoDBClient;

    beforeAll(async () => {
      endpoint = await start();
      client = createDynamoClient({ endpoint: endpoint.url });
    });

    afterAll(async () => {
      client.destroy();
      await endpoint.stop();
    });

    it('keeps the log contiguous, chained and consistent with sixteen concurrent issuers', async () => {
      const table = `e2e-${randomUUID()}`;
      await ensureTable(client, table);
      const stores = createDynamoStores({ client, table });
      const memory = createMemoryStores();
      const h = new Harness({ ports: { ...stores, evidence: memory.evidence }, memory });
      const parties = states(ISSUERS);
      await h.bootstrap(parties);

      // Every issuer submits its chain while an integrator keeps running.
      let submitting = true;
      const integrating = (async () => {
        while (submitting) {
          await h.integrator.runOnce();
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const acknowledged: string[] = [];
      await Promise.all(
        parties.map(async (party) => {
          for (let k = 0; k < PER_ISSUER; k++) {
            const { outcome } = await h.issue(party, 'info.exchange', infoExchangeBody(2026 + k));
            expect(outcome.status).toBe(202);
            acknowledged.push(outcome.body.statement);
          }
        }),
      );
      submitting = false;
      await integrating;
      await h.integrate();

      const head = await stores.log.readHead();
      const size = head!.size;
      expect(size).toBe(1 + ISSUERS + ISSUERS * PER_ISSUER);
      const leaves = await stores.log.readLeaves(0, size + 10);
      expect(leaves).toHaveLength(size);
      leaves.forEach((leaf, i) => verifyLeafChain(i === 0 ? undefined : leaves[i - 1], leaf));
      const ids = leaves.map((l) => l.statement);
      expect(new Set(ids).size).toBe(size);
      for (const id of acknowledged) expect(ids).toContain(id);
      expect(await stores.statements.pending(100)).toEqual([]);
      for (const party of parties) {
        const seqs = leaves.filter((l) => l.issuer === party).map((l) => l.seq);
        expect(seqs).toEqual(Array.from({ length: PER_ISSUER }, (_, i) => i + 1));
      }

      // An independent recomputation of the root equals the signed checkpoint's.
      const { checkpoint } = openCheckpoint(head!.checkpoint, parseVkey(h.signer.vkey));
      expect(toBase64(checkpoint.rootHash)).toBe(toBase64(merkleRoot(leaves.map(leafHash))));

      // Proofs served from the stored tree verify against it.
      for (const index of [0, 1, size >> 1, size - 1]) {
        const proof = await h.service.inclusionProof(index, size);
        verifyInclusion(
          index,
          size,
          leafHash(leaves[index]!),
          proof.hashes.map((b) => fromBase64(b)),
          checkpoint.rootHash,
        );
      }
    });
  });
}

scenario('dynalite', startDynalite);
if (motoAvailable()) {
  scenario('moto_server', startMoto);
} else {
  console.log('moto_server is not on PATH: the ledger scenario ran on dynalite only');
}
