/**
 * The canary test (issue 4): distinctive strings placed in `restricted` and `participants`
 * statements (and in an evidence object cited only by a restricted statement) must never appear
 * in any body or header that an unauthenticated caller receives, on any GET path of /v1 or of the
 * public view /public/v1. The crawl covers every documented GET operation (the test fails if a
 * new one is not crawled), and looks for each canary in plain text and in every base64 alignment,
 * since a leaked envelope would carry its payload base64-encoded.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { newNonce, signStatement, createLedger } from '@cbm-ledger/ledger';
import {
  cosign,
  ed25519,
  fromBase64,
  generateKeyFile,
  keyFileSeed,
  parseNote,
  sha256,
  sha256Hex,
  statementId,
  toBase64,
  toBase64Url,
  utf8Decode,
  utf8Encode,
} from '@cbm-ledger/protocol';
import type { Envelope, Leaf, Statement } from '@cbm-ledger/protocol';
import { measure } from '@cbm-ledger/compliance/testing';
import { createTestLedger } from '@cbm-ledger/functions/testing';
import type { Party, TestLedger } from '@cbm-ledger/functions/testing';
import { document, findPathTemplate } from '@cbm-ledger/functions/testing';
import { callAs, json, publicView } from './reads-fixture.js';
import type { PublicView } from './reads-fixture.js';

const CANARIES = {
  restrictedQuestion: 'CANARY-7f3a9c1e-restricted-question-ZEBRA',
  participantsQuestion: 'CANARY-2b8d4e6f-participants-question-OKAPI',
  restrictedMeasure: 'CANARY-91c0aa37-restricted-measure-title-NARWHAL',
  participantsMeasure: 'CANARY-5e77b201-participants-measure-title-AXOLOTL',
  evidenceName: 'CANARY-c4d2f9e8-evidence-name-QUOKKA',
  evidenceContent: 'CANARY-0a1b2c3d-evidence-content-PANGOLIN',
  participantsEvidenceContent: 'CANARY-6d5e4f30-participants-evidence-content-TAPIR',
} as const;

/** The canary as plain text and base64/base64url at each of the three byte alignments. */
function needles(canary: string): string[] {
  const out = [canary];
  for (let k = 0; k < 3; k++) {
    const bytes = new Uint8Array([...new Uint8Array(k), ...utf8Encode(canary)]);
    for (const encoded of [toBase64(bytes), toBase64Url(bytes)]) {
      // Drop the characters that also depend on the prefix or on what follows.
      out.push(encoded.slice(k === 0 ? 0 : 4, -4));
    }
  }
  return out;
}

