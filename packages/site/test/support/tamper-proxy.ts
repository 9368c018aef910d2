/**
 * A proxy between the page and the runtime that lies the way a compromised server or network
 * would: a flipped inclusion-proof hash, a checkpoint signed by another key, or a rolled-back
 * (smaller, genuinely signed) tree. `mode` can change between page loads.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCheckpoint, parseNote, randomSeed, signCheckpoint } from '@cbm-ledger/protocol';

export type TamperMode = 'pass' | 'flip-proof' | 'swap-checkpoint' | 'rollback';

export interface TamperProxy {
  readonly url: string;
  mode: TamperMode;
  /** The tree size served in `rollback` mode. */
  rollbackTo: number;
  close(): Promise<void>;
}

function fetchUpstream(
  upstream: URL,
  path: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: upstream.hostname, port: upstream.port, path, method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') out[k] = v;
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function startTamperProxy(upstreamUrl: string): Promise<TamperProxy> {
  const upstream = new URL(upstreamUrl);
  const state = { mode: 'pass' as TamperMode, rollbackTo: 5 };
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'accept-encoding') headers[k] = v;
      let path = req.url ?? '/';
      if (state.mode === 'rollback' && url.pathname === '/public/v1/checkpoint')
        path = `/public/v1/checkpoints/${state.rollbackTo}`;
      const up = await fetchUpstream(upstream, path, req.method ?? 'GET', headers);
      let body = up.body;
      if (state.mode === 'rollback' && url.pathname === '/public/v1/checkpoint') {
        body = Buffer.from((JSON.parse(body.toString()) as { checkpoint: string }).checkpoint);
        up.headers['content-type'] = 'text/plain; charset=utf-8';
      }
      if (state.mode === 'swap-checkpoint' && url.pathname === '/public/v1/checkpoint') {
        // The same tree, signed under the same origin by a key that is not the pinned one.
        const checkpoint = parseCheckpoint(parseNote(body.toString()).text);
        body = Buffer.from(signCheckpoint(checkpoint, randomSeed()));
      }
      if (state.mode === 'flip-proof' && url.pathname === '/public/v1/proofs/inclusion') {
        const proof = JSON.parse(body.toString()) as { hashes: string[] };
        const first = Buffer.from(proof.hashes[0] ?? '', 'base64');
        if (first.length > 0) first[0] = first[0]! ^ 0x01;
        proof.hashes[0] = first.toString('base64');
        body = Buffer.from(JSON.stringify(proof));
      }
      delete up.headers['content-length'];
      delete up.headers['transfer-encoding'];
      res.writeHead(up.status, { ...up.headers, 'content-length': String(body.length) });
      res.end(body);
    })().catch(() => {
      res.statusCode = 502;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: TamperMode) {
      state.mode = m;
    },
    get rollbackTo() {
      return state.rollbackTo;
    },
    set rollbackTo(n: number) {
      state.rollbackTo = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
