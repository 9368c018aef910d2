/**
 * Starts the embedded stores in a child process (see emulators-child.ts) and stops them.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EmulatorMessage, EmulatorSettings } from './emulator-protocol.js';

/** What clients put in the URL (the Host header); the connection goes to the socket. */
export const EMULATOR_ENDPOINT = 'http://localhost';

export interface Emulators {
  /** Unix-domain socket of the embedded DynamoDB, when embedded (endpoint EMULATOR_ENDPOINT). */
  readonly dynamoSocket: string | undefined;
  /** Unix-domain socket of the embedded S3, when embedded. */
  readonly s3Socket: string | undefined;
  /** Called once if the emulator process dies while the runtime still needs it. */
  onUnexpectedExit(listener: (reason: string) => void): void;
  /** Closes the stores (flushing LevelDB) and waits for the process to exit. */
  stop(): Promise<void>;
}

/** The compiled child script; from the TypeScript sources (tests), the built one beside them. */
function childScript(): string {
  const here = fileURLToPath(import.meta.url);
  const compiled = here.endsWith('.ts')
    ? fileURLToPath(new URL('../dist/emulators-child.js', import.meta.url))
    : fileURLToPath(new URL('./emulators-child.js', import.meta.url));
  if (!existsSync(compiled)) {
    throw new Error(`${compiled} is missing: build first (npm run build)`);
  }
  return compiled;
}

export async function startEmulators(
  settings: EmulatorSettings,
  timeoutMs = 30_000,
): Promise<Emulators> {
  const child: ChildProcess = fork(childScript(), [JSON.stringify(settings)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // The child needs none of the parent's flags (inspectors, loaders).
    execArgv: [],
  });
  let stopping = false;
  const exitListeners: ((reason: string) => void)[] = [];
  let lastError: string | undefined;

  await new Promise<Extract<EmulatorMessage, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`embedded stores did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (m: EmulatorMessage) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      } else {
        lastError = m.message;
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(lastError ?? `embedded stores exited (${signal ?? code})`));
    });
  });

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    if (stopping) return;
    const reason = lastError ?? `embedded stores exited unexpectedly (${signal ?? code})`;
    for (const listener of exitListeners) listener(reason);
  });

  return {
    dynamoSocket: settings.dynamoSocket,
    s3Socket: settings.s3Socket,
    onUnexpectedExit(listener) {
      exitListeners.push(listener);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
