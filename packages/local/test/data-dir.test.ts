import { spawn } from 'node:child_process';
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

  it('is locked against a second runtime, and free again once released', async () => {
    const dir = await temp();
    const release = await lockDataDir(dir);
    expect((await readFile(join(dir, 'cbm-local.pid'), 'utf8')).trim()).toBe(String(process.pid));
    await expect(lockDataDir(dir)).rejects.toThrow(
      new RegExp(`in use by another cbm-local \\(pid ${process.pid}\\)`),
    );
    await release();
    await expect(stat(join(dir, 'cbm-local.pid'))).rejects.toThrow();
    const again = await lockDataDir(dir);
    await again();
  });

  it('is not held by a leftover pid file, even one naming a live process', async () => {
    const dir = await temp();
    // The pid file only says who holds the lock; a live pid in it (after kill -9 and pid reuse)
    // must not keep anyone out.
    await writeFile(join(dir, 'cbm-local.pid'), `${process.ppid}\n`);
    const release = await lockDataDir(dir);
    await release();
  });

  it('is free the moment its holder is killed with -9, reaped or not (issue 9 §3)', async () => {
    const dir = await temp();
    const module = new URL('../dist/data-dir.js', import.meta.url).href;
    const holder = `import { lockDataDir } from ${JSON.stringify(module)};
      await lockDataDir(${JSON.stringify(dir)});
      console.log('locked ' + process.pid);
      setInterval(() => undefined, 1000);`;
    // The holder's parent becomes \`sleep\`, which never reaps it: after SIGKILL it stays a
    // zombie, the state in which a pid-liveness check still sees it running.
    const shell = spawn(
      'sh',
      ['-c', `"${process.execPath}" --input-type=module -e "$HOLDER" & exec sleep 30`],
      { env: { ...process.env, HOLDER: holder }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        let out = '';
        shell.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /locked (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        shell.once('exit', () => reject(new Error(`holder exited: ${out}`)));
      });
      await expect(lockDataDir(dir)).rejects.toThrow(/in use by another cbm-local/);
      process.kill(pid, 'SIGKILL');
      // Wait until the kernel has torn the holder down (a zombie); it is never reaped here.
      for (let i = 0; ; i++) {
        const state = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => 'gone');
        if (state === 'gone' || /^\d+ \(.*\) Z/.test(state)) break;
        if (i > 200) throw new Error(`holder ${pid} did not die: ${state}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(() => process.kill(pid, 0), 'a zombie still answers kill(pid, 0)').not.toThrow();
      // The immediate restart a supervisor makes.
      const release = await lockDataDir(dir);
      await release();
    } finally {
      shell.kill('SIGKILL');
    }
  });
});
