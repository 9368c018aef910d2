/**
 * The embedded stores' process: dynalite (DynamoDB on LevelDB) and s3rver (S3 on files), forked
 * by the runtime so their CPU work (dynalite spends about a millisecond per request) runs on the
 * machine's second core instead of competing with admission and integration.
 *
 * Protocol over the IPC channel: the parent sends nothing to start (settings come in argv); the
 * child answers `{type: 'ready', dynamoPort, s3Port}` or `{type: 'error', message}`; the parent
 * sends `{type: 'stop'}` to close cleanly. When the parent dies (even by SIGKILL) the IPC channel
 * disconnects and the child closes the stores and exits, releasing the LevelDB lock for the next
 * start.
 */
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import type { EmulatorMessage, EmulatorSettings } from './emulator-protocol.js';

const send = (message: EmulatorMessage): void => {
  process.send?.(message);
};

interface LevelLike {
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * dynalite opens LevelDB lazily and throws from a request handler (killing the process) when the
 * database is locked. So the lock is probed first, retrying for a while: right after a SIGKILL
 * the previous runtime's emulator process may still be closing it.
 */
async function waitForLevelDb(path: string, timeoutMs: number): Promise<void> {
  const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = requireFromDynalite('level') as { Level: new (path: string) => LevelLike };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const db = new Level(path);
    try {
      await db.open();
      await db.close();
      return;
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message ?? String(e);
      if (Date.now() > deadline) {
        throw new Error(`cannot open the DynamoDB data at ${path}: ${cause}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function start(settings: EmulatorSettings): Promise<void> {
  let dynamo: Server | undefined;
  let s3: S3rver | undefined;
  let closing = false;

  const close = async (code: number): Promise<never> => {
    if (!closing) {
      closing = true;
      // Never hang on a stuck close: the data is already on disk.
      setTimeout(() => process.exit(code), 3000).unref();
      await Promise.allSettled([
        dynamo && new Promise<void>((r) => dynamo!.close(() => r())),
        s3?.close(),
      ]);
    }
    process.exit(code);
  };

  process.on('disconnect', () => void close(0));
  process.on('message', (m: unknown) => {
    if ((m as { type?: string }).type === 'stop') void close(0);
  });
  process.on('SIGINT', () => undefined); // the parent handles ^C and tells us to stop
  process.on('uncaughtException', (e) => {
    send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    void close(1);
  });

  if (settings.dynamoPath !== undefined && settings.dynamoSocket !== undefined) {
    await waitForLevelDb(settings.dynamoPath, 10_000);
    const server = dynalite({
      path: settings.dynamoPath,
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    dynamo = server;
    const socket = settings.dynamoSocket;
    rmSync(socket, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => resolve());
    });
  }
  if (settings.s3Path !== undefined && settings.s3Socket !== undefined) {
    rmSync(settings.s3Socket, { force: true });
    s3 = new S3rver({
      // s3rver passes `port` and `address` on to server.listen: a path there listens on it.
      port: settings.s3Socket,
      directory: settings.s3Path,
      silent: true,
      configureBuckets: [{ name: settings.bucket }],
    });
    await s3.run();
  }
  send({ type: 'ready' });
}

const settings = JSON.parse(process.argv[2] ?? '{}') as EmulatorSettings;
start(settings).catch((e: unknown) => {
  send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