const DAY = 86_400_000;
const iso = (days: number): string =>
  new Date(Math.floor((Date.now() + days * DAY) / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function signByAll(
  ledger: TestLedger,
  issuer: Party,
  signers: readonly Party[],
  type: Statement['type'],
  body: unknown,
  extra: Partial<Statement> = {},
): Envelope {
  const statement = {
    v: 1,
    ledger: ledger.config.origin,
    type,
    issuer: issuer.id,
    seq: issuer.seq + 1,
    prev: issuer.prev,
    issuedAt: new Date().toISOString(),
    nonce: newNonce(),
    visibility: 'public',
    body,
    ...extra,
  } as Statement;
  const envelope = signStatement(
    statement,
    signers.map((p) => keyFileSeed(p.key)),
  );
  issuer.seq = statement.seq;
  issuer.prev = statementId(fromBase64(envelope.payload));
  return envelope;
}

interface World {
  ledger: TestLedger;
  view: PublicView;
  isr: Party;
  evidence: string;
  publicEvidence: string;
  /** Payloads of the non-public envelopes: a leaked envelope would carry one verbatim. */
  hiddenPayloads: string[];
  restrictedId: string;
}

async function canaryWorld(): Promise<World> {
  const ledger = await createTestLedger();
  const jor = await ledger.registerState('state:JOR');
  const isr = await ledger.registerState('state:ISR');
  const egy = await ledger.registerState('state:EGY');
  const witnessSeed = sha256(utf8Encode('canary witness'));
  const witnessKey = generateKeyFile('observer:canary-witness');
  const hiddenPayloads: string[] = [];
  const submit = async (envelope: Envelope, hidden = false): Promise<string> => {
    const answer = await ledger.submit(envelope);
    expect(answer.statusCode, answer.body).toBe(202);
    if (hidden) hiddenPayloads.push(envelope.payload);
    return statementId(fromBase64(envelope.payload));
  };
  await submit(
    ledger.sign(ledger.operator, 'party.register', {
      party: { id: 'observer:canary-witness', name: 'Witness', kind: 'observer' },
      keys: [{ keyid: witnessKey.keyid, publicKey: witnessKey.publicKey }],
      witness: {
        name: 'witness.example/canary',
        publicKey: toBase64(ed25519.publicKeyFromSeed(witnessSeed)),
      },
    }),
  );
  const content = utf8Encode(`annex: ${CANARIES.evidenceContent}`);
  const evidence = sha256Hex(content);
  ledger.stores.evidence.putVerified(evidence, content, 'text/plain', jor.id);
  const participantsContent = utf8Encode(`annex: ${CANARIES.participantsEvidenceContent}`);
  const participantsEvidence = sha256Hex(participantsContent);
  ledger.stores.evidence.putVerified(
    participantsEvidence,
    participantsContent,
    'text/plain',
    jor.id,
  );
  // Evidence anyone may read, so the crawl is seen to follow downloads to the bytes.
  const publicContent = utf8Encode('a public annex');
  const publicEvidence = sha256Hex(publicContent);
  ledger.stores.evidence.putVerified(publicEvidence, publicContent, 'text/plain', isr.id);

  const spec = (id: string, title: string) =>
    measure({
      id,
      title,
      parties: [jor.id, egy.id],
      adoptedAt: iso(-30),
      inForceAt: iso(-20),
      sunsetAt: iso(400),
      review: { firstAt: iso(100) },
    });
  await submit(
    signByAll(ledger, jor, [jor, egy], 'measure.define', spec('mena-public', 'Public measure')),
  );
  await submit(
    signByAll(
      ledger,
      jor,
      [jor, egy],
      'measure.define',
      spec('restricted-measure', CANARIES.restrictedMeasure),
      {
        visibility: 'restricted',
        audience: [egy.id],
      },
    ),
    true,
  );
  await submit(
    signByAll(
      ledger,
      egy,
      [jor, egy],
      'measure.define',
      spec('participants-measure', CANARIES.participantsMeasure),
      {
        visibility: 'participants',
      },
    ),
    true,
  );
  const question = (q: string) => ({
    to: 'state:EGY',
    activity: {
      description: 'Armoured columns moving towards the border',
      // Named by an area and a time window: admission refuses requests that name no activity.
      area: { description: 'The border crossing' },
      start: '2026-01-01T00:00:00Z',
      end: '2026-01-02T00:00:00Z',
    },
    question: q,
  });
  await submit(ledger.sign(jor, 'risk.request', question('A public question?')));
  await submit(
    ledger.sign(jor, 'risk.request', question(CANARIES.participantsQuestion), {
      visibility: 'participants',
    }),
    true,
  );
  const restrictedId = await submit(
    ledger.sign(jor, 'risk.request', question(CANARIES.restrictedQuestion), {
      visibility: 'restricted',
      audience: [isr.id],
      evidence: [
        {
          sha256: evidence,
          size: content.length,
          mediaType: 'text/plain',
          name: CANARIES.evidenceName,
        },
      ],
    }),
    true,
  );
  await submit(
    ledger.sign(jor, 'risk.request', question('A participants question with an annex'), {
      visibility: 'participants',
      evidence: [
        { sha256: participantsEvidence, size: participantsContent.length, mediaType: 'text/plain' },
      ],
    }),
    true,
  );
  await submit(
    ledger.sign(isr, 'risk.request', question('Another public question?'), {
      evidence: [{ sha256: publicEvidence, size: publicContent.length, mediaType: 'text/plain' }],
    }),
  );
  await ledger.integrator.runUntilIdle();

  // Issue 9 §2's citation route: EGY (outside the audience) learns the hashes from the public
  // leaves and cites them in public statements. Admission refuses that (EGY never uploaded the
  // bytes); a citation admitted by an older build, which only asked whether the object existed,
  // is placed anyway: it must grant nothing either.
  const cited = [
    { sha256: evidence, size: content.length, mediaType: 'text/plain' },
    { sha256: participantsEvidence, size: participantsContent.length, mediaType: 'text/plain' },
  ];
  const toJor = { ...question('Citing a hash I saw'), to: jor.id };
  for (const ref of cited) {
    const { seq, prev } = egy;
    const refused = await ledger.submit(
      ledger.sign(egy, 'risk.request', toJor, { evidence: [ref] }),
    );
    expect(refused.statusCode, refused.body).toBe(422);
    expect(json<{ code: string }>(refused).code).toBe('EVIDENCE_MISSING');
    // The refused statement took no slot in EGY's chain.
    egy.seq = seq;
    egy.prev = prev;
  }
  const olderBuild = createLedger({
    ...ledger.stores,
    evidence: {
      possessed: (sha) => ledger.stores.evidence.possessed(sha, jor.id),
      createUpload: (o, p, t) => ledger.stores.evidence.createUpload(o, p, t),
      createDownload: (sha, p, t) => ledger.stores.evidence.createDownload(sha, p, t),
    },
    clock: { now: () => Date.now() },
    config: ledger.config,
    logVkey: ledger.logVkey,
    logSigner: ledger.logSigner,
  });
  const legacy = ledger.sign(egy, 'risk.request', toJor, { evidence: cited });
  const placed = await olderBuild.submit({
    body: utf8Encode(JSON.stringify(legacy)),
    contentType: 'application/json',
  });
  expect(placed.status).toBe(202);
  await ledger.integrator.runUntilIdle();

  // A witnessed checkpoint, so the crawl sees cosignatures too.
  const note = (await ledger.call('GET', '/v1/checkpoint')).body;
  const line = cosign(
    parseNote(note).text,
    'witness.example/canary',
    witnessSeed,
    Math.floor(Date.now() / 1000),
  );
  const kept = await ledger.call('POST', '/v1/checkpoint/cosignatures', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ checkpoint: note, cosignature: line }),
  });
  expect(kept.statusCode, kept.body).toBe(201);
  return {
    ledger,
    view: publicView(ledger),
    isr,
    evidence,
    publicEvidence,
    hiddenPayloads,
    restrictedId,
  };
}

