import { describe, expect, it } from 'vitest';
import { signRequestHeaders, toBase64Url } from '@cbm-ledger/protocol';
import type { HttpRequestParts } from '@cbm-ledger/protocol';
import { LedgerError, createLedger } from '@cbm-ledger/ledger';
import type { SignedRequest } from '@cbm-ledger/ledger';
import { Harness, ORIGIN, OPERATOR, testKey } from '@cbm-ledger/ledger/testing';

const GET: Omit<HttpRequestParts, 'headers'> = { method: 'GET', path: '/v1/entries', query: '' };

let nonces = 0;
function signedBy(
  h: Harness,
  seed: Uint8Array,
  request: Omit<HttpRequestParts, 'headers'> = GET,
  extra: { created?: number; expires?: number; nonce?: string } = {},
): SignedRequest {
  const created = extra.created ?? Math.floor(h.clock.now() / 1000);
  const headers = signRequestHeaders(request, {
    seed,
    tag: ORIGIN,
    created,
    expires: extra.expires ?? created + 60,
    nonce: extra.nonce ?? toBase64Url(new Uint8Array(16).fill(++nonces % 256)),
  });
  return { ...request, headers };
}

async function ledger(): Promise<Harness> {
  const h = new Harness();
  await h.bootstrap(['state:JOR', 'state:ISR']);
  return h;
}

async function refused(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof LedgerError) {
      const reason = e.extensions?.['reason'];
      return `${e.code}/${typeof reason === 'string' ? reason : ''}`;
    }
    throw e;
  }
  return 'accepted';
}

describe('authenticated reads: who is reading', () => {
  it('reads an unsigned request as anonymous', async () => {
    const h = await ledger();
    expect(await h.service.authenticate({ ...GET, headers: {} })).toEqual({});
  });

  it('reads a request signed with an active registered key as that key’s party', async () => {
    const h = await ledger();
    expect(await h.service.authenticate(signedBy(h, h.key('state:JOR').seed))).toEqual({
      party: 'state:JOR',
    });
    expect(await h.service.authenticate(signedBy(h, h.key(OPERATOR).seed))).toEqual({
      party: OPERATOR,
    });
  });

  it('refuses the same signed request twice (the nonce is claimed once per key)', async () => {
    const h = await ledger();
    const request = signedBy(h, h.key('state:JOR').seed);
    await h.service.authenticate(request);
    expect(await refused(h.service.authenticate(request))).toBe('AUTH_REPLAYED/');
    // The same nonce under another key is another claim.
    const nonce = request.headers['signature-input']!.match(/nonce="([^"]+)"/)![1]!;
    expect(
      await h.service.authenticate(signedBy(h, h.key('state:ISR').seed, GET, { nonce })),
    ).toEqual({ party: 'state:ISR' });
  });

  it('accepts the path with the stage prefix the client signed', async () => {
    const h = await ledger();
    const request = signedBy(h, h.key('state:JOR').seed, { ...GET, path: '/prod/v1/entries' });
    expect(
      await h.service.authenticate({
        ...request,
        path: '/v1/entries',
        alternatePaths: ['/prod/v1/entries'],
      }),
    ).toEqual({ party: 'state:JOR' });
    expect(await refused(h.service.authenticate({ ...request, path: '/v1/entries' }))).toBe(
      'AUTH_INVALID/signature',
    );
  });
});

describe('authenticated reads: refused signatures', () => {
  it('refuses a key nobody registered', async () => {
    const h = await ledger();
    const request = signedBy(h, testKey('state:EGY').seed);
    expect(await refused(h.service.authenticate(request))).toBe('AUTH_INVALID/key');
  });

  it('refuses a revoked key', async () => {
    const h = await ledger();
    const jor = h.key('state:JOR');
    await h.issue(OPERATOR, 'key.revoke', {
      party: 'state:JOR',
      keyid: jor.keyid,
      reason: 'compromised',
      effectiveAt: new Date(h.clock.now()).toISOString(),
    });
    await h.integrate();
    expect(await refused(h.service.authenticate(signedBy(h, jor.seed)))).toBe('AUTH_INVALID/key');
  });

  it('refuses an expired signature with AUTH_EXPIRED', async () => {
    const h = await ledger();
    const request = signedBy(h, h.key('state:JOR').seed);
    h.clock.advance(61_000);
    expect(await refused(h.service.authenticate(request))).toBe('AUTH_EXPIRED/expired');
  });

  it('refuses a signature created more than 30 s ahead of the ledger clock', async () => {
    const h = await ledger();
    const created = Math.floor(h.clock.now() / 1000) + 31;
    const request = signedBy(h, h.key('state:JOR').seed, GET, { created });
    expect(await refused(h.service.authenticate(request))).toBe('AUTH_INVALID/created');
  });

  it('refuses a signature meant for another ledger', async () => {
    const h = await ledger();
    const created = Math.floor(h.clock.now() / 1000);
    const headers = signRequestHeaders(GET, {
      seed: h.key('state:JOR').seed,
      tag: 'cbm-ledger.test/elsewhere',
      created,
      expires: created + 60,
    });
    expect(await refused(h.service.authenticate({ ...GET, headers }))).toBe('AUTH_INVALID/tag');
  });

  it('refuses signed requests outright when no replay guard is configured', async () => {
    const h = await ledger();
    const service = createLedger({
      statements: h.memory.statements,
      log: h.memory.log,
      registry: h.memory.registry,
      evidence: h.memory.evidence,
      clock: h.clock,
      config: h.config,
      logVkey: h.signer.vkey,
    });
    expect(await service.authenticate({ ...GET, headers: {} })).toEqual({});
    expect(await refused(service.authenticate(signedBy(h, h.key('state:JOR').seed)))).toBe(
      'AUTH_INVALID/',
    );
  });

  it('refuses malformed, expired or misdirected requests without reading the registry', async () => {
    const h = await ledger();
    let reads = 0;
    const service = createLedger({
      ...h.memory,
      registry: {
        read: () => {
          reads++;
          return h.memory.registry.read();
        },
        write: (s, e) => h.memory.registry.write(s, e),
      },
      clock: h.clock,
      config: h.config,
      logVkey: h.signer.vkey,
    });
    const request = signedBy(h, h.key('state:JOR').seed);
    const broken = { ...request, headers: { ...request.headers, signature: 'cbm=:AA==:' } };
    expect(await refused(service.authenticate(broken))).toBe('AUTH_INVALID/malformed');
    h.clock.advance(61_000);
    expect(await refused(service.authenticate(request))).toBe('AUTH_EXPIRED/expired');
    expect(reads).toBe(0);
    expect(await service.authenticate(signedBy(h, h.key('state:JOR').seed))).toEqual({
      party: 'state:JOR',
    });
    expect(reads).toBe(1);
  });

  it('claims no nonce for a request that fails verification', async () => {
    const h = await ledger();
    const request = signedBy(h, h.key('state:JOR').seed);
    expect(await refused(h.service.authenticate({ ...request, query: 'start=1' }))).toBe(
      'AUTH_INVALID/signature',
    );
    expect(await h.service.authenticate(request)).toEqual({ party: 'state:JOR' });
  });
});
