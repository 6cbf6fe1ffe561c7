/**
 * An own implementation of the Numenta Anomaly Benchmark scoring rules (Lavin & Ahmad 2015,
 * "Evaluating Real-time Anomaly Detection Algorithms — the Numenta Anomaly Benchmark";
 * the rules as summarised in bench/data/nab and NAB's docs):
 * - the first min(⌊0.15·n⌋, 750) rows of a file are probationary and not scored;
 * - a detection inside a window is worth A_tp·σ(y), y = −(right − i + 1)/width (−1 at the
 *   left edge); only the best (earliest) detection per window counts; a missed window costs A_fn;
 * - a detection outside every window costs A_fp·σ(y), y = (i − prevRight)/(prevWidth − 1)
 *   past the preceding window, or the full A_fp when no window precedes it;
 * - σ(y) = 2/(1 + e^(5y)) − 1, and −1 once y > 3;
 * - one threshold per profile over all files, chosen to maximise the total;
 * - normalised = 100·(raw − null)/(perfect − null): null flags nothing, perfect = A_tp per window.
 */
export interface Profile {
  readonly name: "standard" | "reward_low_FP" | "reward_low_FN";
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

export const PROFILES: readonly Profile[] = [
  { name: "standard", tp: 1, fp: 0.11, fn: 1 },
  { name: "reward_low_FP", tp: 1, fp: 0.22, fn: 1 },
  { name: "reward_low_FN", tp: 1, fp: 0.11, fn: 2 },
];

/** One labelled file with a detector's per-row scores. Windows are [start, end] epoch ms, inclusive. */
export interface ScoredFile {
  readonly t: readonly number[];
  readonly scores: readonly number[];
  readonly windows: ReadonlyArray<readonly [number, number]>;
}

export function scaledSigmoid(y: number): number {
  return y > 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
}

export function probationRows(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

/** Per row: the window it lies in (−1 outside) and its unweighted σ. Rows in probation get NaN. */
export interface RowWeights {
  readonly window: Int32Array;
  readonly sigma: Float64Array;
  readonly windows: number;
}

export function rowWeights(t: readonly number[], windows: ReadonlyArray<readonly [number, number]>): RowWeights {
  const n = t.length;
  const window = new Int32Array(n).fill(-1);
  const sigma = new Float64Array(n).fill(Number.NaN);
  const bounds = windows.map(([a, b]) => {
    let left = -1;
    let right = -1;
    for (let i = 0; i < n; i++) {
      const ti = t[i] ?? Number.NaN;
      if (ti >= a && ti <= b) {
        if (left < 0) left = i;
        right = i;
      }
    }
    return { left, right };
  });
  const probation = probationRows(n);
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const w = bounds.findIndex((b) => b.left >= 0 && i >= b.left && i <= b.right);
    if (w >= 0) {
      const b = bounds[w] ?? { left: i, right: i };
      const width = b.right - b.left + 1;
      window[i] = w;
      if (i >= probation) sigma[i] = scaledSigmoid(-(b.right - i + 1) / width);
      if (i === b.right) {
        prevRight = b.right;
        prevWidth = width;
      }
    } else if (i >= probation) {
      sigma[i] = prevRight < 0 ? -1 : scaledSigmoid(Math.abs(i - prevRight) / Math.max(1, prevWidth - 1));
    }
  }
  return { window, sigma, windows: windows.length };
}

/** Raw NAB score of one file at one threshold. */
export function rawScore(f: ScoredFile, p: Profile, threshold: number, w: RowWeights = rowWeights(f.t, f.windows)): number {
  const best = new Float64Array(w.windows).fill(Number.NaN);
  let fp = 0;
  for (let i = 0; i < f.scores.length; i++) {
    const s = w.sigma[i] ?? Number.NaN;
    if (!Number.isFinite(s) || (f.scores[i] ?? 0) < threshold) continue;
    const k = w.window[i] ?? -1;
    if (k >= 0) best[k] = Number.isNaN(best[k] ?? Number.NaN) ? s : Math.max(best[k] ?? s, s);
    else fp += p.fp * s;
  }
  let total = fp;
  for (const b of best) total += Number.isNaN(b) ? -p.fn : p.tp * b;
  return total;
}

export interface SweepResult {
  readonly threshold: number;
  readonly raw: number;
  readonly nullScore: number;
  readonly perfect: number;
  readonly normalised: number;
}

/**
 * The single best threshold over all files, as NAB's sweep: rows sorted by score
 * descending, the total updated one row at a time, evaluated between distinct scores.
 */
export function optimiseThreshold(files: readonly ScoredFile[], p: Profile): SweepResult {
  type Row = { s: number; file: number; sigma: number; window: number };
  const rows: Row[] = [];
  let windows = 0;
  const offsets: number[] = [];
  files.forEach((f, fi) => {
    const w = rowWeights(f.t, f.windows);
    offsets.push(windows);
    for (let i = 0; i < f.scores.length; i++) {
      const sigma = w.sigma[i] ?? Number.NaN;
      if (Number.isFinite(sigma)) rows.push({ s: f.scores[i] ?? 0, file: fi, sigma, window: w.window[i] ?? -1 });
    }
    windows += w.windows;
  });
  const nullScore = -p.fn * windows;
  const perfect = p.tp * windows;
  rows.sort((a, b) => b.s - a.s);
  const best = new Float64Array(windows).fill(Number.NaN);
  let total = nullScore;
  let top = { threshold: Number.POSITIVE_INFINITY, raw: nullScore };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Row;
    if (r.window < 0) total += p.fp * r.sigma;
    else {
      const k = (offsets[r.file] ?? 0) + r.window;
      const old = best[k] ?? Number.NaN;
      if (Number.isNaN(old)) {
        best[k] = r.sigma;
        total += p.fn + p.tp * r.sigma;
      } else if (r.sigma > old) {
        best[k] = r.sigma;
        total += p.tp * (r.sigma - old);
      }
    }
    const next = rows[i + 1];
    if ((!next || next.s < r.s) && total > top.raw) top = { threshold: r.s, raw: total };
  }
  const normalised = perfect === nullScore ? 0 : (100 * (top.raw - nullScore)) / (perfect - nullScore);
  return { threshold: top.threshold, raw: top.raw, nullScore, perfect, normalised };
}
