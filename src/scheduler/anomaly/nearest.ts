/**
 * Contextual novelty, after KNN-CAD (Burnaev & Ishimtsev 2016) and discord search: the
 * distance from the newest `m` rows to their nearest match among the earlier subsequences
 * of the last `lookback` rows (never overlapping the query), in robust units of the past.
 *
 * Exact, and O(lookback) per row: the squared distance to the stretch `lag` rows back is
 * kept for every lag, and each new row updates it in O(1) (the distance-profile update of
 * the matrix profile's STOMP, Zhu et al. 2016, here without z-normalization):
 *   D_t(lag) = D_{t-1}(lag) + (x_t − x_{t−lag})² − (x_{t−m} − x_{t−m−lag})².
 * The profile is recomputed from the values every RESYNC_ROWS rows, so rounding cannot
 * drift. (The search this replaced scanned every second candidate with early abandoning:
 * about three times the CPU, and it could miss the best stretch.)
 */
export interface Nearest {
  /** RMS distance to the nearest earlier stretch, in robust units; NaN with too little history. */
  readonly dist: number;
  /** Mean and last-row difference between the query and its match. */
  readonly meanGap: number;
  readonly lastGap: number;
}

/** Rows between two exact recomputations of the distance profile. */
export const RESYNC_ROWS = 1024;

export class NearestPast {
  private readonly buf: Float64Array;
  private start = 0;
  private end = 0;
  /** How many values are kept: lookback + 2m candidates' worth, and one more for the update. */
  private readonly hold: number;
  /** Squared distance from the current query to the stretch ending `lag` rows before it. */
  private readonly profile: Float64Array;
  /** The largest lag whose profile entry is current (0: none yet). */
  private known = 0;
  private sinceResync = 0;

  constructor(
    private readonly m: number,
    private readonly lookback: number,
  ) {
    this.hold = lookback + 2 * m + 1;
    this.buf = new Float64Array(2 * this.hold);
    this.profile = new Float64Array(lookback + m + 1);
  }

  push(x: number, unit: number): Nearest {
    this.append(x);
    const v = this.buf;
    const m = this.m;
    const n = this.end - this.start;
    const q = this.end - 1;
    // Lags m (the newest stretch not overlapping the query) to maxLag (the oldest complete one).
    const maxLag = Math.min(n - m, this.lookback + m);
    if (maxLag < m) return { dist: Number.NaN, meanGap: 0, lastGap: 0 };
    const p = this.profile;
    // Each entry is brought up to date and the smallest found in the same pass.
    let best = Number.POSITIVE_INFINITY;
    let bestLag = m;
    let from = m;
    if (this.known >= m && ++this.sinceResync < RESYNC_ROWS) {
      const top = Math.min(this.known, maxLag);
      const head = v[q] as number;
      const tail = v[q - m] as number;
      for (let lag = m; lag <= top; lag++) {
        const a = head - (v[q - lag] as number);
        const b = tail - (v[q - m - lag] as number);
        const d = (p[lag] as number) + a * a - b * b;
        p[lag] = d;
        if (d < best) {
          best = d;
          bestLag = lag;
        }
      }
      from = top + 1;
    } else this.sinceResync = 0;
    for (let lag = from; lag <= maxLag; lag++) {
      let d = 0;
      for (let k = 0; k < m; k++) {
        const g = (v[q - k] as number) - (v[q - lag - k] as number);
        d += g * g;
      }
      p[lag] = d;
      if (d < best) {
        best = d;
        bestLag = lag;
      }
    }
    this.known = maxLag;
    if (n < 3 * m) return { dist: Number.NaN, meanGap: 0, lastGap: 0 };
    let meanGap = 0;
    for (let k = 0; k < m; k++) meanGap += (v[q - k] as number) - (v[q - bestLag - k] as number);
    // Rounding can leave an exact repeat a hair below zero.
    return { dist: Math.sqrt(Math.max(0, best) / m) / unit, meanGap: meanGap / m, lastGap: (v[q] as number) - (v[q - bestLag] as number) };
  }

  /** Keeps the last `hold` values contiguous: slide to the front when the buffer is full. */
  private append(x: number): void {
    if (this.end === this.buf.length) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    this.buf[this.end++] = x;
    if (this.end - this.start > this.hold) this.start++;
  }
}
