import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeyFile } from '@cbm-ledger/protocol';
import { loadOrCreateKeyFile, lockDataDir, prepareDataDir } from '../src/data-dir.js';

const temp = (): Promise<string> => mkdtemp(join(tmpdir(), 'cbm-local-dir-'));

describe('the data directory', () => {
  it('is created with its parents', async () => {
    const dir = join(await temp(), 'a', 'b');
    await prepareDataDir(dir);
    expect((await stat(dir)).isDirectory()).toBe(true);
  });

  it('refuses a path it cannot write, naming it', async () => {
    const base = await temp();
    await writeFile(join(base, 'file'), '');
    await expect(prepareDataDir(join(base, 'file', 'data'))).rejects.toThrow(
      /data directory .*file\/data is not writable \(ENOTDIR\)/,
    );
  });

  it('writes key files once, mode 0600, and reads them back', async () => {
    const path = join(await temp(), 'operator.key');
    const first = await loadOrCreateKeyFile(path, 'operator:local');
    expect(first.created).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(parseKeyFile(await readFile(path, 'utf8'))).toEqual(first.keyFile);
    const second = await loadOrCreateKeyFile(path, 'operator:local');
    expect(second).toEqual({ keyFile: first.keyFile, created: false });
  });

  it('agrees on one key when two starts race to create it', async () => {
    const path = join(await temp(), 'log.key');
    const [a, b] = await Promise.all([
      loadOrCreateKeyFile(path, 'operator:local'),
      loadOrCreateKeyFile(path, 'operator:local'),
    ]);
    expect(a.keyFile).toEqual(b.keyFile);
  });

  it('refuses a corrupt key file instead of replacing it', async () => {
    const path = join(await temp(), 'operator.key');
    await writeFile(path, '{"type":"ed25519"');
    await expect(loadOrCreateKeyFile(path, 'operator:local')).rejects.toThrow(
      /not a valid key file/,
    );
  });

  it('is locked against a second runtime, and a stale lock is taken over', async () => {
    const dir = await temp();
    // A live process other than us holds it: the test runner's parent.
    await writeFile(join(dir, 'cbm-local.pid'), `${process.ppid}\n`);
    await expect(lockDataDir(dir)).rejects.toThrow(/in use by another cbm-local/);
    // A pid that cannot be running (beyond the kernel's pid_max).
    await writeFile(join(dir, 'cbm-local.pid'), '99999999\n');
    const release = await lockDataDir(dir);
    expect((await readFile(join(dir, 'cbm-local.pid'), 'utf8')).trim()).toBe(String(process.pid));
    await release();
    await expect(stat(join(dir, 'cbm-local.pid'))).rejects.toThrow();
  });
});
