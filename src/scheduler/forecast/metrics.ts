import type { Scores } from "./types.js";

/**
 * Streaming accumulator for the backtest's error figures, all fractions:
 * - WAPE = Σ|F−A| / Σ|A| (weighted absolute percentage error; robust to near-zero actuals).
 * - sMAPE = mean of 2|F−A| / (|F|+|A|), a pair with both zero counting 0 (range 0..2).
 * - MAE, and MASE = MAE / scale, where scale is the in-sample one-step naive MAE over the
 *   training part of the series (Hyndman & Koehler 2006, "Another look at measures of
 *   forecast accuracy"); below 1 beats a last-value forecast made one step ahead.
 * - coverage90 = share of actuals inside the 90% interval.
 */
export class ErrorAccumulator {
  private absErr = 0;
  private absAct = 0;
  private smape = 0;
  private inside = 0;
  count = 0;

  add(actual: number, forecast: number, lo: number, hi: number): void {
    const e = Math.abs(forecast - actual);
    this.absErr += e;
    this.absAct += Math.abs(actual);
    const d = Math.abs(forecast) + Math.abs(actual);
    this.smape += d > 0 ? (2 * e) / d : 0;
    if (actual >= lo && actual <= hi) this.inside++;
    this.count++;
  }

  wape(): number {
    return this.absAct > 0 ? this.absErr / this.absAct : this.absErr > 0 ? Number.POSITIVE_INFINITY : 0;
  }

  scores(maseScale: number): Scores {
    const n = Math.max(1, this.count);
    const mae = this.absErr / n;
    return {
      wape: round(this.wape()),
      smape: round(this.smape / n),
      mae: round(mae),
      // A flat series has no naive error to scale by: a perfect forecast is 0, else undefined (null in JSON).
      mase: round(maseScale > 0 ? mae / maseScale : mae < 1e-9 ? 0 : Number.NaN),
      coverage90: round(this.count ? this.inside / this.count : Number.NaN),
    };
  }
}

/** In-sample one-step naive MAE over observed consecutive pairs in raw[from..to). */
export function naiveScale(raw: Float64Array, from: number, to: number): number {
  let s = 0;
  let c = 0;
  for (let i = Math.max(1, from); i < to; i++) {
    const a = raw[i] ?? Number.NaN;
    const b = raw[i - 1] ?? Number.NaN;
    if (Number.isFinite(a) && Number.isFinite(b)) ((s += Math.abs(a - b)), c++);
  }
  return c ? s / c : Number.NaN;
}

function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
}
