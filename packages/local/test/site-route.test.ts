/**
 * The local runtime's site route: `/`, `/index.html` and `/assets/…` come from the built site,
 * index.html with the pinned configuration written in; everything else still reaches the API;
 * bad requests get a 4xx and never a file outside the site directory.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalServer,
  createSiteRoute,
  pinConfig,
  SITE_CONFIG_MARKER,
} from '@cbm-ledger/local';

const CONFIG = {
  origin: 'cbm-ledger.local/test',
  logVkey: 'cbm-ledger.local/test+01020304+AQID',
  witnessQuorum: 0,
};
let dir: string;
let server: Server;
let missingServer: Server;
let base: string;
let missingBase: string;

/** A request with the path exactly as given: fetch would resolve dot segments itself. */
function raw(
  url: string,
  method: string,
  path: string,
): Promise<{ status: number; body: string; allow?: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          ...(res.headers.allow === undefined ? {} : { allow: String(res.headers.allow) }),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const api = (): Promise<{
  statusCode: number;
  body: string;
  headers: Record<string, string>;
}> =>
  Promise.resolve({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"api":true}',
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cbm-site-route-'));
  await mkdir(join(dir, 'site', 'assets'), { recursive: true });
  await writeFile(
    join(dir, 'site', 'index.html'),
    `<!doctype html><html><head>${SITE_CONFIG_MARKER}</head><body></body></html>`,
  );
  await writeFile(join(dir, 'site', 'assets', 'index-abc123.js'), 'console.log(1);');
  await writeFile(join(dir, 'secret.txt'), 'outside the site');
  server = createLocalServer({
    api,
    maxBodyBytes: 1024,
    routes: [createSiteRoute(join(dir, 'site'), CONFIG)],
  });
  missingServer = createLocalServer({
    api,
    maxBodyBytes: 1024,
    routes: [createSiteRoute(join(dir, 'not-built'), CONFIG)],
  });
  base = await listen(server);
  missingBase = await listen(missingServer);
});

afterAll(async () => {
  server.closeAllConnections();
  missingServer.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => missingServer.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('the site route', () => {
  it('serves index.html with the pinned configuration, CSP and a short cache', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await fetch(base + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
      const html = await res.text();
      expect(html).toContain(
        `<script id="cbm-site-config" type="application/json">${JSON.stringify(CONFIG)}</script>`,
      );
      expect(html).not.toContain(SITE_CONFIG_MARKER);
    }
  });

  it('serves hashed assets as immutable', async () => {
    const res = await fetch(`${base}/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('console.log(1);');
  });

  it('leaves every other path to the API', async () => {
    for (const path of ['/public/v1/ledger', '/v1/ledger', '/assetsx', '/favicon.ico']) {
      const res = await fetch(base + path);
      expect(await res.text(), path).toBe('{"api":true}');
    }
  });

  const bad: [string, string, number, string][] = [
    ['POST', '/', 405, 'method not allowed'],
    ['DELETE', '/assets/index-abc123.js', 405, 'method not allowed'],
    ['GET', '/assets/missing.js', 404, 'not found'],
    ['GET', '/assets/', 404, 'not found'],
    ['GET', '/assets/..%2f..%2fsecret.txt', 404, 'not found'],
    ['GET', '/assets/%2e%2e/%2e%2e/secret.txt', 400, 'dot segment'],
    ['GET', '/assets/../secret.txt', 400, 'dot segment'],
  ];
  for (const [method, path, status, text] of bad) {
    it(`${method} ${path} → ${status}`, async () => {
      const res = await raw(base, method, path);
      expect(res.status).toBe(status);
      expect(res.body).toContain(text);
      expect(res.body).not.toContain('outside the site');
      if (status === 405) expect(res.allow).toBe('GET, HEAD');
    });
  }

  it('HEAD / answers like GET without a body', async () => {
    const res = await fetch(`${base}/`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('says how to build the site when it is not built', async () => {
    const res = await fetch(`${missingBase}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build -w @cbm-ledger/site');
    expect((await fetch(`${missingBase}/assets/x.js`)).status).toBe(404);
  });

  it('escapes the configuration so no value can close its script element', () => {
    const html = pinConfig(SITE_CONFIG_MARKER, { ...CONFIG, origin: '</script><script>alert(1)' });
    expect(html).not.toContain('</script><script>');
    expect(html).toContain('\\u003c/script>');
  });
});