interface Fetched {
  readonly what: string;
  readonly template: string;
  readonly answer: APIGatewayProxyResult;
}

/** Every GET an unauthenticated caller can make, with every parameter value that exists. */
async function crawl(w: World): Promise<Fetched[]> {
  const out: Fetched[] = [];
  const fetch = async (
    side: 'api' | 'public',
    path: string,
    query: Record<string, string> = {},
  ): Promise<APIGatewayProxyResult> => {
    const answer =
      side === 'api'
        ? await w.ledger.call('GET', path, { query })
        : await w.view.call(path, { query });
    const template = findPathTemplate(path);
    expect(template, path).toBeDefined();
    out.push({
      what: `${path}?${new URLSearchParams(query).toString()}`,
      template: template!,
      answer,
    });
    return answer;
  };
  const size = json<{ treeSize: number }>(await fetch('api', '/v1/ledger')).treeSize;
  await fetch('public', '/public/v1/ledger');
  await fetch('api', '/v1/openapi.json');
  await fetch('api', '/v1/schemas');
  await fetch('api', '/v1/schemas/exercise.notification');
  const leaves: Leaf[] = [];
  for (const side of ['api', 'public'] as const) {
    const prefix = side === 'api' ? '/v1' : '/public/v1';
    await fetch(side, `${prefix}/checkpoint`);
    await fetch(side, `${prefix}/entries`);
    await fetch(side, `${prefix}/entries`, { start: '0', limit: String(size) });
    for (let i = 0; i < size; i++) {
      await fetch(side, `${prefix}/entries`, { start: String(i), limit: '1' });
      const entry = json<{ leaf: Leaf }>(await fetch(side, `${prefix}/entries/${i}`));
      if (side === 'api') leaves.push(entry.leaf);
      await fetch(side, `${prefix}/proofs/inclusion`, { index: String(i), treeSize: String(size) });
    }
    for (let s = 0; s <= size; s++) {
      await fetch(side, `${prefix}/checkpoints/${s}`);
      await fetch(side, `${prefix}/proofs/consistency`, { from: String(s), to: String(size) });
    }
    await fetch(side, `${prefix}/measures`);
    for (const id of ['mena-public', 'restricted-measure', 'participants-measure']) {
      await fetch(side, `${prefix}/measures/${id}/timeline`);
    }
  }
  for (const leaf of leaves) await fetch('api', `/v1/statements/${leaf.statement}`);
  const parties = json<{ parties: { id: string }[] }>(await fetch('api', '/v1/parties')).parties;
  for (const p of parties) await fetch('api', `/v1/parties/${p.id}`);
  // Every evidence object any leaf cites, followed through its redirect to the bytes.
  const cited = new Set(leaves.flatMap((l) => l.evidence ?? []).map((e) => e.slice(7)));
  for (const hex of [...cited, w.evidence]) {
    const answer = await fetch('api', `/v1/evidence/${hex}`);
    if (answer.statusCode === 302) {
      const location = String(answer.headers?.['location']);
      out.push({
        what: location,
        template: '/v1/evidence/{sha256}',
        answer: { statusCode: 200, body: utf8Decode(download(w.ledger, location)) },
      });
    }
  }
  await fetch('api', '/v1/compliance');
  for (const p of parties) await fetch('api', '/v1/compliance', { party: p.id });
  for (const m of ['mena-public', 'restricted-measure', 'participants-measure']) {
    await fetch('api', '/v1/compliance', { measure: m });
  }
  await fetch('public', '/public/v1/compliance');
  await fetch('public', '/public/v1/compliance', {
    at: new Date().toISOString(),
    treeSize: String(size),
  });
  // The feed, page by page, one item at a time.
  let query: Record<string, string> = { limit: '1' };
  for (let pages = 0; pages <= size; pages++) {
    const feed = json<{ next_url?: string }>(await fetch('public', '/public/v1/feed.json', query));
    if (feed.next_url === undefined) break;
    query = Object.fromEntries(new URL(feed.next_url, 'https://x.invalid').searchParams);
  }
  await fetch('public', '/public/v1/feed.json');
  return out;
}

