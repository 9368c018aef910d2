/**
 * Issue 9 §3 on the local server: idle connections are closed and capped, an aborted request is
 * one log line, and dot segments are refused rather than resolved to another path.
 */
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalServer } from '../src/index.js';
import type { LocalServerOptions } from '../src/index.js';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
});

async function serve(options: Partial<LocalServerOptions> = {}): Promise<number> {
  server = createLocalServer({
    api: (event) =>
      Promise.resolve({ statusCode: 200, body: JSON.stringify({ path: event.path }) }),
    maxBodyBytes: 1024,
    ...options,
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Opens a connection that sends nothing; resolves when it is connected. */
function silent(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
    socket.write(request);
  });
}

describe('the local server’s connections', () => {
  it('closes connections that send nothing once the idle timeout passes', async () => {
    const port = await serve({ idleTimeoutMs: 300 });
    const idle = await Promise.all(Array.from({ length: 30 }, () => silent(port)));
    const started = Date.now();
    await Promise.all(idle.map((c) => c.closed));
    // Closed by the server, not by us, after about the timeout.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(idle.every((c) => c.socket.destroyed)).toBe(true);
  });

  it('caps concurrent connections: those beyond the cap are closed at once', async () => {
    const port = await serve({ maxConnections: 5, idleTimeoutMs: 60_000 });
    const held = await Promise.all(Array.from({ length: 5 }, () => silent(port)));
    await new Promise((r) => setTimeout(r, 50));
    const extra = await silent(port);
    await extra.closed;
    // The ones within the cap are still open.
    expect(held.every((c) => !c.socket.destroyed)).toBe(true);
  });

  it('logs one line, without a stack, for a request its client aborts', async () => {
    const lines: string[] = [];
    const errors: unknown[] = [];
    const port = await serve({ onAborted: (l) => lines.push(l), onError: (e) => errors.push(e) });
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(
      'POST /v1/statements HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"par',
    );
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    for (let i = 0; lines.length === 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^POST \/v1\/statements aborted by the client \(.+\)$/);
    expect(lines[0]).not.toContain('\n');
  });

  it.each([
    '/v1/statements/%2e%2e/ledger',
    '/v1/statements/%2E%2e/ledger',
    '/v1/statements/../ledger',
    '/v1/./ledger',
    '/local/evidence/sha256/%2e%2e/%2e%2e/v1/ledger',
  ])('refuses the dot segments of %s (never serves the resolved path)', async (path) => {
    const port = await serve();
    const answer = await raw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"MALFORMED"');
    expect(answer).not.toContain('"path"');
  });
});
