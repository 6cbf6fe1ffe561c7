/// <reference path="./ml-regression.d.ts" />
import { MultivariateLinearRegression, PolynomialRegression, TheilSenRegression } from "ml-regression";

/**
 * The one door to ml-regression, so models depend on small typed helpers rather than on the
 * library's classes directly.
 */

/** Ordinary Theil–Sen line (median of pairwise slopes): robust to up to ~29% outliers. */
export function theilSen(x: readonly number[], y: readonly number[]): { slope: number; intercept: number } {
  if (x.length < 2) return { slope: 0, intercept: y.length > 0 ? (y[0] ?? 0) : 0 };
  const r = new TheilSenRegression([...x], [...y]);
  const ok = Number.isFinite(r.slope) && Number.isFinite(r.intercept);
  return ok ? { slope: r.slope, intercept: r.intercept } : { slope: 0, intercept: median(y) };
}

/** Least-squares polynomial of the given degree; returns a predictor. */
export function polyFit(x: readonly number[], y: readonly number[], degree: number): (x: number) => number {
  const r = new PolynomialRegression([...x], [...y], degree);
  return (v) => r.predict(v);
}

/**
 * Ridge regression through the normal equations. We accumulate G = XᵀX (+ λ·diag) and
 * b = Xᵀy ourselves in one O(n·p²) pass over typed arrays, then let ml-regression's
 * MultivariateLinearRegression solve the p×p system G·β = b (an exactly determined least
 * squares problem, so its SVD solution is β). Handing it the raw n×p design instead cost
 * 40–80 ms per fit for n=4032, p=25 in Node (measured) — too much for a cron over 50 pools.
 * The relative ridge (λ times each diagonal entry) keeps the solve stable when a feature is
 * constant or collinear (e.g. a week lag equal to a day lag on a flat series).
 */
export class GramAccumulator {
  readonly p: number;
  private readonly g: Float64Array;
  private readonly b: Float64Array;
  rows = 0;
  constructor(p: number) {
    this.p = p;
    this.g = new Float64Array(p * p);
    this.b = new Float64Array(p);
  }
  /** Add one row with weight w (weighted least squares: minimises Σ w·(y − xβ)²). */
  add(x: Float64Array, y: number, w = 1, offset = 0): void {
    const p = this.p;
    const g = this.g;
    for (let i = 0; i < p; i++) {
      const xi = (x[offset + i] ?? 0) * w;
      if (xi === 0) continue;
      this.b[i] = (this.b[i] ?? 0) + xi * y;
      const row = i * p;
      // Hot loop of every fit (n·p²/2 multiply-adds): indices are in range by construction.
      for (let j = i; j < p; j++) g[row + j] = g[row + j]! + xi * x[offset + j]!;
    }
    this.rows++;
  }
  clone(): GramAccumulator {
    const c = new GramAccumulator(this.p);
    c.g.set(this.g);
    c.b.set(this.b);
    c.rows = this.rows;
    return c;
  }

  /** Solve for β; `ridge` is relative to each diagonal entry; column `unpenalized` is left alone. */
  solve(ridge: number, unpenalized = -1): Float64Array {
    const p = this.p;
    const gm: number[][] = [];
    for (let i = 0; i < p; i++) {
      const row: number[] = [];
      for (let j = 0; j < p; j++) row.push(i <= j ? (this.g[i * p + j] ?? 0) : (this.g[j * p + i] ?? 0));
      const d = row[i] ?? 0;
      row[i] = d + (i === unpenalized ? 1e-12 : ridge * d + 1e-9);
      gm.push(row);
    }
    const bm: number[][] = Array.from(this.b, (v) => [v]);
    const mlr = new MultivariateLinearRegression(gm, bm, { intercept: false, statistics: false });
    return Float64Array.from(mlr.weights, (w) => (Number.isFinite(w[0]) ? (w[0] ?? 0) : 0));
  }
}

// Typed-array sort is numeric and native: several times faster than Array#sort with a
// comparator, which dominated the cron's CPU profile (medians in the anomaly detector).
export function median(v: ArrayLike<number>): number {
  if (v.length === 0) return Number.NaN;
  const s = Float64Array.from(v).sort();
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/** Quantile by linear interpolation (type 7), q in [0,1]. */
export function quantile(v: ArrayLike<number>, q: number): number {
  if (v.length === 0) return Number.NaN;
  const s = Float64Array.from(v).sort();
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return (s[lo] ?? 0) + ((s[hi] ?? 0) - (s[lo] ?? 0)) * (pos - lo);
}
