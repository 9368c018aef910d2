/**
 * Issue 9 §2 at the domain level: access to evidence follows proven possession
 * (docs/evidence-access.md), never a citation of a hash alone; no existence oracle; quotas.
 */
import { problemStatus } from '@cbm-ledger/contract';
import { sha256Hex, utf8Encode } from '@cbm-ledger/protocol';
import { describe, expect, it } from 'vitest';
import { LedgerError, createLedger } from '@cbm-ledger/ledger';
import type { LedgerService } from '@cbm-ledger/ledger';
import { dumpMemoryStores } from '@cbm-ledger/ledger/testing';
import type { EvidenceStore, Viewer } from '@cbm-ledger/ledger';
import { Harness, infoExchangeBody, sign } from '@cbm-ledger/ledger/testing';

const AAA = 'state:AAA';
const BBB = 'state:BBB';
const CCC = 'state:CCC';
const bytes = utf8Encode('CANARY restricted annex of state:AAA');
const hex = sha256Hex(bytes);
const ref = { sha256: hex, size: bytes.length, mediaType: 'application/pdf' };

async function rejection(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** AAA uploaded E and filed it restricted to BBB (or to all participants). */
async function restrictedCitation(visibility: 'restricted' | 'participants'): Promise<Harness> {
  const h = new Harness();
  await h.bootstrap([AAA, BBB, CCC]);
  h.memory.evidence.putVerified(hex, bytes, ref.mediaType, AAA);
  await h.issue(AAA, 'info.exchange', infoExchangeBody(), {
    extra: {
      visibility,
      ...(visibility === 'restricted' ? { audience: [BBB] } : {}),
      evidence: [ref],
    },
  });
  await h.integrate();
  return h;
}

async function readable(h: { service: LedgerService }, viewer: Viewer): Promise<boolean> {
  try {
    await h.service.evidenceDownload(hex, viewer);
    return true;
  } catch (e) {
    if (e instanceof LedgerError && e.code === 'NOT_FOUND' && problemStatus(e.code) === 404)
      return false;
    throw e;
  }
}

describe('evidence access follows proven possession', () => {
  it.each(['restricted', 'participants'] as const)(
    'a public citation of %s evidence by a party without the bytes is refused, and nothing leaks',
    async (visibility) => {
      const h = await restrictedCitation(visibility);
      const citation = h.statement(CCC, 'info.exchange', infoExchangeBody(), {
        extra: { evidence: [ref] },
      });
      const before = dumpMemoryStores(h.memory);
      const err = await rejection(h.submitEnvelope(sign(citation, [h.key(CCC)])));
      expect({ code: err.code, status: problemStatus(err.code) }).toEqual({
        code: 'EVIDENCE_MISSING',
        status: 422,
      });
      // The answer must not reveal what is stored (the old detail repeated the stored size).
      expect(err.detail).not.toMatch(new RegExp(`\\b${bytes.length}\\b`));
      expect(dumpMemoryStores(h.memory), 'rejected input writes nothing').toBe(before);
      expect(await readable(h, {})).toBe(false);
      expect(await readable(h, { party: BBB })).toBe(true);
      expect(await readable(h, { party: CCC })).toBe(visibility === 'participants');
    },
  );

  it('a citation admitted by an older build without possession grants nothing', async () => {
    const h = await restrictedCitation('restricted');
    // The old admission: any stored copy counted, whoever uploaded it.
    const anyCopy: EvidenceStore = {
      possessed: (sha, _party) => h.memory.evidence.possessed(sha, AAA),
      createUpload: (o, p, s) => h.memory.evidence.createUpload(o, p, s),
      createDownload: (sha, p, s) => h.memory.evidence.createDownload(sha, p, s),
    };
    const oldBuild = createLedger({
      ...h.memory,
      evidence: anyCopy,
      clock: h.clock,
      config: h.config,
      logVkey: h.signer.vkey,
      logSigner: h.signer,
    });
    const citation = h.statement(CCC, 'info.exchange', infoExchangeBody(), {
      extra: { evidence: [ref] },
    });
    const outcome = await oldBuild.submit({
      body: utf8Encode(JSON.stringify(sign(citation, [h.key(CCC)]))),
      contentType: 'application/json',
    });
    expect(outcome.status).toBe(202);
    await h.integrate();
    expect(await readable(h, {}), 'anonymous').toBe(false);
    expect(await readable(h, { party: CCC }), 'the citing party itself').toBe(false);
    expect(await readable(h, { party: BBB })).toBe(true);
  });

  it('widens only by a later statement of a party that holds the bytes', async () => {
    const h = await restrictedCitation('restricted');
    expect(await readable(h, {})).toBe(false);
    // CCC proves possession by uploading the same bytes itself; then its public citation counts.
    h.memory.evidence.putVerified(hex, bytes, ref.mediaType, CCC);
    const wrongSize = h.statement(CCC, 'info.exchange', infoExchangeBody(), {
      extra: { evidence: [{ ...ref, size: ref.size + 1 }] },
    });
    const err = await rejection(h.submitEnvelope(sign(wrongSize, [h.key(CCC)])));
    expect(err.code).toBe('EVIDENCE_MISMATCH');
    expect(err.detail, 'no stored size in the answer').not.toMatch(
      new RegExp(`\\b${bytes.length}\\b`),
    );
    await h.issue(CCC, 'info.exchange', infoExchangeBody(), { extra: { evidence: [ref] } });
    expect(await readable(h, {})).toBe(true);
    const url = (await h.service.evidenceDownload(hex, {})).url;
    expect(url, 'the copy served is one whose uploader cites it readably').toContain(CCC);
  });

  it('serves the issuer and the operator, not others, of a restricted citation', async () => {
    const h = await restrictedCitation('restricted');
    expect(await readable(h, { party: AAA })).toBe(true);
    expect(await readable(h, { party: 'operator:test' })).toBe(true);
    expect(await readable(h, { party: 'observer:un' })).toBe(false);
  });
});

describe('evidence uploads', () => {
  it('answer the same for an object others stored and one nobody stored (no oracle)', async () => {
    const h = await restrictedCitation('restricted');
    const other = utf8Encode('never stored');
    const stored = await h.service.createEvidenceUpload(ref, { party: CCC });
    const unstored = await h.service.createEvidenceUpload(
      { sha256: sha256Hex(other), size: other.length, mediaType: ref.mediaType },
      { party: CCC },
    );
    for (const view of [stored, unstored]) {
      expect(view.stored).toBe(false);
      expect(Object.keys(view).sort()).toEqual(['mediaType', 'sha256', 'size', 'stored', 'upload']);
      expect(view.upload!.url).toContain(CCC);
    }
    expect(stored.size).toBe(ref.size);
  });

  it('are bounded per party per UTC day, by count and by bytes, and a refusal charges nothing', async () => {
    const h = new Harness({ config: { evidenceQuotaCount: 2, evidenceQuotaBytes: 100 } });
    await h.bootstrap([AAA, BBB]);
    const announce = (n: number, size: number): unknown => ({
      sha256: sha256Hex(utf8Encode(`object ${n}`)),
      size,
      mediaType: 'text/plain',
    });
    const aaa = { party: AAA };
    await h.service.createEvidenceUpload(announce(1, 60), aaa);
    let err = await rejection(h.service.createEvidenceUpload(announce(2, 41), aaa));
    expect({ code: err.code, status: problemStatus(err.code) }).toEqual({
      code: 'EVIDENCE_QUOTA_EXCEEDED',
      status: 429,
    });
    // The refused 41 bytes were not charged: 40 more still fit, and that is the second grant.
    await h.service.createEvidenceUpload(announce(3, 40), aaa);
    err = await rejection(h.service.createEvidenceUpload(announce(4, 1), aaa));
    expect(err.code).toBe('EVIDENCE_QUOTA_EXCEEDED');
    // Another party has its own budget; the next UTC day starts afresh.
    await h.service.createEvidenceUpload(announce(5, 100), { party: BBB });
    h.clock.advance(86_400_000);
    await h.service.createEvidenceUpload(announce(6, 100), aaa);
  });
});
