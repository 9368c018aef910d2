/**
 * A progress bar on stderr, drawn only when stderr is a terminal (never into logs or pipes).
 */
import type { OutputStream } from './io.js';

export class ProgressBar {
  readonly #stream: OutputStream;
  readonly #label: string;
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: OutputStream, label: string) {
    this.#stream = stream;
    this.#label = label;
    this.#enabled = stream.isTTY === true;
  }

  update(done: number, total: number): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#lastDraw < 100 && done < total) return;
    this.#lastDraw = now;
    const width = Math.max(10, Math.min(40, (this.#stream.columns ?? 80) - 60));
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * width);
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const text =
      `\r${this.#label} ${bar} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}` +
      `  ${Math.round(rate).toLocaleString('en-US')}/s  ETA ${eta}s `;
    this.#stream.write(text);
    this.#drawn = true;
  }

  /** Clears the bar's line. */
  done(): void {
    if (this.#enabled && this.#drawn) this.#stream.write('\r\x1b[2K');
  }
}
