/**
 * Contextual novelty, after KNN-CAD (Burnaev & Ishimtsev 2016) and discord search: the
 * distance from the newest `m` rows to their nearest match among the earlier subsequences
 * of the last `lookback` rows (never overlapping the query), in robust units of the past.
 * Exhaustive with early abandoning, O(lookback·m) at worst per row.
 */
export class NearestPast {
  private readonly values: number[] = [];

  constructor(
    private readonly m: number,
    private readonly lookback: number,
  ) {}

  /** Adds x; returns the nearest-match RMS distance / unit and where that match ends (−1: too little history). */
  push(x: number, unit: number): { dist: number; meanGap: number; lastGap: number } {
    const v = this.values;
    v.push(x);
    if (v.length > this.lookback + 2 * this.m) v.shift();
    const n = v.length;
    const m = this.m;
    if (n < 3 * m) return { dist: Number.NaN, meanGap: 0, lastGap: 0 };
    let best = Number.POSITIVE_INFINITY;
    let bestEnd = -1;
    const q = n - 1;
    for (let e = q - m; e >= m - 1; e--) {
      let s = 0;
      for (let k = 0; k < m && s < best; k++) {
        const d = (v[q - k] ?? 0) - (v[e - k] ?? 0);
        s += d * d;
      }
      if (s < best) {
        best = s;
        bestEnd = e;
      }
    }
    let meanGap = 0;
    for (let k = 0; k < m; k++) meanGap += (v[q - k] ?? 0) - (v[bestEnd - k] ?? 0);
    return { dist: Math.sqrt(best / m) / unit, meanGap: meanGap / m, lastGap: (v[q] ?? 0) - (v[bestEnd] ?? 0) };
  }
}
