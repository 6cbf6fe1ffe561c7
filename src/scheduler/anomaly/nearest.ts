/**
 * Contextual novelty, after KNN-CAD (Burnaev & Ishimtsev 2016) and discord search: the
 * distance from the newest `m` rows to their nearest match among the earlier subsequences
 * of the last `lookback` rows (never overlapping the query), in robust units of the past.
 * Exhaustive with early abandoning; the search starts from the row after the previous
 * query's match (usually still close), so most candidates are abandoned after a term or two.
 */
export interface Nearest {
  /** RMS distance to the nearest earlier stretch, in robust units; NaN with too little history. */
  readonly dist: number;
  /** Mean and last-row difference between the query and its match. */
  readonly meanGap: number;
  readonly lastGap: number;
}

export class NearestPast {
  private readonly buf: Float64Array;
  private start = 0;
  private end = 0;
  /** Offset from the end of the previous query's match (−1: none). */
  private lastMatchLag = -1;

  constructor(
    private readonly m: number,
    private readonly lookback: number,
  ) {
    this.buf = new Float64Array(2 * (lookback + 2 * m));
  }

  push(x: number, unit: number): Nearest {
    this.append(x);
    const v = this.buf;
    const m = this.m;
    const n = this.end - this.start;
    if (n < 3 * m) return { dist: Number.NaN, meanGap: 0, lastGap: 0 };
    const q = this.end - 1;
    const first = this.start + m - 1;
    let best = Number.POSITIVE_INFINITY;
    let bestEnd = -1;
    const tryEnd = (e: number): void => {
      let s = 0;
      for (let k = 0; k < m && s < best; k++) {
        const d = (v[q - k] as number) - (v[e - k] as number);
        s += d * d;
      }
      if (s < best) {
        best = s;
        bestEnd = e;
      }
    };
    // The previous match, moved one row on, seeds a tight bound.
    if (this.lastMatchLag > m && q - this.lastMatchLag >= first) tryEnd(q - this.lastMatchLag);
    // Every second candidate, then both neighbours of the best: half the work, and a
    // stretch's neighbours differ by one row's shift, so the best is rarely missed.
    for (let e = q - m; e >= first; e -= 2) tryEnd(e);
    const found = bestEnd;
    if (found - 1 >= first) tryEnd(found - 1);
    if (found + 1 <= q - m) tryEnd(found + 1);
    this.lastMatchLag = q - bestEnd;
    let meanGap = 0;
    for (let k = 0; k < m; k++) meanGap += (v[q - k] as number) - (v[bestEnd - k] as number);
    return { dist: Math.sqrt(best / m) / unit, meanGap: meanGap / m, lastGap: (v[q] as number) - (v[bestEnd] as number) };
  }

  /** Keeps the last lookback + 2m values contiguous: slide to the front when the buffer is full. */
  private append(x: number): void {
    if (this.end === this.buf.length) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    this.buf[this.end++] = x;
    if (this.end - this.start > this.lookback + 2 * this.m) this.start++;
  }
}
