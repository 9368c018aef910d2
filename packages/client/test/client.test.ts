/**
 * The client against a real ledger (the local runtime): every API path through its typed method,
 * statements chained for their issuer (also when two submissions race), evidence through
 * presigned uploads, authenticated reads, and the typed errors.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalReport,
  complianceEntryFromLeaf,
  evaluateCompliance,
} from '@cbm-ledger/compliance';
import type { ComplianceEntry } from '@cbm-ledger/compliance';
import {
  NoteKeyType,
  cosign,
  encodeVkey,
  fromBase64,
  generateKeyFile,
  keyFileSeed,
  leafHash,
  openCheckpoint,
  parseNote,
  parseVkey,
  toBase64,
  utf8Decode,
  verifyConsistency,
  verifyInclusion,
} from '@cbm-ledger/protocol';
import type { KeyFile, Statement } from '@cbm-ledger/protocol';
import {
  ApiError,
  ConnectionError,
  LedgerClient,
  buildStatement,
  currentReceipt,
  evidenceFromBlob,
  signStatement,
  submitStatement,
  uploadEvidence,
  verifyReceipt,
} from '../src/index.js';
import { evidenceFromFile, readKeyFile, KeyFileError } from '../src/node.js';
import { build, notification, startLedger } from './support.js';
import type { TestLedger } from './support.js';

let ledger: TestLedger;
let client: LedgerClient;
let jor: KeyFile;
let egy: KeyFile;
const witness = generateKeyFile('state:EGY');
const WITNESS_NAME = 'egypt.witness';

beforeAll(async () => {
  build();
  ledger = await startLedger();
  client = new LedgerClient({ server: ledger.url });
  jor = generateKeyFile('state:JOR');
  egy = generateKeyFile('state:EGY');
  for (const [key, name, w] of [
    [jor, 'Jordan', undefined],
    [egy, 'Egypt', { name: WITNESS_NAME, publicKey: witness.publicKey }],
  ] as const) {
    await submitStatement(client, {
      key: ledger.operator,
      draft: {
        type: 'party.register',
        body: {
          party: { id: key.party, name, kind: 'state' },
          keys: [{ keyid: key.keyid, publicKey: key.publicKey }],
          ...(w === undefined ? {} : { witness: w }),
        },
      },
      waitSeconds: 10,
    });
  }
}, 120_000);

afterAll(() => ledger?.close());

describe('the ledger and its log', () => {
  it('GET /v1/ledger', async () => {
    const info = await client.info();
    expect(info).toMatchObject({
      origin: ledger.origin,
      logVkey: ledger.logVkey,
      operator: 'operator:local',
    });
    expect(info.witnesses.map((w) => w.name)).toEqual([WITNESS_NAME]);
    expect(await client.origin()).toBe(ledger.origin);
  });

  it('GET /v1/entries, /v1/entries/{index}, /v1/checkpoint and both proofs', async () => {
    const note = await client.checkpoint();
    const { checkpoint } = openCheckpoint(note, parseVkey(ledger.logVkey));
    const page = await client.entries(0, 2);
    expect(page.entries.map((e) => e.index)).toEqual([0, 1]);
    expect(page.next).toBe(2);
    const entry = await client.entry(1);
    expect(entry.leaf.type).toBe('party.register');
    const proof = await client.inclusionProof(1, checkpoint.size);
    verifyInclusion(
      1,
      checkpoint.size,
      leafHash(entry.leaf),
      proof.hashes.map((h) => fromBase64(h)),
      checkpoint.rootHash,
    );
    const old = await client.checkpointStatus(2);
    const oldRoot = openCheckpoint(old.checkpoint, parseVkey(ledger.logVkey)).checkpoint.rootHash;
    const consistency = await client.consistencyProof(2, checkpoint.size);
    verifyConsistency(
      2,
      checkpoint.size,
      oldRoot,
      checkpoint.rootHash,
      consistency.hashes.map((h) => fromBase64(h)),
    );
  });

  it('GET /v1/parties and /v1/parties/{id} with the chain head', async () => {
    const parties = await client.parties();
    expect(parties.map((p) => p.id)).toEqual(['operator:local', 'state:JOR', 'state:EGY']);
    expect((await client.party('operator:local')).head?.seq).toBe(3);
  });

  it('GET /v1/openapi.json', async () => {
    const doc = (await client.openApi()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/v1/statements');
  });
});

describe('statements', () => {
  it("builds the issuer's next statement on its head, signs and submits it", async () => {
    const head = (await client.party(jor.party)).head;
    const first = await submitStatement(client, {
      key: jor,
      draft: { type: 'exercise.notification', body: notification('ONE') },
    });
    expect(first.result.httpStatus).toBe(202);
    expect(first.statement).toMatchObject({
      seq: (head?.seq ?? 0) + 1,
      prev: head?.statement ?? null,
    });
    const second = await submitStatement(client, {
      key: jor,
      draft: { type: 'exercise.notification', body: notification('TWO') },
      waitSeconds: 10,
    });
    expect(second.result).toMatchObject({ httpStatus: 201, status: 'integrated' });
    expect(second.statement.prev).toBe(first.id);
    const receipt = verifyReceipt(second.result.receipt, {
      logVkey: ledger.logVkey,
      statement: second.id,
    });
    expect(receipt.leaf.seq).toBe(second.statement.seq);
    // The same envelope again: the ledger answers 200 with its current state, no second leaf.
    const again = await client.submit(second.envelope);
    expect(again).toMatchObject({ httpStatus: 200, statement: second.id, status: 'integrated' });
    const view = await client.statement(first.id);
    expect(view).toMatchObject({ statement: first.id, issuer: jor.party });
    expect(view.envelope).toEqual(first.envelope);
  });

  it('rebuilds on the new head when a concurrent submission by the same issuer wins the seq', async () => {
    const results = await Promise.all(
      [1, 2, 3].map((i) =>
        submitStatement(client, {
          key: egy,
          draft: { type: 'exercise.notification', body: notification(`RACE ${i}`) },
        }),
      ),
    );
    expect(results.map((r) => r.statement.seq).sort()).toEqual([1, 2, 3]);
  });

  it('validates before signing: a bad body never reaches the ledger', () => {
    const body = notification('BAD') as { counts: { troops: number } };
    body.counts.troops = -1;
    const statement = buildStatement(ledger.origin, jor.party, null, {
      type: 'exercise.notification',
      body,
    });
    expect(() => signStatement(statement, [jor])).toThrow(
      expect.objectContaining({ code: 'SCHEMA_VIOLATION', path: '$.body.counts.troops' }),
    );
  });

  it('only writes optional fields that have values', () => {
    const s: Statement = buildStatement(
      ledger.origin,
      jor.party,
      { seq: 4, statement: `sha256:${'a'.repeat(64)}` },
      {
        type: 'exercise.notification',
        body: {},
        audience: [],
        refs: [],
      },
      { now: Date.UTC(2026, 0, 2), nonce: 'AAAAAAAAAAAAAAAAAAAAAA' },
    );
    expect(s).toEqual({
      v: 1,
      ledger: ledger.origin,
      type: 'exercise.notification',
      issuer: jor.party,
      seq: 5,
      prev: `sha256:${'a'.repeat(64)}`,
      issuedAt: '2026-01-02T00:00:00.000Z',
      nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
      visibility: 'public',
      body: {},
    });
  });
});

describe('evidence', () => {
  it('uploads a file streamed, hashed while read, and serves it to readers of a citing statement', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cbm-evidence-'));
    const bytes = Buffer.alloc(300_000, 7);
    await writeFile(join(dir, 'imagery.png'), bytes);
    const source = await evidenceFromFile(join(dir, 'imagery.png'));
    expect(source).toMatchObject({
      size: bytes.length,
      mediaType: 'image/png',
      name: 'imagery.png',
    });
    // Uploads are signed as the uploading party (its proof of possession); unsigned is refused.
    await expect(uploadEvidence(client, source)).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
    const asJordan = new LedgerClient({ server: ledger.url, auth: { keyFile: jor } });
    const uploaded = await uploadEvidence(asJordan, source);
    expect(uploaded.uploaded).toBe(true);
    expect((await uploadEvidence(asJordan, source)).uploaded).toBe(false);
    const cited = await submitStatement(client, {
      key: jor,
      draft: {
        type: 'exercise.notification',
        body: notification('WITH IMAGERY'),
        evidence: [uploaded.ref],
      },
      waitSeconds: 10,
    });
    expect(cited.result.receipt?.leaf.evidence).toEqual([`sha256:${source.sha256}`]);
    const url = await client.evidenceUrl(source.sha256);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(bytes);
  });

  it('hashes a Blob the way a browser would', async () => {
    const blob = new Blob(['observer notes'], { type: 'text/plain;charset=utf-8' });
    const source = await evidenceFromBlob(blob, { name: 'notes.txt' });
    expect(source.mediaType).toBe('text/plain');
    const asJordan = new LedgerClient({ server: ledger.url, auth: { keyFile: jor } });
    expect((await uploadEvidence(asJordan, source)).ref).toMatchObject({
      size: 14,
      name: 'notes.txt',
    });
  });
});

describe('witnesses and receipts with cosignatures', () => {
  it('POST /v1/checkpoint/cosignatures, then a receipt verifiable against the witness quorum', async () => {
    const note = await client.checkpoint();
    const body = parseNote(note).text;
    const line = cosign(body, WITNESS_NAME, keyFileSeed(witness), Math.floor(Date.now() / 1000));
    const kept = await client.postCosignature({ checkpoint: note, cosignature: line });
    expect(kept).toMatchObject({ witness: WITNESS_NAME, party: 'state:EGY', stored: true });
    const size = openCheckpoint(note, parseVkey(ledger.logVkey)).checkpoint.size;
    expect((await client.checkpointStatus(size)).cosignatures.map((c) => c.witness)).toEqual([
      WITNESS_NAME,
    ]);
    const entry = await client.entry(3);
    const receipt = await currentReceipt(client, entry.leaf.statement);
    const vkey = encodeVkey(WITNESS_NAME, NoteKeyType.cosignatureV1, fromBase64(witness.publicKey));
    expect(
      verifyReceipt(receipt, { logVkey: ledger.logVkey, witnesses: [vkey] }).cosignatures,
    ).toHaveLength(1);
  });
});

describe('measures and compliance', () => {
  it('GET /v1/measures, /v1/measures/{id}/timeline and /v1/compliance (its exact bytes)', async () => {
    await submitStatement(client, {
      key: jor,
      cosigners: [egy],
      draft: {
        type: 'measure.define',
        body: {
          id: 'jordan-egypt',
          title: 'Prior notification between Jordan and Egypt',
          parties: [jor.party, egy.party],
          ruleSet: 'vd2011',
          overrides: {},
          adoptedAt: '2026-11-01T00:00:00Z',
          inForceAt: '2026-11-01T00:00:00Z',
          term: { sunsetAt: '2031-11-01T00:00:00Z', renewal: 'none', terminationNoticeDays: 90 },
          review: { firstAt: '2027-11-01T00:00:00Z', intervalMonths: 12, graceDays: 30 },
        },
      },
      waitSeconds: 10,
    });
    const list = await client.measures();
    expect(list.measures.map((m) => m.id)).toEqual(['jordan-egypt']);
    const timeline = await client.timeline('jordan-egypt');
    expect(timeline).toMatchObject({ id: 'jordan-egypt', status: 'in-force' });
    const answer = await client.compliance();
    expect(answer.text).toBe(canonicalReport(answer.report));
    // Recomputed here from the public statements of the same entries: the same bytes.
    const entries: ComplianceEntry[] = [];
    for (let start = 0; start < answer.report.treeSize;) {
      const page = await client.entries(start, answer.report.treeSize - start);
      for (const e of page.entries.slice(0, answer.report.treeSize - start)) {
        entries.push({
          // v2 leaves carry acceptedAt, the time deadlines are judged on (docs/promises.md).
          ...complianceEntryFromLeaf(e.leaf),
          ...(e.envelope === undefined || e.leaf.visibility !== 'public'
            ? {}
            : { statement: JSON.parse(utf8Decode(fromBase64(e.envelope.payload))) as Statement }),
        });
      }
      start += page.entries.length;
    }
    const local = evaluateCompliance({
      ledger: ledger.origin,
      treeSize: answer.report.treeSize,
      rootHash: answer.report.rootHash,
      at: answer.report.at,
      entries,
    });
    expect(canonicalReport(local)).toBe(answer.text);
  });
});

describe('the public view', () => {
  it('serves the same log without authentication', async () => {
    const view = client.public;
    expect((await view.ledger()).origin).toBe(ledger.origin);
    const note = await view.checkpoint();
    const { checkpoint } = openCheckpoint(note, parseVkey(ledger.logVkey));
    expect((await view.checkpointStatus(checkpoint.size)).treeSize).toBe(checkpoint.size);
    const page = await view.entries(0, 3);
    expect(page.entries[0]?.leaf.type).toBe('ledger.genesis');
    expect((await view.entry(1)).leaf.type).toBe('party.register');
    const proof = await view.inclusionProof(0, checkpoint.size);
    expect(proof.leafHash).toBe(toBase64(leafHash(page.entries[0]!.leaf)));
    expect((await view.consistencyProof(1, checkpoint.size)).to).toBe(checkpoint.size);
    expect((await view.measures()).measures.map((m) => m.id)).toContain('jordan-egypt');
    expect((await view.timeline('jordan-egypt')).id).toBe('jordan-egypt');
    expect((await view.compliance()).ledger).toBe(ledger.origin);
    const feed = await view.feed({ limit: 2 });
    expect(feed.items).toHaveLength(2);
  });
});

describe('authenticated reads (RFC 9421)', () => {
  it('show a restricted statement to its audience only', async () => {
    const secret = await submitStatement(client, {
      key: jor,
      draft: {
        type: 'exercise.notification',
        body: notification('QUIET'),
        visibility: 'restricted',
        audience: [egy.party],
      },
      waitSeconds: 10,
    });
    expect((await client.statement(secret.id)).envelope).toBeUndefined();
    const asEgypt = new LedgerClient({ server: ledger.url, auth: { keyFile: egy } });
    expect(asEgypt.authenticated).toBe(true);
    expect((await asEgypt.statement(secret.id)).envelope).toEqual(secret.envelope);
    const index = secret.result.index!;
    expect((await asEgypt.entries(index, 1)).entries[0]?.envelope).toEqual(secret.envelope);
    const outsider = generateKeyFile('state:JOR'); // not registered
    const asNobody = new LedgerClient({
      server: ledger.url,
      auth: { keyFile: outsider, origin: ledger.origin },
    });
    await expect(asNobody.statement(secret.id)).rejects.toMatchObject({ status: 401 });
  });
});

describe('errors', () => {
  it('a problem answer becomes an ApiError with its code, status and path', async () => {
    const missing = await client.statement(`sha256:${'0'.repeat(64)}`).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const envelope = signStatement(
      buildStatement('cbm-ledger.example/other', jor.party, null, {
        type: 'exercise.notification',
        body: notification('X'),
      }),
      [jor],
    );
    await expect(client.submit(envelope)).rejects.toMatchObject({
      code: 'WRONG_LEDGER',
      path: '$.ledger',
    });
  });

  it('an unreachable ledger is a ConnectionError', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const e = await new LedgerClient({ server: `http://127.0.0.1:${port}` })
      .info()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as Error).message).toBe(
      `cannot reach the ledger at http://127.0.0.1:${port} (connection refused)`,
    );
  });

  it('a key file that is not one is a KeyFileError naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cbm-keys-'));
    await writeFile(
      join(dir, 'k.json'),
      JSON.stringify({ ...jor, seed: toBase64(new Uint8Array(32)) }),
    );
    await expect(readKeyFile(join(dir, 'k.json'))).rejects.toBeInstanceOf(KeyFileError);
    await expect(readKeyFile(join(dir, 'k.json'))).rejects.toThrow(
      /k\.json is not a valid key file: \$\.publicKey/,
    );
    await expect(readKeyFile(join(dir, 'none.json'))).rejects.toThrow(/does not exist/);
  });

  it('refuses a server URL that is not http(s)', () => {
    expect(() => new LedgerClient({ server: 'ftp://example' })).toThrow(/http or https/);
  });
});
