const ascii = new TextDecoder();

/**
 * Outcome codes waiting for the next report, one byte each, in arrival order. Appending
 * allocates nothing: `pending += code` on a string had built a chain of cons-string nodes,
 * one per request, that lived until the next sync and so reached V8's old generation.
 */
export class OutcomeBuffer {
  private buf = new Uint8Array(64);
  private n = 0;

  /** @param max codes kept; past it new ones are refused (the caller counts them dropped). */
  constructor(private readonly max: number) {}

  get length(): number {
    return this.n;
  }

  /** Appends one code (a single ASCII letter); false when the buffer is full. */
  push(code: string): boolean {
    if (this.n >= this.max) return false;
    if (this.n === this.buf.length) {
      const bigger = new Uint8Array(Math.min(this.max, this.buf.length * 2));
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = code.charCodeAt(0);
    return true;
  }

  /** Everything waiting, oldest first, as the report's string; the buffer is left empty. */
  take(): string {
    const s = this.n === 0 ? "" : ascii.decode(this.buf.subarray(0, this.n));
    this.n = 0;
    return s;
  }

  /** Puts codes back in front of the waiting ones (a report that failed), newest `max` kept. */
  putBack(codes: string): void {
    const all = (codes + this.take()).slice(-this.max);
    for (let i = 0; i < all.length; i++) this.push(all[i]!);
  }
}
