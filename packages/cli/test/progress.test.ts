/** The progress bar draws on a terminal only, and clears its line when done. */
import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../src/progress.js';

describe('ProgressBar', () => {
  it('draws on a TTY and clears its line at the end', () => {
    let out = '';
    const bar = new ProgressBar(
      { isTTY: true, columns: 100, write: (t: string) => (out += t) },
      'auditing',
    );
    bar.update(0, 1000);
    bar.update(1000, 1000);
    bar.done();
    expect(out).toMatch(/^\rauditing [█░]+ 0\/1,000/);
    expect(out).toContain('1,000/1,000');
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('writes nothing into a pipe or a log file', () => {
    let out = '';
    const bar = new ProgressBar({ write: (t: string) => (out += t) }, 'auditing');
    bar.update(5, 10);
    bar.done();
    expect(out).toBe('');
  });
});