/** The bytes behind a memory store's download URL (memory://evidence/sha256/<hex>/<party>). */
function download(ledger: TestLedger, location: string): Uint8Array {
  const [hex = '', party = ''] = new URL(location).pathname.split('/').slice(-2);
  const bytes = ledger.stores.evidence.get(hex, decodeURIComponent(party));
  if (bytes === undefined) throw new Error(`nothing at ${location}`);
  return bytes;
}

function leaks(answer: APIGatewayProxyResult, hidden: readonly string[]): string[] {
  const text = `${answer.body}\n${JSON.stringify(answer.headers ?? {})}\n${JSON.stringify(answer.multiValueHeaders ?? {})}`;
  return hidden.filter((needle) => text.includes(needle));
}

describe('the canary test', () => {
  let w: World;
  let fetched: Fetched[];
  let hidden: string[];

  beforeAll(async () => {
    w = await canaryWorld();
    fetched = await crawl(w);
    hidden = [...Object.values(CANARIES).flatMap(needles), ...w.hiddenPayloads];
  });

  it('crawls every documented GET operation of /v1 and /public/v1', () => {
    const documented = Object.entries(document['paths'] as Record<string, Record<string, unknown>>)
      .filter(([, item]) => 'get' in item)
      .map(([path]) => path)
      .sort();
    expect([...new Set(fetched.map((f) => f.template))].sort()).toEqual(documented);
  });

  it('finds no canary in any body or header an unauthenticated caller receives', () => {
    const found = fetched.flatMap((f) => leaks(f.answer, hidden).map((n) => `${f.what}: ${n}`));
    expect(found).toEqual([]);
  });

  it('crawled real content: leaves of the hidden statements, public envelopes, the feed', () => {
    const all = fetched.map((f) => f.answer.body).join('\n');
    // The restricted statement's leaf is public; only its content is not.
    expect(all).toContain(w.restrictedId);
    expect(all).toContain('A public question?');
    const mustServe = [
      '/v1/entries/{index}',
      '/public/v1/entries/{index}',
      '/v1/statements/{id}',
      '/v1/proofs/inclusion',
      '/public/v1/proofs/inclusion',
      '/public/v1/feed.json',
    ];
    for (const f of fetched.filter((x) => mustServe.includes(x.template))) {
      expect(f.answer.statusCode, f.what).toBe(200);
    }
    const evidence = fetched.filter((f) => f.template === '/v1/evidence/{sha256}');
    // Three objects cited (restricted, participants, public): only the public one is served,
    // and the crawl read its bytes; the others answer 404, as unknown evidence does.
    expect(evidence.map((f) => f.answer.statusCode).sort()).toEqual([200, 302, 404, 404, 404]);
    expect(evidence.find((f) => f.answer.statusCode === 200)!.answer.body).toBe('a public annex');
    expect(evidence.find((f) => f.answer.statusCode === 302)!.what).toContain(w.publicEvidence);
    const timeline = fetched.find((f) => f.what.startsWith('/public/v1/measures/mena-public'))!;
    expect(timeline.answer.statusCode).toBe(200);
  });

  it('would notice a leak: the audience reads the canary, found in its base64 envelope', async () => {
    const answer = await callAs(w.ledger, w.isr, 'GET', `/v1/statements/${w.restrictedId}`);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).not.toContain(CANARIES.restrictedQuestion);
    expect(leaks(answer, hidden).length).toBeGreaterThan(0);
  });

  it('would notice an evidence leak: the audience downloads the canary bytes', async () => {
    const answer = await callAs(w.ledger, w.isr, 'GET', `/v1/evidence/${w.evidence}`);
    expect(answer.statusCode).toBe(302);
    const bytes = download(w.ledger, String(answer.headers?.['location']));
    expect(leaks({ statusCode: 200, body: utf8Decode(bytes) }, hidden).length).toBeGreaterThan(0);
  });

  it('ignores signature headers on the public view: signed crawling shows the same', async () => {
    const signed = await w.view.call('/public/v1/feed.json', {
      headers: { 'signature-input': 'cbm=("@method")', signature: 'cbm=:AA==:' },
    });
    expect(leaks(signed, hidden)).toEqual([]);
  });
});
