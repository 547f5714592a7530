/**
 * Progress of long work (import, export, verify, backup) on a terminal: one line on stderr,
 * redrawn at most ten times a second. Off the terminal (a pipe, a file, CI) it prints nothing.
 */
export class Progress {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #label: string;
  readonly #started = Date.now();
  readonly #enabled: boolean;
  readonly #ticker: NodeJS.Timeout | undefined;
  #count = 0;
  #drawn = 0;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string) {
    this.#stream = stream;
    this.#label = label;
    this.#enabled = stream.isTTY === true;
    // Work without counts (verify, backup) still shows it is alive.
    this.#ticker = this.#enabled ? setInterval(() => this.#draw(), 250).unref() : undefined;
  }

  /** Adds `n` done items. Cost: O(1); a redraw at most every 100 ms. */
  tick(n = 1): void {
    this.#count += n;
    if (this.#enabled && Date.now() - this.#drawn >= 100) this.#draw();
  }

  /** Clears the line. */
  done(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    if (this.#enabled) this.#stream.write('\r\x1b[K');
  }

  #draw(): void {
    this.#drawn = Date.now();
    const seconds = ((Date.now() - this.#started) / 1000).toFixed(1);
    const count = this.#count > 0 ? ` ${this.#count.toLocaleString('en-US')}` : '';
    this.#stream.write(`\r\x1b[K${this.#label}${count} (${seconds} s)`);
  }
}
