/**
 * Kept-alive client connections: the local server must not close an idle socket after Node's
 * default 5 s, because a client sending its next request at that instant gets ECONNRESET (what
 * the ingest benchmark's clients saw).
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLocalServer } from '../src/index.js';

const request = 'GET /v1/ledger HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n';

describe('idle kept-alive connections', () => {
  it('stay open well past Node’s 5 s default and serve the next request', async () => {
    const server = createLocalServer({
      api: () => Promise.resolve({ statusCode: 200, body: 'ok' }),
      maxBodyBytes: 1024,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    let received = '';
    let closed = false;
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => (closed = true));
    const responses = async (n: number): Promise<void> => {
      while ((received.match(/HTTP\/1\.1 200/g) ?? []).length < n) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    try {
      socket.write(request);
      await responses(1);
      await new Promise((resolve) => setTimeout(resolve, 5_600));
      expect(closed).toBe(false);
      socket.write(request);
      await responses(2);
      expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
      expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    } finally {
      socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 15_000);
});
